/**
 * Repair of maintained counts: `recount(threads, 'replies')` recomputes each parent's counter
 * with a COUNT Query of the edge (strongly consistent on a table) and fixes the counters that
 * differ, each with an update conditional on the counter still holding the value read — so
 * a create or delete through dynagraph meanwhile (which moves the counter in its own
 * transaction) makes that parent be counted again, never overwritten with a stale count.
 */
import { attr, or } from '../expressions/condition-ast.js';
import { path as literalPath } from '../expressions/path.js';
import { ConditionFailedError, SchemaError } from '../errors.js';
import { databaseOf } from '../model/binding.js';
import { STATE, type ModelBase, type ModelClassRuntime } from '../model/instance.js';
import { Query, querySpec } from '../model/reads.js';
import { keyOf } from '../model/write-hooks.js';
import { getItem } from '../operations/items.js';
import type { Database } from '../operations/context.js';
import { mapConcurrent } from '../operations/retry.js';
import { updateItem, updateParams } from '../operations/update.js';
import { set } from '../expressions/update.js';
import type { Relation } from './relations.js';

/** Options of {@link recount}. */
export interface RecountOptions {
  /** Database to use (default: each parent's, then its model's binding). */
  db?: Database;
  /** Only report what differs; write nothing. */
  dryRun?: boolean;
  /** Times a parent is counted again when its counter moved meanwhile (default 3). */
  attempts?: number;
}

/** One counter that differed. */
export interface RecountChange {
  /** The parent's stored key. */
  key: Record<string, unknown>;
  /** The counter as stored before (`undefined`: absent). */
  from: number | undefined;
  /** The number of targets counted (what the counter now holds, unless `dryRun`). */
  to: number;
}

/** What {@link recount} found and fixed. */
export interface RecountReport {
  /** The edge, as `Model.field`. */
  edge: string;
  /** Parents counted. */
  checked: number;
  /** Counters that differed (and, unless `dryRun`, were fixed). */
  changed: RecountChange[];
  /** Parents no longer stored (skipped). */
  missing: Record<string, unknown>[];
}

/** Names of a model's to-many edges that keep a counter. */
export type CountedEdgeOf<T> = { [K in keyof T]: T[K] extends { relation: Relation; count(): Promise<number> } ? K : never }[keyof T] & string;

/**
 * Recomputes the counter of the to-many edge `edge` on each parent (counted with COUNT
 * Queries, at most the database's concurrency at once) and fixes those that drifted
 * (changes made outside dynagraph: raw SDK writes, a restore). Returns what differed.
 *
 * @throws SchemaError when the edge declares no counter.
 */
export async function recount<T extends ModelBase>(parents: readonly T[], edge: CountedEdgeOf<T>, options: RecountOptions = {}): Promise<RecountReport> {
  const report: RecountReport = { edge: String(edge), checked: 0, changed: [], missing: [] };
  if (!parents.length) return report;
  const cls = parents[0].constructor as ModelClassRuntime;
  const relation = ((parents[0] as unknown as Record<string, { relation?: Relation }>)[edge])?.relation;
  report.edge = `${cls.name}.${edge}`;
  if (!relation || relation.kind !== 'oneToMany' || relation.counter === undefined) throw new SchemaError(`recount(): ${report.edge} is not a to-many edge with a counter`);
  const counter = relation.counter;
  const target = relation.target() as unknown as ModelClassRuntime;
  const schema = cls.schema;
  await mapConcurrent(parents, (options.db ?? parents[0][STATE].db ?? databaseOf(cls, cls.name)).concurrency, async (parent) => {
    const db = options.db ?? parent[STATE].db ?? databaseOf(cls, cls.name);
    const key = keyOf(parent);
    for (let attempt = 1; ; attempt++) {
      const stored = await getItem(db, schema, key, { consistent: true });
      if (!stored) return void report.missing.push(key);
      const from = stored[counter] === undefined ? undefined : Number(String(stored[counter]));
      const input = relation.query(parent);
      const to = input ? await new Query(db, querySpec(db, [target], input, { index: relation.index }), { consistent: relation.index === undefined }).count() : 0;
      if (attempt === 1) report.checked++;
      if (from === to) return;
      if (options.dryRun) return void report.changed.push({ key, from, to });
      const was = from === undefined ? attr(literalPath(counter)).notExists() : attr(literalPath(counter)).eq(from);
      const params = updateParams(schema, db.tableName(schema), { key, storedActions: [set(literalPath(counter), to)], storedCondition: was, mustExist: true });
      try {
        await updateItem(db, schema, params, 'none');
        db.afterWrite?.(schema, key);
        return void report.changed.push({ key, from, to });
      } catch (err) {
        // The counter moved between the read and the fix: a child came or went; count again.
        if (!(err instanceof ConditionFailedError) || attempt >= (options.attempts ?? 3)) throw err;
      }
    }
  });
  return report;
}
