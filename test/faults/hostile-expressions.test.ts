/**
 * Values that look like expression syntax (`:v0`, `#n0`, `) OR (`, `attribute_exists(x)`, ...)
 * never change what an expression means: random conditions over such values, as filters
 * and as write conditions, select exactly what an in-memory evaluation with DynamoDB's
 * semantics selects (property-based, fast-check, fixed seeds, DynamoDB Local).
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { ConditionFailedError, Model, and, attr, list, not, number, or, string, stringSet, type Condition } from '../../src/index.js';
import { testDb } from '../harness/db.js';
import { addInputs } from './figures.js';
import { EXPRESSION_LOOKALIKES } from './hostile.js';

class Row extends Model({
  table: 'exprrows', key: { hash: 'pk', range: 'sk' },
  attributes: { pk: string(), sk: number(), a: string(), b: string().optional(), n: number(), tags: stringSet(), l: list(string()) },
}) {}

const { db, drop } = testDb('faults-hx-');

/** Strings of the items and of the operands: look-alikes, plain words, unicode, the empty string. */
const POOL = [...new Set([...EXPRESSION_LOOKALIKES, 'a', 'ab', 'abc', 'b', 'A', 'a b', 'é', '名前', '🙂', '🙂x', 'zz', ''])];
const str = fc.constantFrom(...POOL);
const strOrPiece = fc.oneof(str, str.chain((s) => fc.tuple(fc.nat(s.length), fc.nat(s.length)).map(([i, j]) => [...s].slice(Math.min(i, j), Math.max(i, j)).join(''))));
const num = fc.integer({ min: -5, max: 5 });

type Stored = Record<string, unknown>;
type Expr = { cond: Condition; holds: (item: Stored) => boolean; text: string };

const bytes = (s: string) => Buffer.from(s, 'utf8');
/** DynamoDB orders strings by their UTF-8 bytes. */
const cmp = (x: unknown, y: unknown): number => (typeof x === 'number' ? x - (y as number) : Buffer.compare(bytes(x as string), bytes(y as string)));
const OPS = { eq: (c: number) => c === 0, ne: (c: number) => c !== 0, lt: (c: number) => c < 0, le: (c: number) => c <= 0, gt: (c: number) => c > 0, ge: (c: number) => c >= 0 } as const;
type Op = keyof typeof OPS;
const op = fc.constantFrom(...(Object.keys(OPS) as Op[]));

/** A comparison: a missing attribute makes every comparator false except `<>`, which is true. */
function compare(field: string, o: Op, value: unknown, objectForm: boolean): Expr {
  return {
    cond: objectForm ? ({ [field]: { [o]: value } } as Condition) : (attr(field) as any)[o](value),
    holds: (item) => (item[field] === undefined ? o === 'ne' : OPS[o](cmp(item[field], value))),
    text: `${field} ${o} ${JSON.stringify(value)}`,
  };
}

const sortedPair = <T>(arb: fc.Arbitrary<T>) => fc.tuple(arb, arb).map(([x, y]) => (cmp(x, y) <= 0 ? [x, y] : [y, x]) as [T, T]);

const leaf: fc.Arbitrary<Expr> = fc.oneof(
  fc.tuple(fc.constantFrom('a', 'b'), op, strOrPiece, fc.boolean()).map(([f, o, v, obj]) => compare(f, o, v, obj)),
  fc.tuple(op, num, fc.boolean()).map(([o, v, obj]) => compare('n', o, v, obj)),
  fc.tuple(fc.constantFrom('a', 'b'), sortedPair(str)).map(([f, [lo, hi]]) => ({
    cond: attr(f).between(lo, hi),
    holds: (i: Stored) => i[f] !== undefined && cmp(i[f], lo) >= 0 && cmp(i[f], hi) <= 0,
    text: `${f} between ${lo} ${hi}`,
  })),
  fc.tuple(fc.constantFrom('a', 'b'), fc.array(str, { minLength: 1, maxLength: 4 })).map(([f, vs]) => ({
    cond: attr(f).in(...vs),
    holds: (i: Stored) => i[f] !== undefined && vs.includes(i[f] as string),
    text: `${f} in ${JSON.stringify(vs)}`,
  })),
  fc.tuple(fc.constantFrom('a', 'b'), strOrPiece).map(([f, p]) => ({
    cond: attr(f).beginsWith(p),
    holds: (i: Stored) => typeof i[f] === 'string' && (i[f] as string).startsWith(p),
    text: `begins_with(${f}, ${JSON.stringify(p)})`,
  })),
  fc.tuple(fc.constantFrom('a', 'b', 'tags', 'l'), strOrPiece).map(([f, x]) => ({
    cond: attr(f).contains(x),
    holds: (i: Stored) => {
      const v = i[f];
      return typeof v === 'string' ? v.includes(x) : v instanceof Set ? v.has(x) : Array.isArray(v) ? v.includes(x) : false;
    },
    text: `contains(${f}, ${JSON.stringify(x)})`,
  })),
  fc.tuple(fc.constantFrom('a', 'b', 'tags', 'l'), fc.boolean()).map(([f, e]) => ({
    cond: e ? attr(f).exists() : attr(f).notExists(),
    holds: (i: Stored) => (i[f] !== undefined) === e,
    text: `${e ? 'exists' : 'not exists'}(${f})`,
  })),
  fc.tuple(fc.constantFrom('tags', 'l'), fc.constantFrom<Op>('eq', 'lt', 'le', 'gt', 'ge'), fc.nat(4)).map(([f, o, k]) => ({
    cond: (attr(f).size() as any)[o](k),
    holds: (i: Stored) => {
      const v = i[f] as Set<unknown> | unknown[] | undefined;
      return v !== undefined && OPS[o]((v instanceof Set ? v.size : v.length) - k);
    },
    text: `size(${f}) ${o} ${k}`,
  })),
);

const { expr } = fc.letrec<{ expr: Expr }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', maxDepth: 3 },
    leaf,
    fc.array(tie('expr'), { minLength: 1, maxLength: 3 }).map((xs) => ({ cond: and(...xs.map((x) => x.cond)), holds: (i: Stored) => xs.every((x) => x.holds(i)), text: `(${xs.map((x) => x.text).join(' AND ')})` })),
    fc.array(tie('expr'), { minLength: 1, maxLength: 3 }).map((xs) => ({ cond: or(...xs.map((x) => x.cond)), holds: (i: Stored) => xs.some((x) => x.holds(i)), text: `(${xs.map((x) => x.text).join(' OR ')})` })),
    tie('expr').map((x) => ({ cond: not(x.cond), holds: (i: Stored) => !x.holds(i), text: `NOT ${x.text}` })),
  ),
}));

/** The dataset: 24 rows whose strings come from the same pool as the operands. */
const rows = fc.sample(
  fc.record({
    a: str, b: fc.option(str, { nil: undefined }), n: num,
    tags: fc.uniqueArray(str, { maxLength: 3 }).map((xs) => new Set(xs.filter((x) => x !== ''))),
    l: fc.array(str, { maxLength: 3 }),
  }),
  { seed: 7, numRuns: 24 },
).map((v, sk) => ({ pk: 'P', sk, ...v }));

describe('expression look-alike values never change what an expression means (fast-check, DynamoDB Local)', function () {
  this.timeout(60_000);
  /** Each row as DynamoDB stores it (empty strings and sets absent), for the in-memory evaluation. */
  const stored = rows.map((r) => Row.schema.encode(r));
  before(async () => {
    await db.createTables([Row]);
    await Row.putMany(rows, { db });
  });
  after(() => drop([Row]));

  it('as a filter: a query returns exactly the rows the in-memory evaluation selects', async () => {
    let runs = 0;
    const hits: number[] = [];
    await fc.assert(
      fc.asyncProperty(expr, async (e) => {
        runs++;
        const want = stored.filter((i) => e.holds(i)).map((i) => i.sk as number);
        const got = (await Row.query({ pk: 'P' }, { db }).filter(e.cond).all()).map((r) => r.sk);
        expect(got, e.text).to.deep.equal(want);
        hits.push(want.length);
      }),
      { seed: 424_242, numRuns: 150 },
    );
    // The generated conditions select some rows, all rows and none: they discriminate.
    expect(hits.some((h) => h > 0 && h < rows.length), 'partial selections').to.equal(true);
    expect(hits.some((h) => h === 0)).to.equal(true);
    addInputs('filter conditions', runs);
  });

  it('as a write condition: an update succeeds exactly when the evaluation holds for the stored row', async () => {
    let runs = 0;
    let passed = 0;
    await fc.assert(
      fc.asyncProperty(expr, fc.nat(rows.length - 1), async (e, k) => {
        runs++;
        const row = rows[k];
        const holds = e.holds(stored[k]);
        // Sets n to its own value: the dataset never changes, only the verdict is observed.
        const outcome = await Row.update({ pk: 'P', sk: row.sk }, { set: { n: row.n } }, { db, condition: e.cond }).then(() => true, (err: unknown) => {
          if (err instanceof ConditionFailedError) return false;
          throw err;
        });
        expect(outcome, e.text).to.equal(holds);
        if (outcome) passed++;
      }),
      { seed: 434_343, numRuns: 80 },
    );
    expect(passed).to.be.within(1, runs - 1);
    addInputs('write conditions', runs);
  });
});
