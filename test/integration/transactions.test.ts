/**
 * Native transactions against DynamoDB Local: put / update / delete / check over instances
 * and keys in one TransactWriteItems, cancellation reasons mapped to the failing action
 * and instance, the 100-action bound, idempotency tokens, and transactGet.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import {
  Model, TransactionCanceledError, TransactionTooLargeError, ValidationError, string, number, stringSet,
} from '../../src/index.js';
import { testDb } from '../harness/db.js';
import { caught } from '../harness/caught.js';

const { db, counter, drop } = testDb('transactions-');

class Account extends Model({
  table: 'accounts',
  key: { hash: 'id' },
  attributes: { id: string(), balance: number(), version: number() },
  version: 'version',
}) {}

class Entry extends Model({
  table: 'entries',
  key: { hash: 'account', range: 'no' },
  attributes: { account: string(), no: number(), amount: number(), tags: stringSet() },
}) {}

const models = [Account, Entry];

const account = (id: string) => Account.get({ id }, { db, consistent: true });

describe('transactions (DynamoDB Local)', () => {
  before(() => db.createTables(models));
  after(() => drop(models));
  beforeEach(() => counter.reset());

  it('commits puts, updates, deletes and checks of several models in one TransactWriteItems', async () => {
    await new Account({ id: 'a', balance: 100 }).save({ db });
    await new Account({ id: 'b', balance: 0 }).save({ db });
    await new Entry({ account: 'a', no: 0, amount: 1 }).save({ db });
    const a = (await account('a'))!;
    const b = (await account('b'))!;
    const old = (await Entry.get({ account: 'a', no: 0 }, { db }))!;
    counter.reset();
    a.balance -= 30;
    const entry = new Entry({ account: 'a', no: 1, amount: -30, tags: new Set(['transfer']) });
    const result = await db.transactWrite((tx) => {
      tx.put(a);
      tx.update(b, { add: { balance: 30 } });
      tx.put(entry, { overwrite: false });
      tx.delete(old);
      tx.check([Entry, { account: 'b', no: 0 }], { amount: { exists: false } });
    });
    expect(counter.counts()).to.deep.equal({ TransactWriteItemsCommand: 1 });
    expect(result.actions).to.equal(5);
    expect(result.token).to.be.a('string').with.length.above(10);
    expect(a.version).to.equal(2);
    expect(b).to.deep.include({ balance: 30, version: 2 });
    expect(a.isDirty() || b.isDirty() || entry.isDirty()).to.equal(false);
    expect(await account('a')).to.deep.include({ balance: 70, version: 2 });
    expect(await account('b')).to.deep.include({ balance: 30, version: 2 });
    expect(await Entry.get({ account: 'a', no: 0 }, { db })).to.equal(null);
    expect((await Entry.get({ account: 'a', no: 1 }, { db }))!.amount).to.equal(-30);
  });

  it('maps the cancellation reasons of failing conditions to the actions and instances; nothing is written', async () => {
    await new Account({ id: 'poor', balance: 5 }).save({ db });
    await new Account({ id: 'rich', balance: 500 }).save({ db });
    await Entry.put({ account: 'poor', no: 1, amount: 5 }, { db });
    const poor = (await account('poor'))!;
    const rich = (await account('rich'))!;
    rich.balance += 50;
    const err = await caught<TransactionCanceledError>(db.transactWrite((tx) => {
      tx.put(rich);
      tx.update(poor, { add: { balance: -50 } }, { condition: { balance: { ge: 50 } } });
      tx.put(new Entry({ account: 'poor', no: 1, amount: -50 }), { overwrite: false });
    }));
    expect(err).to.be.instanceOf(TransactionCanceledError);
    expect(err.code).to.equal('TRANSACTION_CANCELED');
    expect(err.conflict).to.equal(false);
    expect(err.reasons.map((r) => [r.index, r.action, r.model, r.code, r.versionConflict])).to.deep.equal([
      [1, 'update', 'Account', 'ConditionalCheckFailed', false],
      [2, 'put', 'Entry', 'ConditionalCheckFailed', false],
    ]);
    expect(err.reasons[0].instance).to.equal(poor);
    expect(err.reasons[0].item).to.deep.equal({ id: 'poor', balance: 5, version: 1 });
    expect(err.reasons[0].current).to.be.instanceOf(Account);
    expect(err.reasons[1].item).to.deep.include({ amount: 5 });
    expect(err.message).to.match(/\[1\] update Account: ConditionalCheckFailed; \[2\] put Entry: ConditionalCheckFailed/);
    expect(await account('rich')).to.deep.include({ balance: 500, version: 1 });
    expect(rich.version).to.equal(1);
    expect(poor.balance).to.equal(5);
  });

  it('refuses more than 100 actions and two actions on one item before sending anything', async () => {
    const many = Array.from({ length: 101 }, (_, i) => new Entry({ account: 'bulk', no: i, amount: i }));
    const tooLarge = await caught<TransactionTooLargeError>(db.transactWrite((tx) => {
      for (const e of many) tx.put(e);
    }));
    expect(tooLarge).to.be.instanceOf(TransactionTooLargeError);
    expect(tooLarge.code).to.equal('TRANSACTION_TOO_LARGE');
    expect(tooLarge.actions).to.equal(101);
    const twice = await caught<ValidationError>(db.transactWrite((tx) => {
      tx.put(many[0]);
      tx.update([Entry, { account: 'bulk', no: 0 }], { add: { amount: 1 } });
    }));
    expect(twice).to.be.instanceOf(ValidationError);
    expect(twice.message).to.match(/\[1\].*same entries item as action \[0\]/);
    const invalid = await caught<ValidationError>(db.transactWrite((tx) => {
      tx.put(many[1]);
      tx.put(new Entry({ account: 'bulk', no: 'x' as never, amount: 1 }));
    }));
    expect(invalid).to.be.instanceOf(ValidationError);
    expect(counter.total()).to.equal(0);
    // Exactly 100 is fine: one request.
    await db.transactWrite((tx) => {
      for (const e of many.slice(0, 100)) tx.put(e);
    });
    expect(counter.counts()).to.deep.equal({ TransactWriteItemsCommand: 1 });
    expect(await Entry.query({ account: 'bulk' }, { db }).count()).to.equal(100);
  });

  it('sent twice with the same token, a transaction is applied once', async () => {
    await Entry.put({ account: 'idem', no: 0, amount: 0 }, { db });
    // Unique per run: DynamoDB remembers a token for 10 minutes, across tables.
    const token = randomUUID();
    const write = () => db.transactWrite((tx) => {
      tx.update([Entry, { account: 'idem', no: 0 }], { add: { amount: 10 } });
    }, { token });
    expect((await write()).token).to.equal(token);
    await write();
    expect(counter.counts()).to.deep.equal({ PutItemCommand: 1, TransactWriteItemsCommand: 2 });
    expect((await Entry.get({ account: 'idem', no: 0 }, { db, consistent: true }))!.amount).to.equal(10);
    // A new token is a new transaction.
    await db.transactWrite((tx) => {
      tx.update([Entry, { account: 'idem', no: 0 }], { add: { amount: 10 } });
    });
    expect((await Entry.get({ account: 'idem', no: 0 }, { db, consistent: true }))!.amount).to.equal(20);
  });

  it('transactGet reads instances of several models in one request; null where missing', async () => {
    await new Account({ id: 'tg', balance: 1 }).save({ db });
    await Entry.put({ account: 'tg', no: 1, amount: 2 }, { db });
    counter.reset();
    const [acct, entry, none] = await db.transactGet([[Account, { id: 'tg' }], [Entry, { account: 'tg', no: 1 }], [Entry, { account: 'tg', no: 2 }]]);
    expect(counter.counts()).to.deep.equal({ TransactGetItemsCommand: 1 });
    expect(acct).to.be.instanceOf(Account);
    expect(acct!.balance).to.equal(1);
    expect(entry).to.be.instanceOf(Entry);
    expect(entry!.amount).to.equal(2);
    expect(none).to.equal(null);
    // Loaded through a transaction, an instance is versioned like any other.
    acct!.balance = 2;
    await acct!.save();
    expect(acct!.version).to.equal(2);
  });
});
