/**
 * Write effects: what the edges of a model add to the transaction that creates or deletes
 * one of its items — checks that targets exist, counter changes, dependent deletes and
 * updates, conditions on the item's own action — or a refusal (they throw). The graph
 * layer's edges implement {@link WRITE_EFFECTS} (a symbol, so this layer never imports the
 * graph layer); the write paths ask an item's edges and send one TransactWriteItems.
 */
import type { Condition } from '../expressions/condition-ast.js';
import type { Database } from '../operations/context.js';
import { keyId } from '../operations/key-id.js';
import { instanceFromItem, STATE, type ModelBase, type ModelClassRuntime } from './instance.js';

/** Implemented by edges whose declaration acts on writes of their owner. */
export const WRITE_EFFECTS: unique symbol = Symbol('dynagraph.writeEffects');

/**
 * A write an edge may act on: the owner's item is created, deleted, or saved again
 * (`update`: a save of a stored item, which may point it at another target).
 */
export type WriteEvent = 'create' | 'delete' | 'update';

/** An item an effect targets. */
export interface EffectTarget {
  /** The target's model. */
  model: ModelClassRuntime;
  /** Its stored primary key. */
  key: Record<string, unknown>;
  /** The edge asking, as `Model.field` (for messages). */
  edge: string;
}

/** What one edge adds to the transaction of its owner's create or delete. */
export interface WriteEffects {
  /** Targets that must exist at commit (a ConditionCheck each). */
  checks?: EffectTarget[];
  /** Counter changes: `ADD attribute delta` on the target, conditional on it existing. */
  counts?: (EffectTarget & { attribute: string; delta: number })[];
  /** Dependents deleted in the same transaction (their own delete effects are collected too). */
  deletes?: { instance: ModelBase; edge: string }[];
  /** Dependents updated: `remove` attributes removed, conditional on `expect` still stored. */
  detaches?: (EffectTarget & { remove: string[]; expect: Record<string, unknown> })[];
  /** Conditions on the owner's own action (decoded values, compiled through its schema). */
  conditions?: Condition[];
  /**
   * Set by an edge whose condition on the owner's delete stands for "no dependents": a
   * failure of that condition on a present item is then a refusal, not a conflict.
   */
  restrictedBy?: string;
}

/** The handler an edge exposes under {@link WRITE_EFFECTS}. */
export interface WriteEffectHandler {
  /** The events it acts on. */
  readonly on: readonly WriteEvent[];
  /** Its effects for one write of its owner (may read the database; may throw to refuse). */
  effects(event: WriteEvent, db: Database): Promise<WriteEffects | undefined> | WriteEffects | undefined;
}

/** An edge that may act on writes of its owner. */
export interface WriteEffectSource {
  readonly [WRITE_EFFECTS]: WriteEffectHandler | undefined;
}

/** The handlers of an instance's edges that act on `event`. */
export function effectHandlers(instance: ModelBase, event: WriteEvent): WriteEffectHandler[] {
  const out: WriteEffectHandler[] = [];
  for (const value of Object.values(instance)) {
    if (value === null || typeof value !== 'object' || !(WRITE_EFFECTS in value)) continue;
    const handler = (value as WriteEffectSource)[WRITE_EFFECTS];
    if (handler && handler.on.includes(event)) out.push(handler);
  }
  return out;
}

const declared = new WeakMap<ModelClassRuntime, Set<WriteEvent>>();

/** Whether any edge of the model acts on `event` (asked once per model, of a blank instance). */
export function hasWriteEffects(cls: ModelClassRuntime, event: WriteEvent): boolean {
  let events = declared.get(cls);
  if (!events) {
    const probe = instanceFromItem(cls, {});
    events = new Set((['create', 'delete', 'update'] as const).filter((e) => effectHandlers(probe, e).length > 0));
    declared.set(cls, events);
  }
  return events.has(event);
}

/** Identity of an item of a model (table and stored key). */
export function targetId(model: ModelClassRuntime, key: Record<string, unknown>): string {
  return keyId(model.schema.table, model.schema.keyNames, key);
}

/** A dependent deleted by the plan, with the conditions its own edges put on its delete. */
export interface PlannedDelete {
  instance: ModelBase;
  model: ModelClassRuntime;
  key: Record<string, unknown>;
  edge: string;
  conditions: Condition[];
  /** 1 for a dependent of a written item, 2 for a dependent of that dependent, and so on. */
  depth: number;
}

/** Everything the creates and deletes of one transaction add to it, merged and de-duplicated. */
export interface EffectPlan {
  /** Per written item (in the order given): the conditions on its own action. */
  conditions: Condition[][];
  /** Per written item: the edge whose condition on its delete means "dependents exist" (see WriteEffects.restrictedBy). */
  restrictedBy: (string | undefined)[];
  checks: EffectTarget[];
  /** One entry per target item: its counter deltas by attribute. */
  counts: (EffectTarget & { deltas: Map<string, number> })[];
  deletes: PlannedDelete[];
  detaches: (EffectTarget & { remove: string[]; expect: Record<string, unknown> })[];
}

/** One item written: an instance holding the values written (for a delete: as stored) and the event. */
export interface EffectSubject {
  subject: ModelBase;
  event: WriteEvent;
}

/** `true` when the plan adds nothing: the writes go out as they would without edges. */
export function isEmptyPlan(plan: EffectPlan): boolean {
  return plan.conditions.every((c) => c.length === 0) && !plan.checks.length && !plan.counts.length && !plan.deletes.length && !plan.detaches.length;
}

/**
 * Asks the edges of each written item for their effects, and recursively those of each
 * dependent deleted: a counter change of an item deleted in the same transaction is dropped,
 * deltas on one item are merged into one update, and a check of an item updated is covered
 * by the update's own existence condition.
 */
export async function planEffects(db: Database, writes: readonly EffectSubject[]): Promise<EffectPlan> {
  const plan: EffectPlan = { conditions: [], restrictedBy: [], checks: [], counts: [], deletes: [], detaches: [] };
  const deleted = new Set<string>(writes.filter((w) => w.event === 'delete').map((w) => targetId(w.subject.constructor as ModelClassRuntime, keyOf(w.subject))));
  const counts = new Map<string, EffectTarget & { deltas: Map<string, number> }>();
  const visit = async (instance: ModelBase, ev: WriteEvent, own: Condition[], depth: number): Promise<string | undefined> => {
    let restrictedBy: string | undefined;
    for (const handler of effectHandlers(instance, ev)) {
      const e = await handler.effects(ev, db);
      if (!e) continue;
      own.push(...(e.conditions ?? []));
      restrictedBy ??= e.restrictedBy;
      plan.checks.push(...(e.checks ?? []));
      plan.detaches.push(...(e.detaches ?? []));
      for (const c of e.counts ?? []) {
        const id = targetId(c.model, c.key);
        const entry = counts.get(id) ?? { model: c.model, key: c.key, edge: c.edge, deltas: new Map<string, number>() };
        entry.deltas.set(c.attribute, (entry.deltas.get(c.attribute) ?? 0) + c.delta);
        counts.set(id, entry);
      }
      const fresh: PlannedDelete[] = [];
      for (const d of e.deletes ?? []) {
        const model = d.instance.constructor as ModelClassRuntime;
        const key = keyOf(d.instance);
        const id = targetId(model, key);
        if (deleted.has(id)) continue;
        deleted.add(id);
        fresh.push({ instance: d.instance, model, key, edge: d.edge, conditions: [], depth: depth + 1 });
      }
      plan.deletes.push(...fresh);
      // Nested: the dependents' own edges (cascades, counters elsewhere) act on their deletes
      // too; asked in the same tick, so their reads share batches and run in parallel.
      await Promise.all(fresh.map((entry) => visit(entry.instance, 'delete', entry.conditions, depth + 1)));
    }
    return restrictedBy;
  };
  for (const w of writes) {
    const own: Condition[] = [];
    plan.restrictedBy.push(await visit(w.subject, w.event, own, 0));
    plan.conditions.push(own);
  }
  for (const [id, entry] of counts) {
    if (deleted.has(id)) continue;
    for (const [name, delta] of entry.deltas) if (delta === 0) entry.deltas.delete(name);
    if (entry.deltas.size) plan.counts.push(entry);
  }
  const updated = new Set([...plan.counts, ...plan.detaches].map((t) => targetId(t.model, t.key)));
  const seen = new Set<string>();
  plan.checks = plan.checks.filter((c) => {
    const id = targetId(c.model, c.key);
    if (updated.has(id) || seen.has(id)) return false;
    seen.add(id);
    return true;
  });
  return plan;
}

/** The stored key of an instance: as last stored, else as its values say. */
export function keyOf(instance: ModelBase): Record<string, unknown> {
  const schema = (instance.constructor as ModelClassRuntime).schema;
  const stored = instance[STATE].stored;
  return stored ? schema.keyOfItem(stored) : schema.key(instance as unknown as Record<string, unknown>);
}
