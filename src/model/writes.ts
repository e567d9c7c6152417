/**
 * The writes of model instances: full and partial saves, typed updates and deletes, with
 * the version plan, key-change policy and autoincrement folded in. A write is first
 * *prepared* (validated, compiled into request params, nothing sent) so a transaction can
 * carry the very same request; then sent, then *applied* to the instance's state.
 */
import type { PutCommandInput, UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { attr, type Condition } from '../expressions/condition-ast.js';
import { path as literalPath } from '../expressions/path.js';
import { increment, remove, set, setIfNotExists, type UpdateAction } from '../expressions/update.js';
import { KeyChangedError } from '../errors.js';
import type { Database } from '../operations/context.js';
import { deleteItem, deleteParams, putParams, sendPut, type WriteConditions } from '../operations/items.js';
import { sendTransactWrite, type TransactAction } from '../operations/transactions.js';
import { updateItem, updateParams } from '../operations/update.js';
import { saveWithNextId } from './autoincrement.js';
import { diffItems, refreshInstance, sameStored, touchedAttributes } from './changes.js';
import { fillComputed, instanceFromItem, STATE, type ModelBase, type ModelClassRuntime } from './instance.js';
import type { ModelSchema } from '../schema/model-schema.js';
import { specActions, type AnyUpdateSpec } from './update-spec.js';
import { allOf, freshLineage, lineageIfMissing, markActions, markedAfterUpdate, markedItem, planVersion, writeMark, type VersionOptions, type VersionPlan, type WriteMark } from './versioning.js';
import { settleFailedWrite } from './lost-answers.js';
import { hasTimestamps, stampedValues, takeTimestamps, timestampActions } from './timestamps.js';

/** What `save()` does when a loaded instance's key attributes were changed. */
export type KeyChangePolicy = 'error' | 'copy' | 'move';

/** Options of `save()` and `Model.put()`; `T` types `expect` / `condition` (the model's attribute values). */
export interface SaveOptions<T = any> extends WriteConditions<T>, VersionOptions {
  /** Database to write to (default: the instance's, then the model's binding). */
  db?: Database | undefined;
  /**
   * When a loaded instance's key changed: `'error'` (default) throws KeyChangedError
   * before any request; `'copy'` writes a new item and keeps the old one; `'move'`
   * writes the new item and deletes the old one in one transaction.
   */
  onKeyChange?: KeyChangePolicy | undefined;
  /**
   * Send only what changed since the instance was loaded or last saved, as one UpdateItem
   * (SET / REMOVE / ADD / DELETE, as deep as the change: `address.city`, appended list
   * elements, added set elements). Nothing is sent when nothing changed. A new instance is
   * put whole. The instance then holds the item as stored (concurrent changes of other
   * attributes included).
   */
  partial?: boolean | undefined;
  /**
   * Also require that the stored item still holds what the instance was loaded with (a new
   * instance: that no item exists) — the ancestors' expected-value save, for models without
   * a version attribute. A whole-item put replaces every attribute, so it checks every
   * attribute against its loaded value (absent ones: still absent); a partial save writes
   * only its changes, so it checks the attributes it changes.
   */
  expectUnchanged?: boolean | undefined;
}

/** Options of `delete()`; `T` types `expect` / `condition` (the model's attribute values). */
export interface DeleteOptions<T = any> extends Omit<WriteConditions<T>, 'overwrite'>, VersionOptions {
  /** Database to delete from. */
  db?: Database | undefined;
}

/** Options of an instance's `update()`. */
export interface InstanceUpdateOptions<T = any> extends VersionOptions {
  /** Database to write to. */
  db?: Database | undefined;
  /** Expected stored values (`{ balance: 200 }`), as for `save()`. */
  expect?: Condition<T> | undefined;
  /** Any condition guarding the update. */
  condition?: Condition<T> | undefined;
}

/** A write of one instance, validated and compiled, not yet sent. */
export interface PreparedWrite {
  /** `none`: a partial save with nothing to write. */
  kind: 'put' | 'update' | 'none';
  schema: ModelSchema;
  table: string;
  /** Stored primary key of the item written. */
  key: Record<string, unknown>;
  /** The request params (PutItem or UpdateItem body). */
  params?: PutCommandInput | UpdateCommandInput | undefined;
  /** The item as the instance will be stored (for an update: as far as known locally). */
  item: Record<string, unknown>;
  plan: VersionPlan | undefined;
  /** Key attributes changed since the item was loaded. */
  keyChanged: string[];
  /** The write requires that no item exists (a failure is ItemExistsError). */
  mustNotExist: boolean;
  /** The mark a checked versioned write leaves, to recognise it if its answer is lost (see versioning.ts). */
  mark?: WriteMark | undefined;
  /** The caller guarded the write with conditions of its own (`expect`, `condition`, `expectUnchanged`). */
  conditional: boolean;
}

function modelOf(instance: ModelBase): ModelClassRuntime {
  return instance.constructor as ModelClassRuntime;
}

function valuesOf(instance: ModelBase): Record<string, unknown> {
  return instance as unknown as Record<string, unknown>;
}

/**
 * Logs a model-level write on the `model` channel. The entry names the model, not the table:
 * `table` marks the entries of requests, which are logged by the connection.
 */
export function logWrite(db: Database, command: string, schema: ModelSchema, message: string): void {
  db.connection.log({ channel: 'model', command, message: `${schema.name}${message ? ` ${message}` : ''}` });
}

/**
 * Conditions that the changed attributes still hold their loaded values (absent ones: still
 * absent). In stored form for an update's raw condition; with `decoded`, as attribute values
 * for a condition compiled through the schema (a put's).
 */
function expectedValues(schema: ModelSchema, stored: Record<string, unknown>, names: readonly string[], decoded = false): Condition | undefined {
  return allOf(...names.map((n) => {
    if (stored[n] === undefined) return attr(literalPath(n)).notExists();
    return attr(literalPath(n)).eq(decoded ? schema.attributes[n].decode(stored[n]) : stored[n]);
  }));
}

/** Validates and compiles the save of an instance; sends nothing. */
export function prepareSave(db: Database, instance: ModelBase, options: SaveOptions = {}, internal: { lineage?: boolean } = {}): PreparedWrite {
  const schema = modelOf(instance).schema;
  const state = instance[STATE];
  const stored = state.stored;
  const table = db.tableName(schema);
  const plan = planVersion(schema, stored, options);
  // A partial save of a stored item leaves createdAt alone; a put carries it (see timestamps.ts).
  const partial = options.partial === true && stored !== undefined;
  // No clock read for a model without timestamps (a Date costs more than the rest of this function).
  const self = hasTimestamps(schema) ? stampedValues(schema, valuesOf(instance), partial ? undefined : stored, new Date(), { created: !partial }) : valuesOf(instance);
  const item = schema.encode(plan ? { ...self, [plan.attribute]: plan.next } : self);
  const key = schema.keyOfItem(item);
  const keyChanged = stored ? schema.keyNames.filter((k) => !sameStored(stored[k], item[k])) : [];
  const mark = writeMark(schema, plan, stored, { create: keyChanged.length > 0 });
  const conditional = options.expect !== undefined || options.condition !== undefined || options.expectUnchanged === true;
  const base = { schema, table, key, plan, keyChanged, mark, conditional };
  if (keyChanged.length && (options.onKeyChange ?? 'error') === 'error') throw new KeyChangedError(modelOf(instance).name || schema.name, keyChanged);
  if (options.partial && stored && !keyChanged.length) {
    const updatedAt = schema.timestamps.updatedAt;
    const diff = diffItems(schema, stored, item, [...(plan ? [plan.attribute] : []), ...(updatedAt ? [updatedAt] : [])]);
    if (diff.length === 0) return written(base, 'none', stored, undefined, false);
    const stamp = updatedAt ? [set(literalPath(updatedAt), item[updatedAt])] : [];
    const params = updateParams(schema, table, {
      key,
      storedActions: [...diff, ...stamp, ...versionActions(plan), ...markActions(mark)],
      guards: { overwrite: options.overwrite, expect: options.expect, condition: allOf(options.condition, plan?.guard) },
      storedCondition: options.expectUnchanged ? expectedValues(schema, stored, touchedAttributes(diff)) : undefined,
      mustExist: true,
    });
    return written(base, 'update', markedAfterUpdate(item, mark, stored), params, false);
  }
  // A new item (first versioned save, a moved or copied key, an unchanged-guarded new item) must not exist yet.
  const fresh = plan?.mustNotExist || (plan && keyChanged.length > 0) || (options.expectUnchanged && !stored);
  // A put replaces the whole item: every attribute it writes must still hold its loaded value.
  const unchanged = options.expectUnchanged && stored && !keyChanged.length
    ? expectedValues(schema, stored, schema.names.filter((n) => !schema.keyNames.includes(n) && !schema.computed.some(([c]) => c === n)), true) : undefined;
  const overwrite = fresh ? false : options.overwrite;
  if (plan?.increment && !keyChanged.length) {
    // Unchecked versioned save: a PutItem cannot advance a version it has not read, so the
    // whole item is written as an UpdateItem that sets every attribute and increments it.
    // A new instance may be creating the item, or replacing one whose createdAt stands.
    const keepCreated = (n: string) => !stored && n === schema.timestamps.createdAt;
    const actions = schema.names.filter((n) => !schema.keyNames.includes(n) && n !== plan.attribute)
      .map((n) => (item[n] === undefined ? remove(literalPath(n)) : keepCreated(n) ? setIfNotExists(literalPath(n), item[n]) : set(literalPath(n), item[n])));
    if (schema.entity !== undefined) actions.push(set(literalPath(schema.entityField), schema.entity));
    const params = updateParams(schema, table, {
      key, storedActions: [...actions, ...versionActions(plan), lineageIfMissing()],
      guards: { overwrite, expect: options.expect, condition: allOf(options.condition, unchanged) },
    });
    return written(base, 'update', item, params, overwrite === false);
  }
  const marked = markedItem(item, mark, stored);
  // A new item that no mark covers (an unchecked copy, an autoincrement save) gets a lineage of its own.
  if (!mark && ((plan && fresh) || internal.lineage)) Object.assign(marked, freshLineage());
  const params = putParams(schema, table, marked, {
    overwrite,
    expect: options.expect,
    condition: allOf(options.condition, keyChanged.length ? undefined : plan?.guard, unchanged),
  });
  return written(base, 'put', marked, params, overwrite === false);
}

/**
 * A prepared write from the fields every kind shares. Spelled out rather than
 * `{ ...base, kind, item }`: spreading an object and then overriding its keys took most of
 * `prepareSave`'s own time, on every save.
 */
function written(base: Omit<PreparedWrite, 'kind' | 'item' | 'params' | 'mustNotExist'>, kind: PreparedWrite['kind'], item: Record<string, unknown>, params: PreparedWrite['params'], mustNotExist: boolean): PreparedWrite {
  return { kind, schema: base.schema, table: base.table, key: base.key, params, item, plan: base.plan, keyChanged: base.keyChanged, mustNotExist, mark: base.mark, conditional: base.conditional };
}

/**
 * Records a successful write on the instance: its snapshot becomes `item`, its version the
 * one stored, and the database's write hooks (a session's cache) are told.
 */
export function applyWrite(db: Database, instance: ModelBase, item: Record<string, unknown>, basis: Record<string, unknown> | undefined): void {
  const schema = modelOf(instance).schema;
  const self = valuesOf(instance);
  refreshInstance(schema, self, item, basis);
  // The version is dynagraph's to advance: the instance always takes the stored one.
  if (schema.version !== undefined) self[schema.version] = schema.attributes[schema.version].decode(item[schema.version]);
  takeTimestamps(schema, self, item);
  fillComputed(schema, self);
  instance[STATE].stored = item;
  instance[STATE].db = db;
  db.afterPut?.(schema, item, instance);
}

/** `save()`: validates, then writes the instance whole (PutItem) or, with `partial`, only its changes. */
export async function saveInstance(db: Database, instance: ModelBase, options: SaveOptions = {}): Promise<void> {
  const cls = modelOf(instance);
  const schema = cls.schema;
  const self = valuesOf(instance);
  const toInstance = (item: Record<string, unknown>) => instanceFromItem(cls, item, db);
  if (schema.autoincrement && self[schema.hash] === undefined && !instance[STATE].stored) {
    // Validate with a stand-in id first, so a bad item does not use up a counter value.
    prepareSave(db, instanceWith(instance, { [schema.hash]: 1 }), options);
    let prepared: PreparedWrite | undefined;
    await saveWithNextId(db, schema, self, async () => {
      // Its lineage recognises the item as this save's even if it was changed before a resend.
      prepared = prepareSave(db, instance, { ...options, overwrite: false }, { lineage: true });
      await send(db, prepared, toInstance);
    });
    applyWrite(db, instance, prepared!.item, prepared!.item);
    return logWrite(db, 'save', schema, `new id ${String(self[schema.hash])}`);
  }
  const prepared = prepareSave(db, instance, options);
  const old = instance[STATE].stored;
  if (prepared.kind === 'none') return logWrite(db, 'save', schema, 'partial: nothing changed');
  if (prepared.keyChanged.length && options.onKeyChange === 'move') {
    await moveItem(db, prepared, old!, toInstance);
    db.afterDelete?.(schema, schema.keyOfItem(old!));
  } else {
    const after = await send(db, prepared, toInstance);
    if (after) return void (applyWrite(db, instance, after, prepared.item), logWrite(db, 'save', schema, 'partial'));
  }
  applyWrite(db, instance, prepared.item, prepared.item);
  logWrite(db, 'save', schema, prepared.plan ? `v${prepared.plan.next}` : 'put');
}

/** A view of an instance with some values replaced, for validating (or a dry run) without touching it. */
export function instanceWith(instance: ModelBase, values: Record<string, unknown>): ModelBase {
  const copy = Object.create(Object.getPrototypeOf(instance)) as ModelBase;
  Object.assign(copy, instance, values);
  copy[STATE] = { ...instance[STATE] };
  return copy;
}

/** Sends a prepared put or update; returns the stored item after an update. */
async function send(db: Database, prepared: PreparedWrite, toInstance: (item: Record<string, unknown>) => unknown): Promise<Record<string, unknown> | undefined> {
  const { schema, plan } = prepared;
  try {
    if (prepared.kind === 'update') return await updateItem(db, schema, prepared.params as UpdateCommandInput, 'allNew', toInstance, prepared.mustNotExist);
    await sendPut(db, schema, prepared.params as PutCommandInput, prepared.mustNotExist, toInstance);
    return undefined;
  } catch (err) {
    // The answer may have been lost after DynamoDB applied the write: decide before reporting.
    const kind = prepared.kind === 'update' ? 'update' : 'put';
    const { found } = await settleFailedWrite(db, {
      schema, key: prepared.key, kind, plan, mark: prepared.mark, conditional: prepared.conditional, create: prepared.mustNotExist,
      item: kind === 'put' ? (prepared.params as PutCommandInput).Item : undefined,
    }, err);
    return kind === 'update' ? found : undefined;
  }
}

/** `onKeyChange: 'move'`: the new item and the deletion of the old one in one transaction. */
async function moveItem(db: Database, prepared: PreparedWrite, old: Record<string, unknown>, toInstance: (item: Record<string, unknown>) => unknown): Promise<void> {
  await sendTransactWrite(db, moveActions(prepared, old, toInstance));
}

/** The actions of a move: put the new item, delete the old one (on its version). */
export function moveActions(prepared: PreparedWrite, old: Record<string, unknown>, toInstance?: (item: Record<string, unknown>) => unknown): TransactAction[] {
  const { schema, table, plan } = prepared;
  const oldKey = schema.keyOfItem(old);
  return [
    { kind: 'put', schema, key: prepared.key, body: prepared.params as Record<string, unknown>, toInstance },
    { kind: 'delete', schema, key: oldKey, body: deleteParams(schema, table, oldKey, { condition: plan?.guard }) as Record<string, unknown>, toInstance, expectedVersion: plan?.expected },
  ];
}

/** What an instance's `delete()` targets: its key as last stored (else as now) and its guards. */
export function prepareInstanceDelete(instance: ModelBase, options: DeleteOptions = {}): { key: Record<string, unknown>; plan: VersionPlan | undefined; guards: WriteConditions } {
  const schema = modelOf(instance).schema;
  const stored = instance[STATE].stored;
  const key = stored ? schema.keyOfItem(stored) : schema.key(valuesOf(instance));
  const plan = stored ? planVersion(schema, stored, options) : undefined;
  return { key, plan, guards: { expect: options.expect, condition: allOf(options.condition, plan?.guard) } };
}

/** `delete()` of an instance: by its key as last stored, conditional on its version. */
export async function deleteInstance(db: Database, instance: ModelBase, options: DeleteOptions = {}): Promise<void> {
  const cls = modelOf(instance);
  const schema = cls.schema;
  const state = instance[STATE];
  const { key, plan, guards } = prepareInstanceDelete(instance, options);
  try {
    await deleteItem(db, schema, key, guards, (item) => instanceFromItem(cls, item, db));
  } catch (err) {
    // A resend after a lost answer that finds the item gone: this very delete removed it.
    const conditional = options.expect !== undefined || options.condition !== undefined;
    await settleFailedWrite(db, { schema, key, kind: 'delete', plan, mark: writeMark(schema, plan, state.stored), conditional }, err);
  }
  state.stored = undefined;
  db.afterDelete?.(schema, key);
  logWrite(db, 'delete', schema, plan?.expected !== undefined ? `v${plan.expected}` : '');
}

/** The version actions of an update under `plan`. */
export function versionActions(plan: VersionPlan | undefined): UpdateAction[] {
  if (!plan) return [];
  return [plan.increment ? increment(literalPath(plan.attribute), 1, { initial: 0 }) : set(literalPath(plan.attribute), plan.next)];
}

/** Validates and compiles an instance's `update(spec)`; sends nothing. */
export function prepareInstanceUpdate(db: Database, instance: ModelBase, spec: AnyUpdateSpec, options: InstanceUpdateOptions = {}): { params: UpdateCommandInput; plan: VersionPlan | undefined; actions: UpdateAction[]; key: Record<string, unknown>; mark?: WriteMark } {
  const schema = modelOf(instance).schema;
  const stored = instance[STATE].stored;
  const actions = [...specActions(schema, spec), ...timestampActions(schema, new Date(), { spec })];
  // Never saved: nothing to check the version against, so it is advanced atomically.
  const plan = planVersion(schema, stored, stored ? options : { ignoreVersion: true });
  const key = stored ? schema.keyOfItem(stored) : schema.key(valuesOf(instance));
  const mark = writeMark(schema, plan, stored);
  const params = updateParams(schema, db.tableName(schema), {
    key, actions, storedActions: [...versionActions(plan), ...markActions(mark)],
    guards: { expect: options.expect, condition: allOf(options.condition, plan?.guard) },
    mustExist: true,
  });
  return { params, plan, actions, key, mark };
}

/**
 * An instance's `update(spec)`: one UpdateItem conditional on the item existing (and on the
 * loaded version); the instance then holds the item as stored. Attributes the update did
 * not touch keep any unsaved local edits.
 */
export async function updateInstance(db: Database, instance: ModelBase, spec: AnyUpdateSpec, options: InstanceUpdateOptions = {}): Promise<void> {
  const cls = modelOf(instance);
  const schema = cls.schema;
  const { params, plan, mark, key } = prepareInstanceUpdate(db, instance, spec, options);
  let item: Record<string, unknown> | undefined;
  try {
    item = await updateItem(db, schema, params, 'allNew', (stored) => instanceFromItem(cls, stored, db));
  } catch (err) {
    const conditional = options.expect !== undefined || options.condition !== undefined;
    item = (await settleFailedWrite(db, { schema, key, kind: 'update', plan, mark, conditional }, err)).found;
  }
  applyWrite(db, instance, item!, instance[STATE].stored);
  logWrite(db, 'update', schema, plan && !plan.increment ? `v${plan.next}` : '');
}
