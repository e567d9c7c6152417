/**
 * The pure parts of the refusals (no database): DynamoDB's operator count, the expression
 * limits as every compiler and the shared allocator apply them, and the sort-key order a
 * cursor is checked against (strings by UTF-8 bytes, numbers exactly, binary unsigned).
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { NumberValue } from '../../src/index.js';
import {
  ExpressionAttributes, and, attr, compileCondition, compileKeyCondition, compileProjection, compileUpdate, countOperators, not, set,
  MAX_EXPRESSION_BYTES,
} from '../../src/expressions/index.js';
import { compareKeyValues, rangeBound, satisfiesRange } from '../../src/expressions/key-condition.js';
import { ExpressionError } from '../../src/errors.js';

describe('expression limits (unit)', () => {
  it('counts operators and functions as DynamoDB does', () => {
    expect(countOperators('FilterExpression', '#n0 = :v0')).to.equal(1);
    expect(countOperators('FilterExpression', '#n0 BETWEEN :v0 AND :v1 AND #n1 IN (:v2, :v3)')).to.equal(3);
    expect(countOperators('FilterExpression', 'NOT (size(#n0) > :v0 OR attribute_exists(#n1.#n2[3]))')).to.equal(5);
    expect(countOperators('ConditionExpression', '(#n0 <> :v0) AND (begins_with(#n1, :v1))')).to.equal(3);
    // In an update the `=` of SET and the clause keywords are syntax, not operators.
    expect(countOperators('UpdateExpression', 'SET #n0 = :v0, #n1 = if_not_exists(#n1, :v1) + :v2 REMOVE #n2 ADD #n3 :v3')).to.equal(2);
    expect(countOperators('KeyConditionExpression', '#n0 = :v0 AND #n1 BETWEEN :v1 AND :v2')).to.equal(3);
  });

  it('every compiler refuses more than 4 KB or 300 operators, naming the parameter', () => {
    const nes = (n: number) => and(...Array.from({ length: n }, (_, i) => attr('a').ne(i)));
    expect(() => compileCondition(nes(151), new ExpressionAttributes())).to.throw(ExpressionError, /^ConditionExpression has 301 operators/);
    expect(() => compileCondition(nes(151), new ExpressionAttributes(), { parameter: 'FilterExpression' })).to.throw(ExpressionError, /^FilterExpression has 301/);
    expect(() => compileCondition(not(nes(150)), new ExpressionAttributes())).not.to.throw();
    const paths = Array.from({ length: 400 }, (_, i) => `m.k${i}`);
    expect(() => compileProjection(paths, new ExpressionAttributes())).to.throw(ExpressionError, /^ProjectionExpression is \d+ bytes/);
    expect(() => compileUpdate(paths.map((p) => set(p, 1)), new ExpressionAttributes())).to.throw(ExpressionError, /^UpdateExpression is \d+ bytes/);
    expect(() => compileKeyCondition({ hash: ['h', 1], range: ['r', 'eq', 2] }, new ExpressionAttributes())).not.to.throw();
  });

  it('the allocator holds the request as a whole to the limits: joined conditions and merged updates', () => {
    // Two conditions of 200 operators each are fine alone; joined by the operations, 401.
    const attrs = new ExpressionAttributes();
    const half = and(...Array.from({ length: 75 }, (_, i) => attr('a').size().gt(i)));
    compileCondition(half, attrs);
    compileCondition(half, attrs);
    expect(() => attrs.toParams()).to.throw(ExpressionError, /^ConditionExpression has 449 operators/);
    const up = new ExpressionAttributes();
    compileUpdate(Array.from({ length: 150 }, (_, i) => set(`m.a${i}`, i)), up);
    compileUpdate(Array.from({ length: 150 }, (_, i) => set(`m.b${i}`, i)), up);
    expect(() => up.toParams()).to.throw(ExpressionError, new RegExp(`^UpdateExpression is \\d+ bytes; DynamoDB accepts at most ${MAX_EXPRESSION_BYTES}`));
    const values = new ExpressionAttributes();
    compileCondition(attr('a').in(...Array.from({ length: 6 }, (_, i) => `${i}${'x'.repeat(360 * 1024)}`)), values);
    expect(() => values.toParams()).to.throw(ExpressionError, /ExpressionAttributeValues are \d+ bytes/);
  });
});

describe('sort-key order for cursor checks (unit)', () => {
  it('strings compare by UTF-8 bytes, not UTF-16 code units', () => {
    // U+FF5A sorts after U+1F600's high surrogate in UTF-16, before its UTF-8 bytes.
    expect('😀' < 'ｚ').to.equal(true);
    expect(compareKeyValues('ｚ', '😀')).to.be.below(0);
    expect(satisfiesRange('😀x', { name: 'k', op: 'gt', operands: ['ｚ'] })).to.equal(true);
  });

  it('numbers compare exactly, whatever their form (number, bigint, NumberValue, exponent)', () => {
    fc.assert(fc.property(fc.bigInt({ min: -(10n ** 38n) + 1n, max: 10n ** 38n - 1n }), fc.bigInt({ min: -(10n ** 38n) + 1n, max: 10n ** 38n - 1n }), (a, b) => {
      const want = a < b ? -1 : a > b ? 1 : 0;
      expect(Math.sign(compareKeyValues(a, NumberValue.from(b.toString()))!)).to.equal(want);
      expect(Math.sign(compareKeyValues(NumberValue.from(`${a}e-5`), NumberValue.from(`${b}e-5`))!)).to.equal(want);
    }), { seed: 11, numRuns: 300 });
    expect(compareKeyValues(0.1, NumberValue.from('1e-1'))).to.equal(0);
    expect(compareKeyValues(-0.5, -0.25)).to.be.below(0);
    expect(compareKeyValues(1, '1')).to.equal(undefined);
  });

  it('binary compares unsigned; beginsWith takes a prefix of its own type only', () => {
    expect(compareKeyValues(new Uint8Array([0x80]), new Uint8Array([0x7f]))).to.be.above(0);
    expect(satisfiesRange(new Uint8Array([1, 2, 3]), { name: 'k', op: 'beginsWith', operands: [new Uint8Array([1, 2])] })).to.equal(true);
    expect(satisfiesRange(new Uint8Array([1, 3]), { name: 'k', op: 'beginsWith', operands: [new Uint8Array([1, 2])] })).to.equal(false);
    expect(satisfiesRange('AB', { name: 'k', op: 'beginsWith', operands: [new Uint8Array([65])] })).to.equal(false);
  });

  it('a range bound is the key condition in stored form, both of its forms', () => {
    const toIso = (_p: unknown, v: unknown) => (v instanceof Date ? v.toISOString() : v);
    const b = rangeBound(['at', { between: [new Date(0), new Date(1000)] }], { mapValue: toIso });
    expect(b).to.deep.equal({ name: 'at', op: 'between', operands: ['1970-01-01T00:00:00.000Z', '1970-01-01T00:00:01.000Z'] });
    expect(satisfiesRange('1970-01-01T00:00:00.500Z', b)).to.equal(true);
    expect(satisfiesRange('1970-01-01T00:00:01.001Z', b)).to.equal(false);
    expect(rangeBound(['n', 'lt', 5])).to.deep.equal({ name: 'n', op: 'lt', operands: [5] });
    expect(() => rangeBound(['n', 'between', 5])).to.throw(ExpressionError, /between takes 2 operands/);
  });
});
