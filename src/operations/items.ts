/**
 * Single-item operations: GetItem, PutItem, DeleteItem. Each has a pure `…Params()`
 * builder (unit-testable, no database) and a sender that maps DynamoDB's errors to
 * typed ones.
 */
import { DeleteCommand, GetCommand, PutCommand, type DeleteCommandInput, type GetCommandInput, type PutCommandInput } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { ExpressionAttributes } from '../expressions/placeholders.js';
import { compileCondition } from '../expressions/condition.js';
import type { Condition } from '../expressions/condition-ast.js';
import { compileProjection } from '../expressions/projection.js';
import { attr as attrRef, and, or } from '../expressions/condition-ast.js';
import { path as literalPath } from '../expressions/path.js';
import { ConditionFailedError, EntityMismatchError, ItemExistsError } from '../errors.js';
import { wrapNumber } from '../client.js';
import { expressionHooks } from './expression-hooks.js';
import type { ModelSchema } from '../schema/model-schema.js';
import type { Database } from './context.js';

/** Guards of a conditional write. */
export interface WriteConditions<T = any> {
  /** `false`: fail with ItemExistsError when an item with this key exists. Default `true`. */
  overwrite?: boolean | undefined;
  /** Expected stored values: `{ balance: 200, coupon: absent }` (the ancestors' expected-value saves); typed by the model's attributes. */
  expect?: Condition<T> | undefined;
  /** Any condition, ANDed with `expect`; typed by the model's attributes. */
  condition?: Condition<T> | undefined;
}

/** Options of a read by key. */
export interface GetOptions {
  /** Strongly consistent read. */
  consistent?: boolean | undefined;
  /** Attributes to return (paths); the result is a partial item. */
  projection?: readonly string[] | undefined;
}

/**
 * How a write of a model with an `entity` is kept off another entity's item at its key:
 * `'absentOrOwn'` (a put, an upsert, a delete) requires that no item exists or that it is of
 * the model's entity; `'own'` (an update that must find its item) requires the latter.
 */
export type EntityGuard = 'absentOrOwn' | 'own';

/** The entity condition of a write under `guard`; `undefined` for a model without `entity`. */
export function entityCondition(schema: ModelSchema, guard: EntityGuard): Condition<any> | undefined {
  if (schema.entity === undefined) return undefined;
  const own = attrRef(literalPath(schema.entityField)).eq(schema.entity);
  return guard === 'own' ? own : or(attrRef(literalPath(schema.hash)).notExists(), own);
}

/**
 * Compiles the guards of a write into `attrs` and returns the ConditionExpression,
 * or `undefined` when the write is unconditional. With `entity`, a model of a shared table
 * also requires the item at the key to be its own (see EntityGuard); `overwrite: false`
 * already requires that there is none.
 */
export function writeCondition(schema: ModelSchema, attrs: ExpressionAttributes, guards: WriteConditions, entity?: EntityGuard): string | undefined {
  const parts: Condition<any>[] = [];
  if (guards.overwrite === false) parts.push(attrRef(schema.hash).notExists());
  else if (entity) {
    const own = entityCondition(schema, entity);
    if (own) parts.push(own);
  }
  if (guards.expect) parts.push(guards.expect);
  if (guards.condition) parts.push(guards.condition);
  if (parts.length === 0) return undefined;
  return compileCondition(parts.length === 1 ? parts[0] : and(...parts), attrs, expressionHooks(schema));
}

/** Adds compiled names/values to a request's params. */
export function withExpressionAttributes<P extends object>(params: P, attrs: ExpressionAttributes): P {
  return Object.assign(params, attrs.toParams());
}

/** Params of a GetItem for a stored key. */
export function getParams(schema: ModelSchema, table: string, key: Record<string, unknown>, options: GetOptions = {}): GetCommandInput {
  const params: GetCommandInput = { TableName: table, Key: key };
  if (options.consistent) params.ConsistentRead = true;
  if (options.projection?.length) {
    const attrs = new ExpressionAttributes();
    params.ProjectionExpression = compileProjection([...options.projection], attrs, expressionHooks(schema));
    withExpressionAttributes(params, attrs);
  }
  return params;
}

/** Params of a PutItem of a stored (already validated) item. */
export function putParams(schema: ModelSchema, table: string, item: Record<string, unknown>, guards: WriteConditions = {}): PutCommandInput {
  const params: PutCommandInput = { TableName: table, Item: item };
  const attrs = new ExpressionAttributes();
  const condition = writeCondition(schema, attrs, guards, 'absentOrOwn');
  if (condition) {
    params.ConditionExpression = condition;
    params.ReturnValuesOnConditionCheckFailure = 'ALL_OLD';
    withExpressionAttributes(params, attrs);
  }
  return params;
}

/** Params of a DeleteItem of a stored key. */
export function deleteParams(schema: ModelSchema, table: string, key: Record<string, unknown>, guards: WriteConditions = {}): DeleteCommandInput {
  const params: DeleteCommandInput = { TableName: table, Key: key };
  const attrs = new ExpressionAttributes();
  const condition = writeCondition(schema, attrs, { expect: guards.expect, condition: guards.condition }, 'absentOrOwn');
  if (condition) {
    params.ConditionExpression = condition;
    params.ReturnValuesOnConditionCheckFailure = 'ALL_OLD';
    withExpressionAttributes(params, attrs);
  }
  return params;
}

/** Reads one stored item by stored key; `undefined` when missing. */
export async function getItem(db: Database, schema: ModelSchema, key: Record<string, unknown>, options?: GetOptions): Promise<Record<string, unknown> | undefined> {
  const table = db.tableName(schema);
  const out = await db.connection.send<{ Item?: Record<string, unknown> }>(new GetCommand(getParams(schema, table, key, options)), { channel: 'database-access', table, scope: db.scope });
  return out.Item;
}

/**
 * The typed error of a write of `schema` that failed on `item` (raw stored form) of another
 * entity; `undefined` when the item is absent or the model's own.
 */
export function entityMismatch(schema: ModelSchema, name: string, what: string, key: Record<string, unknown>, item: Record<string, unknown> | undefined, cause: unknown): EntityMismatchError | undefined {
  if (schema.entity === undefined || !item || item[schema.entityField] === schema.entity) return undefined;
  return new EntityMismatchError(name, what, key, schema.entity, item[schema.entityField], item, cause);
}

/**
 * Turns a conditional-check failure into a typed error carrying the stored item. An item of
 * another entity at the key is EntityMismatchError (or, for a write that required no item at
 * all, ItemExistsError with that raw item), never decoded through this model.
 */
export function conditionError(
  err: unknown,
  schema: ModelSchema,
  what: string,
  itemExists: boolean,
  toInstance?: (item: Record<string, unknown>) => unknown,
): unknown {
  const e = err as { name?: string; Item?: Record<string, any> };
  if (e?.name !== 'ConditionalCheckFailedException') return err;
  const item = e.Item ? unmarshall(e.Item, { wrapNumbers: wrapNumber }) : undefined;
  const foreign = item ? entityMismatch(schema, schema.name, what, schema.keyOfItem(item), item, err) : undefined;
  if (foreign && itemExists) return new ItemExistsError(`${schema.name}: ${what}: an item of another entity (${String(foreign.found)}) exists with this key`, item, undefined, err);
  if (foreign) return foreign;
  const current = item && toInstance ? toInstance(item) : undefined;
  const values = item ? schema.decode(item) : undefined;
  if (itemExists && item) return new ItemExistsError(`${schema.name}: ${what}: an item with this key already exists`, values, current, err);
  return new ConditionFailedError(`${schema.name}: ${what}: the condition failed${item ? '' : ' (no item stored)'}`, values, current, 'CONDITION_FAILED', err);
}

/** Writes a stored item; conditional failures become typed errors. */
export async function putItem(
  db: Database,
  schema: ModelSchema,
  item: Record<string, unknown>,
  guards: WriteConditions = {},
  toInstance?: (item: Record<string, unknown>) => unknown,
): Promise<void> {
  await sendPut(db, schema, putParams(schema, db.tableName(schema), item, guards), guards.overwrite === false, toInstance);
}

/**
 * Sends a PutItem built by {@link putParams}; conditional failures become typed errors
 * (ItemExistsError when `itemExists`: the put required that no item exists).
 */
export async function sendPut(
  db: Database,
  schema: ModelSchema,
  params: PutCommandInput,
  itemExists: boolean,
  toInstance?: (item: Record<string, unknown>) => unknown,
): Promise<void> {
  const table = params.TableName!;
  try {
    await db.connection.send(new PutCommand(params), { channel: 'database-access', table, scope: db.scope });
  } catch (err) {
    throw conditionError(err, schema, 'put', itemExists, toInstance);
  }
}

/** Deletes an item by stored key; conditional failures become typed errors. */
export async function deleteItem(
  db: Database,
  schema: ModelSchema,
  key: Record<string, unknown>,
  guards: WriteConditions = {},
  toInstance?: (item: Record<string, unknown>) => unknown,
): Promise<void> {
  const table = db.tableName(schema);
  try {
    await db.connection.send(new DeleteCommand(deleteParams(schema, table, key, guards)), { channel: 'database-access', table, scope: db.scope });
  } catch (err) {
    throw conditionError(err, schema, 'delete', false, toInstance);
  }
}
