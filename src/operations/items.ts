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
import { attr as attrRef, and } from '../expressions/condition-ast.js';
import { ConditionFailedError, ItemExistsError } from '../errors.js';
import { wrapNumber } from '../client.js';
import { expressionHooks } from './expression-hooks.js';
import type { ModelSchema } from '../model/schema.js';
import type { Database } from './context.js';

/** Guards of a conditional write. */
export interface WriteConditions {
  /** `false`: fail with ItemExistsError when an item with this key exists. Default `true`. */
  overwrite?: boolean;
  /** Expected stored values: `{ balance: 200, coupon: absent }` (the ancestors' expected-value saves). */
  expect?: Condition<any>;
  /** Any condition, ANDed with `expect`. */
  condition?: Condition<any>;
}

/** Options of a read by key. */
export interface GetOptions {
  /** Strongly consistent read. */
  consistent?: boolean;
  /** Attributes to return (paths); the result is a partial item. */
  projection?: readonly string[];
}

/**
 * Compiles the guards of a write into `attrs` and returns the ConditionExpression,
 * or `undefined` when the write is unconditional.
 */
export function writeCondition(schema: ModelSchema, attrs: ExpressionAttributes, guards: WriteConditions): string | undefined {
  const parts: Condition<any>[] = [];
  if (guards.overwrite === false) parts.push(attrRef(schema.hash).notExists());
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
  const condition = writeCondition(schema, attrs, guards);
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
  const condition = writeCondition(schema, attrs, { expect: guards.expect, condition: guards.condition });
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

/** Turns a conditional-check failure into a typed error carrying the stored item. */
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
  const table = db.tableName(schema);
  try {
    await db.connection.send(new PutCommand(putParams(schema, table, item, guards)), { channel: 'database-access', table, scope: db.scope });
  } catch (err) {
    throw conditionError(err, schema, 'put', guards.overwrite === false, toInstance);
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
