/**
 * Key identities that never collide (no database): keyId over any strings (control
 * characters, separators, unicode, lone surrogates), numbers in every form and binary;
 * the transaction check that finds two actions on one item; template keys that escape
 * their fields, read them back exactly and build begins_with prefixes that match exactly.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { NumberValue, SchemaError, ValidationError, template } from '../../src/index.js';
import { keyId } from '../../src/operations/key-id.js';
import { checkTransaction, type TransactAction } from '../../src/operations/transactions.js';
import type { ModelSchema } from '../../src/schema/model-schema.js';

const SEED = 20261211;
const opts = (numRuns: number) => ({ numRuns, seed: SEED });

/** One character that matters: separators, escapes, tags, controls, unicode, lone surrogates. */
const unit = fc.oneof(
  fc.constantFrom('\u0001', '\u0000', '\n', 'S', 'N', 'B', 'T', 'x', ':', '1', '#', '\\', '|', '-', 'é', '🙂', '\uD800', '\uDFFF', '\uD83D'),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
);
const rich = fc.string({ unit, maxLength: 8 });
const richNonEmpty = fc.string({ unit, minLength: 1, maxLength: 8 });

/** Two keys that the old `'\u0001' + tag + value` joining could not tell apart. */
const splitPair = fc.tuple(rich, rich, rich).map(([p, q, r]) => [[`${p}\u0001S${q}`, r], [p, `${q}\u0001S${r}`]] as const);

/** A decimal m×10^e reduced to one text: the oracle for "equal numbers". */
function decimalRef(m: bigint, e: number): string {
  if (m === 0n) return '0';
  while (m % 10n === 0n) { m /= 10n; e++; }
  return `${m}e${e}`;
}

/** `m×10^e` written without an exponent: 15, -1 → '1.5'. */
function plain(m: bigint, e: number): string {
  const sign = m < 0n ? '-' : '';
  let digits = (m < 0n ? -m : m).toString();
  if (e >= 0) return sign + digits + '0'.repeat(e);
  digits = digits.padStart(-e + 1, '0');
  return `${sign}${digits.slice(0, digits.length + e)}.${digits.slice(digits.length + e)}`;
}

/** The decimal value of a JS double, read from its shortest text (`1.5e-7`, `123.25`). */
function doubleRef(d: number): string {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(d))!;
  const frac = m[3] ?? '';
  return decimalRef(BigInt(`${m[1]}${m[2]}${frac}`), Number(m[4] ?? 0) - frac.length);
}

/** A key part and what it equals: [stored value, reference identity]. */
type Part = readonly [unknown, string];

const decimalPart: fc.Arbitrary<Part> = fc
  .tuple(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.integer({ min: -6, max: 6 }), fc.nat(4))
  .map(([m, e, form]) => {
    const ref = `n:${decimalRef(m, e)}`;
    const small = (m < 0n ? -m : m) < 10n ** 15n;
    if (form === 1) return [NumberValue.from(`${m}0e${e - 1}`), ref];
    if (form === 2) return [NumberValue.from(plain(m, e)), ref];
    if (form === 3 && small) return [Number(plain(m, e)), ref];
    if (form === 4 && e >= 0) return [m * 10n ** BigInt(e), ref];
    return [NumberValue.from(`${m}e${e}`), ref];
  });
const doublePart: fc.Arbitrary<Part> = fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => [d, `n:${doubleRef(d)}`]);
const bytesPart: fc.Arbitrary<Part> = fc.tuple(fc.uint8Array({ maxLength: 8 }), fc.nat(2)).map(([bytes, form]) => {
  const ref = `b:${[...bytes].join(',')}`;
  if (form === 1) return [Buffer.from(bytes), ref];
  if (form === 2) {
    // A view into a larger buffer: only its own bytes count.
    const big = Buffer.alloc(bytes.length + 6, 0xee);
    big.set(bytes, 3);
    return [big.subarray(3, 3 + bytes.length), ref];
  }
  return [new Uint8Array(bytes), ref];
});
const stringPart: fc.Arbitrary<Part> = rich.map((s) => [s, `s:${JSON.stringify(s)}`]);
/** Small pools so equal values (in different forms) come up often. */
const poolPart: fc.Arbitrary<Part> = fc.oneof(
  fc.constantFrom<Part>(['1', 's:"1"'], ['1e0', 's:"1e0"'], ['', 's:""'], ['\u0001S', 's:"\\u0001S"']),
  fc.constantFrom<Part>([1, 'n:1e0'], [1n, 'n:1e0'], [NumberValue.from('1.0'), 'n:1e0'], [NumberValue.from('10e-1'), 'n:1e0'], [-0, 'n:0'], [0, 'n:0'], [NumberValue.from('-0.00'), 'n:0']),
  fc.constantFrom<Part>([new Uint8Array([49]), 'b:49'], [Buffer.from('1'), 'b:49'], [new Uint8Array([]), 'b:']),
);
const anyPart = fc.oneof(stringPart, decimalPart, doublePart, bytesPart, poolPart);

const names = ['a', 'b'] as const;
const keyOf = (parts: readonly Part[]) => Object.fromEntries(parts.map(([v], i) => [names[i], v]));
const refOf = (parts: readonly Part[]) => JSON.stringify(parts.map(([, r]) => r));

/** A transaction action as checkTransaction sees it. */
function action(table: string, key: Record<string, unknown>): TransactAction {
  return { kind: 'put', schema: { name: 'Thing' } as ModelSchema, key, body: { TableName: table } };
}

describe('key identity (unit)', () => {
  describe('keyId', () => {
    it('tells apart the keys of the issue, whose parts hold the old separator', () => {
      expect(keyId('t', names, { a: 'x\u0001Sy', b: 'z' })).to.not.equal(keyId('t', names, { a: 'x', b: 'y\u0001Sz' }));
      expect(keyId('t', names, { a: 'x', b: 'y' })).to.not.equal(keyId('t\u0001Sx', ['b'], { b: 'y' }));
    });

    it('keys that split one text at different places never share an id', () => {
      fc.assert(fc.property(splitPair, ([x, y]) => {
        expect(keyId('t', names, { a: x[0], b: x[1] })).to.not.equal(keyId('t', names, { a: y[0], b: y[1] }));
      }), opts(200));
    });

    it('any two string keys share an id exactly when they are equal (and their tables are)', () => {
      fc.assert(fc.property(fc.tuple(rich, rich, rich), fc.tuple(rich, rich, rich), (x, y) => {
        const same = x[0] === y[0] && x[1] === y[1] && x[2] === y[2];
        expect(keyId(x[0], names, { a: x[1], b: x[2] }) === keyId(y[0], names, { a: y[1], b: y[2] })).to.equal(same);
      }), opts(200));
    });

    it('over strings, numbers in every form and binary: equal ids exactly for equal keys', () => {
      fc.assert(fc.property(fc.array(anyPart, { minLength: 2, maxLength: 2 }), fc.array(anyPart, { minLength: 2, maxLength: 2 }), (x, y) => {
        expect(keyId('t', names, keyOf(x)) === keyId('t', names, keyOf(y)), `${refOf(x)} vs ${refOf(y)}`).to.equal(refOf(x) === refOf(y));
      }), opts(200));
    });

    it('one number in its number, NumberValue and bigint forms has one id', () => {
      const id = (v: unknown) => keyId('t', ['n'], { n: v });
      const one = [1, 1.0, 1e0, 1n, NumberValue.from('1'), NumberValue.from('1.0'), NumberValue.from('1e0'), NumberValue.from('0.1e1'), NumberValue.from('10e-1'), NumberValue.from('+1')];
      expect(new Set(one.map(id)).size).to.equal(1);
      expect(id(0)).to.equal(id(-0));
      expect(id(NumberValue.from('12345678901234567890123456789012345678'))).to.equal(id(12345678901234567890123456789012345678n));
      expect(id(NumberValue.from('12345678901234567890123456789012345678'))).to.not.equal(id(NumberValue.from('12345678901234567890123456789012345679')));
      fc.assert(fc.property(decimalPart, decimalPart, ([v], [w]) => {
        expect(id(v) === id(w)).to.equal(decimalRef(...parts(v)) === decimalRef(...parts(w)));
      }), opts(200));
    });

    it('a string, a number and bytes with the same text are three keys; Buffer and Uint8Array of one bytes are one', () => {
      const id = (v: unknown) => keyId('t', ['k'], { k: v });
      expect(new Set([id('1'), id(1), id(new Uint8Array([49])), id(Buffer.from('1').toString('base64'))]).size).to.equal(4);
      expect(id(Buffer.from([1, 2, 3]))).to.equal(id(new Uint8Array([1, 2, 3])));
      expect(id(Buffer.from([0, 1, 2, 3, 4]).subarray(1, 4))).to.equal(id(new Uint8Array([1, 2, 3])));
      // Bytes that are not UTF-8 stay distinct (no decoding to U+FFFD).
      expect(id(new Uint8Array([0xff]))).to.not.equal(id(new Uint8Array([0xfe])));
    });
  });

  describe('checkTransaction (one action per item)', () => {
    it('finds one item given in two number forms', () => {
      expect(() => checkTransaction([action('t', { id: NumberValue.from('1.50') }), action('t', { id: 1.5 })])).to.throw(ValidationError, /same Thing item/);
      expect(() => checkTransaction([action('t', { id: 1n }), action('t', { id: 1 })])).to.throw(ValidationError, /same Thing item/);
      expect(() => checkTransaction([action('t', { b: new Uint8Array([0xff]) }), action('t', { b: Buffer.from([0xff]) })])).to.throw(ValidationError);
    });

    it('never takes distinct keys for one item', () => {
      expect(() => checkTransaction([action('t', { b: new Uint8Array([0xff]) }), action('t', { b: new Uint8Array([0xfe]) })])).to.not.throw();
      fc.assert(fc.property(fc.array(anyPart, { minLength: 2, maxLength: 2 }), fc.array(anyPart, { minLength: 2, maxLength: 2 }), (x, y) => {
        const run = () => checkTransaction([action('t', keyOf(x)), action('t', keyOf(y))]);
        if (refOf(x) === refOf(y)) expect(run).to.throw(ValidationError);
        else expect(run).to.not.throw();
      }), opts(200));
      fc.assert(fc.property(splitPair, ([x, y]) => {
        expect(() => checkTransaction([action('t', { a: x[0], b: x[1] }), action('t', { a: y[0], b: y[1] })])).to.not.throw();
      }), opts(100));
    });
  });

  describe('template keys', () => {
    const line = template('LINE#{a}#{b}');
    const build = (t: ReturnType<typeof template>, values: Record<string, unknown>) => {
      const issues: { path: string; message: string }[] = [];
      const out = t.compute(values, 'pk', issues);
      expect(issues).to.deep.equal([]);
      return out!;
    };

    it('values without separators or backslashes are stored as before', () => {
      expect(build(template('CUSTOMER#{login}'), { login: 'ann' })).to.equal('CUSTOMER#ann');
      expect(build(template('ORDER#{placed}#{no}'), { placed: new Date('2024-05-01T10:20:30.400Z'), no: 7 })).to.equal('ORDER#2024-05-01T10:20:30.400Z#7');
      expect(build(line, { a: 'x y', b: 'é🙂' })).to.equal('LINE#x y#é🙂');
      expect(build(template('PROFILE'), {})).to.equal('PROFILE');
      // A template that is one field alone has no separator: the value is stored as it is.
      expect(build(template('{forum}'), { forum: 'a#b\\c' })).to.equal('a#b\\c');
    });

    it("the issue's keys are two keys, each read back exactly", () => {
      const first = build(line, { a: '1#2', b: '3' });
      const second = build(line, { a: '1', b: '2#3' });
      expect(first).to.equal('LINE#1\\#2#3');
      // The last field runs to the end: only the fields before it escape their separator.
      expect(second).to.equal('LINE#1#2#3');
      expect(line.parse(first)).to.deep.equal({ a: '1#2', b: '3' });
      expect(line.parse(second)).to.deep.equal({ a: '1', b: '2#3' });
      expect(build(line, { a: 'x\\', b: 'y' })).to.equal('LINE#x\\\\#y');
      expect(line.parse('LINE#x\\\\#y')).to.deep.equal({ a: 'x\\', b: 'y' });
    });

    it('parse refuses what the template never builds', () => {
      for (const bad of ['LINE#1', 'LINE##3', 'LINE#1#', 'LINE#1\\x#2', 'ROW#1#2', 'LINE#1\\#2']) {
        expect(line.parse(bad), bad).to.equal(undefined);
      }
      expect(template('{x}|{x}').parse('a|b')).to.equal(undefined);
      expect(template('{x}|{x}').parse('a|a')).to.deep.equal({ x: 'a' });
    });

    const templates = ['LINE#{a}#{b}', 'A{a}B{b}C', '{a}|{b}', 'K:{a}::{b}-', '🙂{a}🙂{b}', '{a}#{b}#{c}', 'X\\{a}#{b}', 'only{a}'].map((t) => template(t));
    const fields = fc.record({ a: richNonEmpty, b: richNonEmpty, c: richNonEmpty });

    it('any field values round-trip through compute and parse, for every template shape', () => {
      for (const t of templates) {
        fc.assert(fc.property(fields, (v) => {
          const wanted = Object.fromEntries(t.fields.map((f) => [f, v[f as keyof typeof v]]));
          expect(t.parse(build(t, v)), t.template).to.deep.equal(wanted);
        }), opts(150));
      }
    });

    it('distinct field values never build one key', () => {
      for (const t of templates) {
        fc.assert(fc.property(fields, fields, (x, y) => {
          const same = t.fields.every((f) => x[f as keyof typeof x] === y[f as keyof typeof y]);
          expect(build(t, x) === build(t, y), t.template).to.equal(same);
        }), opts(150));
        fc.assert(fc.property(fc.tuple(richNonEmpty, richNonEmpty, richNonEmpty), ([p, q, r]) => {
          // One text split at two places: '#' moved from one field into the next.
          expect(build(t, { a: `${p}#${q}`, b: r, c: r })).to.not.equal(build(t, { a: p, b: `${q}#${r}`, c: r }));
        }), opts(100));
      }
    });

    it('parse is exact: whatever it accepts, compute builds back unchanged', () => {
      const stored = fc.string({ unit: fc.constantFrom('L', 'I', 'N', 'E', '#', '\\', 'a', '1', 'A', 'B', 'C', '|', ':', '-', '🙂', 'y'), maxLength: 14 });
      for (const t of templates) {
        const head = t.pieces[0] && 'text' in t.pieces[0] ? t.pieces[0].text : '';
        fc.assert(fc.property(stored, (s) => {
          const value = head + s;
          const back = t.parse(value);
          if (back !== undefined) expect(build(t, back), `${t.template} ${value}`).to.equal(value);
        }), opts(200));
      }
    });

    it('prefix() of the leading fields matches exactly the keys with those fields', () => {
      const three = template('{a}#{b}#{c}');
      expect(line.prefix({ a: '1#2' })).to.equal('LINE#1\\#2#');
      expect(line.prefix({})).to.equal('LINE#');
      expect(line.prefix({ a: '1', b: '2' })).to.equal(build(line, { a: '1', b: '2' }));
      fc.assert(fc.property(fields, fields, (x, y) => {
        expect(build(three, y).startsWith(three.prefix({ a: x.a }))).to.equal(x.a === y.a);
        expect(build(three, y).startsWith(three.prefix({ a: x.a, b: x.b }))).to.equal(x.a === y.a && x.b === y.b);
      }), opts(200));
      // With a common head, the pairs that share a first field come up too.
      fc.assert(fc.property(richNonEmpty, fields, fields, (a, x, y) => {
        expect(build(three, { ...y, a }).startsWith(three.prefix({ a, b: x.b }))).to.equal(x.b === y.b);
      }), opts(200));
    });

    it('templates whose fields could not be told apart are refused', () => {
      expect(() => template('{a}{b}')).to.throw(SchemaError, /side by side/);
      expect(() => template('X#{a}\\{b}')).to.throw(SchemaError, /backslash/);
      expect(() => template('X\uD800{a}')).to.throw(SchemaError, /surrogate/);
      expect(() => template('X🙂{a}')).to.not.throw();
    });
  });
});

/** Mantissa and exponent of a generated decimal part (any of its forms). */
function parts(v: unknown): [bigint, number] {
  const m = /^(-?)(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/i.exec(String(v))!;
  const frac = m[3] ?? '';
  return [BigInt(`${m[1]}${m[2] || '0'}${frac}`), Number(m[4] ?? 0) - frac.length];
}
