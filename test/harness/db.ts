/**
 * A Dynagraph per test file: its own table prefix so files never collide, a client with
 * short retry delays, and a command counter for asserting request counts.
 */
import { Dynagraph, type AnyModel, type DynagraphOptions } from '../../src/index.js';
import { countCommands, testClient, type CommandCounter, type TestClientOptions } from './client.js';

/** A test database and its request counter. */
export interface TestDb {
  db: Dynagraph;
  counter: CommandCounter;
  /** Deletes the tables of the given models (call in `after`). */
  drop(models: readonly AnyModel[]): Promise<void>;
}

/** Makes a Dynagraph on the harness endpoint with table prefix `prefix` (unique per test file). */
export function testDb(prefix: string, options: Omit<DynagraphOptions, 'client' | 'tablePrefix'> & { client?: TestClientOptions } = {}): TestDb {
  const client = testClient(options.client);
  const db = new Dynagraph({ ...options, client, tablePrefix: prefix, default: false });
  const counter = countCommands(client);
  return { db, counter, drop: (models) => db.deleteTables(models, { wait: false }) };
}
