/**
 * What DynamoDB would refuse is refused before any request, with a typed error naming the
 * field, index or cursor; what it would silently change is refused or kept exact. Every
 * refusal counts the commands sent (0); every "allowed" case runs against DynamoDB Local
 * to show the line is drawn where DynamoDB draws it.
 */
import { expect } from 'chai';
import {
  Dynagraph, ExpressionError, InvalidCursorError, Model, NumberValue, SchemaError, ValidationError,
  and, attr, gsi, json, list, lsi, map, not, number, or, path, string, stringSet, type DynagraphError,
} from '../../src/index.js';
import { MAX_EXPRESSION_BYTES } from '../../src/expressions/index.js';
import { countCommands, testClient } from '../harness/client.js';
import { caught } from '../harness/caught.js';
import { testDb } from '../harness/db.js';

class Book extends Model({
  table: 'books',
  key: { hash: 'shelf', range: 'title' },
  attributes: {
    shelf: string(), title: string(), author: string(), year: number(),
    publisher: map({ name: string(), city: string() }).optional(),
    tags: stringSet(), lines: list(string()), data: json().optional(),
    odd: map({ toString: string().optional(), valueOf: number().optional(), hasOwnProperty: string().optional(), prototype: string() }).optional(),
  },
  indexes: { byAuthor: gsi({ hash: 'author', range: 'year' }), byYear: lsi({ range: 'year' }) },
}) {}

// Two models of one physical table whose partition keys have the same name and other types.
class NumberShelf extends Model({ table: 'shelves', key: { hash: 'pk', range: 'n' }, attributes: { pk: number(), n: number() } }) {}
class StringShelf extends Model({ table: 'shelves', key: { hash: 'pk', range: 'n' }, attributes: { pk: string(), n: number() } }) {}

const { db, counter, drop } = testDb('refuse-');

/** Runs `attempt`, expects it to reject with `type` and a message matching `names`, and no request sent. */
async function refused<E extends DynagraphError>(type: new (...args: any[]) => E, names: RegExp, attempt: () => Promise<unknown>): Promise<E> {
  counter.reset();
  const err = await caught<E>(attempt());
  expect(err, String(err)).to.be.instanceOf(type);
  expect(err.message).to.match(names);
  expect(counter.total(), 'requests sent').to.equal(0);
  return err;
}

const book = (title: string, extra: Record<string, unknown> = {}) =>
  ({ shelf: 's', title, author: 'ann', year: 1990 + title.length, ...extra }) as never;

describe('refusals: what DynamoDB rejects never reaches it (DynamoDB Local)', function () {
  this.timeout(60_000);
  before(async () => {
    await db.createTables([Book, NumberShelf]);
    await db.putMany(['A1', 'A2', 'A3', 'B1', 'B2', 'B3'].map((t) => new Book(book(t))));
    await db.putMany([1, 2, 3].map((n) => new NumberShelf({ pk: 1, n })));
  });
  after(() => drop([Book, NumberShelf]));

  describe('consistent reads', () => {
    it('a consistent read of a GSI is refused, naming the index; an LSI or the table reads consistently', async () => {
      await refused(ExpressionError, /consistent reads are not supported on global secondary indexes, and index "byAuthor"/, () => Book.query({ author: 'ann' }, { index: 'byAuthor', consistent: true, db }).all());
      await refused(ExpressionError, /byAuthor/, () => Book.query({ author: 'ann' }, { index: 'byAuthor', db }).consistent().page({ limit: 2 }));
      await refused(ExpressionError, /byAuthor/, () => Book.scan({ index: 'byAuthor' as never, consistent: true, db }).count());
      counter.reset();
      expect(await Book.query({ shelf: 's' }, { index: 'byYear', consistent: true, db }).count()).to.equal(6);
      expect(await Book.query({ shelf: 's' }, { db }).consistent().count()).to.equal(6);
      expect(counter.total()).to.equal(2);
    });
  });

  describe('filters on keys', () => {
    it("a query's filter on a key of the table it reads is refused, naming the attribute", async () => {
      await refused(ExpressionError, /"title", a key attribute of the table/, () => Book.query({ shelf: 's' }, { db }).filter({ title: { beginsWith: 'A' } }).all());
      await refused(ExpressionError, /"shelf"/, () => Book.query({ shelf: 's' }, { filter: attr('shelf').exists(), db }).all());
      // An attribute compared with a key attribute tests that key too.
      await refused(ExpressionError, /"title"/, () => Book.query({ shelf: 's' }, { db }).filter(attr('author').eq(attr('title'))).first());
      await refused(ExpressionError, /"title"/, () => db.session().query(Book, { shelf: 's' }).filter(or({ year: 1 }, not({ title: 'x' }))).count());
    });

    it("on an index, the index's keys are refused and the table's are not (as DynamoDB decides)", async () => {
      await refused(ExpressionError, /"year", a key attribute of index "byAuthor"/, () => Book.query({ author: 'ann' }, { index: 'byAuthor', filter: { year: { gt: 1 } }, db }).all());
      await refused(ExpressionError, /"author", a key attribute of index "byAuthor"/, () => Book.query({ author: 'ann' }, { index: 'byAuthor', filter: { author: 'ann' }, db }).all());
      await refused(ExpressionError, /"year", a key attribute of index "byYear"/, () => Book.query({ shelf: 's' }, { index: 'byYear', filter: { year: 1992 }, db }).all());
      await refused(ExpressionError, /"shelf", a key attribute of index "byYear"/, () => Book.query({ shelf: 's' }, { index: 'byYear', filter: { shelf: 's' }, db }).all());
      expect(await Book.query({ author: 'ann' }, { index: 'byAuthor', filter: { title: { beginsWith: 'A' } }, db }).count()).to.equal(3);
      expect(await Book.query({ author: 'ann' }, { index: 'byAuthor', filter: { shelf: 's' }, db }).count()).to.equal(6);
      expect(await Book.query({ shelf: 's' }, { index: 'byYear', filter: { title: 'B2' }, db }).count()).to.equal(1);
      expect(await Book.query({ shelf: 's' }, { filter: { year: 1992 }, db }).count()).to.equal(6);
    });

    it('a scan may filter on keys', async () => {
      expect(await Book.scan({ filter: and({ shelf: 's' }, { title: { beginsWith: 'B' } }), db }).count()).to.equal(3);
      expect(await Book.scan({ index: 'byAuthor' as never, filter: { author: 'ann', year: { ge: 0 } }, db }).count()).to.equal(6);
    });
  });

  describe("expressions over DynamoDB's limits", () => {
    it('more than 300 operators and functions in a filter or a condition is refused; 300 is sent', async () => {
      const nes = (n: number) => Array.from({ length: n }, (_, i) => attr('year').ne(i));
      // 151 comparisons + 150 ANDs = 301.
      await refused(ExpressionError, /FilterExpression has 301 operators/, () => Book.query({ shelf: 's' }, { filter: and(...nes(151)), db }).all());
      await refused(ExpressionError, /ConditionExpression has 301 operators/, () => new Book(book('C1')).save({ db, condition: and(...nes(151)) }));
      // 150 comparisons + 149 ANDs + NOT = 300: DynamoDB takes it.
      counter.reset();
      expect(await Book.query({ shelf: 's' }, { filter: not(and(...nes(150))), db }).count()).to.equal(0);
      expect(counter.total()).to.equal(1);
    });

    it('an expression over 4 KB is refused, naming the parameter', async () => {
      // Long document paths: 30 leaves of 29 segments each, far under 300 operators.
      const deep = (i: number) => attr(path('data', ...Array.from({ length: 28 }, (_, j) => `k${i}_${j}`))).exists();
      await refused(ExpressionError, new RegExp(`FilterExpression is \\d+ bytes; DynamoDB accepts at most ${MAX_EXPRESSION_BYTES}`), () => Book.scan({ filter: or(...Array.from({ length: 30 }, (_, i) => deep(i))), db }).all());
      await refused(ExpressionError, /ProjectionExpression is \d+ bytes/, () => Book.get({ shelf: 's', title: 'A1' }, { projection: Array.from({ length: 60 }, (_, i) => `data.${Array.from({ length: 15 }, (_, j) => `p${i}x${j}`).join('.')}`) as never, db }));
      // 400 nested SETs: `#n0.#n123 = :v122` each, no operator but over 4 KB.
      await refused(ExpressionError, /UpdateExpression is \d+ bytes/, () => Book.update({ shelf: 's', title: 'A1' }, { set: Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`data.k${i}`, i])) } as never, { db }));
    });

    it('IN with more than 100 candidates is refused, naming the attribute', async () => {
      await refused(ExpressionError, /author in: needs 1 to 100 values, got 101/, () => Book.scan({ filter: attr('author').in(...Array.from({ length: 101 }, (_, i) => `a${i}`)), db }).all());
      await refused(ExpressionError, /year in/, () => Book.scan({ filter: { year: { in: Array.from({ length: 150 }, (_, i) => i) } }, db }).all());
      expect(await Book.scan({ filter: attr('author').in(...Array.from({ length: 100 }, (_, i) => (i === 99 ? 'ann' : `a${i}`))), db }).count()).to.equal(6);
    });

    it('names and values over 2 MB in one request are refused; an attribute name over 64 KB too', async () => {
      const big = 'x'.repeat(390 * 1024);
      await refused(ExpressionError, /ExpressionAttributeNames and ExpressionAttributeValues are \d+ bytes; DynamoDB accepts at most 2097152/, () =>
        Book.scan({ filter: or(...Array.from({ length: 6 }, (_, i) => attr('author').eq(`${i}${big}`))), db }).all());
      await refused(ExpressionError, /is 70000 bytes; DynamoDB accepts names of at most 65535 bytes/, () => Book.scan({ filter: attr(path('data', 'k'.repeat(70_000))).exists(), db }).all());
    });
  });

  describe('cursors', () => {
    it("a cursor outside the query's range condition is refused; inside it, it resumes", async () => {
      const a = await Book.query({ shelf: 's', title: { beginsWith: 'A' } }, { db }).page({ limit: 2 });
      expect(a.items.map((b) => b.title)).to.deep.equal(['A1', 'A2']);
      await refused(InvalidCursorError, /sort key "title" is outside this query's range condition \(beginsWith\)/, () =>
        Book.query({ shelf: 's', title: { beginsWith: 'B' } }, { db }).page({ cursor: a.cursor }));
      await refused(InvalidCursorError, /"title"/, () => Book.query({ shelf: 's', title: { between: ['B', 'C'] } }, { db }).page({ cursor: a.cursor }));
      await refused(InvalidCursorError, /"title"/, () => Book.query({ shelf: 's', title: { gt: 'A2' } }, { db }).page({ cursor: a.cursor }));
      await refused(InvalidCursorError, /"title"/, () => Book.query({ shelf: 's', title: 'A1' }, { db }).page({ cursor: a.cursor }));
      counter.reset();
      expect((await Book.query({ shelf: 's', title: { beginsWith: 'A' } }, { db }).page({ cursor: a.cursor })).items.map((b) => b.title)).to.deep.equal(['A3']);
      expect((await Book.query({ shelf: 's', title: { le: 'B1' } }, { db }).page({ cursor: a.cursor })).items.map((b) => b.title)).to.deep.equal(['A3', 'B1']);
      expect((await Book.query({ shelf: 's' }, { db }).page({ limit: 1, cursor: a.cursor })).items.map((b) => b.title)).to.deep.equal(['A3']);
      expect(counter.total()).to.equal(3);
    });

    it("a cursor whose partition key has another type is refused, naming the key", async () => {
      const page = await NumberShelf.query({ pk: 1 }, { db }).page({ limit: 2 });
      expect(page.cursor).to.be.a('string');
      await refused(InvalidCursorError, /key attribute "pk" is a number, but "pk" is a string attribute/, () => StringShelf.query({ pk: '1' }, { db }).page({ cursor: page.cursor }));
      expect((await NumberShelf.query({ pk: 1 }, { db }).page({ cursor: page.cursor })).items.map((s) => s.n)).to.deep.equal([3]);
    });

    it('an empty cursorSecret is refused when the Dynagraph is created', () => {
      const client = testClient();
      const sent = countCommands(client);
      for (const cursorSecret of ['', new Uint8Array(0)]) {
        expect(() => new Dynagraph({ client, cursorSecret, default: false })).to.throw(ValidationError, /cursorSecret: is empty/);
      }
      expect(() => new Dynagraph({ client, cursorSecret: 5 as never, default: false })).to.throw(ValidationError, /cursorSecret/);
      expect(sent.total()).to.equal(0);
      expect(new Dynagraph({ client, cursorSecret: 'k', default: false }).cursorSecret).to.equal('k');
    });
  });

  describe('keys the AWS SDK cannot marshal, and keys named like Object.prototype members', () => {
    it('"constructor" as a json() key is refused, naming the path; as a map() key, at declaration', async () => {
      await refused(ValidationError, /data\.constructor: is a key the AWS SDK cannot marshal/, () => Book.put(book('K1', { data: { constructor: 1 } }), { db }));
      await refused(ValidationError, /data\.a\[0\]\.constructor/, () => Book.put(book('K1', { data: { a: [{ constructor: 'x' }] } }), { db }));
      await refused(ValidationError, /data\.constructor/, () => Book.update({ shelf: 's', title: 'A1' }, { set: { data: { constructor: null } } }, { db }));
      await refused(ValidationError, /data\.x\.constructor/, () => Book.scan({ filter: { 'data.x': { constructor: 'Object' } }, db }).all());
      const proto = Object.defineProperty({}, '__proto__', { value: 1, enumerable: true });
      await refused(ValidationError, /data\.__proto__/, () => Book.put(book('K1', { data: proto }), { db }));
      expect(() => map({ constructor: string() })).to.throw(SchemaError, /"constructor" cannot be a map key/);
      expect(await Book.get({ shelf: 's', title: 'K1' }, { db, consistent: true })).to.equal(null);
    });

    it('other Object.prototype names round-trip as json() and map() keys, present or absent', async () => {
      const data = { prototype: 'p', toString: 't', hasOwnProperty: [1], valueOf: { isPrototypeOf: true }, __defineGetter__: null };
      await Book.put(book('K2', { data, odd: { prototype: 'only' } }), { db });
      const back = (await Book.get({ shelf: 's', title: 'K2' }, { db, consistent: true }))!;
      expect(back.data).to.deep.equal(data);
      expect(back.odd).to.deep.equal({ prototype: 'only' });
      expect(Object.keys(back.odd!)).to.deep.equal(['prototype']);
      const odd = { toString: 'a', valueOf: 2, hasOwnProperty: 'c', prototype: 'd' };
      await Book.put(book('K3', { odd }), { db });
      expect((await Book.get({ shelf: 's', title: 'K3' }, { db, consistent: true }))!.odd).to.deep.equal(odd);
    });
  });

  describe('no silent change of a value', () => {
    it('a nested projection returns what it read and nothing else', async () => {
      await Book.put(book('P1', { publisher: { name: 'Pub', city: '' } }), { db });
      await Book.put(book('P2', { publisher: { name: 'Pub', city: 'Oslo' } }), { db });
      expect(await Book.get({ shelf: 's', title: 'P1' }, { projection: ['publisher.name'] as never, db })).to.deep.equal({ publisher: { name: 'Pub' } });
      expect(await Book.get({ shelf: 's', title: 'P2' }, { projection: ['publisher.name'] as never, db })).to.deep.equal({ publisher: { name: 'Pub' } });
      const rows = await Book.query({ shelf: 's', title: { beginsWith: 'P' } }, { projection: ['publisher.name'] as never, db }).all();
      expect(rows).to.deep.equal([{ shelf: 's', title: 'P1', publisher: { name: 'Pub' } }, { shelf: 's', title: 'P2', publisher: { name: 'Pub' } }]);
      // Projected whole, the map reads as a full read does: the empty city is stored as absent.
      const whole = await Book.query({ shelf: 's', title: 'P1' }, { projection: ['publisher'], db }).all();
      expect(whole).to.deep.equal([{ shelf: 's', title: 'P1', publisher: { name: 'Pub', city: '' } }]);
    });

    it('a projection of list elements is refused: DynamoDB returns them without their positions', async () => {
      await refused(ExpressionError, /lines\[1\] picks list elements/, () => Book.get({ shelf: 's', title: 'A1' }, { projection: ['lines[1]'] as never, db }));
      await refused(ExpressionError, /lines\[0\]/, () => Book.query({ shelf: 's' }, { projection: ['lines[0]'] as never, db }).all());
    });

    it('json() refuses a bigint (it would read back as a number), and a NumberValue a number holds exactly', async () => {
      await refused(ValidationError, /data\.n: is a bigint/, () => Book.put(book('J1', { data: { n: 5n } }), { db }));
      await refused(ValidationError, /data\[1\]: is a bigint/, () => Book.put(book('J1', { data: [1, 2n ** 70n] }), { db }));
      await refused(ValidationError, /data: set element is a bigint/, () => Book.put(book('J1', { data: new Set([1n]) }), { db }));
      await refused(ValidationError, /data\.n: is a bigint/, () => Book.update({ shelf: 's', title: 'A1' }, { set: { 'data.n': 5n } } as never, { db }));
      await refused(ValidationError, /data\.n: is a NumberValue that json\(\) reads back as the number 1\.5/, () => Book.put(book('J1', { data: { n: NumberValue.from('1.5') } }), { db }));
      // Compared, not stored: a bigint operand is sent exactly.
      expect(await Book.scan({ filter: { 'data.n': { lt: 5n } }, db }).count()).to.equal(0);
      // A NumberValue no JS number holds reads back as that NumberValue.
      const exact = NumberValue.from('1.00000000000000000001');
      await Book.put(book('J2', { data: { n: exact } }), { db });
      const back = (await Book.get({ shelf: 's', title: 'J2' }, { db, consistent: true }))!.data as { n: NumberValue };
      expect(back.n).to.be.instanceOf(NumberValue);
      expect(back.n.toString()).to.equal('1.00000000000000000001');
    });

    it('-0 is stored and read back as 0: DynamoDB numbers have no negative zero (documented)', async () => {
      await Book.put(book('Z1', { year: -0, data: { z: -0 } }), { db });
      const back = (await Book.get({ shelf: 's', title: 'Z1' }, { db, consistent: true }))!;
      expect(Object.is(back.year, 0)).to.equal(true);
      expect(Object.is((back.data as { z: number }).z, 0)).to.equal(true);
    });
  });
});
