/**
 * The injective, order-independent id of a query's parts (the loader's query cache, the
 * item-collection groups, the plan's steps in explain.ts).
 */
import { keyPartId } from '../operations/key-id.js';
import { NumberValue } from '../schema/attribute.js';

/** An injective, order-independent id of a value. */
export function stableJson(v: unknown): string {
  // Most ids are of strings, numbers and plain objects and arrays of them: written directly,
  // with the very text of the tagged form, which takes one replacer call per value.
  return plainJson(v) ?? taggedJson(v);
}

/**
 * The tagged form. Injective: strings, booleans, null and plain objects stay JSON; every
 * other value becomes an array whose first element tags its kind (arrays too), so no value
 * can pass for another — not `1n` for '1n', a Date for its ISO text, nor bytes for their
 * base64. Equal numbers in any form (1, 1.0, 1n, NumberValue) share one tag and text, as in keyId.
 * @internal exported for the test that {@link plainJson} writes the same text
 */
export function taggedJson(v: unknown): string {
  return JSON.stringify(v, function (this: Record<string, unknown>, k) {
    const raw = this[k];
    if (raw === null || typeof raw === 'string' || typeof raw === 'boolean' || raw === undefined) return raw;
    if (typeof raw === 'number' || typeof raw === 'bigint' || raw instanceof Uint8Array || raw instanceof NumberValue) return ['k', keyPartId(raw)];
    if (raw instanceof Date) return ['d', raw.getTime()];
    if (Array.isArray(raw)) return ['a', ...raw];
    if (raw instanceof Set || raw instanceof Map) return [raw instanceof Set ? 'set' : 'map', ...raw];
    if (typeof raw !== 'object') return ['x', typeof raw, String(raw)];
    const entries = Object.entries(raw).sort(([a], [b]) => (a < b ? -1 : 1));
    const proto = Object.getPrototypeOf(raw);
    // A plain object stays a JSON object (its sorted copy is not visited again, only its fields).
    return proto === Object.prototype || proto === null ? Object.fromEntries(entries) : ['i', entries];
  });
}

/** A key JSON writes before the others whatever the insertion order (an array index): left to the tagged form. */
const INDEX_KEY = /^(?:0|[1-9]\d*)$/;

/**
 * {@link taggedJson}'s text of null, strings, booleans, numbers, and arrays and plain objects
 * of them; `undefined` for any other value anywhere inside (the tagged form writes it).
 * @internal exported for the test that it writes the same text
 */
export function plainJson(v: unknown): string | undefined {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string': return JSON.stringify(v);
    case 'boolean': return v ? 'true' : 'false';
    case 'number': return `["k",${JSON.stringify(keyPartId(v))}]`;
    case 'object': break;
    default: return undefined;
  }
  if (Array.isArray(v)) {
    let out = '["a"';
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      const text = x === undefined ? 'null' : plainJson(x);
      if (text === undefined) return undefined;
      out += `,${text}`;
    }
    return `${out}]`;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return undefined;
  const keys = Object.keys(v).sort();
  let out = '{';
  for (const key of keys) {
    if (INDEX_KEY.test(key)) return undefined;
    const x = (v as Record<string, unknown>)[key];
    // As JSON does, a field holding undefined is left out.
    if (x === undefined) continue;
    const text = plainJson(x);
    if (text === undefined) return undefined;
    out += `${out.length > 1 ? ',' : ''}${JSON.stringify(key)}:${text}`;
  }
  return `${out}}`;
}
