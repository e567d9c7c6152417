/**
 * Batch reads and writes against DynamoDB Local: request counts (100 keys per
 * BatchGetItem, 25 writes per BatchWriteItem), de-duplication, input order, several
 * tables in shared requests, UnprocessedKeys from DynamoDB Local itself (16 MB responses)
 * and injected by SDK middleware, the typed errors, and nothing written on bad input.
 */
import { expect } from 'chai';
import { DuplicateKeyError, Model, UnprocessedError, ValidationError, decimal, number, string, template } from '../../src/index.js';
import { testDb } from '../harness/db.js';
import { recordInputs, seeded, unprocessedItems, unprocessedKeys } from '../harness/faults.js';
import { caught } from '../harness/caught.js';

const { db, counter, drop } = testDb('batch-');
const spy = recordInputs(db.connection.client);

class Item extends Model({ table: 'items', key: { hash: 'id' }, attributes: { id: string(), n: number(), name: string(), blob: string().optional() } }) {}
class Pair extends Model({ table: 'pairs', key: { hash: 'a', range: 'b' }, attributes: { a: string(), b: number(), note: string().optional() } }) {}
class Cat extends Model({
  table: 'pets', entity: 'Cat', key: { hash: 'pk', range: 'sk' },
  attributes: { pk: template('OWNER#{owner}'), sk: template('PET#{name}'), owner: string(), name: string() },
}) {}
class Dog extends Model({
  table: 'pets', entity: 'Dog', key: { hash: 'pk', range: 'sk' },
  attributes: { pk: template('OWNER#{owner}'), sk: template('PET#{name}'), owner: string(), name: string() },
}) {}

class Price extends Model({ table: 'prices', key: { hash: 'sku', range: 'amount' }, attributes: { sku: string(), amount: decimal(), label: string() } }) {}

const models = [Item, Pair, Cat, Dog, Price];
const id = (i: number) => `i${String(i).padStart(3, '0')}`;
const keys = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => ({ id: id(from + k) }));
const names = (xs: readonly ({ id: string } | null)[]) => xs.map((x) => x?.id ?? null);

describe('batch get and write (DynamoDB Local)', () => {
  before(async function () {
    this.timeout(60_000);
    await db.createTables(models);
    await Item.putMany(Array.from({ length: 250 }, (_, i) => ({ id: id(i), n: i, name: `item ${i}` })));
    await Pair.putMany(Array.from({ length: 60 }, (_, i) => ({ a: `a${i % 3}`, b: i })));
  });
  after(() => drop(models));
  beforeEach(() => {
    counter.reset();
    spy.sent.length = 0;
  });

  it('reads 250 distinct keys in exactly 3 BatchGetItem calls, in input order', async () => {
    const order = keys(0, 250).reverse();
    const got = await Item.getMany(order);
    expect(names(got)).to.deep.equal(order.map((k) => k.id));
    expect(got.every((x) => x instanceof Item && x.name === `item ${x.n}`)).to.equal(true);
    expect(counter.counts()).to.deep.equal({ BatchGetItemCommand: 3 });
    expect(spy.sent.map((s) => (s.input.RequestItems as Record<string, { Keys: unknown[] }>)[db.tableName(Item.schema)].Keys.length).sort()).to.deep.equal([100, 100, 50]);
  });

  it('duplicates cost nothing extra; missing keys are null in place; no keys, no request', async () => {
    const twice = [...keys(0, 250), ...keys(0, 250)];
    expect(names(await Item.getMany(twice))).to.deep.equal(twice.map((k) => k.id));
    expect(counter.counts()).to.deep.equal({ BatchGetItemCommand: 3 });
    counter.reset();
    const mixed = [{ id: 'nope' }, { id: id(5) }, { id: 'nope' }, { id: id(6) }, { id: 'gone' }];
    expect(names(await db.getMany(Item, mixed))).to.deep.equal([null, id(5), null, id(6), null]);
    expect(counter.counts()).to.deep.equal({ BatchGetItemCommand: 1 });
    counter.reset();
    expect(await Item.getMany([])).to.deep.equal([]);
    expect(counter.total()).to.equal(0);
  });

  it('a bad key is a ValidationError before any request; consistent reads are asked for', async () => {
    expect(await caught(Pair.getMany([{ a: 'a0', b: 0 }, { a: 'a0' } as never]))).to.be.instanceOf(ValidationError);
    expect(counter.total()).to.equal(0);
    await Pair.getMany([{ a: 'a0', b: 0 }], { consistent: true });
    expect(Object.values(spy.sent[0].input.RequestItems as Record<string, { ConsistentRead?: boolean }>)[0].ConsistentRead).to.equal(true);
  });

  it('number keys match whatever text DynamoDB answers with (1.50 → 1.5, 007 → 7, 1e3 → 1000)', async () => {
    await Price.putMany([{ sku: 's', amount: '1.50', label: 'a' }, { sku: 's', amount: '007', label: 'b' }, { sku: 's', amount: '1e3', label: 'c' }]);
    const got = await Price.getMany([{ sku: 's', amount: '1.50' }, { sku: 's', amount: '7' }, { sku: 's', amount: '1000.0' }, { sku: 's', amount: '1.5' }, { sku: 's', amount: '15' }]);
    expect(got.map((p) => p?.label ?? null)).to.deep.equal(['a', 'b', 'c', 'a', null]);
    counter.reset();
    const err = await caught(Price.putMany([{ sku: 't', amount: '2.0', label: 'x' }, { sku: 't', amount: '2', label: 'y' }]));
    expect(err).to.be.instanceOf(DuplicateKeyError);
    expect(counter.total()).to.equal(0);
  });

  it('chunks run in parallel, never more at once than `concurrency`', async () => {
    for (const concurrency of [1, 3, 8]) {
      const limited = testDb('batch-', { concurrency });
      let running = 0;
      let peak = 0;
      limited.db.connection.client.middlewareStack.add((next) => async (args) => {
        peak = Math.max(peak, ++running);
        await new Promise((resolve) => setTimeout(resolve, 15));
        try {
          return await next(args);
        } finally {
          running--;
        }
      }, { step: 'initialize', name: 'inFlight' });
      // 1,000 keys (most of them missing): 10 requests.
      const got = await Item.getMany([...keys(0, 250), ...Array.from({ length: 750 }, (_, i) => ({ id: `missing${i}` }))], { db: limited.db });
      expect(got.filter((x) => x !== null)).to.have.length(250);
      expect(limited.counter.counts()).to.deep.equal({ BatchGetItemCommand: 10 });
      expect(peak, `concurrency ${concurrency}`).to.equal(concurrency);
      peak = 0;
      await Pair.putMany(Array.from({ length: 100 }, (_, b) => ({ a: `c${concurrency}`, b })), { db: limited.db });
      expect(peak, `write concurrency ${concurrency}`).to.equal(Math.min(concurrency, 4));
      limited.db.connection.client.destroy();
    }
  });

  it('db.batchGet reads several tables in shared requests, each result in its own order and class', async () => {
    const pairs = Array.from({ length: 60 }, (_, i) => ({ a: `a${(59 - i) % 3}`, b: 59 - i }));
    const out = await db.batchGet({ items: [Item, [...keys(0, 60), { id: 'nope' }]], pairs: [Pair, [...pairs, { a: 'a0', b: 1 }]] });
    expect(names(out.items)).to.deep.equal([...keys(0, 60).map((k) => k.id), null]);
    expect(out.pairs.map((p) => p && [p.a, p.b])).to.deep.equal([...pairs.map((p) => [p.a, p.b]), null]);
    expect(out.pairs[0]).to.be.instanceOf(Pair);
    expect(counter.counts()).to.deep.equal({ BatchGetItemCommand: 2 });
    const tables = spy.sent.map((s) => Object.keys(s.input.RequestItems as object).length);
    expect(tables).to.include(2);
  });

  it('getMany through one model of a shared table gives null for another model\'s item', async () => {
    await Cat.put({ owner: 'ann', name: 'tom' });
    await Dog.put({ owner: 'ann', name: 'rex' });
    const cats = await Cat.getMany([{ owner: 'ann', name: 'tom' }, { owner: 'ann', name: 'rex' }]);
    expect(cats.map((c) => c && [c.constructor.name, c.name])).to.deep.equal([['Cat', 'tom'], null]);
  });

  it('UnprocessedKeys from DynamoDB Local itself (a response past 16 MB) are read on retry', async function () {
    this.timeout(60_000);
    const big = Array.from({ length: 45 }, (_, i) => ({ id: `big${i}`, n: i, name: 'big', blob: String(i % 10).repeat(408_000) }));
    await Item.putMany(big);
    counter.reset();
    const got = await Item.getMany(big.map(({ id }) => ({ id })));
    expect(got.map((x) => x?.id)).to.deep.equal(big.map((b) => b.id));
    expect(got.every((x, i) => x!.blob!.length === 408_000 && x!.blob![0] === String(i % 10))).to.equal(true);
    expect(counter.counts().BatchGetItemCommand).to.be.above(1);
    await Item.deleteMany(big.map(({ id }) => ({ id })));
  });

  describe('injected UnprocessedKeys / UnprocessedItems', () => {
    const retrying = testDb('batch-', { retry: { attempts: 40, baseDelayMs: 1, maxDelayMs: 2 } });
    const bounded = testDb('batch-', { retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 } });
    const { client } = retrying.db.connection;
    const random = seeded(7);

    it('every key is still read exactly once when a random half is left unprocessed on each request', async () => {
      const injected = unprocessedKeys(client, () => random() < 0.5);
      try {
        const order = [...keys(0, 250)].sort(() => random() - 0.5);
        const got = await Item.getMany(order, { db: retrying.db });
        expect(names(got)).to.deep.equal(order.map((k) => k.id));
        expect(injected.held()).to.be.above(100);
        expect(retrying.counter.counts().BatchGetItemCommand).to.be.above(3);
      } finally {
        injected.remove();
      }
    });

    it('keys still unprocessed after the last attempt: UnprocessedError names exactly them', async () => {
      const stuck = new Set([id(3), id(150), id(151), id(249)]);
      const injected = unprocessedKeys(bounded.db.connection.client, (_, key) => stuck.has(key.id as string));
      try {
        const err = await caught(Item.getMany(keys(0, 250), { db: bounded.db }));
        expect(err).to.be.instanceOf(UnprocessedError).with.property('code', 'UNPROCESSED');
        const left = (err as UnprocessedError).unprocessed;
        expect(left.map((u) => u.key.id).sort()).to.deep.equal([...stuck].sort());
        expect(left.every((u) => u.table === db.tableName(Item.schema))).to.equal(true);
        // 3 chunks, each with a stuck key, each tried twice.
        expect(bounded.counter.counts()).to.deep.equal({ BatchGetItemCommand: 6 });
      } finally {
        injected.remove();
      }
    });

    it('every write lands once when a random half is left unprocessed; progress counts each once', async () => {
      const injected = unprocessedItems(client, () => random() < 0.5);
      try {
        const progress: number[] = [];
        const items = Array.from({ length: 60 }, (_, i) => ({ a: 'w', b: i, note: `n${i}` }));
        await Pair.putMany(items, { db: retrying.db, onProgress: (p) => (expect(p.total).to.equal(60), progress.push(p.done)) });
        expect(injected.held()).to.be.above(10);
        expect(progress.at(-1)).to.equal(60);
        expect(progress).to.deep.equal([...progress].sort((x, y) => x - y));
        const back = await Pair.query({ a: 'w' }).all();
        expect(back.map((p) => [p.b, p.note])).to.deep.equal(items.map((p) => [p.b, p.note]));
        await Pair.deleteMany(items.map(({ a, b }) => ({ a, b })), { db: retrying.db });
        expect(await Pair.query({ a: 'w' }).count()).to.equal(0);
      } finally {
        injected.remove();
      }
    });

    it('writes still unprocessed after the last attempt: UnprocessedError names exactly them; the rest landed', async () => {
      const injected = unprocessedItems(bounded.db.connection.client, (_, item) => item.a === 'x' && (item.b as number) % 20 === 7);
      try {
        const err = await caught(Pair.putMany(Array.from({ length: 60 }, (_, b) => ({ a: 'x', b })), { db: bounded.db }));
        expect(err).to.be.instanceOf(UnprocessedError);
        expect((err as UnprocessedError).unprocessed.map((u) => u.key)).to.have.deep.members([{ a: 'x', b: 7 }, { a: 'x', b: 27 }, { a: 'x', b: 47 }]);
        const stored = (await Pair.query({ a: 'x' }).all()).map((p) => p.b);
        expect(stored).to.deep.equal(Array.from({ length: 60 }, (_, b) => b).filter((b) => b % 20 !== 7));
      } finally {
        injected.remove();
      }
    });
  });

  it('putMany of 60 items: 3 BatchWriteItem calls, progress reaches 60, instances returned', async () => {
    const progress: { done: number; total: number }[] = [];
    const put = await Pair.putMany(Array.from({ length: 60 }, (_, b) => ({ a: 'p', b })), { onProgress: (p) => progress.push(p) });
    expect(counter.counts()).to.deep.equal({ BatchWriteItemCommand: 3 });
    // One report per acknowledged request, in completion order: running totals of 25, 25 and 10.
    const done = progress.map((p) => p.done);
    expect(done.map((d, i) => d - (done[i - 1] ?? 0))).to.have.members([25, 25, 10]);
    expect(done.at(-1)).to.equal(60);
    expect(progress.every((p) => p.total === 60)).to.equal(true);
    expect(put).to.have.length(60);
    expect(put[0]).to.be.instanceOf(Pair);
    expect(await Pair.query({ a: 'p' }).count()).to.equal(60);
  });

  it('deleteMany deletes exactly the keys given', async () => {
    await Pair.putMany(Array.from({ length: 30 }, (_, b) => ({ a: 'd', b })));
    counter.reset();
    await Pair.deleteMany(Array.from({ length: 27 }, (_, b) => ({ a: 'd', b: b + 3 })));
    expect(counter.counts()).to.deep.equal({ BatchWriteItemCommand: 2 });
    expect((await Pair.query({ a: 'd' }).all()).map((p) => p.b)).to.deep.equal([0, 1, 2]);
  });

  it('writeMany mixes puts and deletes across tables', async () => {
    await Item.putMany([{ id: 'mix1', n: 1, name: 'old' }, { id: 'mix2', n: 2, name: 'doomed' }]);
    counter.reset();
    await db.writeMany([
      { put: new Item({ id: 'mix1', n: 1, name: 'new' }) },
      { delete: [Item, { id: 'mix2' }] },
      { put: new Pair({ a: 'm', b: 1 }) },
      { delete: [Pair, { a: 'm', b: 2 }] },
    ]);
    expect(counter.counts()).to.deep.equal({ BatchWriteItemCommand: 1 });
    expect(names(await Item.getMany([{ id: 'mix1' }, { id: 'mix2' }]))).to.deep.equal(['mix1', null]);
    expect((await Item.get({ id: 'mix1' }))!.name).to.equal('new');
    expect(await Pair.get({ a: 'm', b: 1 })).to.be.instanceOf(Pair);
    counter.reset();
    await db.putMany([new Item({ id: 'mix3', n: 3, name: 'x' }), new Pair({ a: 'm', b: 3 })]);
    expect(counter.counts()).to.deep.equal({ BatchWriteItemCommand: 1 });
  });

  it('a key repeated in one call is a DuplicateKeyError before any request', async () => {
    for (const writes of [
      () => Item.putMany([{ id: 'dup', n: 1, name: 'a' }, { id: 'other', n: 2, name: 'b' }, { id: 'dup', n: 3, name: 'c' }]),
      () => Item.deleteMany([{ id: 'dup' }, { id: 'dup' }]),
      () => db.writeMany([{ put: new Item({ id: 'dup', n: 1, name: 'a' }) }, { delete: [Item, { id: 'dup' }] }]),
      () => Pair.putMany([...Array.from({ length: 40 }, (_, b) => ({ a: 'dup', b })), { a: 'dup', b: 39 }]),
    ]) {
      const err = await caught(writes());
      expect(err).to.be.instanceOf(DuplicateKeyError).with.property('code', 'DUPLICATE_KEY');
      expect(counter.total()).to.equal(0);
    }
    expect(await Item.get({ id: 'dup' })).to.equal(null);
    expect(await Pair.query({ a: 'dup' }).count()).to.equal(0);
  });

  it('a bad item (#3 of 10) is a ValidationError naming [3].field, and nothing is written', async () => {
    const items: Record<string, unknown>[] = Array.from({ length: 10 }, (_, i) => ({ id: `v${i}`, n: i, name: `v${i}` }));
    const err = await caught(Item.putMany(items.map((x, i) => (i === 3 ? { ...x, name: 42 } : x)) as never));
    expect(err).to.be.instanceOf(ValidationError);
    expect((err as ValidationError).issues.map((i) => i.path)).to.deep.equal(['[3].name']);
    const inst = items.map((x) => new Item(x as never));
    (inst[3] as { name: unknown }).name = undefined;
    (inst[7] as { n: unknown }).n = 'seven';
    const both = await caught(db.putMany(inst));
    expect((both as ValidationError).issues.map((i) => i.path)).to.deep.equal(['[3].name', '[7].n']);
    expect(counter.total()).to.equal(0);
    expect(names(await Item.getMany(items.map((x) => ({ id: x.id as string }))))).to.deep.equal(items.map(() => null));
  });
});
