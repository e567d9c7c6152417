/**
 * BatchGetItem done right: keys de-duplicated, at most 100 per request (across tables),
 * requests in parallel under a bound, results re-keyed into input order (`undefined`
 * for missing), and `UnprocessedKeys` retried with backoff and full jitter until done
 * or the bound is hit. When it cannot finish, the error says which keys were read (with
 * their items) and which were not.
 */
import { BatchGetCommand, type BatchGetCommandInput } from '@aws-sdk/lib-dynamodb';
import { UnprocessedError, type BatchOutcome } from './batch-errors.js';
import type { Database } from './context.js';
import { FirstFailure, incompleteError, mapConcurrent, untilProcessed } from './retry.js';
import { keyId } from './key-id.js';

/** DynamoDB's limit of keys per BatchGetItem. */
export const MAX_BATCH_GET = 100;

/** One key to read: its physical table, the table's key names and the stored key. */
export interface KeyRequest {
  table: string;
  keyNames: readonly string[];
  key: Record<string, unknown>;
  /** The key's id (`keyId(table, keyNames, key)`) when the caller has it already. */
  id?: string | undefined;
}

/** Options of a batch read. */
export interface BatchGetOptions {
  /** Strongly consistent reads. */
  consistent?: boolean | undefined;
}

/**
 * Reads many items by stored key; the result has one entry per request, in order,
 * `undefined` where no item exists. Duplicate keys cost one read. When it cannot finish it
 * throws a {@link BatchIncompleteError} whose `done` entries carry what was read (`item`):
 * an {@link UnprocessedError} when only the retry bound on leftovers was hit, a
 * `BATCH_INCOMPLETE` one when a request failed (no further request is started).
 */
export async function batchGetItems(db: Database, requests: readonly KeyRequest[], options: BatchGetOptions = {}): Promise<(Record<string, unknown> | undefined)[]> {
  const { all, ids, slots, chunks } = distinctChunks(requests);
  const run: ReadRun = { db, all, ids, options, read: all.map(() => false), found: new Array(all.length), failure: new FirstFailure(), exhausted: false };
  await mapConcurrent(chunks, db.concurrency, (chunk) => readChunk(run, chunk));
  if (run.failure.failed || run.exhausted) {
    const outcome: BatchOutcome = { done: [], notDone: [], unknown: [] };
    all.forEach((r, i) => {
      const item = run.found[i];
      if (run.read[i]) outcome.done.push({ table: r.table, key: r.key, op: 'get', ...(item ? { item } : {}) });
      else outcome.notDone.push({ table: r.table, key: r.key, op: 'get' });
    });
    if (run.failure.failed) throw incompleteError('batch get', outcome, run.failure.cause);
    throw new UnprocessedError('batch get', outcome, db.retry.attempts);
  }
  const out = new Array<Record<string, unknown> | undefined>(slots.length);
  for (let i = 0; i < slots.length; i++) out[i] = run.found[slots[i]];
  return out;
}

/**
 * The distinct keys of `requests` (`all`, with their ids), each request's index into `all`
 * (`slots`), and chunks of at most 100 (indexes into `all`).
 */
function distinctChunks(requests: readonly KeyRequest[]): { all: KeyRequest[]; ids: string[]; slots: number[]; chunks: number[][] } {
  const unique = new Map<string, number>();
  const all: KeyRequest[] = [];
  const ids: string[] = [];
  const slots = new Array<number>(requests.length);
  for (let i = 0; i < requests.length; i++) {
    const r = requests[i];
    const id = r.id ?? keyId(r.table, r.keyNames, r.key);
    let slot = unique.get(id);
    if (slot === undefined) {
      unique.set(id, (slot = all.push(r) - 1));
      ids.push(id);
    }
    slots[i] = slot;
  }
  const chunks: number[][] = [];
  for (let i = 0; i < all.length; i += MAX_BATCH_GET) {
    const chunk: number[] = [];
    for (let k = i; k < all.length && k < i + MAX_BATCH_GET; k++) chunk.push(k);
    chunks.push(chunk);
  }
  return { all, ids, slots, chunks };
}

/** The input of one BatchGetItem for the keys `indexes` of `all`, grouped by table in first-seen order. */
function batchGetInput(all: readonly KeyRequest[], indexes: readonly number[], options: BatchGetOptions): BatchGetCommandInput {
  const items: Record<string, KeysAndAttributes & { Keys: Record<string, unknown>[] }> = {};
  for (const i of indexes) (items[all[i].table] ??= { Keys: [], ...(options.consistent ? { ConsistentRead: true } : {}) }).Keys.push(all[i].key);
  return { RequestItems: items };
}

/**
 * The BatchGetItem inputs a batch read sends first: one per chunk of at most 100 distinct
 * keys (leftovers DynamoDB does not answer are asked again with the same shape).
 */
export function batchGetParams(requests: readonly KeyRequest[], options: BatchGetOptions = {}): BatchGetCommandInput[] {
  const { all, chunks } = distinctChunks(requests);
  return chunks.map((chunk) => batchGetInput(all, chunk, options));
}

/** The shared state of one batch read call; keys are indexes into `all` (the distinct keys). */
interface ReadRun {
  db: Database;
  all: readonly KeyRequest[];
  /** The key id of each of `all`. */
  ids: readonly string[];
  options: BatchGetOptions;
  /** Whether each key was read (its item found, or found absent). */
  read: boolean[];
  /** The item read for each of `all` (absent: none stored, or not read). */
  found: (Record<string, unknown> | undefined)[];
  failure: FirstFailure;
  /** A chunk hit the retry bound with leftovers. */
  exhausted: boolean;
}

type KeysAndAttributes = { Keys?: Record<string, unknown>[]; ConsistentRead?: boolean };

/** Reads one chunk of at most 100 keys, retrying leftovers; records what was read in `run`. */
async function readChunk(run: ReadRun, chunk: number[]): Promise<void> {
  const { db, all, ids, failure } = run;
  // Most batches read one table: its key names are then found without a lookup.
  const keyNamesOf = new Map<string, readonly string[]>();
  const byId = new Map<string, number>();
  for (const i of chunk) {
    keyNamesOf.set(all[i].table, all[i].keyNames);
    byId.set(ids[i], i);
  }
  const indexOf = (table: string, key: Record<string, unknown>): number => {
    const names = keyNamesOf.get(table);
    const i = names && byId.get(keyId(table, names, key));
    if (i === undefined) throw new Error(`BatchGetItem answered a key it was not asked for, in table "${table}"`);
    return i;
  };
  const exhausted = await untilProcessed(db.retry, failure, () => db.connection.retried('BatchGetItem', db.scope), chunk, async (pending) => {
    const input = batchGetInput(all, pending, run.options);
    const rest = new Set<number>();
    try {
      const out = await db.connection.send<{ Responses?: Record<string, Record<string, unknown>[]>; UnprocessedKeys?: Record<string, KeysAndAttributes> }>(
        new BatchGetCommand(input),
        { channel: 'database-access', table: Object.keys(input.RequestItems!).join(','), scope: db.scope },
      );
      for (const table in out.UnprocessedKeys) for (const k of out.UnprocessedKeys[table].Keys ?? []) rest.add(indexOf(table, k));
      // Every answered key is checked before any is recorded: a stray key fails the whole answer.
      const got: [number, Record<string, unknown>][] = [];
      for (const table in out.Responses) for (const item of out.Responses[table]) got.push([indexOf(table, item), item]);
      for (const [i, item] of got) run.found[i] = item;
    } catch (err) {
      failure.fail(err);
      return undefined;
    }
    for (const i of pending) if (!rest.has(i)) run.read[i] = true;
    return [...rest];
  });
  if (exhausted) run.exhausted = true;
}
