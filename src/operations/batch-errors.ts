/**
 * The errors of batch reads and writes that could not finish: every entry of the call placed
 * in exactly one of done / not done / unknown, so nothing is silently dropped.
 */
import { DynagraphError, type ErrorCode } from '../errors.js';

/** One entry of a batch read or write: its physical table and stored key. */
export interface BatchEntry {
  /** The physical table (prefix applied). */
  table: string;
  /** The stored key. */
  key: Record<string, unknown>;
  /** A put or a delete of a batch write; a get of a batch read. */
  op: 'put' | 'delete' | 'get';
  /**
   * A put's stored item; for a get in `done`, the item read (absent: no item is stored
   * under the key). Turn it into an instance with `Model.fromItem(item)`.
   */
  item?: Record<string, unknown> | undefined;
}

/** Where every entry of an unfinished batch stands; each entry is in exactly one list, in input order. */
export interface BatchOutcome {
  done: BatchEntry[];
  notDone: BatchEntry[];
  unknown: BatchEntry[];
}

const keyText = (e: { table: string; key: Record<string, unknown> }): string =>
  `${e.table} ${JSON.stringify(e.key, (_k, v) => (typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v))}`;
const someKeys = (list: readonly BatchEntry[]): string => list.slice(0, 3).map(keyText).join('; ') + (list.length > 3 ? '; …' : '');

/**
 * A batch read or write could not finish: a request failed after the SDK's own retries
 * (endpoint gone, throttling that outlasted them, a refused request), or the retry bound on
 * leftovers was hit. Nothing is hidden: every entry of the call is in exactly one list —
 * `done` (written / read; a read's `item` holds what was read, so partial results are
 * usable), `notDone` (surely not written / not read: safe to send again) or `unknown`
 * (writes of a request that failed after it may have reached DynamoDB: written or not;
 * reads are never unknown). On the first failed request no further request is started;
 * those in flight are let finish. `cause` is that first error. Code `BATCH_INCOMPLETE`;
 * the subclass {@link UnprocessedError} (code `UNPROCESSED`) is the case where every
 * request was answered and only the retry bound was hit.
 */
export class BatchIncompleteError extends DynagraphError {
  static { this.prototype.name = 'BatchIncompleteError'; }
  /** `batch write` or `batch get`. */
  readonly operation: string;
  /** Entries written (acknowledged by DynamoDB) or read. */
  readonly done: BatchEntry[];
  /** Entries surely not written or not read. */
  readonly notDone: BatchEntry[];
  /** Writes that may or may not have been applied. Always empty for reads. */
  readonly unknown: BatchEntry[];

  constructor(operation: string, outcome: BatchOutcome, cause?: unknown, code: ErrorCode = 'BATCH_INCOMPLETE', message?: string) {
    const { done, notDone, unknown } = outcome;
    const total = done.length + notDone.length + unknown.length;
    const why = cause === undefined ? '' : ` — a request failed: ${(cause as { name?: string })?.name ?? 'Error'}: ${(cause as { message?: string })?.message ?? String(cause)}`;
    super(code, message ?? `${operation} incomplete: ${done.length} of ${total} done, ${notDone.length} not done, ${unknown.length} unknown${why}` +
      (notDone.length ? `; not done: ${someKeys(notDone)}` : '') + (unknown.length ? `; unknown: ${someKeys(unknown)}` : ''), cause === undefined ? undefined : { cause });
    this.operation = operation;
    this.done = done;
    this.notDone = notDone;
    this.unknown = unknown;
  }
}

/**
 * A batch read or write gave up with leftovers (`UnprocessedKeys` / `UnprocessedItems`)
 * once its retry bound was hit, and nothing else went wrong: every request was answered, so
 * `unknown` is empty and `unprocessed` lists exactly the keys not read / items not written
 * (the `notDone` entries); everything else was done.
 */
export class UnprocessedError extends BatchIncompleteError {
  static { this.prototype.name = 'UnprocessedError'; }
  /** The keys (stored form) not processed, with their physical table. */
  readonly unprocessed: { table: string; key: Record<string, unknown> }[];
  /** Attempts made per request, the first included. */
  readonly attempts: number;
  constructor(operation: string, outcome: BatchOutcome, attempts: number) {
    const left = outcome.notDone;
    super(operation, outcome, undefined, 'UNPROCESSED', `${operation}: ${left.length} key(s) still unprocessed after ${attempts} attempts (${outcome.done.length} of ${left.length + outcome.done.length + outcome.unknown.length} done): ${left.slice(0, 5).map(keyText).join('; ')}${left.length > 5 ? '; …' : ''}`);
    this.unprocessed = left.map((e) => ({ table: e.table, key: e.key }));
    this.attempts = attempts;
  }
}
