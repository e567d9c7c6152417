/**
 * DynamoDB's item size, computed the way DynamoDB counts it (UTF-8 names and strings,
 * numbers by significant digits, 1 byte per boolean/null, 3 bytes of overhead per
 * list or map plus 1 per element), so oversize items fail before any request.
 */
import { NumberValue } from '@aws-sdk/lib-dynamodb';

/** DynamoDB's maximum item size in bytes (400 KB). */
export const MAX_ITEM_BYTES = 400 * 1024;

// Native and faster than testing for ASCII first (every write of every item passes here).
const utf8 = (s: string): number => Buffer.byteLength(s, 'utf8');

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/**
 * DynamoDB stores a number as base-100 digit pairs aligned on the decimal point, plus one
 * byte of exponent, plus one more for a negative number: 1.5 is `01.50`, 3 bytes; -1 is 3.
 * A hand-written scan of `-?\d*(\.\d*)?([eE][+-]?\d+)?`: this runs for every number of
 * every item written, where a regular expression and three replaces cost more than the
 * rest of the size check.
 */
function numberSize(text: string): number {
  const n = text.length;
  let i = 0;
  const negative = n > 0 && text.charCodeAt(0) === 45;
  if (negative) i = 1;
  const intStart = i;
  while (i < n && isDigit(text.charCodeAt(i))) i++;
  const intEnd = i;
  let fracStart = i;
  if (i < n && text.charCodeAt(i) === 46) {
    fracStart = ++i;
    while (i < n && isDigit(text.charCodeAt(i))) i++;
  }
  const fracEnd = i;
  let exponent = 0;
  if (i < n && (text.charCodeAt(i) === 101 || text.charCodeAt(i) === 69)) {
    const expStart = ++i;
    if (i < n && (text.charCodeAt(i) === 43 || text.charCodeAt(i) === 45)) i++;
    const digitsStart = i;
    while (i < n && isDigit(text.charCodeAt(i))) i++;
    if (i === digitsStart) return 22;
    exponent = Number(text.slice(expStart, i));
  }
  if (i !== n) return 22; // not a number; validation reports it, so any size will do
  // Leading zeros (counted across the point) and trailing zeros are not stored.
  let k = intStart;
  while (k < intEnd && text.charCodeAt(k) === 48) k++;
  let lead = k - intStart;
  if (k === intEnd) {
    k = fracStart;
    while (k < fracEnd && text.charCodeAt(k) === 48) k++;
    if (k === fracEnd) return 1; // zero
    lead += k - fracStart;
  }
  k = fracEnd;
  while (k > fracStart && text.charCodeAt(k - 1) === 48) k--;
  let trail = fracEnd - k;
  if (k === fracStart) {
    k = intEnd;
    while (k > intStart && text.charCodeAt(k - 1) === 48) k--;
    trail += intEnd - k;
  }
  const digits = intEnd - intStart + fracEnd - fracStart - lead - trail;
  // Digits before the decimal point, counted from the first significant digit.
  const point = intEnd - intStart - lead + exponent;
  const pad = ((point % 2) + 2) % 2;
  return Math.ceil((pad + digits) / 2) + 1 + (negative ? 1 : 0);
}

/** Size in bytes of one stored (document-form) value. */
export function valueSize(value: unknown): number {
  return sizeOf(value, false);
}

/** Size in bytes of a stored item. */
export function itemSize(item: Record<string, unknown>): number {
  let n = 0;
  for (const k in item) n += utf8(k) + sizeOf(item[k], false);
  return n;
}

/** `true` when a stored item is over `limit` bytes: its exact size is computed only when a cheap bound exceeds the limit. */
export function itemExceeds(item: Record<string, unknown>, limit: number): boolean {
  let bound = 0;
  for (const k in item) bound += k.length * 3 + sizeOf(item[k], true);
  return bound > limit && itemSize(item) > limit;
}

// A number's text of n characters has at most n digits: at most ⌈(n + 1) / 2⌉ + 2 bytes.
const numberBound = (text: string): number => (text.length >> 1) + 3;

/**
 * A value's size, or with `bound` an upper bound of it that measures no UTF-8 (a UTF-16 unit
 * is at most 3 bytes; a JS number at most 11, 22 counted as for a text that is not a number):
 * far cheaper, and exact enough to pass every item well under the limit.
 */
function sizeOf(value: unknown, bound: boolean): number {
  switch (typeof value) {
    case 'string': return bound ? value.length * 3 : utf8(value);
    case 'number': return bound ? 22 : numberSize(String(value));
    case 'bigint': return bound ? numberBound(String(value)) : numberSize(String(value));
    case 'boolean': return 1;
    case 'undefined': return 0;
  }
  if (value === null) return 1;
  if (value instanceof Uint8Array) return value.length;
  if (value instanceof NumberValue) return bound ? numberBound(value.toString()) : numberSize(value.toString());
  if (value instanceof Set) {
    let n = 0;
    for (const v of value) n += sizeOf(v, bound);
    return n;
  }
  if (Array.isArray(value)) {
    let n = 3;
    for (const v of value) n += sizeOf(v, bound) + 1;
    return n;
  }
  let n = 3;
  const map = value as Record<string, unknown>;
  for (const k in map) if (Object.hasOwn(map, k)) n += (bound ? k.length * 3 : utf8(k)) + sizeOf(map[k], bound) + 1;
  return n;
}
