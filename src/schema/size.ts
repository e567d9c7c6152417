/**
 * DynamoDB's item size, computed the way DynamoDB counts it (UTF-8 names and strings,
 * numbers by significant digits, 1 byte per boolean/null, 3 bytes of overhead per
 * list or map plus 1 per element), so oversize items fail before any request.
 */
import { NumberValue } from '@aws-sdk/lib-dynamodb';

/** DynamoDB's maximum item size in bytes (400 KB). */
export const MAX_ITEM_BYTES = 400 * 1024;

function utf8(s: string): number {
  // Fast path: a string of only ASCII has as many bytes as characters.
  return /^[\x00-\x7f]*$/.test(s) ? s.length : Buffer.byteLength(s, 'utf8');
}

function numberSize(text: string): number {
  const digits = text.replace(/^-/, '').replace(/[eE].*$/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
}

/** Size in bytes of one stored (document-form) value. */
export function valueSize(value: unknown): number {
  switch (typeof value) {
    case 'string': return utf8(value);
    case 'number': case 'bigint': return numberSize(String(value));
    case 'boolean': return 1;
    case 'undefined': return 0;
  }
  if (value === null) return 1;
  if (value instanceof Uint8Array) return value.length;
  if (value instanceof NumberValue) return numberSize(value.toString());
  if (value instanceof Set) {
    let n = 0;
    for (const v of value) n += valueSize(v);
    return n;
  }
  if (Array.isArray(value)) {
    let n = 3;
    for (const v of value) n += valueSize(v) + 1;
    return n;
  }
  let n = 3;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) n += utf8(k) + valueSize(v) + 1;
  return n;
}

/** Size in bytes of a stored item. */
export function itemSize(item: Record<string, unknown>): number {
  let n = 0;
  for (const k in item) n += utf8(k) + valueSize(item[k]);
  return n;
}
