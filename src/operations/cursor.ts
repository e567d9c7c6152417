/**
 * Opaque page cursors: base64url of the last evaluated key, bound to the table, the
 * index and (for queries) the partition it came from, checked against the key types and
 * the query's sort-key condition when used, and followed by a tag: an HMAC
 * when a secret is set, else a checksum. A tampered, truncated or foreign cursor is a
 * typed error, never a silent restart or a read from another position.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { NumberValue } from '@aws-sdk/lib-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { InvalidCursorError } from '../errors.js';
import { wrapNumber } from '../client.js';
import { compareKeyValues, satisfiesRange, type RangeBound } from '../expressions/key-condition.js';

/** Where a cursor may be used: the physical table, the index ('' for none), the key names and the partition. */
export interface CursorScope {
  table: string;
  index: string;
  /** Names of the attributes a last evaluated key holds (table keys + index keys). */
  keyNames: readonly string[];
  /** For queries: the partition attribute and its stored value. */
  partition?: { name: string; value: unknown } | undefined;
  /** For a segment of a parallel scan: `[segment, totalSegments]`. */
  segment?: readonly [number, number] | undefined;
  /** HMAC key; when set, only cursors signed with it are accepted. */
  secret?: string | Uint8Array | undefined;
  /** DynamoDB type (`S`, `N`, `B`) of each key attribute: a cursor whose key has another type is refused. */
  keyTypes?: Readonly<Record<string, 'S' | 'N' | 'B'>> | undefined;
  /** A query's sort-key condition in stored form: a cursor whose key falls outside it is refused. */
  range?: RangeBound | undefined;
}

const TYPE_NAMES: Record<string, string> = { S: 'a string', N: 'a number', B: 'a binary' };

interface CursorBody {
  v: 1;
  t: string;
  i: string;
  k: Record<string, AttributeValue>;
  /** Scan segment and total, when the cursor belongs to one segment. */
  s?: [number, number] | undefined;
  /** The partition attribute of a query's cursor (absent for a scan's), so neither passes for the other. */
  p?: string | undefined;
}

const b64 = (buf: Buffer | string) => Buffer.from(buf).toString('base64url');

function sign(payload: string, secret: string | Uint8Array): string {
  return createHmac('sha256', secret).update(payload).digest('base64url');
}

// Without a secret a cursor still carries a checksum of its text: a changed character
// (even one of base64's unused padding bits) is refused instead of resuming elsewhere.
const CHECKSUM_LENGTH = 16;
function checksum(payload: string): string {
  return createHash('sha256').update(payload).digest('base64url').slice(0, CHECKSUM_LENGTH);
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Encodes a last evaluated key as a cursor for `scope`. */
export function encodeCursor(key: Record<string, unknown>, scope: CursorScope): string {
  const body: CursorBody = {
    v: 1, t: scope.table, i: scope.index, k: marshall(key),
    ...(scope.segment ? { s: [scope.segment[0], scope.segment[1]] } : {}),
    ...(scope.partition ? { p: scope.partition.name } : {}),
  };
  const payload = b64(JSON.stringify(body, (_k, v) => (v instanceof Uint8Array ? { $b: b64(Buffer.from(v)) } : v)));
  return `${payload}.${scope.secret ? sign(payload, scope.secret) : checksum(payload)}`;
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
  const [payload, tag, extra] = cursor.split('.');
  if (extra !== undefined || !/^[A-Za-z0-9_-]+$/.test(payload) || !tag) throw new InvalidCursorError('malformed');
  if (scope.secret) {
    if (tag.length === CHECKSUM_LENGTH) throw new InvalidCursorError('it is not signed, and this database requires signed cursors');
    if (!sameText(tag, sign(payload, scope.secret))) throw new InvalidCursorError('bad signature');
  } else if (tag.length !== CHECKSUM_LENGTH) {
    throw new InvalidCursorError('it is signed, but no cursor secret is configured');
  } else if (!sameText(tag, checksum(payload))) {
    throw new InvalidCursorError('it was changed (checksum mismatch)');
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
  const kind = (p: unknown) => (p === undefined ? 'a scan' : `a query of partition key "${String(p)}"`);
  if (body.p !== scope.partition?.name) throw new InvalidCursorError(`it belongs to ${kind(body.p)}, not ${kind(scope.partition?.name)}`);
  const segment = (s: readonly number[] | undefined) => (s ? `segment ${s[0]} of ${s[1]}` : 'no scan segment');
  if (segment(body.s) !== segment(scope.segment)) throw new InvalidCursorError(`it belongs to ${segment(body.s)}, not ${segment(scope.segment)}`);
  const names = Object.keys(body.k).sort();
  const want = [...new Set(scope.keyNames)].sort();
  if (names.join('\u0000') !== want.join('\u0000')) throw new InvalidCursorError(`its key has attributes ${names.join(', ')}, expected ${want.join(', ')}`);
  for (const name of names) {
    const type = scope.keyTypes?.[name];
    const av = body.k[name];
    const got = av && typeof av === 'object' ? Object.keys(av)[0] : undefined;
    if (type !== undefined && got !== type) {
      throw new InvalidCursorError(`its key attribute "${name}" is ${TYPE_NAMES[got ?? ''] ?? `of type ${String(got)}`}, but "${name}" is ${TYPE_NAMES[type]} attribute`);
    }
  }
  let key: Record<string, unknown>;
  try {
    key = unmarshall(body.k, { wrapNumbers: wrapNumber });
  } catch {
    throw new InvalidCursorError('malformed key');
  }
  for (const [name, value] of Object.entries(key)) {
    // wrapNumber makes long numbers NumberValues of this very import: instanceof, not a class name bundlers rename.
    const ok = typeof value === 'string' || typeof value === 'number' || value instanceof Uint8Array || value instanceof NumberValue;
    if (!ok || value === '') throw new InvalidCursorError(`key attribute "${name}" is not a scalar`);
  }
  // Exact comparison, type included: the number 1 is not the string "1", and binary compares by its bytes.
  if (scope.partition && compareKeyValues(key[scope.partition.name], scope.partition.value) !== 0) {
    throw new InvalidCursorError(`it belongs to another partition of "${scope.partition.name}"`);
  }
  if (scope.range && !satisfiesRange(key[scope.range.name], scope.range)) {
    throw new InvalidCursorError(`its sort key "${scope.range.name}" is outside this query's range condition (${scope.range.op}); it belongs to another query`);
  }
  return key;
}
