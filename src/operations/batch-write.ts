/**
 * BatchWriteItem done right: a key repeated in one call is refused before anything is
 * written, at most 25 writes per request, requests in parallel under a bound, and
 * `UnprocessedItems` retried with backoff until done or the bound is hit. When it cannot
 * finish, the error says of every write whether it is done, not done or unknown.
 */
import { BatchWriteCommand, type BatchWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { DuplicateKeyError, DynagraphError } from '../errors.js';
import { UnprocessedError, type BatchEntry, type BatchOutcome } from './batch-errors.js';
import { keyId } from './key-id.js';
import type { Database } from './context.js';
import { FirstFailure, incompleteError, mapConcurrent, untilProcessed } from './retry.js';

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
  onProgress?: ((progress: BatchProgress) => void) | undefined;
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

/**
 * Writes every request exactly once, or throws a {@link BatchIncompleteError} saying of each
 * write whether it is done, not done or unknown: an {@link UnprocessedError} when only the
 * retry bound on leftovers was hit (the other requests go on), a `BATCH_INCOMPLETE` one when
 * a request failed (no further request is started; those in flight are let finish).
 */
export async function batchWriteItems(
  db: Database, requests: readonly WriteRequest[], options: BatchWriteOptions = {},
  /** Told where each request stands (by index) before the call throws after sending. */
  settled?: (state: readonly WriteState[]) => void,
): Promise<void> {
  const chunks = checkedChunks(requests);
  const run: WriteRun = { db, requests, state: requests.map(() => 'notDone'), failure: new FirstFailure(), exhausted: false, progress: { done: 0, total: requests.length }, options };
  await mapConcurrent(chunks, db.concurrency, (chunk) => writeChunk(run, chunk));
  if (!run.failure.failed && !run.exhausted) return;
  settled?.(run.state);
  const outcome: BatchOutcome = { done: [], notDone: [], unknown: [] };
  requests.forEach((r, i) => outcome[run.state[i]].push(entryOf(r)));
  if (run.failure.failed) throw incompleteError('batch write', outcome, run.failure.cause);
  throw new UnprocessedError('batch write', outcome, db.retry.attempts);
}

/** Refuses a key written twice; returns chunks of at most 25 (indexes into `requests`). */
function checkedChunks(requests: readonly WriteRequest[]): number[][] {
  const seen = new Set<string>();
  for (const r of requests) {
    const id = keyId(r.table, r.keyNames, keyOf(r));
    if (seen.has(id)) throw new DuplicateKeyError(r.table, keyOf(r));
    seen.add(id);
  }
  const chunks: number[][] = [];
  for (let i = 0; i < requests.length; i += MAX_BATCH_WRITE) chunks.push(requests.slice(i, i + MAX_BATCH_WRITE).map((_, k) => i + k));
  return chunks;
}

/** The input of one BatchWriteItem for the writes `indexes` of `requests`, grouped by table. */
function batchWriteInput(requests: readonly WriteRequest[], indexes: readonly number[]): BatchWriteCommandInput {
  const items: Record<string, SdkWrite[]> = {};
  for (const i of indexes) (items[requests[i].table] ??= []).push(sdkWrite(requests[i]));
  return { RequestItems: items as BatchWriteCommandInput['RequestItems'] };
}

/**
 * The BatchWriteItem inputs a batch write sends first: one per chunk of at most 25 writes
 * (leftovers are sent again with the same shape). Refuses a key written twice.
 */
export function batchWriteParams(requests: readonly WriteRequest[]): BatchWriteCommandInput[] {
  return checkedChunks(requests).map((chunk) => batchWriteInput(requests, chunk));
}

/** Where one write of a batch stands. */
export type WriteState = 'done' | 'notDone' | 'unknown';

/** The shared state of one batch write call. */
interface WriteRun {
  db: Database;
  requests: readonly WriteRequest[];
  /** Where each request stands; 'notDone' until acknowledged or lost in a failed request. */
  state: WriteState[];
  failure: FirstFailure;
  /** A chunk hit the retry bound with leftovers. */
  exhausted: boolean;
  progress: BatchProgress;
  options: BatchWriteOptions;
}

function entryOf(r: WriteRequest): BatchEntry {
  return 'put' in r ? { table: r.table, key: keyOf(r), op: 'put', item: r.put } : { table: r.table, key: keyOf(r), op: 'delete' };
}

/**
 * Error codes of a failed request that surely was not applied. Anything else — a dropped
 * connection or timeout after sending, a 500, an error of unknown origin — may have been.
 */
const NOT_APPLIED = new Set<string>(['NETWORK', 'THROTTLED', 'DYNAMODB_VALIDATION', 'TABLE_NOT_FOUND', 'REQUEST_BUDGET_EXCEEDED']);
/** SDK error names of DynamoDB's own refusals (for an error that reaches us unwrapped). */
const REFUSED = new Set(['ValidationException', 'ResourceNotFoundException', 'ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded']);

/** Whether a request that threw `err` surely wrote nothing. */
function surelyNotApplied(err: unknown): boolean {
  if (err instanceof DynagraphError) return NOT_APPLIED.has(err.code);
  const e = err as { name?: string; $metadata?: { attempts?: number } } | undefined;
  // An unwrapped SDK error: a refusal on the only attempt; an earlier attempt may have landed.
  return REFUSED.has(e?.name ?? '') && (e?.$metadata?.attempts ?? 1) <= 1;
}

/** Writes one chunk of at most 25, retrying leftovers; records the outcome of each write in `run.state`. */
async function writeChunk(run: WriteRun, chunk: number[]): Promise<void> {
  const { db, requests, state, failure } = run;
  const byId = new Map(chunk.map((i) => [keyId(requests[i].table, requests[i].keyNames, keyOf(requests[i])), i]));
  const keyNamesOf = new Map(chunk.map((i) => [requests[i].table, requests[i].keyNames]));
  const exhausted = await untilProcessed(db.retry, failure, () => db.connection.retried('BatchWriteItem', db.scope), chunk, async (pending) => {
    const input = batchWriteInput(requests, pending);
    let rest: number[];
    try {
      const out = await db.connection.send<{ UnprocessedItems?: Record<string, SdkWrite[]> }>(
        new BatchWriteCommand(input),
        { channel: 'database-access', table: Object.keys(input.RequestItems!).join(','), scope: db.scope },
      );
      rest = Object.entries(out.UnprocessedItems ?? {}).flatMap(([table, list]) => list.map((w) => {
        const source = 'PutRequest' in w ? w.PutRequest.Item : w.DeleteRequest.Key;
        const names = keyNamesOf.get(table);
        const i = names && byId.get(keyId(table, names, pick(source, names)));
        if (i === undefined) throw new Error(`BatchWriteItem answered an unprocessed write it was not sent, for table "${table}"`);
        return i;
      }));
    } catch (err) {
      if (!surelyNotApplied(err)) for (const i of pending) state[i] = 'unknown';
      failure.fail(err);
      return undefined;
    }
    const left = new Set(rest);
    for (const i of pending) if (!left.has(i)) state[i] = 'done';
    run.progress.done += pending.length - rest.length;
    try {
      run.options.onProgress?.({ ...run.progress });
    } catch (err) {
      failure.fail(err);
      return undefined;
    }
    return rest;
  });
  if (exhausted) run.exhausted = true;
}

function pick(source: Record<string, unknown>, names: readonly string[]): Record<string, unknown> {
  const key: Record<string, unknown> = {};
  for (const n of names) key[n] = source[n];
  return key;
}
