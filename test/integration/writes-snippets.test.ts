/**
 * Runs the README snippets for writes (examples/snippets/writes.ts) against DynamoDB
 * Local: every claim they make is an `assert` that must hold.
 */
import { run, Inventory, Ticket, Wallet } from '../../examples/snippets/writes.js';
import { LockRecord, TransactionRecord } from '../../src/index.js';
import { testDb } from '../harness/db.js';

describe('README snippets: writes (DynamoDB Local)', () => {
  const { db, drop } = testDb('snippets-writes-');
  const models = [Wallet, Inventory, Ticket, LockRecord, TransactionRecord];
  after(() => drop(models));

  it('runs, and every assertion in it holds', async function () {
    this.timeout(60_000);
    await run(db);
  });
});
