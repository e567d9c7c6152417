/**
 * `dynagraph/testing`: run tests against a real DynamoDB Local.
 *
 * ```ts
 * const local = await startDynamoDBLocal();
 * const client = new DynamoDBClient(localClientConfig(local.endpoint));
 * // ...
 * await local.stop();
 * ```
 *
 * And inject what DynamoDB Local never does on its own (throttling, unprocessed batch
 * entries, dropped connections, 500s, transaction conflicts, latency):
 *
 * ```ts
 * const client = new DynamoDBClient({ ...localClientConfig(local.endpoint), retryStrategy: fastRetryStrategy() });
 * const faults = injectFaults(client, { rate: 0.3, seed: 7 });
 * ```
 * @module dynagraph/testing
 */
export { startDynamoDBLocal, localClientConfig } from './local.js';
export type { LocalDynamoDB, StartDynamoDBLocalOptions } from './local.js';
export { injectFaults, seededRandom, FAULT_KINDS, DATA_OPERATIONS } from './faults.js';
export type { FaultKind, FaultWeight, FaultOptions, FaultCounts, FaultInjector, InjectedFault } from './faults.js';
export { fastRetryStrategy, type FastRetryOptions } from './retry.js';
