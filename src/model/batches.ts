/**
 * Model-level batch writes: every item is validated before any request is sent, then
 * written through the batch writer (25 per request, leftovers retried).
 */
import { ValidationError, type FieldIssue } from '../errors.js';
import type { Database } from '../operations/context.js';
import { batchWriteItems, type BatchWriteOptions, type WriteRequest, type WriteState } from '../operations/batch-write.js';
import { ModelBase, STATE, type ModelClassRuntime } from './instance.js';
import { stampedValues, takeTimestamps } from './timestamps.js';

/** One write of a mixed batch: an instance to put, or a model and key to delete. */
export type BatchWrite =
  | { put: ModelBase }
  | { delete: [model: ModelClassRuntime, key: Record<string, unknown>] };

/**
 * Validates every write (all problems reported at once, item by item) and returns the
 * requests; throws before anything is sent.
 */
export function prepareWrites(db: Database, writes: readonly BatchWrite[]): { requests: WriteRequest[]; puts: [ModelBase, Record<string, unknown>][] } {
  const issues: FieldIssue[] = [];
  const requests: WriteRequest[] = [];
  const puts: [ModelBase, Record<string, unknown>][] = [];
  const now = new Date();
  writes.forEach((w, i) => {
    try {
      if ('put' in w) {
        const schema = (w.put.constructor as ModelClassRuntime).schema;
        if (schema.version !== undefined) {
          // BatchWriteItem takes no conditions, so it cannot honour a version check.
          issues.push({ path: `[${i}]`, message: `${schema.name} is versioned ("${schema.version}"); batch writes cannot be conditional — use save() or db.transactWrite()` });
          return;
        }
        const item = schema.encode(stampedValues(schema, w.put as unknown as Record<string, unknown>, w.put[STATE].stored, now));
        requests.push({ table: db.tableName(schema), keyNames: schema.keyNames, put: item });
        puts.push([w.put, item]);
      } else {
        const [model, key] = w.delete;
        requests.push({ table: db.tableName(model.schema), keyNames: model.schema.keyNames, delete: model.schema.key(key) });
      }
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      for (const issue of err.issues) issues.push({ path: `[${i}].${issue.path}`, message: issue.message });
    }
  });
  if (issues.length) throw new ValidationError('batch write', issues);
  return { requests, puts };
}

/**
 * Runs a mixed batch of puts and deletes; instances put are marked as stored. When the batch
 * cannot finish, what is done is still recorded (instances marked, a session's cache primed
 * or cleared) and a session forgets the items of unknown writes, before the error is thrown.
 */
export async function writeMany(db: Database, writes: readonly BatchWrite[], options: BatchWriteOptions = {}): Promise<void> {
  const { requests } = prepareWrites(db, writes);
  let states: readonly WriteState[] | undefined;
  let finished = false;
  try {
    await batchWriteItems(db, requests, options, (s) => void (states = s));
    finished = true;
  } finally {
    if (finished || states) recordWrites(db, writes, requests, states);
  }
}

function recordWrites(db: Database, writes: readonly BatchWrite[], requests: readonly WriteRequest[], states: readonly WriteState[] | undefined): void {
  requests.forEach((r, i) => {
    const state = states?.[i] ?? 'done';
    const w = writes[i];
    if (state === 'notDone') return;
    if ('put' in r && 'put' in w) {
      const schema = (w.put.constructor as ModelClassRuntime).schema;
      if (state === 'unknown') return void db.afterWrite?.(schema, schema.keyOfItem(r.put));
      takeTimestamps(schema, w.put as unknown as Record<string, unknown>, r.put);
      w.put[STATE].stored = r.put;
      w.put[STATE].db = db;
      db.afterPut?.(schema, r.put, w.put);
    } else if ('delete' in r && 'delete' in w) {
      const schema = w.delete[0].schema;
      if (state === 'unknown') db.afterWrite?.(schema, r.delete);
      else db.afterDelete?.(schema, r.delete);
    }
  });
}
