/**
 * The query ids' fast writer (no database): for any value made of strings (control
 * characters, separators, unicode, lone surrogates), numbers, booleans, null, undefined,
 * arrays and plain objects, it writes exactly the text of the tagged form, so ids stay
 * injective whichever writer made them; any other value is left to the tagged form.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { NumberValue } from '../../src/index.js';
import { plainJson, stableJson, taggedJson } from '../../src/graph/stable-json.js';

const opts = { numRuns: 2000, seed: 20261203 };
const unit = fc.oneof(
  fc.constantFrom('\u0000', '\u0001', '\n', '"', '\\', '0', '1', 'k', 'a', ':', ',', '{', '[', 'é', '🙂', '\uD800', '\uDFFF'),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
);
const text = fc.string({ unit, maxLength: 6 });
const number = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(0, -0, 1e21, 5e-324, Number.MAX_SAFE_INTEGER + 2));
const plain = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, text, number, fc.boolean(), fc.constant(null), fc.constant(undefined), tie('list'), tie('object')),
  list: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(text, tie('value'), { maxKeys: 4 }),
}));

describe('stableJson', () => {
  it('writes plain values exactly as the tagged form does', () => {
    fc.assert(fc.property(plain.value, (v) => {
      expect(stableJson(v)).to.equal(taggedJson(v));
    }), opts);
  });

  it('takes the fast writer for strings, numbers and plain objects and arrays of them', () => {
    fc.assert(fc.property(fc.array(fc.oneof(text, number), { maxLength: 4 }), fc.dictionary(fc.string({ unit: fc.constantFrom('a', 'b', '_', 'é') , minLength: 1, maxLength: 3 }), text, { maxKeys: 3 }), (list, object) => {
      expect(plainJson([list, object])).to.equal(taggedJson([list, object]));
    }), opts);
  });

  it('leaves every other value to the tagged form, so none passes for another', () => {
    const others: unknown[] = [1n, new NumberValue('1'), new Date(0), new Uint8Array([1]), new Set(['a']), new Map([['a', 1]]), () => 1, Symbol('s'), new (class Point { x = 1; })(), { 1: 'a', b: 'c' }];
    for (const v of others) {
      expect(plainJson(v), String(typeof v)).to.equal(undefined);
      expect(plainJson(['x', { inner: v }])).to.equal(undefined);
      expect(stableJson(['x', { inner: v }])).to.equal(taggedJson(['x', { inner: v }]));
    }
    // Equal numbers in any form share one id; a number never passes for its text.
    expect(stableJson([1])).to.equal(stableJson([1n])).and.to.equal(stableJson([new NumberValue('1.0')]));
    expect(stableJson(['1'])).to.not.equal(stableJson([1]));
    expect(stableJson({ b: 1, a: 'x' })).to.equal(stableJson({ a: 'x', b: 1 }));
  });
});
