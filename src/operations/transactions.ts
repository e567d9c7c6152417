/**
 * TransactWriteItems and TransactGetItems: pure params builders and senders. A write
 * transaction is checked before sending (at most 100 actions, one action per item), sent
 * with an idempotency token that is kept across retries, and a cancellation is mapped
 * back to the actions that failed, with the stored item of each decoded.
 */
import { randomUUID } from 'node:crypto';
import { TransactGetCommand, TransactWriteCommand, type TransactGetCommandInput, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { wrapNumber } from '../client.js';
import { OutcomeUnknownError, sdkErrorName, TransactionCanceledError, TransactionTooLargeError, ValidationError, type CancellationReason } from '../errors.js';
import { outcomeWasUnknown } from './outcome.js';
import { compileProjection } from '../expressions/projection.js';
import { ExpressionAttributes } from '../expressions/placeholders.js';
import type { ModelSchema } from '../schema/model-schema.js';
import type { Database } from './context.js';
import { expressionHooks } from './expression-hooks.js';
import { keyId } from './key-id.js';
import { entityMismatch, withExpressionAttributes, writeCondition } from './items.js';
import { backoff } from './retry.js';

/** DynamoDB's limit on the actions (and gets) of one transaction. */
export const MAX_TRANSACTION_ACTIONS = 100;

/** One action of a write transaction, compiled, with what is needed to explain its failure. */
export interface TransactAction {
  kind: 'put' | 'update' | 'delete' | 'check';
  schema: ModelSchema;
  /** The model's name for messages (its class name); the schema's name when omitted. */
  name?: string | undefined;
  /** Stored primary key of the item the action targets. */
  key: Record<string, unknown>;
  /** The Put / Update / Delete / ConditionCheck body. */
  body: Record<string, unknown>;
  /** The model instance the action was given, if any. */
  instance?: unknown | undefined;
  /** Builds an instance from a stored item (for a reason's `current`). */
  toInstance?: ((item: Record<string, unknown>) => unknown) | undefined;
  /** The version the action's condition expects stored, when it checks one. */
  expectedVersion?: number | undefined;
}

const BODY: Record<TransactAction['kind'], string> = { put: 'Put', update: 'Update', delete: 'Delete', check: 'ConditionCheck' };

/** Identity of an item across tables, for finding two actions on one item (the injective {@link keyId}). */
function itemId(table: unknown, key: Record<string, unknown>): string {
  return keyId(String(table), Object.keys(key).sort(), key);
}

/**
 * Checks a transaction before anything is sent: 1 to 100 actions, and no item targeted twice
 * (DynamoDB would reject the whole request).
 */
export function checkTransaction(actions: readonly TransactAction[], limit = MAX_TRANSACTION_ACTIONS): void {
  if (actions.length > limit) throw new TransactionTooLargeError(actions.length, limit);
  if (actions.length === 0) throw new ValidationError('transaction', [{ path: '(actions)', message: 'a transaction needs at least one action' }]);
  const seen = new Map<string, number>();
  actions.forEach((a, i) => {
    const id = itemId(a.body.TableName, a.key);
    const first = seen.get(id);
    if (first !== undefined) {
      throw new ValidationError('transaction', [{ path: `[${i}]`, message: `${a.kind} targets the same ${a.schema.name} item as action [${first}]; DynamoDB allows one action per item in a transaction` }]);
    }
    seen.set(id, i);
  });
}

/** The params of a TransactWriteItems. */
export function transactWriteParams(actions: readonly TransactAction[], token: string): TransactWriteCommandInput {
  return {
    TransactItems: actions.map((a) => ({ [BODY[a.kind]]: a.body })) as TransactWriteCommandInput['TransactItems'],
    ClientRequestToken: token,
  };
}

/**
 * Checks a write transaction (see checkTransaction) and its token, then builds its params;
 * the token is a random UUID when not given.
 */
export function checkedTransactWriteParams(actions: readonly TransactAction[], token: string = randomUUID()): TransactWriteCommandInput {
  checkTransaction(actions);
  if (typeof token !== 'string' || token.length < 1 || token.length > 36) {
    throw new ValidationError('transaction', [{ path: 'token', message: 'an idempotency token is 1 to 36 characters' }]);
  }
  return transactWriteParams(actions, token);
}

/** Maps a TransactionCanceledException to a typed error naming each failed action; other errors pass. */
export function cancellationError(err: unknown, actions: readonly TransactAction[], token: string | undefined): unknown {
  const e = err as { name?: string; CancellationReasons?: { Code?: string; Message?: string; Item?: Record<string, any> }[] };
  if (e?.name !== 'TransactionCanceledException') return err;
  const reasons: CancellationReason[] = [];
  (e.CancellationReasons ?? []).forEach((r, index) => {
    if (!r.Code || r.Code === 'None') return;
    const action = actions[index];
    if (!action) return;
    const raw = r.Item ? unmarshall(r.Item, { wrapNumbers: wrapNumber }) : undefined;
    const model = action.name || action.schema.name;
    // A write (not a check) of an entity model is guarded against other entities' items: such an item is not decoded as ours.
    const foreign = r.Code === 'ConditionalCheckFailed' && action.kind !== 'check'
      ? entityMismatch(action.schema, model, action.kind, action.key, raw, err) : undefined;
    const item = raw ? (foreign ? raw : action.schema.decode(raw)) : undefined;
    const version = action.schema.version;
    const stored = version !== undefined && raw?.[version] !== undefined ? Number(String(raw[version])) : undefined;
    reasons.push({
      index,
      action: action.kind,
      model,
      code: r.Code,
      message: r.Message,
      instance: action.instance,
      item,
      current: raw && action.toInstance && !foreign ? action.toInstance(raw) : undefined,
      versionConflict: !foreign && r.Code === 'ConditionalCheckFailed' && action.expectedVersion !== undefined && stored !== action.expectedVersion,
      ...(foreign ? { entityMismatch: foreign } : {}),
    });
  });
  return new TransactionCanceledError(reasons, token, err);
}

/** Options of {@link sendTransactWrite}. */
export interface TransactWriteOptions {
  /** Idempotency token (ClientRequestToken); generated when omitted, and kept across retries. */
  token?: string | undefined;
  /**
   * Retry, with the same token, a transaction canceled only by conflicts with other
   * transactions (or still in progress), up to the database's retry bound. Default `true`.
   */
  retryConflicts?: boolean | undefined;
}

/** Worth resending with the same token: a conflict with another transaction, one still in progress, a lost answer. */
function retryable(err: unknown): boolean {
  if (err instanceof TransactionCanceledError) return err.conflict;
  return err instanceof OutcomeUnknownError || sdkErrorName(err) === 'TransactionInProgressException';
}

/**
 * Sends one TransactWriteItems. Checks it first; maps a cancellation to
 * TransactionCanceledError. Returns the token used.
 *
 * Exactly once: every resend carries the same idempotency token, and DynamoDB applies one
 * token's transaction at most once (for 10 minutes), so a resend after a lost answer is
 * harmless — and a resend is also how a lost answer is decided: the same token answers
 * success if the first attempt landed. When some attempt's outcome was unknown and every
 * later one was lost to conflicts too, the result is an OutcomeUnknownError, never a
 * cancellation that would invite a re-run under a new token.
 */
export async function sendTransactWrite(db: Database, actions: readonly TransactAction[], options: TransactWriteOptions = {}): Promise<string> {
  const params = checkedTransactWriteParams(actions, options.token);
  const token = params.ClientRequestToken!;
  const table = actions.length ? String(actions[0].body.TableName) : undefined;
  let unknown: unknown;
  for (let attempt = 1; ; attempt++) {
    try {
      await db.connection.send(new TransactWriteCommand({ ...params }), { channel: 'transactions', table, scope: db.scope });
      return token;
    } catch (err) {
      if (outcomeWasUnknown(err)) unknown ??= err;
      const mapped = cancellationError(err, actions, token);
      // A condition failing under the same token means no attempt landed (a landed one answers success).
      const decided = mapped instanceof TransactionCanceledError && !mapped.conflict;
      const mayRetry = options.retryConflicts !== false || unknown !== undefined;
      if (decided || !retryable(mapped) || !mayRetry || attempt >= db.retry.attempts) {
        if (!decided && unknown !== undefined) throw new OutcomeUnknownError('TransactWriteItems', table, undefined, mapped, `token ${token}`);
        throw mapped;
      }
      db.connection.retried('TransactWriteItems', db.scope);
      db.connection.log({ channel: 'transactions', command: 'TransactWriteItems', table, message: `${mapped instanceof OutcomeUnknownError ? 'lost answer' : 'conflict'}; retry ${attempt} with token ${token}` });
      await backoff(db.retry, attempt);
    }
  }
}

/** One read of a TransactGetItems. */
export interface TransactGet {
  schema: ModelSchema;
  key: Record<string, unknown>;
  projection?: readonly string[] | undefined;
}

/** The params of a TransactGetItems. */
export function transactGetParams(db: Database, gets: readonly TransactGet[]): TransactGetCommandInput {
  return {
    TransactItems: gets.map((g) => {
      const body: Record<string, unknown> = { TableName: db.tableName(g.schema), Key: g.key };
      if (g.projection?.length) {
        const attrs = new ExpressionAttributes();
        body.ProjectionExpression = compileProjection([...g.projection, ...g.schema.keyNames], attrs, expressionHooks(g.schema));
        Object.assign(body, attrs.toParams());
      }
      return { Get: body };
    }) as TransactGetCommandInput['TransactItems'],
  };
}

/**
 * Reads up to 100 items in one serializable snapshot (TransactGetItems); `undefined` where
 * an item is missing, in input order. Conflicts with concurrent transactions are retried.
 */
export async function sendTransactGet(db: Database, gets: readonly TransactGet[]): Promise<(Record<string, unknown> | undefined)[]> {
  if (gets.length > MAX_TRANSACTION_ACTIONS) throw new TransactionTooLargeError(gets.length, MAX_TRANSACTION_ACTIONS);
  if (gets.length === 0) return [];
  const table = db.tableName(gets[0].schema);
  for (let attempt = 1; ; attempt++) {
    try {
      const out = await db.connection.send<{ Responses?: { Item?: Record<string, unknown> }[] }>(new TransactGetCommand(transactGetParams(db, gets)), { channel: 'transactions', table, scope: db.scope });
      return gets.map((_, i) => out.Responses?.[i]?.Item);
    } catch (err) {
      const e = err as { name?: string; CancellationReasons?: { Code?: string }[] };
      const conflict = e.name === 'TransactionCanceledException' && (e.CancellationReasons ?? []).some((r) => r.Code === 'TransactionConflict');
      if (!conflict || attempt >= db.retry.attempts) throw getCancellationError(err, gets);
      db.connection.retried('TransactGetItems', db.scope);
      await backoff(db.retry, attempt);
    }
  }
}

/** A canceled TransactGetItems as a typed error naming the reads that failed. */
function getCancellationError(err: unknown, gets: readonly TransactGet[]): unknown {
  const e = err as { name?: string; CancellationReasons?: { Code?: string; Message?: string }[] };
  if (e?.name !== 'TransactionCanceledException') return err;
  const reasons: CancellationReason[] = (e.CancellationReasons ?? []).flatMap((r, index) => (!r.Code || r.Code === 'None' || !gets[index] ? [] : [{
    index, action: 'check' as const, model: gets[index].schema.name, code: r.Code, message: r.Message, versionConflict: false,
  }]));
  return new TransactionCanceledError(reasons, undefined, err);
}

/** The body of a ConditionCheck: the item must satisfy `condition` (compiled with the schema's hooks). */
export function checkParams(schema: ModelSchema, table: string, key: Record<string, unknown>, condition: Parameters<typeof writeCondition>[2]['condition']): Record<string, unknown> {
  const attrs = new ExpressionAttributes();
  const body: Record<string, unknown> = { TableName: table, Key: key, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' };
  body.ConditionExpression = writeCondition(schema, attrs, { condition });
  return withExpressionAttributes(body, attrs);
}
