/**
 * Writes by key, without an instance: `Model.update(key, actions)` and `Model.delete(key)`.
 * A versioned model's version is advanced atomically, or checked when the caller says
 * which version it expects.
 */
import type { Database } from '../operations/context.js';
import { deleteItem } from '../operations/items.js';
import { updateItem, updateParams, withReturnValues, type ReturnValues } from '../operations/update.js';
import { resolvePath } from '../expressions/path.js';
import { instanceFromItem, STATE, type ModelClassRuntime } from './instance.js';
import { materialize } from './reads.js';
import { specActions, type AnyUpdateSpec } from './update-spec.js';
import { allOf, lineageIfMissing, markActions, planByKey, writeMark, type VersionPlan } from './versioning.js';
import { settleFailedWrite } from './lost-answers.js';
import { timestampActions } from './timestamps.js';
import type { ModelUpdateOptions } from './write-types.js';
import { logWrite, versionActions, type DeleteOptions } from './writes.js';

function planFor(cls: ModelClassRuntime, options: { expectVersion?: number; ignoreVersion?: boolean }): VersionPlan | undefined {
  return planByKey(cls.schema, options.ignoreVersion ? undefined : options.expectVersion);
}

/**
 * Validates and compiles `Model.update(key, spec, options)`; sends nothing. `sent` is the
 * return value asked of DynamoDB (see updateByKey); `params` carries it.
 */
export function prepareUpdateByKey(db: Database, cls: ModelClassRuntime, keyInput: Record<string, unknown>, spec: AnyUpdateSpec, options: ModelUpdateOptions) {
  const schema = cls.schema;
  const key = schema.key(keyInput);
  const plan = planFor(cls, options);
  const mark = writeMark(schema, plan, undefined, { byKey: true });
  const actions = [...specActions(schema, spec), ...timestampActions(schema, new Date(), { spec, create: options.upsert === true })];
  const params = updateParams(schema, db.tableName(schema), {
    key,
    actions,
    // An upsert may create the item: a versioned item always gets a lineage.
    storedActions: [...versionActions(plan), ...markActions(mark), ...(options.upsert && schema.version !== undefined ? [lineageIfMissing()] : [])],
    guards: { expect: options.expect, condition: allOf(options.condition, plan?.guard) },
    mustExist: !options.upsert,
  });
  const returnValues = options.returnValues ?? 'allNew';
  const identityMap = db.materialize !== undefined;
  const sent: ReturnValues = returnValues === 'none' && identityMap ? 'allNew' : returnValues;
  // The attributes the update writes (what `updatedNew` returns, when it must be read back after a lost answer).
  const written = new Set(actions.map((a) => String(resolvePath(a.path, (n) => Object.hasOwn(schema.attributes, n))[0])));
  return { key, plan, mark, params: withReturnValues(params, sent), sent, written };
}

/** What `Model.delete(key, options)` targets: the stored key and its guards. */
export function prepareDeleteByKey(cls: ModelClassRuntime, keyInput: Record<string, unknown>, options: DeleteOptions & { expectVersion?: number }) {
  const key = cls.schema.key(keyInput);
  const plan = options.expectVersion === undefined || options.ignoreVersion ? undefined : planFor(cls, options);
  return { key, plan, guards: { expect: options.expect, condition: allOf(options.condition, plan?.guard) } };
}

/**
 * `Model.update(key, spec, options)`; returns what `returnValues` asks for (see UpdateResult).
 * Through a session (a database with an identity map), `'none'` is sent as `ALL_NEW` (it
 * costs no capacity) so the instance the session holds for the key is refreshed at once;
 * `'allNew'` returns that held instance, refreshed in place — or, when it has unsaved
 * changes, a separate instance of the stored item while the held one keeps its edits (see
 * `Session.isStale`). After the other return values the session reads the item again on
 * its next read of the key.
 */
export async function updateByKey(db: Database, cls: ModelClassRuntime, keyInput: Record<string, unknown>, spec: AnyUpdateSpec, options: ModelUpdateOptions): Promise<unknown> {
  const schema = cls.schema;
  const { key, plan, mark, params, sent, written } = prepareUpdateByKey(db, cls, keyInput, spec, options);
  const returnValues = options.returnValues ?? 'allNew';
  let out: Record<string, unknown> | undefined;
  try {
    out = await updateItem(db, schema, params, sent, (item) => instanceFromItem(cls, item, db));
  } catch (err) {
    // A lost answer: decide whether this update landed before reporting anything.
    const conditional = options.expect !== undefined || options.condition !== undefined;
    const found = (await settleFailedWrite(db, { schema, key, kind: 'update', plan, mark, conditional }, err)).found;
    // It landed. The old values went with the lost answer: `allOld` / `updatedOld` resolve to
    // `undefined` (not `null`, which says no item existed); new values come from the item as stored now.
    if (sent === 'allOld' || sent === 'updatedOld') {
      db.afterWrite?.(schema, key);
      return undefined;
    }
    out = sent === 'updatedNew' && found ? Object.fromEntries(Object.entries(found).filter(([k]) => written.has(k))) : found;
  }
  logWrite(db, 'update', schema, plan?.guard ? `v${plan.next}` : 'by key');
  if (sent === 'allNew') {
    const held = materialize(db, cls, out!) as InstanceType<ModelClassRuntime>;
    db.afterPut?.(schema, out!, held);
    if (returnValues === 'none') return undefined;
    // A held instance with unsaved changes keeps them: the caller gets the item as stored.
    return held[STATE].stored === out ? held : instanceFromItem(cls, out!, db);
  }
  // The new item is not known here: a session must forget its copy rather than serve it stale.
  db.afterWrite?.(schema, key);
  if (returnValues === 'allOld') return out ? instanceFromItem(cls, out, db) : null;
  if (returnValues === 'none') return undefined;
  const values: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(out ?? {})) if (Object.hasOwn(schema.attributes, name)) values[name] = schema.attributes[name].decode(v);
  return values;
}

/** `Model.delete(key, options)`, conditional on `expectVersion` when given. */
export async function deleteByKey(db: Database, cls: ModelClassRuntime, keyInput: Record<string, unknown>, options: DeleteOptions & { expectVersion?: number }): Promise<void> {
  const schema = cls.schema;
  const { key, plan, guards } = prepareDeleteByKey(cls, keyInput, options);
  try {
    await deleteItem(db, schema, key, guards, (item) => instanceFromItem(cls, item, db));
  } catch (err) {
    const conditional = options.expect !== undefined || options.condition !== undefined;
    await settleFailedWrite(db, { schema, key, kind: 'delete', plan, mark: writeMark(schema, plan, undefined, { byKey: true }), conditional }, err);
  }
  db.afterDelete?.(schema, key);
  logWrite(db, 'delete', schema, 'by key');
}
