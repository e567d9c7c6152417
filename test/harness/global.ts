/**
 * Mocha global fixtures: one DynamoDB Local per test run, unless DYNAMODB_ENDPOINT
 * already points at a running DynamoDB. Test files read `process.env.DYNAMODB_ENDPOINT`
 * (see `testClient()` in ./client.ts).
 */
import { startDynamoDBLocal, type LocalDynamoDB } from '../../src/testing/index.js';

// Node 20 is supported by this package; the SDK's "upgrade to Node 22" notice is noise in test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

let local: LocalDynamoDB | undefined;

/** Starts DynamoDB Local (unless DYNAMODB_ENDPOINT is set) and publishes its URL in DYNAMODB_ENDPOINT. */
export async function mochaGlobalSetup(): Promise<void> {
  if (process.env.DYNAMODB_ENDPOINT) return;
  local = await startDynamoDBLocal();
  process.env.DYNAMODB_ENDPOINT = local.endpoint;
}

/** Stops the DynamoDB Local started by {@link mochaGlobalSetup}, if any. */
export async function mochaGlobalTeardown(): Promise<void> {
  if (!local) return;
  await local.stop();
  delete process.env.DYNAMODB_ENDPOINT;
  local = undefined;
}
