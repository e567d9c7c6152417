/**
 * UpdateItem: a pure params builder (actions + guards → one request) and a sender that
 * maps a failed condition to a typed error carrying the stored item.
 */
import { UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { compileCondition } from '../expressions/condition.js';
import type { Condition } from '../expressions/condition-ast.js';
import { ExpressionAttributes } from '../expressions/placeholders.js';
import { compileUpdate, set, type UpdateAction } from '../expressions/update.js';
import { path as literalPath } from '../expressions/path.js';
import type { ModelSchema } from '../schema/model-schema.js';
import type { Database } from './context.js';
import { expressionHooks } from './expression-hooks.js';
import { conditionError, withExpressionAttributes, writeCondition, type WriteConditions } from './items.js';

/** What DynamoDB returns after an update, in dynagraph's spelling. */
export type ReturnValues = 'none' | 'allNew' | 'allOld' | 'updatedNew' | 'updatedOld';

const RETURN_VALUES: Record<ReturnValues, UpdateCommandInput['ReturnValues']> = {
  none: 'NONE', allNew: 'ALL_NEW', allOld: 'ALL_OLD', updatedNew: 'UPDATED_NEW', updatedOld: 'UPDATED_OLD',
};

/** `params` with the ReturnValues that `returnValues` sends (none for `'none'`). */
export function withReturnValues(params: UpdateCommandInput, returnValues: ReturnValues): UpdateCommandInput {
  if (returnValues !== 'none') params.ReturnValues = RETURN_VALUES[returnValues];
  return params;
}

/** The parts of one update request. */
export interface UpdateRequest {
  /** Stored primary key. */
  key: Record<string, unknown>;
  /** Actions whose values are JS values, converted and validated through the schema. */
  actions?: readonly UpdateAction[] | undefined;
  /** Actions whose values are already in stored form (a partial save's diff). */
  storedActions?: readonly UpdateAction[] | undefined;
  /** The caller's guards (`expect`, `condition`, `overwrite: false`). */
  guards?: WriteConditions | undefined;
  /** A condition whose values are already in stored form (expected old values). */
  storedCondition?: Condition | undefined;
  /**
   * Require that the item exists (an update otherwise creates it). For a model with an
   * `entity`, that it exists as that entity (which implies it exists).
   */
  mustExist?: boolean | undefined;
}

/**
 * Params of an UpdateItem (also the body of a transaction's Update): one placeholder
 * allocator for the update and its condition. A model with an `entity` only updates an
 * item of its own entity (or, without `mustExist`, creates one where none is). Throws
 * ExpressionError / ValidationError before anything is sent.
 */
export function updateParams(schema: ModelSchema, table: string, request: UpdateRequest): UpdateCommandInput {
  const attrs = new ExpressionAttributes();
  const hooks = expressionHooks(schema);
  const raw = { isAttribute: hooks.isAttribute, resolveName: hooks.resolveName };
  const parts: string[] = [];
  if (request.actions?.length) parts.push(compileUpdate(request.actions, attrs, hooks));
  const stored = [...(request.storedActions ?? []), ...entityTypeAction(schema, request)];
  if (stored.length) parts.push(compileUpdate(stored, attrs, raw));
  const params: UpdateCommandInput = { TableName: table, Key: request.key, UpdateExpression: mergeClauses(parts) };
  const conditions: string[] = [];
  // The entity condition (`<entityField> = :entity`) implies the item exists; `overwrite: false` drops it.
  const entity = schema.entity !== undefined && request.guards?.overwrite !== false;
  if (request.mustExist && !entity) conditions.push(`attribute_exists(${attrs.name(schema.hash)})`);
  const guard = writeCondition(schema, attrs, request.guards ?? {}, request.mustExist ? 'own' : 'absentOrOwn');
  if (guard) conditions.push(guard);
  if (request.storedCondition) conditions.push(compileCondition(request.storedCondition, attrs, raw));
  if (conditions.length) {
    params.ConditionExpression = conditions.length === 1 ? conditions[0] : conditions.map((c) => `(${c})`).join(' AND ');
    params.ReturnValuesOnConditionCheckFailure = 'ALL_OLD';
  }
  return withExpressionAttributes(params, attrs);
}

/**
 * An update that may create its item (no `mustExist`) stores the entity type with it, so
 * the item is its model's; its condition allows only an absent or own item, so the SET
 * never retypes another entity's item.
 */
function entityTypeAction(schema: ModelSchema, request: UpdateRequest): UpdateAction[] {
  if (schema.entity === undefined || request.mustExist) return [];
  const field = schema.entityField;
  const touches = (a: UpdateAction) => (typeof a.path === 'string' ? a.path === field : a.path[0] === field);
  if (request.storedActions?.some(touches) || request.actions?.some(touches)) return [];
  return [set(literalPath(field), schema.entity)];
}

/**
 * Joins compiled update expressions: DynamoDB allows each clause keyword once, so
 * `SET a REMOVE b` + `SET c` becomes `SET a, c REMOVE b`.
 */
function mergeClauses(parts: string[]): string {
  if (parts.length === 1) return parts[0];
  const clauses = new Map<string, string[]>();
  for (const part of parts) {
    for (const m of part.matchAll(/(SET|REMOVE|ADD|DELETE) (.*?)(?= (?:SET|REMOVE|ADD|DELETE) |$)/g)) {
      clauses.set(m[1], [...(clauses.get(m[1]) ?? []), m[2]]);
    }
  }
  return ['SET', 'REMOVE', 'ADD', 'DELETE'].filter((k) => clauses.has(k)).map((k) => `${k} ${clauses.get(k)!.join(', ')}`).join(' ');
}

/**
 * Sends an UpdateItem; returns what `returnValues` asked for (the raw stored attributes).
 * A failed condition becomes ConditionFailedError (ItemExistsError when `itemExists`: the
 * update was conditional on no item existing) with the stored item.
 */
export async function updateItem(
  db: Database,
  schema: ModelSchema,
  params: UpdateCommandInput,
  returnValues: ReturnValues,
  toInstance?: (item: Record<string, unknown>) => unknown,
  itemExists = false,
): Promise<Record<string, unknown> | undefined> {
  const table = params.TableName!;
  withReturnValues(params, returnValues);
  try {
    const out = await db.connection.send<{ Attributes?: Record<string, unknown> }>(new UpdateCommand(params), { channel: 'database-access', table, scope: db.scope });
    return out.Attributes;
  } catch (err) {
    throw conditionError(err, schema, 'update', itemExists, toInstance);
  }
}
