/**
 * Fast read path: one decode function per attribute, chosen once per schema, so turning
 * a stored item into values costs no per-attribute method lookups (an attribute map holds
 * a dozen classes: `attr.decode(v)` through `this.empty()` / `this.decodeValue()` was
 * three megamorphic calls per value) and no per-item closures.
 *
 * Only the exact built-in classes get a specialised decoder; a subclass (which may
 * override `decode` or `decodeValue`) is decoded through its own `decode`. Every decoder
 * returns what `attr.decode(stored)` returns, and like it never aliases the stored value's
 * containers (sets, lists, maps, binary are copied): the stored item is the instance's
 * snapshot for dirty tracking, so an in-place `tags.add(x)` must not change it.
 */
import { numberText, NumberValue, type Attribute } from './attribute.js';
import { BooleanAttribute, DateAttribute, LiteralAttribute, NumberAttribute, StringAttribute } from './scalars.js';
import { ListAttribute, MapAttribute, SetAttribute } from './collections.js';

/** Restores one attribute's value from its stored form; what `attr.decode(stored)` returns. */
export type Decoder = (stored: unknown) => unknown;

const decoders = new WeakMap<Attribute, Decoder>();

/** A plain object's own value at `key` (a stored map lacking `toString` must not yield Object.prototype's). */
const own = (o: Record<string, unknown>, key: string): unknown => (Object.hasOwn(o, key) ? o[key] : undefined);

/** Keys a plain object inherits: reading one of them needs an own-property check. */
export const inherited = (key: string): boolean => key in Object.prototype;

/**
 * How a schema's decode loop handles an attribute without calling its decoder: 1 a
 * required string (absent → `''`), 2 a value stored as it is read (an optional string, a
 * boolean, a literal: null → absent), 3 a number; 0 through {@link decoderOf}.
 */
export function inlineKind(attr: Attribute): 0 | 1 | 2 | 3 {
  const proto = Object.getPrototypeOf(attr);
  if (proto === StringAttribute.prototype) return attr.isOptional ? 2 : 1;
  if (proto === BooleanAttribute.prototype || proto === LiteralAttribute.prototype) return 2;
  if (proto === NumberAttribute.prototype) return 3;
  return 0;
}

/** The decoder of `attr`, built once per attribute. */
export function decoderOf(attr: Attribute): Decoder {
  let d = decoders.get(attr);
  if (!d) decoders.set(attr, (d = build(attr)));
  return d;
}

function build(attr: Attribute): Decoder {
  const proto = Object.getPrototypeOf(attr);
  if (proto === StringAttribute.prototype) {
    return attr.isOptional ? (v) => (v === null ? undefined : v) : (v) => (v === undefined || v === null ? '' : v);
  }
  if (proto === NumberAttribute.prototype) {
    return (v) => (typeof v === 'number' ? v : v === undefined || v === null ? undefined : Number(numberText(v)));
  }
  if (proto === BooleanAttribute.prototype || proto === LiteralAttribute.prototype) return (v) => (v === null ? undefined : v);
  if (proto === DateAttribute.prototype && (attr as DateAttribute).format === 'iso') {
    return (v) => (typeof v === 'string' ? isoDate(v) : attr.decode(v));
  }
  if (proto === SetAttribute.prototype) return setDecoder(attr as SetAttribute<unknown>);
  if (proto === ListAttribute.prototype) return listDecoder(attr as ListAttribute<unknown>);
  if (proto === MapAttribute.prototype) return mapDecoder(attr as MapAttribute<never>);
  return (v) => attr.decode(v);
}

/** Days of each month of a common year. */
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * `new Date(text)`, without the engine's general date parser for the form dates are stored
 * in: `toISOString()`'s `YYYY-MM-DDTHH:mm:ss.sssZ` naming a valid date and time of a year
 * from 1000 on is read digit by digit (a valid date: no engine-specific rollover, and
 * `Date.UTC` reads years below 100 as 19xx); every other text goes through `new Date`.
 */
export function isoDate(text: string): Date {
  if (text.length !== 24 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || text.charCodeAt(10) !== 84 || text.charCodeAt(13) !== 58
    || text.charCodeAt(16) !== 58 || text.charCodeAt(19) !== 46 || text.charCodeAt(23) !== 90) return new Date(text);
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  const second = digits(text, 17, 2);
  const ms = digits(text, 20, 3);
  // digits() is -1 for a non-digit, which every range check below refuses.
  if (year < 1000 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59 || ms < 0) return new Date(text);
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > MONTH_DAYS[month - 1] + (leap ? 1 : 0)) return new Date(text);
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second, ms));
}

/** The decimal number of `count` digits of `text` at `at`; -1 when one is not a digit. */
function digits(text: string, at: number, count: number): number {
  let n = 0;
  for (let i = at; i < at + count; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

function setDecoder(attr: SetAttribute<unknown>): Decoder {
  const generic = (v: unknown) => attr.decode(v);
  if (attr.element === 'binary') return generic;
  const numbers = attr.element === 'number';
  return (v) => {
    if (v === undefined || v === null) return new Set();
    if (!(v instanceof Set)) return generic(v);
    if (!numbers) return new Set(v);
    const out = new Set();
    for (const n of v) out.add(n instanceof NumberValue ? Number(numberText(n)) : n);
    return out;
  };
}

function listDecoder(attr: ListAttribute<unknown>): Decoder {
  const element = decoderOf(attr.of);
  const strings = inlineKind(attr.of) === 1;
  return (v) => {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) return attr.decode(v);
    const out = new Array(v.length);
    if (strings) for (let i = 0; i < v.length; i++) out[i] = v[i] ?? '';
    else for (let i = 0; i < v.length; i++) out[i] = element(v[i]);
    return out;
  };
}

function mapDecoder(attr: MapAttribute<never>): Decoder {
  const keys = Object.keys(attr.shape);
  const values = keys.map((k) => decoderOf(attr.shape[k]));
  return (v) => {
    if (v === undefined || v === null) return attr.empty();
    const input = v as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (let i = 0; i < keys.length; i++) {
      const x = values[i](own(input, keys[i]));
      if (x !== undefined) out[keys[i]] = x;
    }
    return out;
  };
}
