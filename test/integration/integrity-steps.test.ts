/**
 * A delete above 100 actions, run in steps with a status record (`deleteInSteps`) against
 * DynamoDB Local, counting the transactions: each step at most 100 actions and consistent
 * on its own (the parent's counter moves down with each group of children), the parent
 * last with its record marked `done`; a step that fails leaves the record `running` and a
 * second call resumes and completes.
 */
import { expect } from 'chai';
import { deleteInSteps, DeleteRestrictedError, manyToOne, Model, number, oneToMany, string, TransactionRecord } from '../../src/index.js';
import { testDb } from '../harness/db.js';
import { recordInputs } from '../harness/faults.js';

class Bin extends Model({ table: 'bins', key: { hash: 'name' }, attributes: { name: string(), partCount: number().default(0) } }) {
  parts = oneToMany(() => Part, { query: (b: Bin) => ({ bin_name: b.name }), inverse: 'bin', onDelete: 'cascade', counter: 'partCount' });
}
class Part extends Model({ table: 'parts', key: { hash: 'bin_name', range: 'n' }, attributes: { bin_name: string(), n: number() } }) {
  bin = manyToOne(() => Bin, { query: (p: Part) => ({ name: p.bin_name }) });
}
class Vault extends Model({ table: 'vaults', key: { hash: 'name' }, attributes: { name: string() } }) {
  bins = oneToMany(() => Bin, { query: (v: Vault) => ({ name: v.name }), onDelete: 'restrict' });
}

const models = [Bin, Part, Vault, TransactionRecord];
const { db, counter, drop } = testDb('integrity-steps-', { retry: { baseDelayMs: 1 } });
const spy = recordInputs(db.connection.client);
const parts = (name: string) => Part.query({ bin_name: name }, { db, consistent: true }).count();
const txSizes = (from: number) => spy.sent.slice(from).filter((r) => r.command === 'TransactWriteItemsCommand').map((r) => (r.input.TransactItems as unknown[]).length);

async function fill(name: string, n: number): Promise<Bin> {
  const bin = await Bin.put({ name }, { db });
  await Part.putMany(Array.from({ length: n }, (_, i) => ({ bin_name: name, n: i })), { db });
  await Bin.update({ name }, { set: { partCount: n } }, { db });
  return (await Bin.get({ name }, { db, consistent: true }))!;
}

describe('integrity: a delete above 100 actions in steps with a status record (DynamoDB Local)', () => {
  before(async function () {
    this.timeout(60_000);
    await db.createTables(models);
  });
  after(() => drop(models));
  beforeEach(() => counter.reset());

  it('deletes a bin and its 250 parts in 3 transactions of at most 100 actions, the record done with the last', async () => {
    const bin = await fill('big', 250);
    await expectTooLarge(bin);
    const from = spy.sent.length;
    const result = await deleteInSteps(bin, { requesterId: 'ops', db });
    // 99 parts and their bin's ADD partCount -99 per step; then 52 parts, the bin and its record.
    expect(txSizes(from)).to.deep.equal([100, 100, 54]);
    expect(result).to.include({ steps: 3, deleted: 250, detached: 0, resumed: false });
    expect(result.record.status).to.equal('done');
    expect(await parts('big')).to.equal(0);
    expect(await Bin.get({ name: 'big' }, { db, consistent: true })).to.equal(null);
    const [record] = await TransactionRecord.query({ requesterId: 'ops' }, { db, consistent: true }).all();
    expect(record).to.include({ status: 'done', name: 'delete Bin {"name":"big"}', attempts: 3 });
  });

  it('a step that fails leaves the record running and the counter exact; a second call resumes', async () => {
    const bin = await fill('half', 150);
    let sent = 0;
    const name = 'stepsFailSecond';
    db.connection.client.middlewareStack.add((next, context) => async (args) => {
      if (context.commandName === 'TransactWriteItemsCommand' && ++sent === 2) throw Object.assign(new Error('the process died'), { name: 'ValidationException', $metadata: {} });
      return next(args);
    }, { step: 'initialize', name });
    try {
      await deleteInSteps(bin, { requesterId: 'ops2', db }).then(() => expect.fail('should fail'), () => {});
    } finally {
      db.connection.client.middlewareStack.remove(name);
    }
    // The first step landed: 99 parts gone, and the counter went down with them.
    expect(await parts('half')).to.equal(51);
    expect((await Bin.get({ name: 'half' }, { db, consistent: true }))!.partCount).to.equal(51);
    const [running] = await TransactionRecord.query({ requesterId: 'ops2' }, { db, consistent: true }).all();
    expect(running.status).to.equal('running');
    const result = await deleteInSteps(bin, { requesterId: 'ops2', db });
    expect(result).to.include({ resumed: true, steps: 1, deleted: 51 });
    expect(await Bin.get({ name: 'half' }, { db, consistent: true })).to.equal(null);
    const records = await TransactionRecord.query({ requesterId: 'ops2' }, { db, consistent: true }).all();
    expect(records.map((r) => r.status)).to.deep.equal(['done']);
  });

  it('still refuses a restricted delete first, writing nothing but nothing else either', async () => {
    const vault = await Vault.put({ name: 'big2' }, { db });
    await Bin.put({ name: 'big2' }, { db });
    counter.reset();
    const err = await deleteInSteps(vault, { requesterId: 'ops3', db }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(DeleteRestrictedError);
    expect(counter.counts().TransactWriteItemsCommand ?? 0).to.equal(0);
  });
});

async function expectTooLarge(bin: Bin): Promise<void> {
  const err = await bin.delete().catch((e: unknown) => e);
  expect((err as { code?: string }).code).to.equal('TRANSACTION_TOO_LARGE');
}
