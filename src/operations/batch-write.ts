/**
 * BatchWriteItem done right: a key repeated in one call is refused before anything is
 * written, at most 25 writes per request, requests in parallel under a bound, and
 * `UnprocessedItems` retried with backoff until done or the bound is hit — then an
 * UnprocessedError naming exactly the writes not done.
 */
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { DuplicateKeyError, UnprocessedError } from '../errors.js';
import { keyId } from './batch-get.js';
import type { Database } from './context.js';
import { backoff, mapConcurrent } from './retry.js';

/** DynamoDB's limit of writes per BatchWriteItem. */
export const MAX_BATCH_WRITE = 25;

/** One write of a batch: a put of a stored item or a delete of a stored key. */
export type WriteRequest =
  | { table: string; keyNames: readonly string[]; put: Record<string, unknown> }
  | { table: string; keyNames: readonly string[]; delete: Record<string, unknown> };

/** Progress of a long batch write. */
export interface BatchProgress {
  /** Writes acknowledged so far. */
  done: number;
  /** Writes in the call. */
  total: number;
}

/** Options of a batch write. */
export interface BatchWriteOptions {
  /** Called after each acknowledged request with the running count. */
  onProgress?: (progress: BatchProgress) => void;
}

function keyOf(r: WriteRequest): Record<string, unknown> {
  const source = 'put' in r ? r.put : r.delete;
  const key: Record<string, unknown> = {};
  for (const n of r.keyNames) key[n] = source[n];
  return key;
}

type SdkWrite = { PutRequest: { Item: Record<string, unknown> } } | { DeleteRequest: { Key: Record<string, unknown> } };

function sdkWrite(r: WriteRequest): SdkWrite {
  return 'put' in r ? { PutRequest: { Item: r.put } } : { DeleteRequest: { Key: r.delete } };
}

/** Writes every request exactly once, or throws UnprocessedError listing what was not written. */
export async function batchWriteItems(db: Database, requests: readonly WriteRequest[], options: BatchWriteOptions = {}): Promise<void> {
  const seen = new Set<string>();
  for (const r of requests) {
    const id = keyId(r.table, r.keyNames, keyOf(r));
    if (seen.has(id)) throw new DuplicateKeyError(r.table, keyOf(r));
    seen.add(id);
  }
  const chunks: WriteRequest[][] = [];
  for (let i = 0; i < requests.length; i += MAX_BATCH_WRITE) chunks.push(requests.slice(i, i + MAX_BATCH_WRITE));
  const progress = { done: 0, total: requests.length };
  const report = (n: number) => {
    progress.done += n;
    options.onProgress?.({ ...progress });
  };
  const leftovers = await mapConcurrent(chunks, db.concurrency, (chunk) => writeChunk(db, chunk, report));
  const missing = leftovers.flat();
  if (missing.length) throw new UnprocessedError('batch write', missing.map((r) => ({ table: r.table, key: keyOf(r) })), db.retry.attempts);
}

async function writeChunk(db: Database, chunk: WriteRequest[], report: (n: number) => void): Promise<WriteRequest[]> {
  const byId = new Map(chunk.map((r) => [keyId(r.table, r.keyNames, keyOf(r)), r]));
  const keyNamesOf = new Map(chunk.map((r) => [r.table, r.keyNames]));
  let pending: Record<string, SdkWrite[]> = {};
  for (const r of chunk) (pending[r.table] ??= []).push(sdkWrite(r));
  let sent = chunk.length;
  for (let attempt = 0; ; attempt++) {
    const out = await db.connection.send<{ UnprocessedItems?: Record<string, SdkWrite[]> }>(
      new BatchWriteCommand({ RequestItems: pending as never }),
      { channel: 'database-access', table: Object.keys(pending).join(','), scope: db.scope },
    );
    const rest = out.UnprocessedItems ?? {};
    const restCount = Object.values(rest).reduce((n, list) => n + list.length, 0);
    report(sent - restCount);
    if (restCount === 0) return [];
    if (attempt + 1 >= db.retry.attempts) {
      return Object.entries(rest).flatMap(([table, list]) => list.map((w) => {
        const source = 'PutRequest' in w ? w.PutRequest.Item : w.DeleteRequest.Key;
        const names = keyNamesOf.get(table)!;
        const key: Record<string, unknown> = {};
        for (const n of names) key[n] = source[n];
        return byId.get(keyId(table, names, key))!;
      }));
    }
    db.connection.retried('BatchWriteItem', db.scope);
    await backoff(db.retry, attempt + 1);
    pending = rest;
    sent = restCount;
  }
}
