/**
 * Dry runs of the model operations: each returns the requests its operation would send,
 * built by the very functions the operation uses, and sends nothing. Exact but for the
 * random parts: a transaction's idempotency token (pass `token` to fix it), the ids of
 * versioned write marks and lineages, and the id an autoincrement save would be given
 * (it comes from the counter; pass `nextId`).
 */
import { SchemaError } from '../errors.js';
import type { Database } from '../operations/context.js';
import { dryRun, type DryRunRequest } from '../operations/dry-run.js';
import { deleteParams, getParams, type GetOptions } from '../operations/items.js';
import { batchGetParams as batchGetInputs, type BatchGetOptions, type KeyRequest } from '../operations/batch-get.js';
import { batchWriteParams } from '../operations/batch-write.js';
import { checkedTransactWriteParams } from '../operations/transactions.js';
import { withReturnValues } from '../operations/update.js';
import type { ModelSchema } from '../schema/model-schema.js';
import { counterParams } from './autoincrement.js';
import { prepareWrites, type BatchWrite } from './batches.js';
import { STATE, type ModelBase, type ModelClassRuntime } from './instance.js';
import type { AnyUpdateSpec } from './update-spec.js';
import { prepareDeleteByKey, prepareUpdateByKey } from './writes-by-key.js';
import type { ModelUpdateOptions } from './write-types.js';
import {
  instanceWith, moveActions, prepareInstanceDelete, prepareInstanceUpdate, prepareSave,
  type DeleteOptions, type InstanceUpdateOptions, type PreparedWrite, type SaveOptions,
} from './writes.js';
import type { PutCommandInput, UpdateCommandInput } from '@aws-sdk/lib-dynamodb';

/** Options of a save's dry run: the save's own, and what a dry run cannot know. */
export interface SaveParamsOptions<T = any> extends SaveOptions<T> {
  /** The id an autoincrement save of a new instance is given (default 1; the counter decides). */
  nextId?: number | undefined;
  /** Idempotency token of the transaction of an `onKeyChange: 'move'` save (random when omitted). */
  token?: string | undefined;
}

/**
 * The projection `Model.get` reads: with an `entity`, the entity field too (to tell another
 * model's item at the key).
 */
export function getProjection(schema: ModelSchema, projection: readonly string[] | undefined): readonly string[] | undefined {
  return projection && schema.entity !== undefined ? [...projection, schema.entityField] : projection;
}

/** `Model.get(key, options)`: one GetItem. */
export function getRequests(db: Database, cls: ModelClassRuntime, key: Record<string, unknown>, options: GetOptions = {}): DryRunRequest[] {
  const schema = cls.schema;
  const params = getParams(schema, db.tableName(schema), schema.key(key), { ...options, projection: getProjection(schema, options.projection) });
  return [dryRun('GetItem', params)];
}

/**
 * `instance.save(options)`: nothing (a partial save with no change), a PutItem, an UpdateItem
 * (partial, or an unchecked versioned save), a TransactWriteItems (a moved key), or the
 * counter's UpdateItem then the PutItem (an autoincrement model's new instance).
 */
export function saveRequests(db: Database, instance: ModelBase, options: SaveParamsOptions = {}): DryRunRequest[] {
  const schema = (instance.constructor as ModelClassRuntime).schema;
  const { nextId, token, ...save } = options;
  if (schema.autoincrement && (instance as unknown as Record<string, unknown>)[schema.hash] === undefined && !instance[STATE].stored) {
    const prepared = prepareSave(db, instanceWith(instance, { [schema.hash]: nextId ?? 1 }), { ...save, overwrite: false }, { lineage: true });
    return [dryRun('UpdateItem', counterParams(db, schema)), preparedRequest(prepared)];
  }
  const prepared = prepareSave(db, instance, save);
  if (prepared.kind === 'none') return [];
  if (prepared.keyChanged.length && save.onKeyChange === 'move') {
    return [dryRun('TransactWriteItems', checkedTransactWriteParams(moveActions(prepared, instance[STATE].stored!), token))];
  }
  return [preparedRequest(prepared)];
}

/** The request a prepared put or update is sent as (an update returns the new item). */
function preparedRequest(prepared: PreparedWrite): DryRunRequest {
  if (prepared.kind === 'update') return dryRun('UpdateItem', withReturnValues({ ...(prepared.params as UpdateCommandInput) }, 'allNew'));
  return dryRun('PutItem', prepared.params as PutCommandInput);
}

/** `instance.update(spec, options)`: one UpdateItem returning the new item. */
export function instanceUpdateRequests(db: Database, instance: ModelBase, spec: AnyUpdateSpec, options: InstanceUpdateOptions = {}): DryRunRequest[] {
  return [dryRun('UpdateItem', withReturnValues(prepareInstanceUpdate(db, instance, spec, options).params, 'allNew'))];
}

/** `instance.delete(options)`: one DeleteItem. */
export function instanceDeleteRequests(db: Database, instance: ModelBase, options: DeleteOptions = {}): DryRunRequest[] {
  const schema = (instance.constructor as ModelClassRuntime).schema;
  const { key, guards } = prepareInstanceDelete(instance, options);
  return [dryRun('DeleteItem', deleteParams(schema, db.tableName(schema), key, guards))];
}

/** `Model.update(key, spec, options)`: one UpdateItem. */
export function updateByKeyRequests(db: Database, cls: ModelClassRuntime, key: Record<string, unknown>, spec: AnyUpdateSpec, options: ModelUpdateOptions = {}): DryRunRequest[] {
  return [dryRun('UpdateItem', prepareUpdateByKey(db, cls, key, spec, options).params)];
}

/** `Model.delete(key, options)`: one DeleteItem. */
export function deleteByKeyRequests(db: Database, cls: ModelClassRuntime, key: Record<string, unknown>, options: DeleteOptions & { expectVersion?: number } = {}): DryRunRequest[] {
  const { key: stored, guards } = prepareDeleteByKey(cls, key, options);
  return [dryRun('DeleteItem', deleteParams(cls.schema, db.tableName(cls.schema), stored, guards))];
}

/** The counter UpdateItem that hands out an autoincrement model's next id. */
export function nextIdRequests(db: Database, cls: ModelClassRuntime): DryRunRequest[] {
  if (!cls.schema.autoincrement) throw new SchemaError(`${cls.name || cls.schema.name} has no autoincrement key`);
  return [dryRun('UpdateItem', counterParams(db, cls.schema))];
}

/** A batch read by key requests: one BatchGetItem per chunk of at most 100 distinct keys. */
export function batchGetRequests(db: Database, requests: readonly KeyRequest[], options: BatchGetOptions = {}): DryRunRequest[] {
  return batchGetInputs(requests, options).map((input) => dryRun('BatchGetItem', input));
}

/** The key requests of `getMany(model, keys)` / `db.batchGet({ name: [model, keys] })`. */
export function keyRequests(db: Database, cls: ModelClassRuntime, keys: readonly object[]): KeyRequest[] {
  const schema = cls.schema;
  const table = db.tableName(schema);
  return keys.map((k) => ({ table, keyNames: schema.keyNames, key: schema.key(k as Record<string, unknown>) }));
}

/** A mixed batch write: validated as it would be, then one BatchWriteItem per chunk of at most 25. */
export function writeManyRequests(db: Database, writes: readonly BatchWrite[]): DryRunRequest[] {
  return batchWriteParams(prepareWrites(db, writes).requests).map((input) => dryRun('BatchWriteItem', input));
}

/**
 * Dry run of `db.batchGet({ name: [Model, keys], … })`: one BatchGetItem per chunk of at
 * most 100 distinct keys, across tables, nothing sent.
 */
export function batchGetParams(db: Database, requests: Readonly<Record<string, readonly [ModelClassRuntime | { readonly schema: ModelSchema }, readonly object[]]>>, options: BatchGetOptions = {}): DryRunRequest[] {
  const keys = Object.values(requests).flatMap(([model, list]) => keyRequests(db, model as ModelClassRuntime, list));
  return batchGetRequests(db, keys, options);
}

