/**
 * Bad input is refused before any request, with a typed error, and nothing is written
 * (property-based, fast-check, fixed seed, DynamoDB Local): wrong types, numbers DynamoDB
 * cannot hold, empty key strings, unknown attributes, oversize items and unstorable JSON,
 * through every write path — put, save, putMany and writeMany (with good items alongside),
 * transactions and updates. The command counter proves no request left; reading back
 * proves nothing changed.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { DynagraphError, ExpressionError, MAX_ITEM_BYTES, Model, ValidationError, bigint, binary, date, itemSize, json, list, map, number, string, stringSet } from '../../src/index.js';
import { testDb } from '../harness/db.js';
import { addInputs } from './figures.js';
import { bigint38, hostileName, hostileString, MAX_38, nested, storableDouble } from './hostile.js';

class V extends Model({
  table: 'rejects', key: { hash: 'id' },
  attributes: {
    id: string(), s: string(), n: number(), big: bigint().optional(), bin: binary().optional(), when: date().optional(),
    tags: stringSet(), m: map({ x: number() }), l: list(number()), j: json().optional(),
  },
}) {}

const { db, counter, drop } = testDb('faults-rej-');
let ids = 0;

const good = fc.record({
  s: hostileString, n: storableDouble, big: bigint38, bin: fc.uint8Array({ minLength: 1, maxLength: 16 }), when: fc.date({ noInvalidDate: true, min: new Date(0), max: new Date(4e12) }),
  tags: fc.uniqueArray(fc.string({ minLength: 1, maxLength: 5 }), { maxLength: 3 }).map((a) => new Set(a)),
  m: storableDouble.map((x) => ({ x })), l: fc.array(storableDouble, { maxLength: 3 }), j: fc.constant({ ok: [1, 'two', null] }),
});

/** One way to make an item bad: a field and its bad value, or a whole-item change. */
type Bad = { what: string; field?: string; apply: (values: Record<string, unknown>) => void };

const wrongValues: Record<string, unknown[]> = {
  s: [5, true, ['x'], { a: 1 }, new Date(), new Uint8Array([1]), 5n, new Set(['x']), null],
  n: ['5', true, [1], { n: 1 }, 5n, new Date(), null],
  big: [5, '5', true, 1.5, [1n]],
  bin: ['AQ==', [1, 2], 5, new Set([1])],
  when: ['2024-01-01', 1_700_000_000, new Date(Number.NaN), {}],
  tags: [['a', 'b'], 'a', new Set([1, 2]), new Set(['']), {}],
  m: [5, 'x', [1], { x: 'one' }, { x: 1, y: 2 }, new Map([['x', 1]])],
  l: [5, 'x', [1, 'two'], [Number.NaN], new Set([1])],
};
const unstorableNumbers: [string, unknown][] = [
  ['n', Number.NaN], ['n', Infinity], ['n', -Infinity], ['n', 1e126], ['n', -1e200], ['n', 1e-131], ['n', 5e-324], ['n', 2 ** 53 + 2], ['n', Number.MAX_VALUE],
  ['big', MAX_38 + 2n], ['big', -(10n ** 39n + 7n)], ['big', 10n ** 130n],
  ['l', [1, 1e300]], ['m', { x: 1e-200 }],
  ['j', { x: 1e200 }], ['j', { y: [Number.NaN] }], ['j', { d: new Date() }], ['j', { s: new Set() }], ['j', { '': 1 }], ['j', nested(32, ['k'], 'deep')],
];

const bad: fc.Arbitrary<Bad> = fc.oneof(
  fc.constantFrom(...Object.keys(wrongValues)).chain((field) => fc.constantFrom(...wrongValues[field]).map((v): Bad => ({ what: `wrong type ${field}`, field, apply: (x) => void (x[field] = v) }))),
  fc.constantFrom(...unstorableNumbers).map(([field, v]): Bad => ({ what: `unstorable ${field}`, field, apply: (x) => void (x[field] = v) })),
  fc.constant<Bad>({ what: 'empty key', field: 'id', apply: (x) => void (x.id = '') }),
  hostileName.filter((n) => !Object.hasOwn(V.schema.attributes, n)).map((name): Bad => ({ what: 'unknown attribute', apply: (x) => void Object.defineProperty(x, name, { value: 'surprise', enumerable: true }) })),
  fc.tuple(fc.integer({ min: 1, max: 4000 }), fc.constantFrom('a', 'é', '名', '🙂')).map(([over, ch]): Bad => ({
    what: 'oversize item',
    apply: (x) => {
      // Just over 400 KB, counted the way DynamoDB counts (UTF-8 strings, names included).
      const rest = itemSize(V.schema.encode({ ...x, s: 'x' })) - 1;
      const need = MAX_ITEM_BYTES - rest + over;
      x.s = ch.repeat(Math.ceil(need / Buffer.byteLength(ch)));
    },
  })),
);

const ops = ['put', 'save', 'putMany', 'writeMany', 'transaction', 'update'] as const;

describe('bad input is refused before any request, and nothing is written (fast-check, DynamoDB Local)', function () {
  this.timeout(60_000);
  before(async () => {
    await db.createTables([V]);
    await V.put({ id: 'keeper', s: 'kept', n: 1, tags: new Set(), m: { x: 1 }, l: [] }, { db });
  });
  after(() => drop([V]));

  it('every bad input, through every write path', async () => {
    let runs = 0;
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(good, good, bad, fc.constantFrom(...ops), async (g1, g2, b, op) => {
        runs++;
        const okA = { id: `ok${++ids}`, ...g1 };
        const okB = { id: `ok${++ids}`, ...g2 };
        const wrong: Record<string, unknown> = { id: `bad${++ids}`, ...g1 };
        b.apply(wrong);
        seen.add(`${b.what} via ${op}`);
        counter.reset();
        const attempt = async () => {
          switch (op) {
            case 'put': return V.put(wrong as never, { db });
            case 'save': return new V(wrong as never).save({ db });
            case 'putMany': return V.putMany([okA, wrong as never, okB], { db });
            case 'writeMany': return db.writeMany([{ put: new V(okA) }, { put: new V(wrong as never) }, { delete: [V, { id: 'keeper' }] }]);
            case 'transaction': return db.transactWrite((tx) => {
              tx.put(new V(okA));
              tx.put(new V(wrong as never));
              tx.delete([V, { id: 'keeper' }]);
            });
            case 'update': {
              // An update carries the bad field only (an oversize or unknown-field item becomes a bad set).
              const { id, ...rest } = wrong;
              const field = b.field && b.field !== 'id' ? b.field : Object.keys(rest).find((k) => !Object.hasOwn(V.schema.attributes, k)) ?? 's';
              // The stored item's size is unknown to an update; a value over 400 KB by itself is not.
              const value = b.what === 'oversize item' ? `${rest.s as string}${'x'.repeat(MAX_ITEM_BYTES)}` : rest[field];
              return V.update({ id: b.field === 'id' ? '' : 'keeper' }, { set: { [field]: value } } as never, { db });
            }
          }
        };
        const err = await attempt().then(() => undefined, (e: unknown) => e);
        // An update naming an attribute the model does not have is a malformed update expression.
        const typed = op === 'update' && b.what === 'unknown attribute' ? ExpressionError : ValidationError;
        expect(err, `${b.what} via ${op}: resolved`).to.be.instanceOf(typed);
        expect((err as DynagraphError).code).to.equal(typed === ValidationError ? 'VALIDATION' : 'INVALID_EXPRESSION');
        expect(counter.total(), `${b.what} via ${op}: requests sent`).to.equal(0);
        const back = await V.getMany([{ id: okA.id }, { id: okB.id }, { id: (wrong.id as string) || `bad${ids}` }, { id: 'keeper' }], { db, consistent: true });
        expect(back.slice(0, 3), `${b.what} via ${op}: written`).to.deep.equal([null, null, null]);
        expect(back[3]?.s, 'keeper').to.equal('kept');
      }),
      { seed: 31_337, numRuns: 200 },
    );
    // The generator reached every kind of bad input through every path.
    for (const what of ['wrong type', 'unstorable', 'empty key', 'unknown attribute', 'oversize item']) {
      for (const op of ops) expect([...seen].some((s) => s.startsWith(what) && s.endsWith(`via ${op}`)), `${what} via ${op}`).to.equal(true);
    }
    addInputs('bad inputs', runs);
  });
});
