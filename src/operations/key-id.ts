/**
 * The internal identity of a stored key: batches de-duplicate and re-key by it, the
 * loaders cache by it, transactions find two actions on one item by it. It must be
 * injective — two distinct keys never share an id, whatever their parts hold — and
 * equal stored values must share one id whatever form they arrive in (a number read
 * back as `1`, written as `NumberValue('1.0')` or given as `1n`).
 */
import { canonicalNumber, NumberValue } from '../schema/attribute.js';

/**
 * One length-prefixed piece: a type tag, the content's length in UTF-16 code units, `:`,
 * then the content verbatim. A reader knows where each piece ends from its length alone,
 * so no content (separators, control characters, lone surrogates) can shift a boundary.
 */
function piece(tag: string, content: string): string {
  return `${tag}${content.length}:${content}`;
}

/** The id of one stored key value: S (string), N (number, canonical), B (binary), U (absent). */
export function keyPartId(value: unknown): string {
  if (typeof value === 'string') return piece('S', value);
  if (typeof value === 'number' || typeof value === 'bigint' || value instanceof NumberValue) return piece('N', canonicalNumber(String(value)));
  if (value instanceof Uint8Array) return piece('B', Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64'));
  if (value === undefined || value === null) return 'U';
  // Not a key type DynamoDB stores; the request fails there. Kept apart from every real key.
  return piece('X', typeof value === 'object' ? Object.prototype.toString.call(value) : `${typeof value}:${String(value)}`);
}

const tablePieces = new Map<string, string>();

/**
 * A stable, injective identity of a stored key value in a physical table, across the
 * number / NumberValue / bigint and Uint8Array / Buffer forms of one value.
 */
export function keyId(table: string, keyNames: readonly string[], key: Record<string, unknown>): string {
  let id = tablePieces.get(table);
  if (id === undefined) {
    id = piece('T', table);
    // A program has few tables; the bound keeps a caller that invents names from growing it forever.
    if (tablePieces.size < 1000) tablePieces.set(table, id);
  }
  for (const name of keyNames) id += keyPartId(key[name]);
  return id;
}
