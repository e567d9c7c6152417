/**
 * Opaque page cursors: base64url of the last evaluated key, bound to the table, the
 * index and (for queries) the partition it came from, optionally signed with HMAC.
 * A tampered, truncated or foreign cursor is a typed error, never a silent restart.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { InvalidCursorError } from '../errors.js';
import { wrapNumber } from '../client.js';

/** Where a cursor may be used: the physical table, the index ('' for none), the key names and the partition. */
export interface CursorScope {
  table: string;
  index: string;
  /** Names of the attributes a last evaluated key holds (table keys + index keys). */
  keyNames: readonly string[];
  /** For queries: the partition attribute and its stored value. */
  partition?: { name: string; value: unknown };
  /** HMAC key; when set, only cursors signed with it are accepted. */
  secret?: string | Uint8Array;
}

interface CursorBody {
  v: 1;
  t: string;
  i: string;
  k: Record<string, AttributeValue>;
}

const b64 = (buf: Buffer | string) => Buffer.from(buf).toString('base64url');

function sign(payload: string, secret: string | Uint8Array): string {
  return createHmac('sha256', secret).update(payload).digest('base64url');
}

/** Encodes a last evaluated key as a cursor for `scope`. */
export function encodeCursor(key: Record<string, unknown>, scope: CursorScope): string {
  const body: CursorBody = { v: 1, t: scope.table, i: scope.index, k: marshall(key) };
  const payload = b64(JSON.stringify(body, (_k, v) => (v instanceof Uint8Array ? { $b: b64(Buffer.from(v)) } : v)));
  return scope.secret ? `${payload}.${sign(payload, scope.secret)}` : payload;
}

function reviveBinary(_k: string, v: unknown): unknown {
  if (v && typeof v === 'object' && '$b' in v && typeof (v as { $b: unknown }).$b === 'string') {
    return new Uint8Array(Buffer.from((v as { $b: string }).$b, 'base64url'));
  }
  return v;
}

/** Decodes and checks a cursor against `scope`; returns the exclusive start key. */
export function decodeCursor(cursor: string, scope: CursorScope): Record<string, unknown> {
  if (typeof cursor !== 'string' || cursor.length === 0 || cursor.length > 8192) throw new InvalidCursorError('not a cursor string');
  const [payload, signature, extra] = cursor.split('.');
  if (extra !== undefined || !/^[A-Za-z0-9_-]+$/.test(payload)) throw new InvalidCursorError('malformed');
  if (scope.secret) {
    if (!signature) throw new InvalidCursorError('it is not signed, and this database requires signed cursors');
    const want = Buffer.from(sign(payload, scope.secret));
    const got = Buffer.from(signature);
    if (want.length !== got.length || !timingSafeEqual(want, got)) throw new InvalidCursorError('bad signature');
  } else if (signature !== undefined) {
    throw new InvalidCursorError('it is signed, but no cursor secret is configured');
  }
  let body: CursorBody;
  try {
    body = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'), reviveBinary);
  } catch {
    throw new InvalidCursorError('malformed');
  }
  if (!body || body.v !== 1 || typeof body.k !== 'object' || body.k === null) throw new InvalidCursorError('malformed');
  if (body.t !== scope.table) throw new InvalidCursorError(`it belongs to table "${body.t}", not "${scope.table}"`);
  if (body.i !== scope.index) throw new InvalidCursorError(`it belongs to ${body.i ? `index "${body.i}"` : 'the table'}, not ${scope.index ? `index "${scope.index}"` : 'the table'}`);
  const names = Object.keys(body.k).sort();
  const want = [...new Set(scope.keyNames)].sort();
  if (names.join('\u0000') !== want.join('\u0000')) throw new InvalidCursorError(`its key has attributes ${names.join(', ')}, expected ${want.join(', ')}`);
  let key: Record<string, unknown>;
  try {
    key = unmarshall(body.k, { wrapNumbers: wrapNumber });
  } catch {
    throw new InvalidCursorError('malformed key');
  }
  for (const [name, value] of Object.entries(key)) {
    const ok = typeof value === 'string' || typeof value === 'number' || value instanceof Uint8Array || (value as object)?.constructor?.name === 'NumberValue';
    if (!ok || value === '') throw new InvalidCursorError(`key attribute "${name}" is not a scalar`);
  }
  if (scope.partition && String(key[scope.partition.name]) !== String(scope.partition.value)) {
    throw new InvalidCursorError('it belongs to another partition');
  }
  return key;
}
