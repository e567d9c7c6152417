/**
 * Hostile names and values round-trip through DynamoDB Local unchanged (property-based,
 * fast-check, fixed seeds): top-level attribute names and map / JSON keys that are
 * reserved words, placeholder look-alikes, paths, punctuation and unicode up to 255 bytes;
 * unicode strings, 38-digit integers, binary, JSON nested to DynamoDB's depth limit. The
 * same names work in filters, conditions and updates.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import {
  ConditionFailedError, Model, SchemaError, ValidationError, attr, bigint, binary, json, map, number, path, string, stringSet, type Attribute,
} from '../../src/index.js';
import { testDb } from '../harness/db.js';
import { addInputs } from './figures.js';
import { bigint38, comparable, hostileJson, hostileName, hostileString, nested, storableDouble } from './hostile.js';

const { db, counter, drop } = testDb('faults-hv-');

type Kind = 'string' | 'number' | 'bigint' | 'binary' | 'stringSet' | 'json';
const KINDS: Kind[] = ['string', 'number', 'bigint', 'binary', 'stringSet', 'json'];
const attributeOf = (kind: Kind): Attribute => ({ string: string(), number: number(), bigint: bigint(), binary: binary(), stringSet: stringSet(), json: json() })[kind];
const valueOf = (kind: Kind): fc.Arbitrary<unknown> => ({
  string: hostileString,
  number: storableDouble,
  bigint: bigint38,
  binary: fc.uint8Array({ maxLength: 64 }),
  stringSet: fc.uniqueArray(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }), { maxLength: 5 }).map((a) => new Set(a)),
  // A top-level null is a missing value (a required attribute); nested nulls are data.
  json: hostileJson().filter((v) => v !== null),
})[kind];

/** One model per generated schema, all on the table `hostile` (hash key `id`). */
function modelOf(attributes: Record<string, Attribute>) {
  const all: Record<string, Attribute> = { id: string() };
  for (const [k, a] of Object.entries(attributes)) Object.defineProperty(all, k, { value: a, enumerable: true });
  return class Hostile extends Model({ table: 'hostile', key: { hash: 'id' }, attributes: all }) {};
}
class Base extends Model({ table: 'hostile', key: { hash: 'id' }, attributes: { id: string() } }) {}

const SEED = 20_240_601;
let ids = 0;

describe('hostile names and values round-trip (fast-check, DynamoDB Local)', function () {
  this.timeout(60_000);
  before(() => db.createTables([Base]));
  after(() => drop([Base]));

  it('top-level attribute names and values: put, get, filter and update all see them unchanged', async () => {
    let runs = 0;
    const schema = fc.uniqueArray(fc.tuple(hostileName, fc.constantFrom(...KINDS)), { minLength: 1, maxLength: 4, selector: ([n]) => n });
    const input = schema.chain((fields) => fc.tuple(fc.constant(fields), fc.tuple(...fields.map(([, k]) => valueOf(k))), fc.tuple(...fields.map(([, k]) => valueOf(k)))));
    await fc.assert(
      fc.asyncProperty(input, async ([fields, values, changed]) => {
        runs++;
        const M = modelOf(Object.fromEntries(fields.map(([n, k]) => [n, attributeOf(k)])));
        const id = `v${++ids}`;
        const item: Record<string, unknown> = { id };
        fields.forEach(([n], i) => Object.defineProperty(item, n, { value: values[i], enumerable: true }));
        await M.put(item as never, { db });
        const back = (await M.get({ id } as never, { db, consistent: true })) as Record<string, unknown>;
        for (const [i, [n, kind]] of fields.entries()) {
          expect(comparable(back[n]), `${kind} ${JSON.stringify(n)}`).to.deep.equal(comparable(values[i]));
        }
        // The names in a filter: each comparable scalar equals itself.
        for (const [i, [n, kind]] of fields.entries()) {
          if (!['string', 'number', 'bigint'].includes(kind) || values[i] === '') continue;
          const found = await M.query({ id } as never, { db }).filter({ [n]: values[i] } as never).all();
          expect(found, `filter on ${JSON.stringify(n)}`).to.have.length(1);
        }
        // The names in an update: every attribute set to a new value in one UpdateItem.
        const set: Record<string, unknown> = {};
        fields.forEach(([n], i) => Object.defineProperty(set, n, { value: changed[i], enumerable: true }));
        await M.update({ id } as never, { set } as never, { db });
        const after = (await M.get({ id } as never, { db, consistent: true })) as Record<string, unknown>;
        for (const [i, [n, kind]] of fields.entries()) expect(comparable(after[n]), `updated ${kind} ${JSON.stringify(n)}`).to.deep.equal(comparable(changed[i]));
      }),
      { seed: SEED, numRuns: 40 },
    );
    addInputs('attribute names and values', runs);
  });

  it('map() and json() keys: stored, read back, and addressed by literal paths in conditions', async () => {
    let runs = 0;
    const keys = fc.uniqueArray(hostileName, { minLength: 3, maxLength: 3 });
    const input = fc.tuple(keys, hostileString.filter((s) => s !== ''), bigint38, hostileJson(), storableDouble);
    await fc.assert(
      fc.asyncProperty(input, async ([[k1, k2, k3], text, big, data, n]) => {
        runs++;
        const shape: Record<string, Attribute> = {};
        Object.defineProperty(shape, k1, { value: string(), enumerable: true });
        Object.defineProperty(shape, k2, { value: number(), enumerable: true });
        const inner: Record<string, Attribute> = {};
        Object.defineProperty(inner, k3, { value: bigint(), enumerable: true });
        Object.defineProperty(shape, k3, { value: map(inner), enumerable: true });
        const M = modelOf({ m: map(shape), j: json() });
        const value: Record<string, unknown> = {};
        Object.defineProperty(value, k1, { value: text, enumerable: true });
        Object.defineProperty(value, k2, { value: n, enumerable: true });
        Object.defineProperty(value, k3, { value: Object.defineProperty({}, k3, { value: big, enumerable: true }), enumerable: true });
        const doc = { [k1]: data };
        const id = `m${++ids}`;
        await M.put({ id, m: value, j: doc } as never, { db });
        const back = (await M.get({ id } as never, { db, consistent: true })) as unknown as { m: unknown; j: unknown };
        expect(comparable(back.m)).to.deep.equal(comparable(value));
        expect(comparable(back.j)).to.deep.equal(comparable(doc));
        // Literal paths through hostile keys: the right value passes the condition, another fails it.
        await M.put({ id, m: value, j: doc } as never, { db, condition: attr(path('m', k3, k3)).eq(big) });
        await M.put({ id, m: value, j: doc } as never, { db, condition: attr(path('m', k1)).eq(text) });
        const err = await M.put({ id, m: value, j: doc } as never, { db, condition: attr(path('m', k1)).eq(`${text}!`) }).catch((e: unknown) => e);
        expect(err).to.be.instanceOf(ConditionFailedError);
      }),
      { seed: SEED + 1, numRuns: 30 },
    );
    addInputs('map and json keys', runs);
  });

  it(`json() nested to DynamoDB's limit round-trips; one level more is refused before any request`, async () => {
    let runs = 0;
    const M = modelOf({ j: json() });
    const input = fc.tuple(fc.integer({ min: 1, max: 36 }), fc.uniqueArray(hostileName, { minLength: 1, maxLength: 3 }), hostileString);
    await fc.assert(
      fc.asyncProperty(input, async ([levels, keys, leaf]) => {
        runs++;
        const id = `d${++ids}`;
        const value = nested(levels, keys, leaf);
        counter.reset();
        if (levels <= 31) {
          await M.put({ id, j: value } as never, { db });
          const back = (await M.get({ id } as never, { db, consistent: true })) as unknown as { j: unknown };
          expect(comparable(back.j)).to.deep.equal(comparable(value));
        } else {
          const err = await M.put({ id, j: value } as never, { db }).catch((e: unknown) => e);
          expect(err).to.be.instanceOf(ValidationError);
          expect(counter.total()).to.equal(0);
        }
      }),
      { seed: SEED + 2, numRuns: 30, examples: [[[31, ['k'], 'deepest']], [[32, ['k'], 'too deep']]] },
    );
    addInputs('nesting depths', runs);
  });

  it('"__proto__" cannot be a map() key: refused when declared, not silently dropped when stored', () => {
    const shape = Object.defineProperty({}, '__proto__', { value: string(), enumerable: true });
    expect(() => map(shape)).to.throw(SchemaError, '__proto__');
  });

  // Assigning "__proto__" would set an instance's prototype: refused at declaration.
  it('"__proto__" cannot be a top-level attribute name: a SchemaError at declaration', () => {
    const attributes = Object.defineProperty({ id: string() }, '__proto__', { value: string(), enumerable: true });
    expect(() => Model({ table: 'hostile', key: { hash: 'id' }, attributes })).to.throw(SchemaError, '__proto__');
  });
});
