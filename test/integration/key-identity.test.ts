/**
 * Keys that never collide, against DynamoDB Local: keys whose parts hold separators and
 * control characters are distinct items through putMany, getMany, db.batchGet and
 * session.get (batched and from the identity map); template keys with colliding field
 * values are two items, read back and queried each on its own; a transaction finds one
 * item given in two number forms; to-many loads whose conditions differ only in type are
 * two queries. Property runs are bounded and seeded.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { DuplicateKeyError, Model, Transaction, binary, bigint, decimal, number, oneToMany, string, template, transactor, type Transactor } from '../../src/index.js';
import { testDb } from '../harness/db.js';

const { db, counter, drop } = testDb('keyid-');
const SEED = 20261211;

class Pair extends Model({ table: 'pairs', key: { hash: 'a', range: 'b' }, attributes: { a: string(), b: string(), tag: string() } }) {}
class Mixed extends Model({ table: 'mixed', key: { hash: 'n', range: 's' }, attributes: { n: number(), s: string(), tag: string() } }) {}
class Bin extends Model({ table: 'bins', key: { hash: 'bytes', range: 's' }, attributes: { bytes: binary(), s: string(), tag: string() } }) {}
const lineKey = template('LINE#{a}#{b}');
class Line extends Model({
  table: 'lines', entity: 'Line', key: { hash: 'pk', range: 'sk' },
  attributes: { pk: template('ORDER#{order}'), sk: lineKey, order: string(), a: string(), b: string(), tag: string() },
}) {}
class Price extends Model({ table: 'prices', key: { hash: 'sku', range: 'amount' }, attributes: { sku: string(), amount: decimal(), label: string() } }) {}
class Child extends Model({ table: 'children', key: { hash: 'pk', range: 'id' }, attributes: { pk: template('P#{ref}'), ref: string(), id: string() } }) {}
class Parent extends Model({ table: 'parents', key: { hash: 'id' }, attributes: { id: string(), ref: bigint().optional() } }) {
  // The condition's value is a bigint for one parent and the string '1n' for the other.
  children = oneToMany(() => Child, { query: (p: Parent) => ({ ref: (p.ref ?? '1n') as unknown as string }) });
}
const models = [Pair, Mixed, Bin, Line, Price, Child, Parent];

/** Characters that matter, all storable by DynamoDB (no lone surrogates). */
const unit = fc.oneof(
  fc.constantFrom('\u0001', '\u0000', '\n', 'S', 'N', 'B', ':', '1', '#', '\\', '|', 'é', '🙂'),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }).filter((c) => !/[\uD800-\uDFFF]/u.test(c)),
);
const text = fc.string({ unit, maxLength: 6 });
const nonEmpty = fc.string({ unit, minLength: 1, maxLength: 6 });
/** Two keys one text split at different places: `'\u0001S'` (old keyId) or `'#'` (old template) moved across. */
const split = (sep: string) => fc.tuple(nonEmpty, text, nonEmpty).map(([p, q, r]) => [[`${p}${sep}${q}`, r], [p, `${q}${sep}${r}`]] as const);
const tagOf = (...parts: unknown[]) => JSON.stringify(parts.map((p) => (p instanceof Uint8Array ? [...p] : p)));

describe('keys that never collide (DynamoDB Local)', () => {
  before(async function () {
    this.timeout(60_000);
    await db.createTables(models);
  });
  after(() => drop(models));
  beforeEach(() => counter.reset());

  it("the issue's two keys are two items through putMany, getMany, db.batchGet and session.get", async () => {
    const k1 = { a: 'x\u0001Sy', b: 'z' };
    const k2 = { a: 'x', b: 'y\u0001Sz' };
    // Written one by one, so that every read path is tested on its own; putMany below.
    await Pair.put({ ...k1, tag: 'one' });
    await Pair.put({ ...k2, tag: 'two' });
    expect((await Pair.scan({ consistent: true }).all()).filter((p) => p.a === k1.a || p.a === k2.a).map((p) => p.tag).sort()).to.deep.equal(['one', 'two']);
    expect((await Pair.getMany([k1, k2, k1])).map((p) => p?.tag)).to.deep.equal(['one', 'two', 'one']);
    const both = await db.batchGet({ first: [Pair, [k1]], second: [Pair, [k2]] });
    expect([both.first[0]?.tag, both.second[0]?.tag]).to.deep.equal(['one', 'two']);
    const s = db.session();
    expect((await Promise.all([s.get(Pair, k1), s.get(Pair, k2)])).map((p) => p?.tag)).to.deep.equal(['one', 'two']);
    // From the identity map now: still each key its own instance.
    expect((await s.get(Pair, k2))?.tag).to.equal('two');
    expect((await s.get(Pair, k1))?.tag).to.equal('one');
    expect(await s.get(Pair, k1)).to.not.equal(await s.get(Pair, k2));
    expect((await db.session().getMany(Pair, [k2, k1])).map((p) => p?.tag)).to.deep.equal(['two', 'one']);
    const [k3, k4] = [{ a: 'w\u0001Sy', b: 'z' }, { a: 'w', b: 'y\u0001Sz' }];
    await Pair.putMany([{ ...k3, tag: 'three' }, { ...k4, tag: 'four' }]);
    expect((await Pair.getMany([k3, k4], { consistent: true })).map((p) => p?.tag)).to.deep.equal(['three', 'four']);
  });

  it('any two string keys: distinct keys are distinct items, each read back by every path; equal keys are a duplicate', async function () {
    this.timeout(60_000);
    const pair = fc.oneof(split('\u0001S'), split('\u0001'), fc.tuple(fc.tuple(nonEmpty, nonEmpty), fc.tuple(nonEmpty, nonEmpty)));
    await fc.assert(fc.asyncProperty(pair, async ([x, y]) => {
      const [k1, k2] = [{ a: x[0], b: x[1] }, { a: y[0], b: y[1] }];
      const items = [{ ...k1, tag: tagOf(x[0], x[1]) }, { ...k2, tag: tagOf(y[0], y[1]) }];
      if (x[0] === y[0] && x[1] === y[1]) {
        const err = await Pair.putMany(items).catch((e: unknown) => e);
        expect(err).to.be.instanceOf(DuplicateKeyError);
        return;
      }
      await Promise.all(items.map((item) => Pair.put(item)));
      const s = db.session();
      const [many, viaSession, batch] = await Promise.all([
        Pair.getMany([k1, k2], { consistent: true }),
        Promise.all([s.get(Pair, k1), s.get(Pair, k2)]),
        db.batchGet({ k: [Pair, [k2, k1]] }, { consistent: true }),
      ]);
      expect(many.map((p) => p?.tag)).to.deep.equal([items[0].tag, items[1].tag]);
      expect(viaSession.map((p) => p?.tag)).to.deep.equal([items[0].tag, items[1].tag]);
      expect(batch.k.map((p) => p?.tag)).to.deep.equal([items[1].tag, items[0].tag]);
      await Pair.putMany(items);
    }), { numRuns: 40, seed: SEED });
  });

  it('keys with numbers and binary parts: distinct keys are distinct items, read back in order', async function () {
    this.timeout(60_000);
    const num = fc.oneof(fc.integer({ min: -1e9, max: 1e9 }), fc.tuple(fc.integer({ min: -1e6, max: 1e6 }), fc.integer({ min: -4, max: 4 })).map(([m, e]) => Number(`${m}e${e}`)));
    const bytes = fc.uint8Array({ minLength: 1, maxLength: 6 });
    await fc.assert(fc.asyncProperty(fc.array(fc.tuple(num, nonEmpty, bytes), { minLength: 2, maxLength: 4 }), async (rows) => {
      const mixed = [...new Map(rows.map(([n, s]) => [tagOf(n === 0 ? 0 : n, s), { n, s, tag: tagOf(n === 0 ? 0 : n, s) }])).values()];
      const bins = [...new Map(rows.map(([, s, b]) => [tagOf(b, s), { bytes: b, s, tag: tagOf(b, s) }])).values()];
      await Promise.all([Mixed.putMany(mixed), Bin.putMany(bins)]);
      const [m, b] = await Promise.all([
        Mixed.getMany(mixed.map(({ n, s }) => ({ n, s })), { consistent: true }),
        Bin.getMany(bins.map(({ bytes: x, s }) => ({ bytes: Buffer.from(x), s })), { consistent: true }),
      ]);
      expect(m.map((x) => x?.tag)).to.deep.equal(mixed.map((x) => x.tag));
      expect(b.map((x) => x?.tag)).to.deep.equal(bins.map((x) => x.tag));
    }), { numRuns: 25, seed: SEED });
  });

  it("template keys: the issue's field values are two items, stored escaped, read and queried each on its own", async () => {
    await new Line({ order: 'o1', a: '1#2', b: '3', tag: 'first' }).save({ overwrite: false });
    await new Line({ order: 'o1', a: '1', b: '2#3', tag: 'second' }).save({ overwrite: false });
    await Line.putMany([{ order: 'o1', a: '1', b: '4', tag: 'third' }, { order: 'o2', a: '1#2', b: '3', tag: 'x' }, { order: 'o2', a: '1', b: '2#3', tag: 'y' }]);
    expect(await Line.query({ order: 'o2' }).count()).to.equal(2);
    const all = await Line.query({ order: 'o1' }, { consistent: true }).all();
    expect(all.map((l) => [l.sk, l.tag]).sort()).to.deep.equal([['LINE#1#2#3', 'second'], ['LINE#1#4', 'third'], ['LINE#1\\#2#3', 'first']]);
    for (const l of all) expect(lineKey.parse(l.sk)).to.deep.equal({ a: l.a, b: l.b });
    expect((await Line.get({ order: 'o1', a: '1#2', b: '3' }))?.tag).to.equal('first');
    expect((await Line.get({ order: 'o1', a: '1', b: '2#3' }))?.tag).to.equal('second');
    expect((await Line.getMany([{ order: 'o1', a: '1', b: '2#3' }, { order: 'o1', a: '1#2', b: '3' }])).map((l) => l?.tag)).to.deep.equal(['second', 'first']);
    expect((await Line.query({ order: 'o1', a: '1#2', b: '3' }).all()).map((l) => l.tag)).to.deep.equal(['first']);
    // A prefix of the leading field finds exactly the lines with that field.
    expect((await Line.query({ order: 'o1', sk: { beginsWith: lineKey.prefix({ a: '1' }) } }).all()).map((l) => l.tag).sort()).to.deep.equal(['second', 'third']);
    expect((await Line.query({ order: 'o1', sk: { beginsWith: lineKey.prefix({ a: '1#2' }) } }).all()).map((l) => l.tag)).to.deep.equal(['first']);
  });

  it('template keys: any colliding field values are distinct items, each read back by its fields', async function () {
    this.timeout(60_000);
    let run = 0;
    await fc.assert(fc.asyncProperty(split('#'), async ([x, y]) => {
      const order = `p${run++}`;
      const lines = [{ order, a: x[0], b: x[1], tag: 'x' }, { order, a: y[0], b: y[1], tag: 'y' }];
      await Promise.all(lines.map((line) => Line.put(line)));
      const [stored, got, s] = await Promise.all([
        Line.query({ order }, { consistent: true }).all(),
        Line.getMany(lines.map(({ a, b }) => ({ order, a, b })), { consistent: true }),
        Promise.all(lines.map(({ a, b }) => db.session().get(Line, { order, a, b }))),
      ]);
      expect(stored).to.have.length(2);
      expect(stored.map((l) => lineKey.parse(l.sk))).to.have.deep.members(lines.map(({ a, b }) => ({ a, b })));
      expect(got.map((l) => l?.tag)).to.deep.equal(['x', 'y']);
      expect(s.map((l) => l?.tag)).to.deep.equal(['x', 'y']);
      await Line.putMany(lines);
    }), { numRuns: 30, seed: SEED });
  });

  it('the transaction engine finds one item given in two number forms (one action, not two)', async () => {
    await Price.put({ sku: 'p', amount: '1.50', label: 'a' });
    class Relabel extends Transaction {
      override transient = true;
      protected transactors(): Transactor[] {
        return [
          transactor(() => Price.get({ sku: 'p', amount: '1.5' }, { consistent: true }), (p) => void (p.label += 'b')),
          // A new instance of the same item, its key written as '1.50': the engine hands the setter the read one.
          transactor(() => new Price({ sku: 'p', amount: '1.50', label: 'fresh' }), (p) => void (p.label += 'c')),
        ];
      }
    }
    await new Relabel('me').commit({ db });
    expect((await Price.get({ sku: 'p', amount: '1.5' }, { consistent: true }))?.label).to.equal('abc');
  });

  it('to-many loads whose conditions differ only in type (1n, "1n") are two queries, each with its own items', async () => {
    await Child.putMany([{ ref: '1', id: 'of-bigint' }, { ref: '1n', id: 'of-string' }]);
    const [big, str] = [new Parent({ id: 'big', ref: 1n }), new Parent({ id: 'str' })];
    const [a, b] = await Promise.all([big.children.load(), str.children.load()]);
    expect(a.map((c) => c.id)).to.deep.equal(['of-bigint']);
    expect(b.map((c) => c.id)).to.deep.equal(['of-string']);
  });
});
