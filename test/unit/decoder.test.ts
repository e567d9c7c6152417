/**
 * The read path's per-attribute decoders (src/schema/decoder.ts) against each attribute's
 * own `decode`: the same values for every kind and for absent, null and odd stored values,
 * never aliasing the stored item's containers (it is the instance's dirty-tracking snapshot),
 * and a subclass's own `decode` honoured.
 */
import { expect } from 'chai';
import {
  Model, NumberValue, StringAttribute,
  string, number, bigint, decimal, boolean, date, binary, literal, json, stringSet, numberSet, binarySet, list, map, template,
} from '../../src/index.js';
import { decoderOf, isoDate } from '../../src/schema/decoder.js';
import type { Attribute } from '../../src/schema/attribute.js';
import { seededRandom } from '../../src/testing/index.js';

const geo = map({ lat: number(), lng: number().optional() });
const ATTRIBUTES: Record<string, Attribute> = {
  string: string(), optionalString: string().optional(), number: number(), optionalNumber: number().optional(),
  bigint: bigint(), decimal: decimal(), boolean: boolean(), date: date(), epoch: date({ format: 'epoch' }), binary: binary(),
  literal: literal('a', 'b'), json: json(), stringSet: stringSet(), numberSet: numberSet(), binarySet: binarySet(),
  strings: list(string()), dates: list(date()), maps: list(geo), geo, optionalGeo: geo.optional(),
  nested: map({ inner: map({ tags: stringSet(), at: date().optional() }), list: list(number()) }),
  withDefault: string().default('x'), validated: number().validate((n) => n > 0),
};

/** Stored values to try for one attribute kind (as the DocumentClient hands them over), absent and null included. */
function storedFor(name: string, random: () => number): unknown[] {
  const n = () => Math.floor(random() * 1e6) / 100;
  const s = () => `s${Math.floor(random() * 1000)}${random() < 0.1 ? ' ünï ✓' : ''}`;
  const common = [undefined, null];
  switch (name) {
    case 'string': case 'optionalString': case 'withDefault': return [...common, '', s()];
    case 'number': case 'optionalNumber': case 'validated': return [...common, 0, n(), -n(), NumberValue.from('12345678901234567.5')];
    case 'bigint': return [...common, 7, NumberValue.from('123456789012345678901234567890')];
    case 'decimal': return [...common, 12.5, NumberValue.from('0.30000000000000000001')];
    case 'boolean': return [...common, true, false];
    case 'date': return [...common, new Date(Math.floor(random() * 2e12)).toISOString()];
    case 'epoch': return [...common, Math.floor(random() * 2e9), NumberValue.from('1700000000')];
    case 'binary': return [...common, new Uint8Array([1, 2, Math.floor(random() * 255)])];
    case 'literal': return [...common, 'a', 'b'];
    case 'json': return [...common, { a: [1, 'x', { b: null }], c: new Set(['p']) }, [NumberValue.from('0.1')]];
    case 'stringSet': return [...common, new Set([s(), s()])];
    case 'numberSet': return [...common, new Set([n(), NumberValue.from('12345678901234567')])];
    case 'binarySet': return [...common, new Set([new Uint8Array([1]), new Uint8Array([2, 3])])];
    case 'strings': return [...common, [], [s(), '', s()]];
    case 'dates': return [...common, [new Date(0).toISOString(), new Date(Math.floor(random() * 2e12)).toISOString()]];
    case 'maps': return [...common, [{ lat: n(), lng: n() }, { lat: n() }, {}]];
    case 'geo': case 'optionalGeo': return [...common, { lat: n(), lng: n() }, { lat: n(), extra: 'kept out' }, {}];
    case 'nested': return [...common, { inner: { tags: new Set([s()]), at: new Date(0).toISOString() }, list: [n(), NumberValue.from('1.5')] }, { inner: {} }];
  }
  throw new Error(`no stored values for ${name}`);
}

/** Every container reachable from `v`, to check that a decoded value shares none of them. */
function containers(v: unknown, out: Set<unknown> = new Set()): Set<unknown> {
  if (v !== null && typeof v === 'object' && !(v instanceof NumberValue) && !(v instanceof Date)) {
    out.add(v);
    const children = v instanceof Set ? [...v] : v instanceof Uint8Array ? [] : Object.values(v);
    for (const c of children) containers(c, out);
  }
  return out;
}

describe('schema decoders (the read path)', () => {
  it('decode every kind exactly as the attribute does, sharing no container with the stored value (seeded random values)', () => {
    const random = seededRandom(17);
    for (let round = 0; round < 30; round++) {
      for (const [name, attr] of Object.entries(ATTRIBUTES)) {
        for (const stored of storedFor(name, random)) {
          const fast = decoderOf(attr)(stored);
          expect(fast, `${name} of ${String(stored)}`).to.deep.equal(attr.decode(stored));
          const shared = [...containers(fast)].filter((c) => containers(stored).has(c));
          expect(shared, `${name}: decoded value aliases the stored one`).to.deep.equal([]);
        }
      }
    }
  });

  it('a model decodes a stored item as its attributes do, absent attributes restored as empty', () => {
    // Declared through `any`: the attribute map is built from a record, so its names are not literal types.
    const Everything = Model({ table: 'decoders', key: { hash: 'string' }, attributes: { ...ATTRIBUTES, label: template('L#{string}') } } as any) as any;
    const random = seededRandom(3);
    for (let i = 0; i < 50; i++) {
      const item: Record<string, unknown> = { label: 'L#x' };
      for (const name of Object.keys(ATTRIBUTES)) {
        const options = storedFor(name, random);
        const v = options[Math.floor(random() * options.length)];
        if (v !== undefined) item[name] = v;
      }
      const expected: Record<string, unknown> = {};
      for (const [name, attr] of Object.entries(Everything.schema.attributes as Record<string, Attribute>)) {
        const v = attr.decode(item[name]);
        if (v !== undefined) expected[name] = v;
      }
      expect(Everything.schema.decode(item)).to.deep.equal(expected);
      expect({ ...Everything.fromItem(item) }).to.deep.include(expected);
    }
  });

  it('a stored date text is read as new Date(text) reads it: valid, out of range, malformed (seeded random mutations)', () => {
    const random = seededRandom(29);
    const same = (text: string) => expect(String(isoDate(text).getTime()), text).to.equal(String(new Date(text).getTime()));
    for (const text of [
      '2024-02-29T12:00:00.000Z', '2023-02-29T12:00:00.000Z', '2000-02-29T00:00:00.000Z', '1900-02-29T00:00:00.000Z', '2024-04-31T00:00:00.000Z',
      '2024-00-10T00:00:00.000Z', '2024-13-10T00:00:00.000Z', '2024-01-00T00:00:00.000Z', '2024-01-01T24:00:00.000Z', '2024-01-01T23:60:00.000Z',
      '2024-01-01T23:00:60.000Z', '0099-01-01T00:00:00.000Z', '0999-12-31T23:59:59.999Z', '1000-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z',
      '+012024-01-01T00:00:00.000Z', '-000001-01-01T00:00:00.000Z', '2024-01-01T00:00:00Z', '2024-01-01', '', 'not a date', '2024-01-01T00:00:00.000+',
    ]) same(text);
    const chars = '0123456789-:.TZ +';
    for (let i = 0; i < 20000; i++) {
      const text = new Date(Math.floor((random() * 2 - 0.3) * 4e13)).toISOString().split('');
      if (random() < 0.7) for (let k = 1 + Math.floor(random() * 3); k > 0; k--) text[Math.floor(random() * text.length)] = chars[Math.floor(random() * chars.length)];
      same(text.join(''));
    }
  });

  it("a subclass's own decode is used; an attribute named like an Object.prototype member that the item lacks is absent", () => {
    class Upper extends StringAttribute {
      override decode(stored: unknown): string | undefined {
        return typeof stored === 'string' ? stored.toUpperCase() : super.decode(stored);
      }
    }
    expect(decoderOf(new Upper())('abc')).to.equal('ABC');
    class Odd extends Model({ table: 'decoders', key: { hash: 'id' }, attributes: { id: string(), toString: string(), valueOf: number().optional() } }) {}
    expect(Odd.schema.decode({ id: 'a' })).to.deep.equal({ id: 'a', toString: '' });
    expect(Odd.schema.decode({ id: 'a', toString: 'b', valueOf: 2 })).to.deep.equal({ id: 'a', toString: 'b', valueOf: 2 });
  });
});
