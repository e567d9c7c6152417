/**
 * `dynagraph/testing`: run tests against a real DynamoDB Local.
 *
 * ```ts
 * const local = await startDynamoDBLocal();
 * const client = new DynamoDBClient(localClientConfig(local.endpoint));
 * // ...
 * await local.stop();
 * ```
 * @module
 */
export { startDynamoDBLocal, localClientConfig } from './local.js';
export type { LocalDynamoDB, StartDynamoDBLocalOptions } from './local.js';
