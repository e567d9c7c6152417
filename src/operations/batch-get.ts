/**
 * BatchGetItem done right: keys de-duplicated, at most 100 per request (across tables),
 * requests in parallel under a bound, results re-keyed into input order (`undefined`
 * for missing), and `UnprocessedKeys` retried with backoff and full jitter until done
 * or the bound is hit — then an UnprocessedError naming exactly the keys not read.
 */
import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { UnprocessedError } from '../errors.js';
import { canonicalNumber } from '../schema/attribute.js';
import type { Database } from './context.js';
import { backoff, mapConcurrent } from './retry.js';

/** DynamoDB's limit of keys per BatchGetItem. */
export const MAX_BATCH_GET = 100;

/** One key to read: its physical table, the table's key names and the stored key. */
export interface KeyRequest {
  table: string;
  keyNames: readonly string[];
  key: Record<string, unknown>;
}

/** Options of a batch read. */
export interface BatchGetOptions {
  /** Strongly consistent reads. */
  consistent?: boolean;
}

/** A stable identity of a stored key value, across number / NumberValue / bigint / binary forms. */
export function keyId(table: string, keyNames: readonly string[], key: Record<string, unknown>): string {
  let id = table;
  for (const name of keyNames) {
    const v = key[name];
    id += '\u0001' + (v instanceof Uint8Array ? `B${Buffer.from(v).toString('base64')}` : typeof v === 'string' ? `S${v}` : `N${canonicalNumber(String(v))}`);
  }
  return id;
}


/**
 * Reads many items by stored key; the result has one entry per request, in order,
 * `undefined` where no item exists. Duplicate keys cost one read.
 */
export async function batchGetItems(db: Database, requests: readonly KeyRequest[], options: BatchGetOptions = {}): Promise<(Record<string, unknown> | undefined)[]> {
  const unique = new Map<string, KeyRequest>();
  const ids = requests.map((r) => {
    const id = keyId(r.table, r.keyNames, r.key);
    if (!unique.has(id)) unique.set(id, r);
    return id;
  });
  const found = new Map<string, Record<string, unknown>>();
  const all = [...unique.values()];
  const chunks: KeyRequest[][] = [];
  for (let i = 0; i < all.length; i += MAX_BATCH_GET) chunks.push(all.slice(i, i + MAX_BATCH_GET));
  const leftovers = await mapConcurrent(chunks, db.concurrency, (chunk) => readChunk(db, chunk, options, found));
  const missing = leftovers.flat();
  if (missing.length) throw new UnprocessedError('batch get', missing.map((r) => ({ table: r.table, key: r.key })), db.retry.attempts);
  return ids.map((id) => found.get(id));
}

/** Reads one chunk of at most 100 keys, retrying leftovers; returns the keys still unread. */
async function readChunk(db: Database, chunk: KeyRequest[], options: BatchGetOptions, found: Map<string, Record<string, unknown>>): Promise<KeyRequest[]> {
  const keyNamesOf = new Map(chunk.map((r) => [r.table, r.keyNames]));
  const byId = new Map(chunk.map((r) => [keyId(r.table, r.keyNames, r.key), r]));
  let pending: Record<string, { Keys: Record<string, unknown>[]; ConsistentRead?: boolean }> = {};
  for (const r of chunk) {
    (pending[r.table] ??= { Keys: [], ...(options.consistent ? { ConsistentRead: true } : {}) }).Keys.push(r.key);
  }
  for (let attempt = 0; ; attempt++) {
    const tables = Object.keys(pending);
    const out = await db.connection.send<{
      Responses?: Record<string, Record<string, unknown>[]>;
      UnprocessedKeys?: Record<string, { Keys?: Record<string, unknown>[]; ConsistentRead?: boolean }>;
    }>(new BatchGetCommand({ RequestItems: pending }), { channel: 'database-access', table: tables.join(','), scope: db.scope });
    for (const [table, items] of Object.entries(out.Responses ?? {})) {
      const names = keyNamesOf.get(table)!;
      for (const item of items) found.set(keyId(table, names, item), item);
    }
    const rest = out.UnprocessedKeys ?? {};
    const restCount = Object.values(rest).reduce((n, r) => n + (r.Keys?.length ?? 0), 0);
    if (restCount === 0) return [];
    if (attempt + 1 >= db.retry.attempts) {
      return Object.entries(rest).flatMap(([table, r]) => (r.Keys ?? []).map((k) => byId.get(keyId(table, keyNamesOf.get(table)!, k)) ?? { table, keyNames: keyNamesOf.get(table)!, key: k }));
    }
    db.connection.retried('BatchGetItem', db.scope);
    await backoff(db.retry, attempt + 1);
    pending = rest as typeof pending;
  }
}
