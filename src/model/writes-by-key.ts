/**
 * Writes by key, without an instance: `Model.update(key, actions)` and `Model.delete(key)`.
 * A versioned model's version is advanced atomically, or checked when the caller says
 * which version it expects.
 */
import type { Database } from '../operations/context.js';
import { deleteItem } from '../operations/items.js';
import { updateItem, updateParams } from '../operations/update.js';
import { instanceFromItem, type ModelClassRuntime } from './instance.js';
import { specActions, type AnyUpdateSpec } from './update-spec.js';
import { allOf, planByKey, versionError, type VersionPlan } from './versioning.js';
import type { ModelUpdateOptions } from './write-types.js';
import { logWrite, versionActions, type DeleteOptions } from './writes.js';

function planFor(cls: ModelClassRuntime, options: { expectVersion?: number; ignoreVersion?: boolean }): VersionPlan | undefined {
  return planByKey(cls.schema, options.ignoreVersion ? undefined : options.expectVersion);
}

/** `Model.update(key, spec, options)`; returns what `returnValues` asks for (see UpdateResult). */
export async function updateByKey(db: Database, cls: ModelClassRuntime, keyInput: Record<string, unknown>, spec: AnyUpdateSpec, options: ModelUpdateOptions): Promise<unknown> {
  const schema = cls.schema;
  const key = schema.key(keyInput);
  const plan = planFor(cls, options);
  const params = updateParams(schema, db.tableName(schema), {
    key,
    actions: specActions(schema, spec),
    storedActions: versionActions(plan),
    guards: { expect: options.expect, condition: allOf(options.condition, plan?.guard) },
    mustExist: !options.upsert,
  });
  const returnValues = options.returnValues ?? 'allNew';
  let out: Record<string, unknown> | undefined;
  try {
    out = await updateItem(db, schema, params, returnValues, (item) => instanceFromItem(cls, item, db));
  } catch (err) {
    throw versionError(schema, plan, err);
  }
  logWrite(db, 'update', schema, plan?.guard ? `v${plan.next}` : 'by key');
  if (returnValues === 'allNew') {
    const instance = instanceFromItem(cls, out!, db);
    db.afterPut?.(schema, out!, instance);
    return instance;
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
  const key = schema.key(keyInput);
  const plan = options.expectVersion === undefined || options.ignoreVersion ? undefined : planFor(cls, options);
  try {
    await deleteItem(db, schema, key, { expect: options.expect, condition: allOf(options.condition, plan?.guard) }, (item) => instanceFromItem(cls, item, db));
  } catch (err) {
    throw versionError(schema, plan, err);
  }
  db.afterDelete?.(schema, key);
  logWrite(db, 'delete', schema, 'by key');
}
