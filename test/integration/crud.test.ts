/**
 * Save / get / delete against DynamoDB Local: round trips of every kind, conditional
 * writes with the stored item on failure, key changes, and two models in one table.
 */
import { expect } from 'chai';
import {
  Model, ConditionFailedError, ItemExistsError, KeyChangedError, ValidationError, absent, attr, and, not, or,
  string, number, bigint, decimal, boolean, date, binary, literal, json, template, stringSet, numberSet, binarySet, list, map,
  type LogEntry,
} from '../../src/index.js';
import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { testDb } from '../harness/db.js';
import { caught } from '../harness/caught.js';

const log: LogEntry[] = [];
const { db, counter, drop } = testDb('crud-', { logger: (e) => log.push(e) });

class Everything extends Model({
  table: 'everything',
  key: { hash: 'id' },
  attributes: {
    id: string(),
    text: string(),
    n: number(),
    big: bigint(),
    money: decimal(),
    flag: boolean(),
    at: date(),
    expires: date({ format: 'epoch' }),
    raw: binary(),
    tags: stringSet(),
    scores: numberSet(),
    blobs: binarySet(),
    profile: map({ city: string(), visits: list(date()), inner: map({ when: date().optional() }) }),
    status: literal('on', 'off'),
    doc: json<Record<string, unknown>>(),
    note: string().optional(),
  },
}) {}

class Account extends Model({
  table: 'accounts',
  key: { hash: 'owner', range: 'name' },
  attributes: { owner: string(), name: string(), balance: number(), coupon: string().optional(), email: string().optional() },
}) {}

// Single-table design: customers and their orders in one partition.
class Customer extends Model({
  table: 'shop',
  key: { hash: 'pk', range: 'sk' },
  entity: 'Customer',
  attributes: { pk: template('CUSTOMER#{login}'), sk: template('PROFILE'), login: string(), fullName: string() },
}) {}
class Order extends Model({
  table: 'shop',
  key: { hash: 'pk', range: 'sk' },
  entity: 'Order',
  attributes: { pk: template('CUSTOMER#{login}'), sk: template('ORDER#{no}'), login: string(), no: number(), total: decimal() },
}) {}

const models = [Everything, Account, Customer, Order];

describe('crud (DynamoDB Local)', () => {
  before(() => db.createTables(models));
  after(() => drop(models));
  beforeEach(() => {
    counter.reset();
    log.length = 0;
  });

  it('round-trips every attribute kind', async () => {
    const when = new Date('2023-07-08T09:10:11.123Z');
    await new Everything({
      id: 'all', text: 'héllo', n: -12.75, big: 2n ** 100n, money: '12345678901234567890.123456789012345678', flag: true,
      at: when, expires: when, raw: new Uint8Array([0, 1, 255]), tags: new Set(['x', 'y']), scores: new Set([3, 4.5]),
      blobs: new Set([new Uint8Array([7]), new Uint8Array([8, 9])]),
      profile: { city: 'Bergen', visits: [when, new Date(0)], inner: { when } }, status: 'off', doc: { deep: { list: [1, 'two', null] } },
    }).save();
    const got = await Everything.get({ id: 'all' });
    expect(got).to.be.instanceOf(Everything);
    const e = got!;
    expect(e.text).to.equal('héllo');
    expect(e.n).to.equal(-12.75);
    expect(e.big).to.equal(2n ** 100n);
    expect(e.money).to.equal('12345678901234567890.123456789012345678');
    expect(e.flag).to.equal(true);
    expect(e.at.toISOString()).to.equal('2023-07-08T09:10:11.123Z');
    expect(e.expires.toISOString()).to.equal('2023-07-08T09:10:11.000Z');
    expect([...e.raw]).to.deep.equal([0, 1, 255]);
    expect(e.tags).to.deep.equal(new Set(['x', 'y']));
    expect(e.scores).to.deep.equal(new Set([3, 4.5]));
    expect([...e.blobs].map((b) => [...b]).sort()).to.deep.equal([[7], [8, 9]]);
    expect(e.profile.city).to.equal('Bergen');
    expect(e.profile.visits.map((d) => d.toISOString())).to.deep.equal(['2023-07-08T09:10:11.123Z', '1970-01-01T00:00:00.000Z']);
    expect(e.profile.inner.when).to.be.instanceOf(Date);
    expect(e.status).to.equal('off');
    expect(e.doc).to.deep.equal({ deep: { list: [1, 'two', null] } });
    expect(e.note).to.equal(undefined);
    expect(counter.counts()).to.deep.equal({ PutItemCommand: 1, GetItemCommand: 1 });
  });

  it('stores empty sets and strings as absent and reads them back empty', async () => {
    await new Everything({
      id: 'empty', text: '', n: 0, big: 0n, money: '0', flag: false, at: new Date(0), expires: new Date(0), raw: new Uint8Array([1]),
      profile: { city: '', visits: [], inner: {} }, status: 'on', doc: {},
    }).save();
    const { Item } = await db.connection.doc.send(new GetCommand({ TableName: 'crud-everything', Key: { id: 'empty' } }));
    expect(Item).to.not.have.any.keys('text', 'tags', 'scores', 'blobs');
    expect(Item!.profile).to.deep.equal({ visits: [], inner: {} });
    const e = (await Everything.get({ id: 'empty' }))!;
    expect(e.text).to.equal('');
    expect(e.tags.size).to.equal(0);
    expect(e.profile.city).to.equal('');
  });

  it('get of a missing key is null; consistent and projected gets', async () => {
    expect(await Account.get({ owner: 'nobody', name: 'x' })).to.equal(null);
    await Account.put({ owner: 'ann', name: 'main', balance: 10, email: 'ann@example.com' });
    log.length = 0;
    const strong = await Account.get({ owner: 'ann', name: 'main' }, { consistent: true });
    const eventual = await Account.get({ owner: 'ann', name: 'main' });
    expect(strong!.balance).to.equal(10);
    // A strongly consistent read of a small item costs 1 unit, an eventual one 0.5.
    expect(log.filter((l) => l.command === 'GetItem').map((l) => l.consumedCapacity)).to.deep.equal([1, 0.5]);
    expect(eventual!.email).to.equal('ann@example.com');
    const projected = await Account.get({ owner: 'ann', name: 'main' }, { projection: ['owner', 'email'] });
    expect(projected!.email).to.equal('ann@example.com');
    expect(Object.keys(projected!)).to.not.include('balance'); // typed too: balance is not on the projected type
  });

  it('overwrite: false fails with ItemExistsError carrying the stored item', async () => {
    await Account.put({ owner: 'bob', name: 'main', balance: 5 }, { overwrite: false });
    const err = await caught<ItemExistsError>(new Account({ owner: 'bob', name: 'main', balance: 99 }).save({ overwrite: false }));
    expect(err).to.be.instanceOf(ItemExistsError);
    expect(err.code).to.equal('ITEM_EXISTS');
    expect(err.item).to.deep.equal({ owner: 'bob', name: 'main', balance: 5 });
    expect(err.current).to.be.instanceOf(Account);
    expect((err.current as Account).balance).to.equal(5);
    expect((await Account.get({ owner: 'bob', name: 'main' }))!.balance).to.equal(5);
  });

  it('expect guards with values and absent; failure carries the current item', async () => {
    const acct = await Account.put({ owner: 'cy', name: 'main', balance: 200 });
    acct.balance = 150;
    await acct.save({ expect: { balance: 200, coupon: absent } });
    acct.balance = 100;
    const err = await caught<ConditionFailedError>(acct.save({ expect: { balance: 200 } }));
    expect(err).to.be.instanceOf(ConditionFailedError).and.not.instanceOf(ItemExistsError);
    expect(err.code).to.equal('CONDITION_FAILED');
    expect(err.item).to.include({ balance: 150 });
    expect((err.current as Account).balance).to.equal(150);
    await Account.put({ owner: 'cy', name: 'main', balance: 150, coupon: 'SAVE' });
    const err2 = await caught<ConditionFailedError>(new Account({ owner: 'cy', name: 'main', balance: 1 }).save({ expect: { coupon: absent } }));
    expect(err2.item).to.include({ coupon: 'SAVE' });
    expect((await Account.get({ owner: 'cy', name: 'main' }))!.balance).to.equal(150);
  });

  it('condition builders guard writes; a failed guard on a missing item has no current item', async () => {
    const acct = await Account.put({ owner: 'dee', name: 'main', balance: 300 });
    acct.balance = 1;
    const err = await caught<ConditionFailedError>(acct.save({ condition: attr('balance').gt(500) }));
    expect(err.code).to.equal('CONDITION_FAILED');
    expect(err.item).to.include({ balance: 300 });
    await acct.save({ condition: and(attr('balance').ge(300), not(attr('coupon').exists()), or(attr('email').notExists(), attr('email').eq('x'))) });
    expect((await Account.get({ owner: 'dee', name: 'main' }))!.balance).to.equal(1);
    const none = await caught<ConditionFailedError>(new Account({ owner: 'ghost', name: 'x', balance: 1 }).save({ condition: attr('balance').exists() }));
    expect(none).to.be.instanceOf(ConditionFailedError);
    expect(none.item).to.equal(undefined);
    expect(none.current).to.equal(undefined);
    expect(await Account.get({ owner: 'ghost', name: 'x' })).to.equal(null);
  });

  it('delete, unconditional and guarded', async () => {
    const acct = await Account.put({ owner: 'eve', name: 'main', balance: 10 });
    const err = await caught<ConditionFailedError>(acct.delete({ expect: { balance: 0 } }));
    expect(err.item).to.include({ balance: 10 });
    expect(await Account.get({ owner: 'eve', name: 'main' })).to.not.equal(null);
    const err2 = await caught<ConditionFailedError>(Account.delete({ owner: 'eve', name: 'main' }, { condition: attr('balance').lt(5) }));
    expect(err2).to.be.instanceOf(ConditionFailedError);
    await acct.delete({ condition: attr('balance').eq(10) });
    expect(await Account.get({ owner: 'eve', name: 'main' })).to.equal(null);
    await Account.put({ owner: 'eve', name: 'second', balance: 1 });
    await Account.delete({ owner: 'eve', name: 'second' });
    expect(await Account.get({ owner: 'eve', name: 'second' })).to.equal(null);
  });

  it('Model.put validates the raw document', async () => {
    const err = await caught<ValidationError>(Account.put({ owner: 'fay', name: 'main', balance: 'lots' } as never));
    expect(err).to.be.instanceOf(ValidationError);
    expect(err.issues).to.deep.equal([{ path: 'balance', message: 'expected a number, got string' }]);
    expect(counter.counts()).to.deep.equal({});
    const saved = await Account.put({ owner: 'fay', name: 'main', balance: 3 });
    expect(saved).to.be.instanceOf(Account);
    expect((await Account.get({ owner: 'fay', name: 'main' }))!.toJSON()).to.deep.equal({ owner: 'fay', name: 'main', balance: 3 });
  });

  describe('changing a loaded key', () => {
    it('throws KeyChangedError before any request by default', async () => {
      await Account.put({ owner: 'gus', name: 'old', balance: 1 });
      const acct = (await Account.get({ owner: 'gus', name: 'old' }))!;
      acct.name = 'new';
      counter.reset();
      const err = await caught<KeyChangedError>(acct.save());
      expect(err).to.be.instanceOf(KeyChangedError);
      expect(err.code).to.equal('KEY_CHANGED');
      expect(err.message).to.match(/"name"/);
      expect(counter.total()).to.equal(0);
      expect(await Account.get({ owner: 'gus', name: 'new' })).to.equal(null);
    });

    it("'copy' writes the new item and keeps the old one", async () => {
      await Account.put({ owner: 'hal', name: 'old', balance: 2 });
      const acct = (await Account.get({ owner: 'hal', name: 'old' }))!;
      acct.name = 'new';
      await acct.save({ onKeyChange: 'copy' });
      expect((await Account.get({ owner: 'hal', name: 'old' }))!.balance).to.equal(2);
      expect((await Account.get({ owner: 'hal', name: 'new' }))!.balance).to.equal(2);
      // The instance now stands for the new item: saving again is not a key change.
      acct.balance = 3;
      await acct.save();
      expect((await Account.get({ owner: 'hal', name: 'new' }))!.balance).to.equal(3);
    });

    it("'move' writes the new item and deletes the old one", async () => {
      await Account.put({ owner: 'ivy', name: 'old', balance: 4 });
      const acct = (await Account.get({ owner: 'ivy', name: 'old' }))!;
      acct.name = 'new';
      counter.reset();
      await acct.save({ onKeyChange: 'move' });
      expect(counter.counts()).to.deep.equal({ TransactWriteItemsCommand: 1 });
      expect(await Account.get({ owner: 'ivy', name: 'old' })).to.equal(null);
      expect((await Account.get({ owner: 'ivy', name: 'new' }))!.balance).to.equal(4);
    });

    it('a changed template field is a key change too', async () => {
      await Customer.put({ login: 'jo', fullName: 'Jo' });
      const c = (await Customer.get({ login: 'jo' }))!;
      c.login = 'joe';
      const err = await caught<KeyChangedError>(c.save());
      expect(err).to.be.instanceOf(KeyChangedError);
      expect(err.message).to.match(/"pk"/);
    });
  });

  describe('single-table design', () => {
    it('stores two models in one table, each item with its entity type, read by template fields', async () => {
      await Customer.put({ login: 'kim', fullName: 'Kim Lee' });
      await Order.put({ login: 'kim', no: 1, total: '9.95' });
      await Order.put({ login: 'kim', no: 2, total: '100.00' });
      const { Items } = await db.connection.doc.send(new ScanCommand({ TableName: 'crud-shop' }));
      const kims = (Items ?? []).filter((i) => i.pk === 'CUSTOMER#kim').map((i) => [i.sk, i._type]).sort();
      expect(kims).to.deep.equal([['ORDER#1', 'Order'], ['ORDER#2', 'Order'], ['PROFILE', 'Customer']]);
      const c = await Customer.get({ login: 'kim' });
      expect(c).to.be.instanceOf(Customer);
      expect(c!.fullName).to.equal('Kim Lee');
      expect(c!.pk).to.equal('CUSTOMER#kim');
      const o = await Order.get({ login: 'kim', no: 2 });
      expect(o).to.be.instanceOf(Order);
      expect(o!.total).to.equal('100');
      expect(o!.sk).to.equal('ORDER#2');
      expect(await Order.get({ login: 'kim', no: 3 })).to.equal(null);
    });

    it('get through the wrong model of a shared table is null, not a mistyped instance', async () => {
      await Customer.put({ login: 'lou', fullName: 'Lou' });
      const wrong = await Order.get({ pk: 'CUSTOMER#lou', sk: 'PROFILE' } as never);
      expect(wrong).to.equal(null);
    });
  });
});
