/**
 * Referential integrity and maintained counts: what an edge declaration adds to the
 * transaction of a create or delete of its owner (the handlers behind WRITE_EFFECTS).
 *
 * - A to-many edge's `onDelete`: `restrict` reads the first targets and refuses; `cascade`
 *   reads every target and deletes each in the same transaction (each conditional on still
 *   existing, a versioned one on the version read); `detach` removes from each the
 *   attributes pointing at the owner, conditional on them still doing so.
 * - A to-one edge's `requireTarget`: a ConditionCheck that the target exists.
 * - A to-many edge's `counter`: the child's to-one edge named by `inverse` adds
 *   `ADD counter ±1` on the parent (conditional on it existing) to the child's create and
 *   delete. A counter also makes restrict and cascade exact: the owner's delete is then
 *   conditional on the counter still saying what was read.
 */
import { attr, or, type Condition } from '../expressions/condition-ast.js';
import { path as literalPath } from '../expressions/path.js';
import { SchemaError, ValidationError } from '../errors.js';
import { DeleteRestrictedError } from '../model/effect-errors.js';
import { instanceFromItem, STATE, type ModelBase, type ModelClassRuntime } from '../model/instance.js';
import { isRangeCondition } from '../model/reads.js';
import { keyOf, targetId, type WriteEffectHandler, type WriteEffects, type WriteEvent } from '../model/write-hooks.js';
import { TemplateAttribute } from '../schema/template.js';
import type { ValuesOfInstance } from '../model/write-types.js';
import type { Relation } from './relations.js';
import { checkRelationNames } from './graph-context.js';
import { fieldOf, modelName } from './edge.js';

/** What deleting an item does to the items an edge of it reaches. */
export type OnDelete = 'restrict' | 'cascade' | 'detach';

/**
 * The names of an owner's number attributes (what a counter may be). Read from the model's
 * declaration, not the instance's fields: those include the edge being declared.
 */
export type CounterAttribute<S> = NumberKeys<ValuesOfInstance<S>>;

/** Keys of `V` whose values are numbers. */
export type NumberKeys<V> = { [K in keyof V]-?: [V[K]] extends [number | undefined] ? ([V[K]] extends [undefined] ? never : K) : never }[keyof V] & string;

/** The edge shape the handlers read (ToOne / ToMany, without importing them). */
interface EdgeLike {
  readonly relation: Relation;
  readonly owner: ModelBase;
  load(): Promise<unknown>;
  page?(options: { limit?: number }): Promise<{ items: unknown[] }>;
}

/** How many blocking items a restrict refusal names. */
const BLOCKING_NAMED = 10;

function modelOf(x: object): ModelClassRuntime {
  return x.constructor as ModelClassRuntime;
}

/** `Model.field` of an edge, for messages. */
function edgeName(edge: EdgeLike): string {
  return `${modelName(modelOf(edge.owner))}.${fieldOf(edge.owner, edge)}`;
}

const exists = (m: ModelClassRuntime) => attr(literalPath(m.schema.hash)).exists();

/** A counter equal to `n` (an absent counter counts as 0). */
function counterIs(name: string, n: number): Condition {
  const eq = attr(literalPath(name)).eq(n);
  return n === 0 ? or(attr(literalPath(name)).notExists(), eq) : eq;
}

/** A counter kept for a to-one edge: the parent's attribute and its to-many edge. */
interface Counted {
  attribute: string;
  edge: string;
}

const countedCache = new WeakMap<ModelClassRuntime, Map<string, Counted[]>>();

/**
 * The counters the parent's to-many edges keep through this to-one edge (those whose
 * `inverse` names it and whose target is my model), found once per model and field on a
 * blank parent.
 */
function countersOf(edge: EdgeLike, field: string): Counted[] {
  const cls = modelOf(edge.owner);
  let byField = countedCache.get(cls);
  if (!byField) countedCache.set(cls, (byField = new Map()));
  let found = byField.get(field);
  if (found) return found;
  const target = edge.relation.target() as unknown as ModelClassRuntime;
  const probe = instanceFromItem(target, {});
  found = [];
  for (const [name, value] of Object.entries(probe)) {
    const r = (value as Partial<EdgeLike> | null)?.relation;
    if (!r || r.kind !== 'oneToMany' || r.counter === undefined || r.inverse !== field || r.target() !== (cls as unknown)) continue;
    const where = `${target.name}.${name}`;
    if (!Object.hasOwn(target.schema.attributes, r.counter)) throw new SchemaError(`${where}: counter "${r.counter}" is not an attribute of ${target.name}`);
    if (edge.relation.index !== undefined) throw new SchemaError(`${where}: a counter needs ${cls.name}.${field} to name ${target.name}'s primary key (not an index)`);
    found.push({ attribute: r.counter, edge: where });
  }
  byField.set(field, found);
  return found;
}

/** The target's stored key of a to-one edge; `undefined` when the owner points nowhere. */
function targetKey(edge: EdgeLike): Record<string, unknown> | undefined {
  const q = edge.relation.query(edge.owner);
  if (!q) return undefined;
  return (edge.relation.target() as unknown as ModelClassRuntime).schema.key(q);
}

/** The attributes of the owner that name the target (from `backQuery`), with their values. */
function pointing(edge: EdgeLike): Record<string, unknown> {
  const back = edge.relation.backQuery;
  if (!back) return {};
  const probe = instanceFromItem(edge.relation.target() as unknown as ModelClassRuntime, {});
  const self = edge.owner as unknown as Record<string, unknown>;
  return Object.fromEntries(Object.keys(back(probe)).map((n) => [n, self[n]]));
}

/** The handler of a to-one edge: `requireTarget`, counters of the parent, `onDelete` of a one-to-one. */
export function toOneEffects(edge: EdgeLike): WriteEffectHandler | undefined {
  const r = edge.relation;
  const name = edgeName(edge);
  const field = name.slice(name.indexOf('.') + 1);
  const counters = countersOf(edge, field);
  const on: WriteEvent[] = [];
  if (r.requireTarget || counters.length) on.push('create');
  if (counters.length || r.onDelete) on.push('delete');
  if (counters.length) on.push('update');
  if (!on.length) return undefined;
  const target = r.target() as unknown as ModelClassRuntime;
  return {
    on,
    async effects(event): Promise<WriteEffects | undefined> {
      checkRelationNames(edge.owner);
      const key = targetKey(edge);
      if (event === 'update') return moved(edge, counters, target, name);
      if (event === 'create') {
        if (!key) {
          if (!r.requireTarget) return undefined;
          throw new ValidationError(modelOf(edge.owner).name, [{ path: field, message: `${name} requires a target (requireTarget) and points at none` }]);
        }
        return {
          checks: r.requireTarget ? [{ model: target, key, edge: name }] : [],
          counts: counters.map((c) => ({ model: target, key, edge: c.edge, attribute: c.attribute, delta: 1 })),
        };
      }
      const out: WriteEffects = { counts: [], conditions: [], deletes: [] };
      if (counters.length && key) {
        out.counts = counters.map((c) => ({ model: target, key, edge: c.edge, attribute: c.attribute, delta: -1 }));
        // Decrement only if this delete removes the item, and only the parent it still names.
        const owner = modelOf(edge.owner);
        out.conditions = [exists(owner), ...Object.entries(pointing(edge)).map(([n, v]) => (v === undefined ? attr(literalPath(n)).notExists() : attr(literalPath(n)).eq(v)))];
      }
      if (r.onDelete && key) {
        const found = (await edge.load()) as ModelBase | null;
        if (found && r.onDelete === 'restrict') throw new DeleteRestrictedError(name, keyOf(edge.owner), [found], `its ${target.name} ${JSON.stringify(key)} exists`);
        if (found && r.onDelete === 'cascade') out.deletes = [{ instance: found, edge: name }];
      }
      return out;
    },
  };
}

/**
 * A save of a stored item that points it at another parent: -1 on the old parent, +1 on the
 * new one (which must exist), conditional on the item still naming the old one.
 */
function moved(edge: EdgeLike, counters: Counted[], target: ModelClassRuntime, name: string): WriteEffects | undefined {
  const owner = modelOf(edge.owner);
  const stored = edge.owner[STATE].stored;
  if (!stored) return undefined;
  const before = instanceFromItem(owner, stored);
  const was = (before as unknown as Record<string, EdgeLike>)[name.slice(name.indexOf('.') + 1)];
  const from = targetKey(was);
  const to = targetKey(edge);
  const same = (a?: Record<string, unknown>, b?: Record<string, unknown>) => (a && b ? targetId(target, a) === targetId(target, b) : a === b);
  if (same(from, to)) return undefined;
  const counts = [
    ...(from ? counters.map((c) => ({ model: target, key: from, edge: c.edge, attribute: c.attribute, delta: -1 })) : []),
    ...(to ? counters.map((c) => ({ model: target, key: to, edge: c.edge, attribute: c.attribute, delta: 1 })) : []),
  ];
  const conditions = Object.entries(pointing(was)).map(([n, v]) => (v === undefined ? attr(literalPath(n)).notExists() : attr(literalPath(n)).eq(v)));
  return { counts, conditions: [exists(owner), ...conditions] };
}

/** The attributes `add(child)` assigns (what points a child at the owner): removed by `detach`. */
function foreignAttributes(edge: EdgeLike, target: ModelClassRuntime, name: string): string[] {
  const r = edge.relation;
  const values = (r.backQuery ? r.backQuery(edge.owner) : r.query(edge.owner)) ?? {};
  const schema = target.schema;
  const names = Object.entries(values).filter(([k, v]) => !isRangeCondition(v) && !(schema.attributes[k] instanceof TemplateAttribute)).map(([k]) => k);
  for (const n of names) {
    const a = schema.attributes[n];
    if (schema.keyNames.includes(n) || schema.computed.some(([c]) => c === n) || !a?.isOptional) {
      throw new SchemaError(`${name}: onDelete 'detach' would remove ${target.name}.${n}, which is ${schema.keyNames.includes(n) ? 'a key attribute' : 'not optional'}; use 'cascade' or 'restrict'`);
    }
  }
  return names;
}

/** The handler of a to-many edge: `onDelete` (restrict, cascade, detach). */
export function toManyEffects(edge: EdgeLike): WriteEffectHandler | undefined {
  const r = edge.relation;
  if (!r.onDelete) return undefined;
  const mode = r.onDelete;
  return {
    on: ['delete'],
    async effects(): Promise<WriteEffects> {
      checkRelationNames(edge.owner);
      const name = edgeName(edge);
      const target = r.target() as unknown as ModelClassRuntime;
      const names = mode === 'detach' ? foreignAttributes(edge, target, name) : [];
      const counter = r.counter;
      if (mode === 'restrict') {
        const { items } = await edge.page!({ limit: BLOCKING_NAMED });
        if (items.length) {
          const listed = items.map((i) => `${target.name} ${JSON.stringify(keyOf(i as ModelBase))}`).join(', ');
          throw new DeleteRestrictedError(name, keyOf(edge.owner), items, `has ${items.length === BLOCKING_NAMED ? `at least ${BLOCKING_NAMED}` : items.length} item(s): ${listed}`);
        }
        // With a counter the check is exact: a child created since the read has counted itself.
        return counter ? { conditions: [counterIs(counter, 0)], restrictedBy: name } : {};
      }
      const items = (await edge.load()) as ModelBase[];
      const guard = counter ? [counterIs(counter, items.length)] : [];
      if (mode === 'cascade') return { deletes: items.map((instance) => ({ instance, edge: name })), conditions: guard };
      return {
        conditions: guard,
        detaches: items.map((i) => {
          const values = i as unknown as Record<string, unknown>;
          return { model: target, key: keyOf(i), edge: name, remove: names, expect: Object.fromEntries(names.map((n) => [n, values[n]])) };
        }),
      };
    },
  };
}
