/**
 * Entities never confused in a shared table, and a session that never serves a stale item
 * (issue 11, §3 and §4), against DynamoDB Local.
 *
 * §3: an Invoice and a Note share a table; every read through one model of a key holding the
 * other's item is `null` (get, getMany, batchGet, transactGet, session get/getMany, to-one
 * edges, keys-only hydration), the identity map never hands one entity's instance for the
 * other, and every write through the wrong model (save, partial save, update by instance and
 * by key, upsert, delete by instance and by key, transactions) fails with
 * EntityMismatchError and leaves the other item exactly as it was (read back raw).
 *
 * §4: after each kind of write through a session, the next read through it returns what is
 * stored, and the instance it holds is refreshed in place (or, with unsaved changes, merged
 * and marked stale).
 */
import { expect } from 'chai';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import {
  ConditionFailedError, EntityMismatchError, ItemExistsError, Model, TransactionCanceledError, VersionConflictError,
  gsi, manyToOne, number, string, stringSet, list, type TransactionWriter,
} from '../../src/index.js';
import { STATE } from '../../src/model/instance.js';
import { putParams, deleteParams } from '../../src/operations/items.js';
import { updateParams } from '../../src/operations/update.js';
import { testDb } from '../harness/db.js';
import { caught } from '../harness/caught.js';

const { db, counter, drop } = testDb('entsess-');

const byState = gsi({ hash: 'state', range: 'sk', projection: 'keys' });
class Invoice extends Model({
  table: 'docs', entity: 'Invoice', key: { hash: 'pk', range: 'sk' },
  attributes: { pk: string(), sk: string(), amount: number(), state: string().optional() },
  indexes: { byState },
}) {}
class Note extends Model({
  table: 'docs', entity: 'Note', key: { hash: 'pk', range: 'sk' },
  attributes: { pk: string(), sk: string(), text: string(), state: string().optional() },
  indexes: { byState },
}) {}
class Receipt extends Model({
  table: 'docs', entity: 'Receipt', key: { hash: 'pk', range: 'sk' }, version: 'v',
  attributes: { pk: string(), sk: string(), total: number(), v: number() },
}) {}
class Payment extends Model({
  table: 'payments', key: { hash: 'id' },
  attributes: { id: string(), invoicePk: string(), invoiceSk: string() },
}) {
  invoice = manyToOne(() => Invoice, { query: (p: Payment) => ({ pk: p.invoicePk, sk: p.invoiceSk }) });
}
/** §4: a plain model and a versioned one. */
class Account extends Model({
  table: 'accounts', key: { hash: 'id' },
  attributes: { id: string(), balance: number(), note: string().optional(), tags: stringSet(), log: list(string()) },
}) {}
class Ledger extends Model({
  table: 'ledgers', key: { hash: 'id' }, version: 'version',
  attributes: { id: string(), balance: number(), note: string().optional(), version: number() },
}) {}
class Owner extends Model({ table: 'owners', key: { hash: 'id' }, attributes: { id: string(), account: string() } }) {
  account_ = manyToOne(() => Account, { query: (o: Owner) => ({ id: o.account }) });
}

const models = [Invoice, Note, Receipt, Payment, Account, Ledger, Owner];
const docsTable = () => db.tableName(Note.schema);

/** The stored item, read with a plain GetItem. */
async function raw(pk: string, sk: string): Promise<Record<string, unknown> | undefined> {
  const out = await db.connection.doc.send(new GetCommand({ TableName: docsTable(), Key: { pk, sk }, ConsistentRead: true }));
  return out.Item as Record<string, unknown> | undefined;
}

async function rawPut(item: Record<string, unknown>): Promise<void> {
  await db.connection.doc.send(new PutCommand({ TableName: docsTable(), Item: item }));
}

const NOTE = { pk: 'c1', sk: 'N#1' };
const noteItem = { ...NOTE, _type: 'Note', text: 'keep me', state: 'open' };

function expectMismatch(err: unknown, found = 'Note', expected = 'Invoice'): void {
  expect(err).to.be.instanceOf(EntityMismatchError).and.instanceOf(ConditionFailedError);
  const e = err as EntityMismatchError;
  expect(e.code).to.equal('ENTITY_MISMATCH');
  expect(e.found).to.equal(found);
  expect(e.expected).to.equal(expected);
  expect(e.key).to.deep.equal(NOTE);
  expect(e.current).to.equal(undefined);
  expect(e.message).to.match(new RegExp(`${expected}.*"${found}"`));
}

describe('entities and sessions (DynamoDB Local)', () => {
  before(async function () {
    this.timeout(120_000);
    await db.createTables(models);
  });
  after(() => drop(models));
  beforeEach(async () => {
    await rawPut(noteItem);
    counter.reset();
  });

  describe('§3 a key holding another entity\'s item', () => {
    it('write params of an entity model are guarded; a model without entity sends the same params as before', () => {
      const t = 'docs';
      expect(putParams(Invoice.schema, t, { pk: 'a', sk: 'b', _type: 'Invoice' })).to.deep.include({
        ConditionExpression: 'attribute_not_exists(#n0) OR #n1 = :v0',
        ExpressionAttributeNames: { '#n0': 'pk', '#n1': '_type' }, ExpressionAttributeValues: { ':v0': 'Invoice' },
      });
      expect(deleteParams(Invoice.schema, t, { pk: 'a', sk: 'b' }).ConditionExpression).to.equal('attribute_not_exists(#n0) OR #n1 = :v0');
      const upd = updateParams(Invoice.schema, t, { key: { pk: 'a', sk: 'b' }, actions: [{ kind: 'set', path: 'amount', value: 1 }], mustExist: true });
      expect(upd.ConditionExpression).to.equal('#n1 = :v1');
      expect(upd.ExpressionAttributeNames).to.deep.equal({ '#n0': 'amount', '#n1': '_type' });
      const upsert = updateParams(Invoice.schema, t, { key: { pk: 'a', sk: 'b' }, actions: [{ kind: 'set', path: 'amount', value: 1 }] });
      expect(upsert.UpdateExpression).to.equal('SET #n0 = :v0, #n1 = :v1');
      expect(upsert.ConditionExpression).to.equal('attribute_not_exists(#n2) OR #n1 = :v2');
      // `overwrite: false` already says "no item": no entity clause.
      expect(putParams(Invoice.schema, t, { pk: 'a', sk: 'b' }, { overwrite: false }).ConditionExpression).to.equal('attribute_not_exists(#n0)');
      // No entity: unconditional as ever.
      expect(putParams(Account.schema, 'accounts', { id: 'x' })).to.deep.equal({ TableName: 'accounts', Item: { id: 'x' } });
      expect(deleteParams(Account.schema, 'accounts', { id: 'x' })).to.deep.equal({ TableName: 'accounts', Key: { id: 'x' } });
      expect(updateParams(Account.schema, 'accounts', { key: { id: 'x' }, actions: [{ kind: 'set', path: 'balance', value: 1 }], mustExist: true }).ConditionExpression)
        .to.equal('attribute_exists(#n1)');
    });

    it('get, getMany, batchGet and transactGet return null for it', async () => {
      expect(await Invoice.get(NOTE, { db })).to.equal(null);
      expect(await Invoice.get(NOTE, { db, consistent: true })).to.equal(null);
      expect((await Note.get(NOTE, { db }))?.text).to.equal('keep me');
      await new Invoice({ pk: 'c1', sk: 'I#1', amount: 5 }).save({ db });
      const many = await Invoice.getMany([NOTE, { pk: 'c1', sk: 'I#1' }], { db });
      expect(many[0]).to.equal(null);
      expect(many[1]).to.be.instanceOf(Invoice).and.include({ amount: 5 });
      expect((await db.getMany(Invoice, [NOTE]))[0]).to.equal(null);
      const both = await db.batchGet({ invoices: [Invoice, [NOTE]], notes: [Note, [NOTE]] });
      expect(both.invoices[0]).to.equal(null);
      expect(both.notes[0]).to.be.instanceOf(Note);
      const [inv, mine] = await db.transactGet([[Invoice, NOTE], [Invoice, { pk: 'c1', sk: 'I#1' }]]);
      expect(inv).to.equal(null);
      expect(mine).to.be.instanceOf(Invoice);
      expect((await db.transactGet([[Note, NOTE]]))[0]).to.be.instanceOf(Note);
    });

    it('a session returns null for it, by get, getMany, to-one edge and keys-only hydration, and never caches it as the wrong model', async () => {
      const s = db.session();
      expect(await s.get(Invoice, NOTE)).to.equal(null);
      const note = await s.get(Note, NOTE);
      expect(note).to.be.instanceOf(Note).and.include({ text: 'keep me' });
      expect(await s.get(Invoice, NOTE)).to.equal(null);
      expect(await s.getMany(Invoice, [NOTE, NOTE])).to.deep.equal([null, null]);
      expect(await s.get(Note, NOTE)).to.equal(note);
      expect(counter.counts()).to.deep.equal({ BatchGetItemCommand: 1 });

      await new Payment({ id: 'p1', invoicePk: NOTE.pk, invoiceSk: NOTE.sk }).save({ db });
      const payment = (await s.get(Payment, { id: 'p1' }))!;
      expect(await payment.invoice.load()).to.equal(null);
      // Without a session, the tick loader too.
      const outside = (await Payment.get({ id: 'p1' }, { db }))!;
      expect(await outside.invoice.load()).to.equal(null);

      // Keys-only index entries of the Note hydrate to nothing for Invoice, to the Note for Note.
      expect(await s.query(Invoice, { state: 'open' }, { index: 'byState' }).all()).to.deep.equal([]);
      expect(await Invoice.query({ state: 'open' }, { index: 'byState', db }).all()).to.deep.equal([]);
      const notes = await s.query(Note, { state: 'open' }, { index: 'byState' }).all();
      expect(notes).to.have.length(1);
      expect(notes[0]).to.equal(note);
    });

    it('two entities at one key never share an instance in a session', async () => {
      const s = db.session();
      const note = (await s.get(Note, NOTE))!;
      // Behind the session's back the key becomes an Invoice's.
      await rawPut({ ...NOTE, _type: 'Invoice', amount: 9 });
      const [inv] = await s.query(Invoice, { pk: NOTE.pk, sk: NOTE.sk }).all();
      expect(inv).to.be.instanceOf(Invoice).and.include({ amount: 9 });
      expect(inv).to.not.equal(note);
      expect(note).to.be.instanceOf(Note).and.include({ text: 'keep me' });
      // The Note instance is not refreshed from the Invoice's item, and a query of Notes finds none.
      expect(await s.query(Note, { pk: NOTE.pk, sk: NOTE.sk }).all()).to.deep.equal([]);
      expect(note.text).to.equal('keep me');
    });

    it('save, partial save, overwrite:false, update and delete by instance through the wrong model write nothing and raise EntityMismatchError', async () => {
      const before = await raw(NOTE.pk, NOTE.sk);
      expectMismatch(await caught(new Invoice({ ...NOTE, amount: 1 }).save({ db })));
      // An Invoice loaded at a key that then became a Note's.
      await rawPut({ ...NOTE, _type: 'Invoice', amount: 1 });
      const inv = (await Invoice.get(NOTE, { db }))!;
      await rawPut(noteItem);
      inv.amount = 2;
      expectMismatch(await caught(inv.save()));
      expectMismatch(await caught(inv.save({ partial: true })));
      expectMismatch(await caught(inv.save({ expect: { amount: 1 } })));
      expectMismatch(await caught(inv.update({ add: { amount: 1 } })));
      expectMismatch(await caught(inv.delete()));
      const exists = await caught<ItemExistsError>(new Invoice({ ...NOTE, amount: 1 }).save({ db, overwrite: false }));
      expect(exists).to.be.instanceOf(ItemExistsError);
      expect(exists.item).to.include({ _type: 'Note', text: 'keep me' });
      expect(exists.current).to.equal(undefined);
      expect(await raw(NOTE.pk, NOTE.sk)).to.deep.equal(before);
    });

    it('update, upsert and delete by key through the wrong model write nothing and raise EntityMismatchError', async () => {
      const before = await raw(NOTE.pk, NOTE.sk);
      expectMismatch(await caught(Invoice.update(NOTE, { set: { amount: 3 } }, { db })));
      expectMismatch(await caught(Invoice.update(NOTE, { set: { amount: 3 } }, { db, upsert: true, returnValues: 'none' })));
      expectMismatch(await caught(Invoice.delete(NOTE, { db })));
      expectMismatch(await caught(Invoice.delete(NOTE, { db, condition: { amount: 3 } })));
      // A versioned model by key with an expected version: still the entity mismatch, not a version conflict.
      const versioned = await caught(Receipt.update(NOTE, { set: { total: 1 } }, { db, expectVersion: 1 }));
      expectMismatch(versioned, 'Note', 'Receipt');
      expect(versioned).to.not.be.instanceOf(VersionConflictError);
      expectMismatch(await caught(Receipt.delete(NOTE, { db, expectVersion: 1 })), 'Note', 'Receipt');
      expectMismatch(await caught(Receipt.update(NOTE, { set: { total: 1 } }, { db })), 'Note', 'Receipt');
      // Through a session as well, and its cache then still says "no Invoice here".
      const s = db.session();
      expectMismatch(await caught(Invoice.update(NOTE, { set: { amount: 3 } }, { db: s })));
      expect(await s.get(Invoice, NOTE)).to.equal(null);
      expect(await raw(NOTE.pk, NOTE.sk)).to.deep.equal(before);
    });

    it('an upsert and a delete of a missing key still work, and the upsert stores the entity type', async () => {
      const key = { pk: 'c9', sk: 'I#new' };
      const created = await Invoice.update(key, { set: { amount: 7 } }, { db, upsert: true });
      expect(created).to.be.instanceOf(Invoice).and.include({ amount: 7 });
      expect(await raw(key.pk, key.sk)).to.include({ _type: 'Invoice', amount: 7 });
      expect((await Invoice.get(key, { db }))?.amount).to.equal(7);
      await Invoice.update(key, { add: { amount: 1 } }, { db, upsert: true });
      expect((await Invoice.get(key, { db }))?.amount).to.equal(8);
      await Invoice.delete(key, { db });
      await Invoice.delete(key, { db }); // nothing there: no error
      expect(await raw(key.pk, key.sk)).to.equal(undefined);
    });

    it('transaction puts, updates and deletes through the wrong model are canceled with the mismatch named', async () => {
      const before = await raw(NOTE.pk, NOTE.sk);
      for (const build of [
        (tx: TransactionWriter) => tx.put(new Invoice({ ...NOTE, amount: 1 })),
        (tx: TransactionWriter) => tx.update([Invoice, NOTE], { set: { amount: 1 } }),
        (tx: TransactionWriter) => tx.delete([Invoice, NOTE]),
      ]) {
        const err = await caught<TransactionCanceledError>(db.transactWrite((tx) => {
          tx.put(new Note({ pk: 'c2', sk: 'N#x', text: 'not written' }));
          build(tx);
        }));
        expect(err).to.be.instanceOf(TransactionCanceledError);
        expect(err.reasons).to.have.length(1);
        const [r] = err.reasons;
        expect(r.index).to.equal(1);
        expectMismatch(r.entityMismatch);
        expect(r.item).to.include({ _type: 'Note', text: 'keep me' });
        expect(r.current).to.equal(undefined);
        expect(err.message).to.include('EntityMismatch');
      }
      expect(await raw(NOTE.pk, NOTE.sk)).to.deep.equal(before);
      expect(await raw('c2', 'N#x')).to.equal(undefined);
    });

    it('writes of the right entity still succeed at its own key', async () => {
      const s = db.session();
      const note = (await s.get(Note, NOTE))!;
      note.text = 'edited';
      await note.save();
      await note.save({ partial: true });
      await Note.update(NOTE, { set: { text: 'by key' } }, { db: s });
      expect(note.text).to.equal('by key');
      await db.transactWrite((tx) => void tx.update([Note, NOTE], { set: { text: 'in tx' } }));
      expect((await raw(NOTE.pk, NOTE.sk))?.text).to.equal('in tx');
      await Note.delete(NOTE, { db });
      expect(await raw(NOTE.pk, NOTE.sk)).to.equal(undefined);
    });
  });

  describe('§4 after a write through a session, the next read returns what is stored', () => {
    const A = { id: 'a' };
    beforeEach(async () => {
      await new Account({ id: 'a', balance: 10 }).save({ db });
      await new Owner({ id: 'o', account: 'a' }).save({ db });
      counter.reset();
    });

    for (const returnValues of ['none', 'allNew', 'allOld', 'updatedNew', 'updatedOld'] as const) {
      it(`Model.update(key, …, { db: session, returnValues: '${returnValues}' }): the held instance is refreshed in place`, async () => {
        const s = db.session();
        const held = (await s.get(Account, A))!;
        await Account.update(A, { add: { balance: 5 } }, { db: s, returnValues });
        const again = await s.get(Account, A);
        expect(again).to.equal(held);
        expect(held.balance).to.equal(15);
        expect(held.isDirty()).to.equal(false);
        expect((await s.getMany(Account, [A]))[0]).to.equal(held);
        expect((await s.query(Account, A).all())[0]).to.equal(held);
        const owner = (await s.get(Owner, { id: 'o' }))!;
        expect(await owner.account_.load()).to.equal(held);
        expect(s.isStale(held)).to.equal(false);
      });
    }

    it("'none' through a session costs no second request: the update is sent for ALL_NEW", async () => {
      const s = db.session();
      const held = (await s.get(Account, A))!;
      counter.reset();
      expect(await Account.update(A, { add: { balance: 1 } }, { db: s, returnValues: 'none' })).to.equal(undefined);
      expect(held.balance).to.equal(11);
      expect(await s.get(Account, A)).to.equal(held);
      expect(counter.counts()).to.deep.equal({ UpdateItemCommand: 1 });
    });

    it("'allNew' returns the held instance, refreshed; the other return values are unchanged", async () => {
      const s = db.session();
      const held = (await s.get(Account, A))!;
      expect(await Account.update(A, { add: { balance: 1 } }, { db: s })).to.equal(held);
      const old = await Account.update(A, { add: { balance: 1 } }, { db: s, returnValues: 'allOld' });
      expect(old).to.be.instanceOf(Account).and.include({ balance: 11 });
      expect(old).to.not.equal(held);
      expect(await Account.update(A, { add: { balance: 1 } }, { db: s, returnValues: 'updatedNew' })).to.deep.equal({ balance: 13 });
      expect(await s.get(Account, A)).to.equal(held);
      expect(held.balance).to.equal(13);
    });

    it('Model.delete(key, { db: session }): the next get is null', async () => {
      const s = db.session();
      await s.get(Account, A);
      await Account.delete(A, { db: s });
      counter.reset();
      expect(await s.get(Account, A)).to.equal(null);
      expect(await (await s.get(Owner, { id: 'o' }))!.account_.load()).to.equal(null);
      expect(await s.query(Account, A).all()).to.deep.equal([]);
    });

    it('instance save, update and delete through the session', async () => {
      const s = db.session();
      const held = (await s.get(Account, A))!;
      held.balance = 20;
      await held.save();
      expect(await s.get(Account, A)).to.equal(held);
      await held.update({ add: { balance: 1 } });
      expect(held.balance).to.equal(21);
      expect((await s.query(Account, A).all())[0]).to.equal(held);
      expect(held.balance).to.equal(21);
      await held.delete();
      expect(await s.get(Account, A)).to.equal(null);
    });

    it('session.transactWrite with a put, an update by key and a delete by key', async () => {
      await new Account({ id: 'b', balance: 1 }).save({ db });
      const s = db.session();
      const a = (await s.get(Account, A))!;
      const b = (await s.get(Account, { id: 'b' }))!;
      const c = new Account({ id: 'c', balance: 3 });
      await s.transactWrite((tx) => {
        tx.update([Account, A], { add: { balance: 100 } });
        tx.delete([Account, { id: 'b' }]);
        tx.put(c);
      });
      expect(await s.get(Account, A)).to.equal(a);
      expect(a.balance).to.equal(110);
      expect(await s.get(Account, { id: 'b' })).to.equal(null);
      expect(b.balance).to.equal(1);
      counter.reset();
      expect(await s.get(Account, { id: 'c' })).to.equal(c);
      expect(counter.total()).to.equal(0);
      // By instance as well.
      await s.transactWrite((tx) => void tx.update(a, { add: { balance: 1 } }));
      expect((await s.query(Account, A).all())[0]).to.equal(a);
      expect(a.balance).to.equal(111);
      await Account.delete({ id: 'c' }, { db });
    });

    it('a newer item read by a query refreshes a held instance without unsaved changes', async () => {
      const s = db.session();
      const held = (await s.get(Account, A))!;
      await Account.update(A, { set: { note: 'from elsewhere' }, add: { balance: 1 } }, { db }); // not through s
      const [read] = await s.query(Account, A).all();
      expect(read).to.equal(held);
      expect(held).to.include({ note: 'from elsewhere', balance: 11 });
      expect(held.isDirty()).to.equal(false);
      // ...and the session's cache now holds that item for gets.
      counter.reset();
      expect((await s.get(Account, A))!.note).to.equal('from elsewhere');
      expect(counter.total()).to.equal(0);
    });

    it('unsaved changes survive a newer item: other attributes refresh; a conflict marks the instance stale', async () => {
      const s = db.session();
      const held = (await s.get(Account, A))!;
      held.note = 'mine';
      held.log.push('x');
      // News on an attribute I did not touch: merged, not stale.
      await Account.update(A, { add: { balance: 5 } }, { db: s, returnValues: 'updatedNew' });
      expect(await s.get(Account, A)).to.equal(held);
      expect(held).to.include({ balance: 15, note: 'mine' });
      expect(s.isStale(held)).to.equal(false);
      expect(held.changes().map((c) => c.path).sort()).to.deep.equal(['log', 'note']);
      // News on an attribute I edited: my edit is kept, and the instance says it is stale.
      const fresh = await Account.update(A, { set: { note: 'theirs' }, add: { balance: 1 } }, { db: s });
      expect(fresh).to.not.equal(held); // the caller of allNew gets the item as stored
      expect(fresh).to.include({ note: 'theirs', balance: 16 });
      expect(await s.get(Account, A)).to.equal(held);
      expect(held).to.include({ note: 'mine', balance: 16 });
      expect(s.isStale(held)).to.equal(true);
      // expectUnchanged refuses: the note is no longer what I loaded.
      expect(await caught(held.save({ expectUnchanged: true }))).to.be.instanceOf(ConditionFailedError);
      // A partial save sends only my edits, on top of the news.
      await held.save({ partial: true });
      expect(s.isStale(held)).to.equal(false);
      expect((await Account.get(A, { db }))).to.include({ note: 'mine', balance: 16 });
      expect((await Account.get(A, { db }))!.log).to.deep.equal(['x']);
    });

    it('a versioned held instance with unsaved changes conflicts on save after news; refresh() drops the edits', async () => {
      await new Ledger({ id: 'l', balance: 1 }).save({ db });
      const s = db.session();
      const held = (await s.get(Ledger, { id: 'l' }))!;
      held.note = 'mine';
      await Ledger.update({ id: 'l' }, { add: { balance: 1 } }, { db: s, returnValues: 'none' });
      expect(held).to.include({ balance: 2, note: 'mine', version: 1 });
      expect(s.isStale(held)).to.equal(true);
      expect(await caught(held.save())).to.be.instanceOf(VersionConflictError);
      expect(await s.refresh(held)).to.equal(held);
      expect(held).to.include({ balance: 2, version: 2 });
      expect(held.note).to.equal(undefined);
      expect(s.isStale(held)).to.equal(false);
      held.note = 'again';
      await held.save();
      expect((await Ledger.get({ id: 'l' }, { db }))).to.include({ note: 'again', version: 3 });
      // A clean versioned instance is refreshed; an older version (a lagging read) is ignored.
      s.materialize(Ledger, { ...held[STATE].stored, version: 2, balance: 99 });
      expect(held).to.include({ version: 3, balance: 2 });
      await Ledger.delete({ id: 'l' }, { db });
      expect(await s.refresh(held)).to.equal(null);
      expect(await s.get(Ledger, { id: 'l' })).to.equal(null);
    });
  });
});
