/**
 * Lost answers on every write path, against DynamoDB Local: the request is applied, the
 * connection is reset before the answer arrives (optionally after another writer wrote on
 * top), and the SDK resends it. One call must be applied once: a write that landed is a
 * success, one that surely did not is the error it met, and one that nobody can decide is an
 * OutcomeUnknownError — never a conflict that a retry would apply twice.
 */
import { expect } from 'chai';
import {
  Model, DynagraphError, OutcomeUnknownError, Transaction, transactor, VersionConflictError, ConditionFailedError, Dynagraph,
  number, string, type Transactor,
} from '../../src/index.js';
import { injectFaults } from '../../src/testing/index.js';
import { testDb } from '../harness/db.js';
import { testClient } from '../harness/client.js';
import { loseAnswers } from '../harness/lost-answers.js';
import { caught } from '../harness/caught.js';

const { db, drop } = testDb('lostans-', { retry: { baseDelayMs: 1, maxDelayMs: 5 } });
// Another writer, on its own client (its writes are never lost).
const other = testDb('lostans-').db;

class Counter extends Model({
  table: 'counters',
  key: { hash: 'id' },
  attributes: { id: string(), n: number(), version: number() },
  version: 'version',
}) {}

class ShortMemory extends Model({
  table: 'short',
  key: { hash: 'id' },
  attributes: { id: string(), n: number(), version: number() },
  version: 'version',
  writeHistory: 2,
}) {}

class Plain extends Model({
  table: 'plain',
  key: { hash: 'id' },
  attributes: { id: string(), n: number() },
}) {}

class Ticket extends Model({
  table: 'tickets',
  key: { hash: 'id' },
  attributes: { id: number(), label: string() },
  autoincrement: true,
}) {}

class Account extends Model({
  table: 'accounts',
  key: { hash: 'id' },
  attributes: { id: string(), balance: number(), version: number() },
  version: 'version',
}) {}

const MODELS = [Counter, ShortMemory, Plain, Ticket, Account];
const stored = <M extends typeof Counter | typeof ShortMemory>(m: M, id: string) => (m as typeof Counter).get({ id }, { db: other, consistent: true });
let ids = 0;
async function fresh(m: typeof Counter | typeof ShortMemory = Counter): Promise<Counter> {
  const c = new (m as typeof Counter)({ id: `c${++ids}`, n: 0 });
  await c.save({ db });
  return (await (m as typeof Counter).get({ id: c.id }, { db, consistent: true }))!;
}
/** Another writer's read-modify-write of the same item. */
async function otherAdds(m: typeof Counter | typeof ShortMemory, id: string, k: number): Promise<void> {
  const c = (await (m as typeof Counter).get({ id }, { db: other, consistent: true }))!;
  c.n += k;
  await c.save({ db: other });
}

describe('lost answers on every write path (DynamoDB Local, answers dropped after the write was applied)', () => {
  before(() => db.createTables(MODELS));
  after(() => drop(MODELS));

  describe('versioned writes, with another writer writing on top before the resend', () => {
    it('save(): the resend finds its own mark and reports success, not a conflict', async () => {
      const c = await fresh();
      const loser = loseAnswers(db.connection.client, { operation: 'PutItem', between: () => otherAdds(Counter, c.id, 10) });
      try {
        c.n += 1;
        await c.save({ db });
      } finally {
        loser.remove();
      }
      expect(loser.lost()).to.equal(1);
      expect(await stored(Counter, c.id)).to.deep.include({ n: 11, version: 3 });
      expect(c.version).to.equal(2);
    });

    it('save({ partial: true }) and update(): landed once, the instance holds what is stored', async () => {
      const c = await fresh();
      let loser = loseAnswers(db.connection.client, { operation: 'UpdateItem', between: () => otherAdds(Counter, c.id, 10) });
      c.n += 1;
      await c.save({ db, partial: true }).finally(() => loser.remove());
      expect(loser.lost()).to.equal(1);
      expect(await stored(Counter, c.id)).to.deep.include({ n: 11, version: 3 });
      expect(c).to.deep.include({ n: 11, version: 3 });

      loser = loseAnswers(db.connection.client, { operation: 'UpdateItem', between: () => otherAdds(Counter, c.id, 100) });
      await c.update({ add: { n: 1 } }, { db }).finally(() => loser.remove());
      expect(await stored(Counter, c.id)).to.deep.include({ n: 112, version: 5 });
    });

    it('delete(): a resend that finds the item gone is done; one that finds it created anew is OutcomeUnknownError', async () => {
      const c = await fresh();
      let loser = loseAnswers(db.connection.client, { operation: 'DeleteItem' });
      await c.delete({ db }).finally(() => loser.remove());
      expect(await stored(Counter, c.id)).to.equal(null);

      const d = await fresh();
      loser = loseAnswers(db.connection.client, { operation: 'DeleteItem', between: async () => { await new Counter({ id: d.id, n: 7 }).save({ db: other }); } });
      const err = await caught<OutcomeUnknownError>(d.delete({ db }).finally(() => loser.remove()));
      expect(err).to.be.instanceOf(OutcomeUnknownError);
      expect(err.code).to.equal('OUTCOME_UNKNOWN');
      expect(err.message).to.contain(d.id);
    });

    it('a write whose request never reached DynamoDB, overtaken by another writer, is a true conflict (a retry is safe)', async () => {
      const c = await fresh();
      const loser = loseAnswers(db.connection.client, { operation: 'PutItem', when: 'before', between: () => otherAdds(Counter, c.id, 10) });
      c.n += 1;
      const err = await caught<VersionConflictError>(c.save({ db }).finally(() => loser.remove()));
      expect(err).to.be.instanceOf(VersionConflictError);
      expect(await stored(Counter, c.id)).to.deep.include({ n: 10, version: 2 });
    });

    it('more versions written before the resend than the item remembers: OutcomeUnknownError, never a conflict', async () => {
      const c = await fresh(ShortMemory);
      const loser = loseAnswers(db.connection.client, {
        operation: 'PutItem',
        between: async () => { for (let i = 0; i < 3; i++) await otherAdds(ShortMemory, c.id, 10); },
      });
      c.n += 1;
      const err = await caught<OutcomeUnknownError>(c.save({ db }).finally(() => loser.remove()));
      expect(err).to.be.instanceOf(OutcomeUnknownError);
      expect(await stored(ShortMemory, c.id)).to.deep.include({ n: 31, version: 5 });
    });

    it('every attempt answered with a reset: the outcome is decided by a consistent read', async () => {
      const c = await fresh();
      // The client retries 3 times: the first attempt lands, the two resends fail their check; all answers lost.
      const loser = loseAnswers(db.connection.client, { operation: 'PutItem', times: 3 });
      c.n += 5;
      await c.save({ db }).finally(() => loser.remove());
      expect(loser.lost()).to.equal(3);
      expect(await stored(Counter, c.id)).to.deep.include({ n: 5, version: 2 });
    });

    it('a first save whose answer was lost is one item', async () => {
      const loser = loseAnswers(db.connection.client, { operation: 'PutItem' });
      const c = new Counter({ id: 'first-save', n: 1 });
      await c.save({ db }).finally(() => loser.remove());
      expect(loser.lost()).to.equal(1);
      expect(await stored(Counter, 'first-save')).to.deep.include({ n: 1, version: 1 });
    });
  });

  describe('autoincrement', () => {
    it('one save is one item under one id, whatever answers are lost', async () => {
      const before = await Ticket.scan({ db, consistent: true }).all();
      let loser = loseAnswers(db.connection.client, { operation: 'PutItem' });
      const t = new Ticket({ label: 'lost put' });
      await t.save({ db }).finally(() => loser.remove());
      expect(loser.lost()).to.equal(1);
      // The counter's ADD resent after a lost answer only skips an id.
      loser = loseAnswers(db.connection.client, { operation: 'UpdateItem' });
      const u = new Ticket({ label: 'lost counter' });
      await u.save({ db }).finally(() => loser.remove());
      const after = await Ticket.scan({ db, consistent: true }).all();
      expect(after.length - before.length).to.equal(2);
      expect(after.filter((x) => x.label === 'lost put').map((x) => x.id)).to.deep.equal([t.id]);
      expect(after.filter((x) => x.label === 'lost counter').map((x) => x.id)).to.deep.equal([u.id]);
      expect(u.id).to.be.greaterThan(t.id);
    });
  });

  describe('what an independent review found', () => {
    it('a 200 whose body is lost is a lost answer too: one autoincrement save is one item', async () => {
      const before = (await Ticket.scan({ db, consistent: true }).all()).length;
      const loser = loseAnswers(db.connection.client, { operation: 'PutItem', when: 'body' });
      const t = new Ticket({ label: 'body lost' });
      await t.save({ db }).finally(() => loser.remove());
      expect(loser.lost()).to.equal(1);
      const after = await Ticket.scan({ db, consistent: true }).all();
      expect(after.length - before).to.equal(1);
      expect(after.filter((x) => x.label === 'body lost').map((x) => x.id)).to.deep.equal([t.id]);
    });

    it('an autoincrement item changed by another writer before the resend is still recognised (its lineage)', async () => {
      const before = (await Ticket.scan({ db, consistent: true }).all()).length;
      const t = new Ticket({ label: 'changed meanwhile' });
      const loser = loseAnswers(db.connection.client, {
        operation: 'PutItem',
        between: async () => {
          const mine = (await Ticket.scan({ db: other, consistent: true }).all()).find((x) => x.label === 'changed meanwhile')!;
          await Ticket.update({ id: mine.id }, { set: { label: 'changed meanwhile!' } }, { db: other });
        },
      });
      await t.save({ db }).finally(() => loser.remove());
      expect((await Ticket.scan({ db, consistent: true }).all()).length - before).to.equal(1);
    });

    it('a versioned create whose mark was overwritten before the resend is recognised by its lineage', async () => {
      const c = new ShortMemory({ id: 'create-overtaken', n: 1 });
      const loser = loseAnswers(db.connection.client, {
        operation: 'PutItem',
        between: async () => { for (let i = 0; i < 2; i++) await otherAdds(ShortMemory, c.id, 10); },
      });
      await c.save({ db }).finally(() => loser.remove());
      expect(await stored(ShortMemory, c.id)).to.deep.include({ n: 21, version: 3 });
    });

    it('an item created by an upsert has a lineage: a resend never writes into the item created after a delete', async () => {
      await Counter.update({ id: 'upserted' }, { set: { n: 0 } }, { db, upsert: true });
      const c = (await Counter.get({ id: 'upserted' }, { db, consistent: true }))!;
      const loser = loseAnswers(db.connection.client, {
        operation: 'PutItem',
        between: async () => {
          await Counter.delete({ id: 'upserted' }, { db: other });
          await Counter.update({ id: 'upserted' }, { set: { n: 100 } }, { db: other, upsert: true });
        },
      });
      c.n += 1;
      const err = await caught<OutcomeUnknownError>(c.save({ db }).finally(() => loser.remove()));
      expect(err).to.be.instanceOf(OutcomeUnknownError);
      expect(await stored(Counter, 'upserted')).to.deep.include({ n: 100 });
    });

    it('after a transaction, the instance keeps its marks: its next save is not mistaken for a conflict', async () => {
      const c = await fresh();
      await db.transactWrite((tx) => void tx.update(c, { add: { n: 1 } }));
      c.n += 1;
      await c.save({ db });
      await db.transactWrite((tx) => {
        c.n += 1;
        tx.put(c, { partial: true });
      });
      await c.save({ db });
      expect(await stored(Counter, c.id)).to.deep.include({ n: 3 });
    });
  });

  describe('writes without versions', () => {
    it('save({ overwrite: false }) whose answer was lost finds its own item: success', async () => {
      const loser = loseAnswers(db.connection.client, { operation: 'PutItem' });
      await new Plain({ id: 'create', n: 1 }).save({ db, overwrite: false }).finally(() => loser.remove());
      expect(loser.lost()).to.equal(1);
      expect(await Plain.get({ id: 'create' }, { db, consistent: true })).to.deep.include({ n: 1 });
    });

    it('a conditional update that fails on its own landed write is OutcomeUnknownError, not a condition failure', async () => {
      await new Plain({ id: 'cond', n: 0 }).save({ db });
      const loser = loseAnswers(db.connection.client, { operation: 'UpdateItem' });
      const err = await caught<DynagraphError>(Plain.update({ id: 'cond' }, { set: { n: 1 } }, { db, expect: { n: 0 } }).finally(() => loser.remove()));
      expect(err).to.be.instanceOf(OutcomeUnknownError);
      expect(err).not.to.be.instanceOf(ConditionFailedError);
      expect(await Plain.get({ id: 'cond' }, { db, consistent: true })).to.deep.include({ n: 1 });
    });
  });

  describe('the retrying transaction engine', () => {
    class Transfer extends Transaction {
      constructor(readonly from: string, readonly to: string, readonly amount: number) {
        super(`transfer-${from}-${to}`);
        this.transient = true;
      }
      protected transactors(): Transactor[] {
        const get = (id: string) => () => Account.get({ id }, { db, consistent: true });
        return [
          transactor(get(this.from), (a) => void (a.balance -= this.amount)),
          transactor(get(this.to), (a) => void (a.balance += this.amount)),
        ];
      }
    }

    it('an attempt that landed, whose answer was lost and whose resend met a conflict, commits once', async () => {
      for (const id of ['x', 'y']) await new Account({ id, balance: 100 }).save({ db });
      const faults = injectFaults(db.connection.client, { rate: 1, kinds: { conflict: 1 }, onFault: () => void (faults.enabled = false) });
      faults.enabled = false;
      const loser = loseAnswers(db.connection.client, { operation: 'TransactWriteItems', between: () => void (faults.enabled = true) });
      try {
        await new Transfer('x', 'y', 30).commit({ db });
      } finally {
        loser.remove();
        faults.remove();
      }
      expect(loser.lost()).to.equal(1);
      expect(faults.counts.conflict).to.equal(1);
      const [x, y] = await db.getMany(Account, [{ id: 'x' }, { id: 'y' }], { consistent: true });
      expect([x!.balance, y!.balance]).to.deep.equal([70, 130]);
    });
  });

  describe('every SDK error is a DynagraphError', () => {
    it('a missing table, a refused connection, on reads and writes', async () => {
      class Missing extends Model({ table: 'no-such-table', key: { hash: 'id' }, attributes: { id: string() } }) {}
      const missing = await caught<DynagraphError>(Missing.get({ id: 'a' }, { db }));
      expect(missing).to.be.instanceOf(DynagraphError);
      expect(missing.code).to.equal('TABLE_NOT_FOUND');
      expect(missing.message).to.contain('no-such-table');
      expect((missing.cause as Error).name).to.equal('ResourceNotFoundException');

      const closed = new Dynagraph({ client: testClient({ endpoint: 'http://127.0.0.1:9', maxAttempts: 1 }), default: false });
      const read = await caught<DynagraphError>(Plain.get({ id: 'a' }, { db: closed }));
      expect(read).to.be.instanceOf(DynagraphError);
      expect(read.code).to.equal('NETWORK');
      const write = await caught<DynagraphError>(new Plain({ id: 'a', n: 1 }).save({ db: closed }));
      expect(write.code, 'a refused connection never reached DynamoDB').to.equal('NETWORK');
      closed.connection.client.destroy();
    });

    it('a read whose every answer lost its body is a NETWORK error, not an unknown outcome', async () => {
      await new Plain({ id: 'body-read', n: 1 }).save({ db });
      const loser = loseAnswers(db.connection.client, { operation: 'GetItem', when: 'body', times: 3 });
      const err = await caught<DynagraphError>(Plain.get({ id: 'body-read' }, { db }).finally(() => loser.remove()));
      expect(loser.lost()).to.equal(3);
      expect(err).to.be.instanceOf(DynagraphError);
      expect(err.code).to.equal('NETWORK');
    });
  });
});
