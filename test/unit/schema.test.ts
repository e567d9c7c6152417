/**
 * Schema and marshalling without a database: every attribute kind to its stored form
 * and back, validation (every bad field at once), defaults, item size and toJSON.
 * Templates and declaration errors: schema-declarations.test.ts.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { itemExceeds } from '../../src/schema/size.js';
import {
  Model, NumberValue, ValidationError, MAX_ITEM_BYTES, itemSize,
  string, number, bigint, decimal, boolean, date, binary, literal, json, stringSet, numberSet, binarySet, list, map,
} from '../../src/index.js';

/** Runs `fn`, expects a ValidationError and returns its issues as `path → message`. */
function issuesOf(fn: () => unknown): Record<string, string> {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(ValidationError);
    expect((err as ValidationError).code).to.equal('VALIDATION');
    return Object.fromEntries((err as ValidationError).issues.map((i) => [i.path, i.message]));
  }
  expect.fail('expected a ValidationError');
}

const bytes = (...b: number[]) => new Uint8Array(b);

class Kitchen extends Model({
  table: 'kitchen',
  key: { hash: 'id' },
  attributes: {
    id: string(),
    text: string(),
    note: string().optional(),
    n: number().optional(),
    big: bigint().optional(),
    money: decimal().optional(),
    flag: boolean().optional(),
    iso: date().optional(),
    epoch: date({ format: 'epoch' }).optional(),
    raw: binary().optional(),
    tags: stringSet(),
    scores: numberSet(),
    blobs: binarySet(),
    days: list(date()),
    address: map({ city: string().optional(), since: date().optional(), visits: list(date()) }),
    status: literal('draft', 'published').optional(),
    doc: json<{ a: number; b: string[] }>().optional(),
  },
}) {}

describe('schema: encode and decode', () => {
  it('stores every kind in its DynamoDB form and restores it', () => {
    const when = new Date('2024-02-03T04:05:06.789Z');
    const k = new Kitchen({
      id: 'k1', text: 'hello', n: 12.5, big: 2n ** 64n, money: '19.99', flag: false, iso: when, epoch: when,
      raw: bytes(1, 2, 3), tags: new Set(['a', 'b']), scores: new Set([1, 2.5]), blobs: new Set([bytes(9)]),
      days: [when], address: { city: 'Oslo', since: when, visits: [when, new Date(0)] }, status: 'draft',
      doc: { a: 1, b: ['x'] },
    });
    const item = k.toItem();
    expect(item).to.deep.include({
      id: 'k1', text: 'hello', n: 12.5, big: 18446744073709551616n, flag: false, iso: '2024-02-03T04:05:06.789Z',
      epoch: 1706933106, raw: bytes(1, 2, 3), days: ['2024-02-03T04:05:06.789Z'], status: 'draft',
      address: { city: 'Oslo', since: '2024-02-03T04:05:06.789Z', visits: ['2024-02-03T04:05:06.789Z', '1970-01-01T00:00:00.000Z'] },
      doc: { a: 1, b: ['x'] },
    });
    expect(item.money).to.be.instanceOf(NumberValue);
    expect(String(item.money)).to.equal('19.99');
    expect(item.tags).to.deep.equal(new Set(['a', 'b']));

    const back = Kitchen.fromItem(item);
    expect(back).to.be.instanceOf(Kitchen);
    expect(back.iso).to.be.instanceOf(Date);
    expect(back.iso!.toISOString()).to.equal('2024-02-03T04:05:06.789Z');
    expect(back.epoch!.toISOString()).to.equal('2024-02-03T04:05:06.000Z');
    expect(back.days[0]).to.be.instanceOf(Date);
    expect(back.days[0].getTime()).to.equal(when.getTime());
    expect(back.address.since).to.be.instanceOf(Date);
    expect(back.address.visits.map((d) => d.getTime())).to.deep.equal([when.getTime(), 0]);
    expect(back.big).to.equal(2n ** 64n);
    expect(back.money).to.equal('19.99');
    expect(back.scores).to.deep.equal(new Set([1, 2.5]));
    expect(back.status).to.equal('draft');
    expect(back.doc).to.deep.equal({ a: 1, b: ['x'] });
  });

  it('stores empty sets and empty non-key strings as absent and restores them empty', () => {
    const item = new Kitchen({ id: 'k', text: '', note: '' }).toItem();
    expect(item).to.deep.equal({ id: 'k', days: [], address: { visits: [] } });
    const back = Kitchen.fromItem({ id: 'k' });
    expect(back.text).to.equal('');
    expect(back.tags).to.be.instanceOf(Set).with.property('size', 0);
    expect(back.scores).to.be.instanceOf(Set).with.property('size', 0);
    expect(back.blobs).to.be.instanceOf(Set).with.property('size', 0);
    expect(back.days).to.deep.equal([]);
    expect(back.note).to.equal(undefined); // optional: absent stays undefined
    expect(back.n).to.equal(undefined);
  });

  it('a map missing a required member is a field issue with the nested path', () => {
    class Place extends Model({ table: 'p', key: { hash: 'id' }, attributes: { id: string(), at: map({ city: string(), zip: string().optional() }) } }) {}
    expect(issuesOf(() => new Place({ id: 'k', at: { zip: '1' } as never }).toItem())).to.deep.equal({ 'at.city': 'is required' });
    expect(issuesOf(() => new Place({ id: 'k', at: { city: 'c', planet: 'x', hasOwnProperty: 'y' } as never }).toItem())).to.deep.equal({
      'at.planet': 'is not declared in the map',
      'at.hasOwnProperty': 'is not declared in the map',
    });
    expect(new Place({ id: 'k', at: { city: 'c' } }).toItem()).to.deep.equal({ id: 'k', at: { city: 'c' } });
  });

  it('keeps bigint values beyond 2^53 and at 38 digits exactly; rejects 39 significant digits', () => {
    const max38 = 10n ** 38n - 1n;
    expect(new Kitchen({ id: 'k', text: 't', big: max38 }).toItem().big).to.equal(max38);
    expect(Kitchen.fromItem({ id: 'k', big: NumberValue.from(max38.toString()) }).big).to.equal(max38);
    expect(Kitchen.fromItem({ id: 'k', big: NumberValue.from('9007199254740993') }).big).to.equal(9007199254740993n);
    expect(Kitchen.fromItem({ id: 'k', big: 42 }).big).to.equal(42n);
    const issues = issuesOf(() => new Kitchen({ id: 'k', text: 't', big: 10n ** 39n - 1n }).toItem());
    expect(issues.big).to.match(/39 significant digits/);
    expect(issuesOf(() => new Kitchen({ id: 'k', text: 't', money: '1234567890123456789012345678901234567891' }).toItem()).money)
      .to.match(/40 significant digits/);
  });

  it('rejects NaN, Infinity, numbers DynamoDB cannot hold and unsafe integers in number()', () => {
    const bad = (n: number) => issuesOf(() => new Kitchen({ id: 'k', text: 't', n }).toItem()).n;
    expect(bad(NaN)).to.match(/finite/);
    expect(bad(Infinity)).to.match(/finite/);
    expect(bad(-Infinity)).to.match(/finite/);
    expect(bad(1e200)).to.match(/larger than DynamoDB can store/);
    expect(bad(1e-200)).to.match(/smaller than DynamoDB can store/);
    expect(bad(2 ** 60)).to.match(/MAX_SAFE_INTEGER/);
    expect(issuesOf(() => new Kitchen({ id: 'k', text: 't', scores: new Set([NaN]) }).toItem()).scores).to.match(/not finite/);
  });

  it('keeps decimals exact as strings', () => {
    const text = '12345678901234567890.123456789012345678';
    const item = new Kitchen({ id: 'k', text: 't', money: text }).toItem();
    expect(item.money).to.be.instanceOf(NumberValue);
    expect((item.money as NumberValue).toString()).to.equal(text);
    expect(Kitchen.fromItem({ id: 'k', money: NumberValue.from(text) }).money).to.equal(text);
    expect(Kitchen.fromItem({ id: 'k', money: 0.1 }).money).to.equal('0.1');
    expect(issuesOf(() => new Kitchen({ id: 'k', text: 't', money: '12,5' }).toItem()).money).to.match(/not a number/);
  });

  it('checks literal values and json storability', () => {
    expect(issuesOf(() => new Kitchen({ id: 'k', text: 't', status: 'archived' as never }).toItem()).status)
      .to.equal('expected one of "draft", "published", got "archived"');
    expect(issuesOf(() => new Kitchen({ id: 'k', text: 't', doc: (() => 1) as never }).toItem()).doc).to.match(/JSON/);
  });

  it('reports a type error per field, naming what it expected and what it got', () => {
    const issues = issuesOf(() => new Kitchen({
      id: 5 as never, text: 't', n: '1' as never, flag: 'yes' as never, iso: '2024-01-01' as never,
      tags: ['a'] as never, days: [new Date('nope')], raw: 'abc' as never,
    }).toItem());
    expect(issues).to.deep.equal({
      id: 'expected a string, got number',
      n: 'expected a number, got string',
      flag: 'expected a boolean, got string',
      iso: 'expected a Date, got string',
      raw: 'expected a Uint8Array, got string',
      tags: 'expected a Set, got array',
      'days[0]': 'is an invalid Date',
    });
  });
});

describe('schema: construction', () => {
  let calls = 0;
  class Post extends Model({
    table: 'posts',
    key: { hash: 'id' },
    attributes: {
      id: string(),
      title: string().validate((t) => t.length <= 5 || 'must be at most 5 characters'),
      email: string().optional().validate((e) => e.includes('@')),
      views: number().default(7),
      created: date().default(() => { calls++; return new Date(1000 * calls); }),
      labels: list(string()).default(() => ['new']),
      score: number().optional(),
    },
  }) {}

  it('uses given values over defaults, values and factories per instance', () => {
    calls = 0;
    const a = new Post({ id: 'a', title: 'x' });
    const b = new Post({ id: 'b', title: 'y', views: 1 });
    expect(a.views).to.equal(7);
    expect(b.views).to.equal(1);
    expect(calls).to.equal(2);
    expect(a.created.getTime()).to.equal(1000);
    expect(b.created.getTime()).to.equal(2000);
    a.labels.push('mine');
    expect(b.labels).to.deep.equal(['new']);
    expect(a.score).to.equal(undefined);
    expect(a.toItem()).to.not.have.property('score');
  });

  it('runs validate(fn): a returned string is the message, false a generic one', () => {
    expect(issuesOf(() => new Post({ id: 'a', title: 'too long', email: 'nope' }).toItem())).to.deep.equal({
      title: 'must be at most 5 characters',
      email: 'failed validation',
    });
    expect(new Post({ id: 'a', title: 'ok', email: 'a@b' }).toItem()).to.include({ title: 'ok', email: 'a@b' });
  });

  it('reports a wrong-typed value once, without running validate(fn) on it', () => {
    expect(issuesOf(() => new Post({ id: 'a', title: 42 as never, email: 7 as never }).toItem())).to.deep.equal({
      title: 'expected a string, got number',
      email: 'expected a string, got number',
    });
  });

  it('reports a missing required scalar instead of filling it with an empty value', () => {
    class Req extends Model({ table: 'r', key: { hash: 'id' }, attributes: { id: string(), name: string(), n: number(), bin: binary() } }) {}
    const r = new Req({ id: 'a' } as never);
    expect(r.name).to.equal(undefined);
    expect(issuesOf(() => r.toItem())).to.deep.equal({ name: 'is required', n: 'is required', bin: 'is required' });
    // Read back, an absent string or binary is empty (it was stored as '' or empty).
    expect(Req.fromItem({ id: 'a', n: 1 }).name).to.equal('');
    expect(Req.fromItem({ id: 'a', n: 1 }).bin).to.deep.equal(new Uint8Array(0));
  });

  it('rejects unknown attributes in the constructor, naming each', () => {
    const issues = issuesOf(() => new Post({ id: 'a', title: 't', colour: 'red', size: 3 } as never));
    expect(issues).to.deep.equal({ colour: 'is not an attribute of the model', size: 'is not an attribute of the model' });
    // Names inherited from Object.prototype are not attributes either.
    expect(issuesOf(() => new Post({ id: 'a', title: 't', toString: 'x', constructor: 1 } as never))).to.deep.equal({
      toString: 'is not an attribute of the model',
      constructor: 'is not an attribute of the model',
    });
  });

  it('lists every bad field in one ValidationError', () => {
    const err = (() => {
      try {
        new Post({ id: '', title: 'way too long', views: 'many' } as never).toItem();
      } catch (e) {
        return e as ValidationError;
      }
    })();
    expect(err).to.be.instanceOf(ValidationError);
    expect(err!.issues.map((i) => i.path).sort()).to.deep.equal(['id', 'title', 'views']);
    expect(err!.message).to.match(/id: is an empty string; DynamoDB keys cannot be empty/);
  });

  it('rejects an item over 400 KB and accepts one of exactly 400 KB', () => {
    class Blob extends Model({ table: 'b', key: { hash: 'id' }, attributes: { id: string(), body: string() } }) {}
    const room = MAX_ITEM_BYTES - 'id'.length - 'k'.length - 'body'.length;
    const ok = new Blob({ id: 'k', body: 'x'.repeat(room) }).toItem();
    expect(itemSize(ok)).to.equal(MAX_ITEM_BYTES);
    const issues = issuesOf(() => new Blob({ id: 'k', body: 'x'.repeat(room + 1) }).toItem());
    expect(issues['(item)']).to.match(/409601 bytes/);
    // Multi-byte characters count as their UTF-8 bytes.
    expect(itemSize({ s: 'é'.repeat(10) })).to.equal(21);
    // Numbers: base-100 digit pairs aligned on the decimal point, 1 byte of exponent, 1 more if negative.
    const numberBytes = (n: unknown) => itemSize({ n }) - 1;
    expect([0, 7, 12345, 1.5, 10.5, 0.001, -1, -98765.4321].map(numberBytes)).to.deep.equal([1, 2, 4, 3, 3, 2, 3, 7]);
    expect(numberBytes(10n ** 37n)).to.equal(2);
    expect(numberBytes(NumberValue.from('12345678901234567890.123456789012345678'))).to.equal(20);
    // Maps and lists: 3 bytes plus 1 per element, besides names and values.
    expect(itemSize({ m: { a: 1, l: ['x'] } })).to.equal(1 + 3 + (1 + 2 + 1) + (1 + 3 + 1 + 1 + 1));
    // Multi-byte text at the limit: exactly 400 KB passes, a byte more is refused (2-byte é, 4-byte emoji).
    for (const [ch, bytes] of [['é', 2], ['😀', 4]] as const) {
      const fill = (extra: number) => ch.repeat(Math.floor(room / bytes)) + 'x'.repeat((room % bytes) + extra);
      expect(itemSize(new Blob({ id: 'k', body: fill(0) }).toItem()), ch).to.equal(MAX_ITEM_BYTES);
      expect(issuesOf(() => new Blob({ id: 'k', body: fill(1) }).toItem())['(item)'], ch).to.match(/409601 bytes/);
    }
  });

  it('the size check\'s cheap bound never passes an item over the limit (property)', () => {
    const scalar = fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.double(), fc.integer(), fc.boolean(), fc.constant(null),
      fc.bigInt({ min: -(10n ** 37n), max: 10n ** 37n }), fc.uint8Array({ maxLength: 40 }), fc.stringMatching(/^-?\d{1,20}(\.\d{1,17})?$/).map((t) => NumberValue.from(t)));
    const value = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, scalar, fc.array(tie('value'), { maxLength: 5 }), fc.dictionary(fc.string({ unit: 'binary', maxLength: 8 }), tie('value'), { maxKeys: 5 }),
        fc.uniqueArray(fc.string({ unit: 'binary', maxLength: 8 }), { minLength: 1, maxLength: 5 }).map((xs) => new Set(xs))),
    })).value;
    fc.assert(fc.property(fc.dictionary(fc.string({ unit: 'binary', minLength: 1, maxLength: 8 }), value, { minKeys: 1, maxKeys: 6 }), fc.integer({ min: -2, max: 2 }), (item, delta) => {
      const limit = itemSize(item) + delta;
      expect(itemExceeds(item, limit)).to.equal(itemSize(item) > limit);
    }), { numRuns: 500 });
  });

  it('toJSON gives sets as arrays, dates as ISO, bigints and decimals as strings, binary as base64', () => {
    const k = new Kitchen({
      id: 'j', text: 't', big: 2n ** 70n, money: '1.5', iso: new Date(0), raw: bytes(255, 0),
      tags: new Set(['x']), days: [new Date(86400000)], address: { city: 'c', visits: [] },
    });
    expect(JSON.parse(JSON.stringify(k))).to.deep.equal({
      id: 'j', text: 't', big: '1180591620717411303424', money: '1.5', iso: '1970-01-01T00:00:00.000Z', raw: '/wA=',
      tags: ['x'], scores: [], blobs: [], days: ['1970-01-02T00:00:00.000Z'], address: { city: 'c', visits: [] },
    });
  });
});
