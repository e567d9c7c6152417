/**
 * Creates and deletes whose edges act on them (see write-hooks.ts): the item's own write and
 * every check, counter change, dependent delete and update go out in ONE TransactWriteItems
 * (its idempotency token kept across resends), and a cancellation is mapped back to the
 * edge that caused it. A write whose edges add nothing goes out as it would without them.
 */
import { attr, type Condition } from '../expressions/condition-ast.js';
import { path as literalPath } from '../expressions/path.js';
import { add, remove } from '../expressions/update.js';
import { ItemExistsError, TransactionCanceledError, ValidationError } from '../errors.js';
import { DeleteRestrictedError, MissingTargetError } from './effect-errors.js';
import type { Database } from '../operations/context.js';
import { deleteParams, getItem } from '../operations/items.js';
import { checkParams, sendTransactWrite, type TransactAction } from '../operations/transactions.js';
import { updateParams } from '../operations/update.js';
import { instanceFromItem, STATE, type ModelBase, type ModelClassRuntime } from './instance.js';
import { allOf, planVersion } from './versioning.js';
import { hasWriteEffects, isEmptyPlan, planEffects, type EffectPlan, type EffectTarget, type WriteEvent } from './write-hooks.js';
import { applyWrite, deleteInstance, instanceWith, logWrite, prepareInstanceDelete, prepareSave, saveInstance, type DeleteOptions, type SaveOptions } from './writes.js';
import { saveWithNextId } from './autoincrement.js';
import { deleteByKey, prepareDeleteByKey } from './writes-by-key.js';

/** One item's own write, rebuilt with the conditions its edges add. */
export interface OwnWrite {
  event: WriteEvent;
  /** The instance whose edges are asked: the values written, or for a delete the item as stored. */
  subject: ModelBase;
  /** The write's action with `extra` conditions; `create`: it must not overwrite an item. */
  action(extra: Condition | undefined, create: boolean): TransactAction;
  /** Records the committed write on its instance and tells the write hooks. */
  done(): void;
  /** The caller guarded the write with conditions of its own. */
  conditional: boolean;
  /** `overwrite: true` was asked explicitly (refused when a counter must count the create). */
  overwrite?: boolean;
}

/** What an action of an effects transaction stands for, to explain its failure. */
export type EffectRole =
  | { kind: 'own'; own: OwnWrite; restrictedBy?: string }
  | { kind: 'check' | 'count'; target: EffectTarget }
  | { kind: 'dependent' }
  | { kind: 'given' };

const name = (m: ModelClassRuntime) => m.name || m.schema.name;
const exists = (m: ModelClassRuntime) => attr(literalPath(m.schema.hash)).exists();

/** The actions (and what to do after commit) of a plan's effects, beyond the own writes. */
export function effectActions(db: Database, plan: EffectPlan): { actions: TransactAction[]; roles: EffectRole[]; done: (() => void)[] } {
  const actions: TransactAction[] = [];
  const roles: EffectRole[] = [];
  const done: (() => void)[] = [];
  const toInstance = (m: ModelClassRuntime) => (item: Record<string, unknown>) => instanceFromItem(m, item, db);
  for (const d of plan.deletes) {
    const schema = d.model.schema;
    const version = planVersion(schema, d.instance[STATE].stored, {});
    const body = deleteParams(schema, db.tableName(schema), d.key, { condition: allOf(exists(d.model), version?.guard, ...d.conditions) });
    actions.push({ kind: 'delete', schema, name: name(d.model), key: d.key, body: body as Record<string, unknown>, instance: d.instance, toInstance: toInstance(d.model), expectedVersion: version?.expected });
    roles.push({ kind: 'dependent' });
    done.push(() => {
      d.instance[STATE].stored = undefined;
      db.afterDelete?.(schema, d.key);
    });
  }
  for (const t of plan.detaches) {
    const schema = t.model.schema;
    const body = updateParams(schema, db.tableName(schema), {
      key: t.key, actions: t.remove.map((n) => remove(literalPath(n))), mustExist: true,
      guards: { condition: allOf(...Object.entries(t.expect).map(([n, v]) => attr(literalPath(n)).eq(v))) },
    });
    actions.push({ kind: 'update', schema, name: name(t.model), key: t.key, body: body as Record<string, unknown>, toInstance: toInstance(t.model) });
    roles.push({ kind: 'dependent' });
    done.push(() => db.afterWrite?.(schema, t.key));
  }
  for (const c of plan.counts) {
    const schema = c.model.schema;
    const body = updateParams(schema, db.tableName(schema), { key: c.key, actions: [...c.deltas].map(([n, by]) => add(literalPath(n), by)), mustExist: true });
    actions.push({ kind: 'update', schema, name: name(c.model), key: c.key, body: body as Record<string, unknown>, toInstance: toInstance(c.model) });
    roles.push({ kind: 'count', target: c });
    // The new count is not known here: a session forgets its copy rather than serve it stale.
    done.push(() => db.afterWrite?.(schema, c.key));
  }
  for (const c of plan.checks) {
    const schema = c.model.schema;
    actions.push({ kind: 'check', schema, name: name(c.model), key: c.key, body: checkParams(schema, db.tableName(schema), c.key, exists(c.model)), toInstance: toInstance(c.model) });
    roles.push({ kind: 'check', target: c });
    done.push(() => {});
  }
  return { actions, roles, done };
}

/** Refuses `overwrite: true` on a create a counter counts: it could replace an item and count it twice. */
export function checkCountedCreate(own: OwnWrite, plan: EffectPlan): void {
  if (own.event === 'create' && own.overwrite === true && plan.counts.length > 0) {
    const m = own.subject.constructor as ModelClassRuntime;
    throw new ValidationError(name(m), [{ path: '(overwrite)', message: `a counted edge (${plan.counts[0].edge}) counts creates: save a new ${name(m)} without overwrite: true` }]);
  }
}

/** `'gone'`: the own delete found no item (nothing to delete, nothing counted). */
const GONE = Symbol('gone');

/** Maps a cancellation of an effects transaction to the edge or write that caused it. */
export function effectError(err: unknown, roles: readonly EffectRole[], allowGone = false): unknown {
  if (!(err instanceof TransactionCanceledError)) return err;
  for (const r of err.reasons) {
    if (r.code !== 'ConditionalCheckFailed') continue;
    const role = roles[r.index];
    if (role?.kind === 'check' || role?.kind === 'count') return new MissingTargetError(role.target.edge, name(role.target.model), role.target.key, err);
    if (role?.kind !== 'own') continue;
    const m = role.own.subject.constructor as ModelClassRuntime;
    if (role.own.event === 'create' && r.item) return new ItemExistsError(`${name(m)}: an item with this key exists`, r.item, r.current, err);
    if (role.own.event === 'delete' && !r.item && !role.own.conditional && err.reasons.length === 1 && allowGone) return GONE;
    if (role.own.event === 'delete' && r.item && role.restrictedBy) {
      return new DeleteRestrictedError(role.restrictedBy, m.schema.keyOfItem(r.item), [], 'its counter says items were added', err);
    }
  }
  return err;
}

/** Plans, then sends one own write with its effects; `false` when the edges add nothing. */
async function runOwn(db: Database, own: OwnWrite): Promise<boolean> {
  const plan = await planEffects(db, [{ subject: own.subject, event: own.event }]);
  if (isEmptyPlan(plan)) return false;
  checkCountedCreate(own, plan);
  const extra = effectActions(db, plan);
  const actions = [own.action(allOf(...plan.conditions[0]), plan.counts.length > 0 && own.event === 'create'), ...extra.actions];
  const roles: EffectRole[] = [{ kind: 'own', own, restrictedBy: plan.restrictedBy[0] }, ...extra.roles];
  let token: string;
  try {
    token = await sendTransactWrite(db, actions);
  } catch (err) {
    const mapped = effectError(err, roles, true);
    if (mapped !== GONE) throw mapped;
    own.done();
    return true;
  }
  own.done();
  for (const d of extra.done) d();
  const m = own.subject.constructor as ModelClassRuntime;
  logWrite(db, own.event === 'delete' ? 'delete' : 'save', m.schema, `with ${actions.length - 1} edge action(s) in one transaction (token ${token})`);
  return true;
}

/** The own write of a save that creates `instance` (or, `update`, saves it again). */
export function createWrite(db: Database, instance: ModelBase, options: SaveOptions, event: 'create' | 'update' = 'create'): OwnWrite {
  const cls = instance.constructor as ModelClassRuntime;
  let prepared: ReturnType<typeof prepareSave> | undefined;
  return {
    event, subject: instance, overwrite: options.overwrite,
    conditional: options.expect !== undefined || options.condition !== undefined || options.expectUnchanged === true,
    action(extra, create) {
      prepared = prepareSave(db, instance, { ...options, ...(create ? { overwrite: false } : {}), condition: allOf(options.condition, extra) });
      const p = prepared;
      return { kind: p.kind === 'update' ? 'update' : 'put', schema: p.schema, name: name(cls), key: p.key, body: p.params as Record<string, unknown>, instance, toInstance: (item) => instanceFromItem(cls, item, db), expectedVersion: p.plan?.expected };
    },
    done: () => applyWrite(db, instance, prepared!.item, prepared!.item),
  };
}

/** The own write of a delete of the item `stored` (or, never stored, of the instance's key). */
export function deleteWrite(db: Database, cls: ModelClassRuntime, target: { instance?: ModelBase; stored?: Record<string, unknown> }, built: { key: Record<string, unknown>; guards: { expect?: Condition; condition?: Condition }; expectedVersion?: number }): OwnWrite {
  const schema = cls.schema;
  const subject = target.stored ? instanceFromItem(cls, target.stored, db) : target.instance!;
  return {
    event: 'delete', subject,
    conditional: built.guards.expect !== undefined || built.guards.condition !== undefined,
    action: (extra) => ({
      kind: 'delete', schema, name: name(cls), key: built.key, instance: target.instance, toInstance: (item) => instanceFromItem(cls, item, db), expectedVersion: built.expectedVersion,
      body: deleteParams(schema, db.tableName(schema), built.key, { expect: built.guards.expect, condition: allOf(built.guards.condition, extra) }) as Record<string, unknown>,
    }),
    done: () => {
      if (target.instance) target.instance[STATE].stored = undefined;
      db.afterDelete?.(schema, built.key);
    },
  };
}

/** `save()`: a create whose edges act on it runs as one transaction with their effects; any other save as before. */
export async function saveThroughEdges(db: Database, instance: ModelBase, options: SaveOptions = {}): Promise<void> {
  const cls = instance.constructor as ModelClassRuntime;
  const schema = cls.schema;
  const self = instance as unknown as Record<string, unknown>;
  const stored = instance[STATE].stored;
  if (stored) {
    // A save that points the item at another counted parent moves the counts with it; a
    // changed key (a copy or move of the item) is left to the plain path.
    const keyChanged = schema.keyNames.some((k) => String(schema.keyOfItem(stored)[k]) !== String(schema.key(self)[k]));
    if (!keyChanged && hasWriteEffects(cls, 'update') && await runOwn(db, createWrite(db, instance, options, 'update'))) return;
    return saveInstance(db, instance, options);
  }
  if (!hasWriteEffects(cls, 'create')) return saveInstance(db, instance, options);
  if (schema.autoincrement && self[schema.hash] === undefined) {
    // Validate with a stand-in id first (a bad item uses up no id); each id is tried as a create.
    prepareSave(db, instanceWith(instance, { [schema.hash]: 1 }), options);
    const create = { ...options, overwrite: false };
    await saveWithNextId(db, schema, self, async () => {
      if (!(await runOwn(db, createWrite(db, instance, create)))) await saveInstance(db, instance, create);
    });
    return;
  }
  if (await runOwn(db, createWrite(db, instance, options))) return;
  await saveInstance(db, instance, options);
}

/** An instance's `delete()`: with the effects of its edges (restrict, cascade, detach, counters) in one transaction. */
export async function deleteThroughEdges(db: Database, instance: ModelBase, options: DeleteOptions = {}): Promise<void> {
  const cls = instance.constructor as ModelClassRuntime;
  if (hasWriteEffects(cls, 'delete')) {
    const { key, plan, guards } = prepareInstanceDelete(instance, options);
    const own = deleteWrite(db, cls, { instance, stored: instance[STATE].stored }, { key, guards, expectedVersion: plan?.expected });
    if (await runOwn(db, own)) return;
  }
  await deleteInstance(db, instance, options);
}

/**
 * `Model.delete(key)`: when the model's edges act on deletes, the item is read first (one
 * consistent GetItem: its edges need its attributes), then deleted with their effects.
 */
export async function deleteByKeyThroughEdges(db: Database, cls: ModelClassRuntime, keyInput: Record<string, unknown>, options: DeleteOptions & { expectVersion?: number } = {}): Promise<void> {
  if (hasWriteEffects(cls, 'delete')) {
    const { key, plan, guards } = prepareDeleteByKey(cls, keyInput, options);
    const stored = await getItem(db, cls.schema, key, { consistent: true });
    const own = stored && (cls.schema.entity === undefined || stored[cls.schema.entityField] === cls.schema.entity)
      ? deleteWrite(db, cls, { stored }, { key, guards, expectedVersion: plan?.expected }) : undefined;
    if (own && await runOwn(db, own)) return;
  }
  await deleteByKey(db, cls, keyInput, options);
}

/** A write of a transaction whose edges act on it: its action's index, and how to get its own write. */
export interface TransactionOwn {
  index: number;
  event: WriteEvent;
  resolve(): Promise<OwnWrite | undefined>;
}

/** What {@link expandTransaction} needs of a transaction writer. */
export interface ExpandableTransaction {
  readonly actions: TransactAction[];
  readonly owns: readonly TransactionOwn[];
  replace(index: number, action: TransactAction, done: () => void): void;
  append(action: TransactAction, done: () => void): void;
}

/**
 * Adds to a transaction the effects of the edges of its creates and deletes (merged across
 * them: two replies of one thread make one `ADD replyCount 2`); returns the role of each
 * action for {@link effectError}, or `undefined` when the edges add nothing.
 */
export async function expandTransaction(db: Database, tx: ExpandableTransaction, options: { readsAllowed?: boolean } = {}): Promise<EffectRole[] | undefined> {
  // A dry run sends nothing: deletes, whose edges must read their dependents, are left out.
  const owns = options.readsAllowed === false ? tx.owns.filter((o) => o.event !== 'delete') : tx.owns;
  if (!owns.length) return undefined;
  const resolved = (await Promise.all(owns.map(async (o) => ({ index: o.index, own: await o.resolve() }))))
    .filter((o): o is { index: number; own: OwnWrite } => o.own !== undefined);
  const plan = await planEffects(db, resolved.map((o) => ({ subject: o.own.subject, event: o.own.event })));
  if (isEmptyPlan(plan)) return undefined;
  const roles: EffectRole[] = tx.actions.map(() => ({ kind: 'given' }));
  resolved.forEach(({ index, own }, i) => {
    checkCountedCreate(own, plan);
    tx.replace(index, own.action(allOf(...plan.conditions[i]), plan.counts.length > 0 && own.event === 'create'), () => own.done());
    roles[index] = { kind: 'own', own, restrictedBy: plan.restrictedBy[i] };
  });
  const extra = effectActions(db, plan);
  extra.actions.forEach((a, i) => tx.append(a, extra.done[i]));
  return [...roles, ...extra.roles];
}
