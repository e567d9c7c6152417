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

/**
 * DynamoDB stores a number as base-100 digit pairs aligned on the decimal point, plus one
 * byte of exponent, plus one more for a negative number: 1.5 is `01.50`, 3 bytes; -1 is 3.
 */
function numberSize(text: string): number {
  const m = /^(-?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m) return 22; // not a number; validation reports it, so any size will do
  const all = (m[2] ?? '') + (m[3] ?? '');
  const lead = all.length - all.replace(/^0+/, '').length;
  const digits = all.replace(/^0+/, '').replace(/0+$/, '');
  if (digits.length === 0) return 1;
  // Digits before the decimal point, counted from the first significant digit.
  const point = (m[2] ?? '').length - lead + Number(m[4] ?? 0);
  const pad = ((point % 2) + 2) % 2;
  return Math.ceil((pad + digits.length) / 2) + 1 + (m[1] ? 1 : 0);
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
