/**
 * Every error dynagraph raises is a {@link DynagraphError} with a stable `code`,
 * so callers can branch on `err.code` instead of parsing messages.
 */

/** Stable machine-readable codes of every error dynagraph raises. */
export type ErrorCode =
  | 'VALIDATION'
  | 'SCHEMA'
  | 'ITEM_EXISTS'
  | 'KEY_CHANGED'
  | 'CONDITION_FAILED'
  | 'VERSION_CONFLICT'
  | 'NOT_FOUND'
  | 'TABLE_MISMATCH'
  /** A live table needs changes no UpdateTable can make (key schema, LSIs, a GSI's key or projection). */
  | 'TABLE_CHANGE_REFUSED'
  | 'NO_DATABASE'
  | 'INVALID_CURSOR'
  | 'INVALID_EXPRESSION'
  | 'UNPROCESSED'
  | 'DUPLICATE_KEY'
  | 'TRANSACTION_CANCELED'
  | 'TRANSACTION_TOO_LARGE'
  | 'TARGET_NOT_FOUND'
  /** A delete refused by an edge declared `onDelete: 'restrict'` that still has items. */
  | 'DELETE_RESTRICTED'
  | 'MAX_RETRIES_EXCEEDED'
  | 'LOCK_NOT_ACQUIRED'
  | 'LOCK_LOST'
  | 'REQUEST_BUDGET_EXCEEDED'
  | 'DYNAMODB_LOCAL'
  /** A write's answer was lost and whether DynamoDB applied it cannot be known; do not blindly retry. */
  | 'OUTCOME_UNKNOWN'
  /** DynamoDB throttled the request and the SDK's retries ran out. */
  | 'THROTTLED'
  /** The table (or index) does not exist. */
  | 'TABLE_NOT_FOUND'
  /** DynamoDB refused the request as invalid (`ValidationException`). */
  | 'DYNAMODB_VALIDATION'
  /** The request could not reach DynamoDB (connection refused, reset before sending, DNS). */
  | 'NETWORK'
  /** Any other error DynamoDB or the SDK raised. */
  | 'DYNAMODB_ERROR'
  /** A batch read or write could not finish: the error lists what was done, not done and unknown. */
  | 'BATCH_INCOMPLETE'
  /** A key holds an item of another entity of a shared table. */
  | 'ENTITY_MISMATCH'
  /** A held instance has unsaved changes and a newer stored item arrived. */
  | 'STALE_INSTANCE'
  /** `get()` of a relationship edge that has not been loaded. */
  | 'EDGE_NOT_LOADED';

/** Base class of every error dynagraph raises. */
export class DynagraphError extends Error {
  static { this.prototype.name = 'DynagraphError'; }
  /** Stable machine-readable code. */
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    // Each class of ours names itself on its prototype (a string survives minifiers, a class name
    // does not); a subclass that does not, such as an application's own, keeps its class name.
    this.name = Object.hasOwn(new.target.prototype, 'name') ? new.target.prototype.name : new.target.name;
  }
}

/** One bad field found by validation. `path` is the attribute (or nested path) at fault. */
export interface FieldIssue {
  /** Attribute name or nested path such as `address.city` or `tags[2]`. */
  path: string;
  /** What was wrong. */
  message: string;
}

/** Input failed validation; raised before any request is sent. Lists every bad field. */
export class ValidationError extends DynagraphError {
  static { this.prototype.name = 'ValidationError'; }
  /** Every problem found, one per field. */
  readonly issues: FieldIssue[];

  constructor(model: string, issues: FieldIssue[]) {
    super('VALIDATION', `${model}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
    this.issues = issues;
  }
}

/** A model, attribute, index or relationship declaration is invalid. Raised at declaration time. */
export class SchemaError extends DynagraphError {
  static { this.prototype.name = 'SchemaError'; }
  constructor(message: string) {
    super('SCHEMA', message);
  }
}

/** An expression (condition, filter, update, projection) is malformed or names an unknown attribute. */
export class ExpressionError extends DynagraphError {
  static { this.prototype.name = 'ExpressionError'; }
  constructor(message: string) {
    super('INVALID_EXPRESSION', message);
  }
}

/** No {@link Dynagraph} is bound to the model and none was given. */
export class NoDatabaseError extends DynagraphError {
  static { this.prototype.name = 'NoDatabaseError'; }
  constructor(model: string) {
    super('NO_DATABASE', `${model}: no database; pass { db }, call db.bind(${model}) or create a Dynagraph first`);
  }
}

/**
 * A conditional write failed. `item` is the item as stored when the condition was
 * checked (DynamoDB's `ReturnValuesOnConditionCheckFailure`), or `undefined` when there was none.
 */
export class ConditionFailedError extends DynagraphError {
  static { this.prototype.name = 'ConditionFailedError'; }
  /** The stored item, decoded into the model's values (or the raw item when no model applies). */
  readonly item: Record<string, unknown> | undefined;
  /** The stored item as a model instance, when the failing write had a model. */
  readonly current: unknown;

  constructor(message: string, item?: Record<string, unknown>, current?: unknown, code: ErrorCode = 'CONDITION_FAILED', cause?: unknown) {
    super(code, message, { cause });
    this.item = item;
    this.current = current;
  }
}

/**
 * A write through a model of a shared table met an item of another entity at its key
 * (every write of a model with an `entity` is conditional on the item being absent or of
 * that entity): nothing was written. `item` is the stored item as DynamoDB returned it
 * (not decoded: it is not this model's); `current` is `undefined`.
 */
export class EntityMismatchError extends ConditionFailedError {
  static { this.prototype.name = 'EntityMismatchError'; }
  /** The model written through (its class name). */
  readonly model: string;
  /** The stored primary key. */
  readonly key: Record<string, unknown>;
  /** The entity the model writes. */
  readonly expected: string;
  /** The entity-type value found on the stored item (`undefined`: it has none). */
  readonly found: unknown;

  constructor(model: string, what: string, key: Record<string, unknown>, expected: string, found: unknown, item?: Record<string, unknown>, cause?: unknown) {
    const text = JSON.stringify(key, (_k, v) => (typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v));
    super(`${model}: ${what}: key ${text} holds ${found === undefined ? 'an item without an entity type' : `a ${JSON.stringify(found)} item`}, not a ${JSON.stringify(expected)}; nothing was written`, item, undefined, 'ENTITY_MISMATCH', cause);
    this.model = model;
    this.key = key;
    this.expected = expected;
    this.found = found;
  }
}

/** `save({ overwrite: false })` (or a first versioned save) found an item with the same key. */
export class ItemExistsError extends ConditionFailedError {
  static { this.prototype.name = 'ItemExistsError'; }
  constructor(message: string, item?: Record<string, unknown>, current?: unknown, cause?: unknown) {
    super(message, item, current, 'ITEM_EXISTS', cause);
  }
}

/** A loaded instance's key attributes changed and `save()` was not told what to do about it. */
export class KeyChangedError extends DynagraphError {
  static { this.prototype.name = 'KeyChangedError'; }
  constructor(model: string, fields: string[]) {
    super('KEY_CHANGED', `${model}: key attribute${fields.length > 1 ? 's' : ''} ${fields.map((f) => `"${f}"`).join(', ')} changed since the item was loaded; DynamoDB cannot rename a key. Pass save({ onKeyChange: 'move' }) to move the item atomically, or 'copy' to write a new item and keep the old one.`);
  }
}

/** A live table differs from what the model declares. */
export class TableMismatchError extends DynagraphError {
  static { this.prototype.name = 'TableMismatchError'; }
  /** Every difference found. */
  readonly differences: string[];
  constructor(table: string, differences: string[]) {
    super('TABLE_MISMATCH', `table "${table}" differs from its models: ${differences.join('; ')}`);
    this.differences = differences;
  }
}

/** Changes a live table needs that cannot be applied in place; nothing was sent. */
export class TableChangeRefusedError extends DynagraphError {
  static { this.prototype.name = 'TableChangeRefusedError'; }
  /** Each refused change and its table. */
  readonly refused: { table: string; change: string }[];
  constructor(refused: readonly { table: string; change: string }[]) {
    super('TABLE_CHANGE_REFUSED', `cannot apply table changes: ${refused.map((r) => `${r.table}: ${r.change}`).join('; ')}`);
    this.refused = [...refused];
  }
}

/** A cursor could not be used: malformed, tampered, unsigned, or from another table, index or partition. */
export class InvalidCursorError extends DynagraphError {
  static { this.prototype.name = 'InvalidCursorError'; }
  constructor(reason: string) {
    super('INVALID_CURSOR', `invalid cursor: ${reason}`);
  }
}

/** The same key appears twice in one batch write; DynamoDB would reject the whole batch. */
export class DuplicateKeyError extends DynagraphError {
  static { this.prototype.name = 'DuplicateKeyError'; }
  constructor(table: string, key: Record<string, unknown>) {
    super('DUPLICATE_KEY', `batch write: key ${JSON.stringify(key, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))} appears more than once for table "${table}"`);
  }
}

/**
 * A versioned write found a different version stored than the one the instance was loaded
 * with: someone else wrote the item in between (the lost update it prevents). Reload (or
 * use `current`) and redo the change. `item` / `current` are the item as stored at the check.
 */
export class VersionConflictError extends ConditionFailedError {
  static { this.prototype.name = 'VersionConflictError'; }
  /** The version the write expected to find (`undefined`: expected no item). */
  readonly expected: number | undefined;
  /** The version found stored (`undefined`: no item, or an item without a version). */
  readonly actual: number | undefined;

  constructor(message: string, expected: number | undefined, actual: number | undefined, item?: Record<string, unknown>, current?: unknown, cause?: unknown) {
    super(message, item, current, 'VERSION_CONFLICT', cause);
    this.expected = expected;
    this.actual = actual;
  }
}

/** Why one action of a canceled transaction failed, mapped back to what the caller gave. */
export interface CancellationReason {
  /** Position of the action in the transaction (0-based, in the order the actions were added). */
  index: number;
  /** The kind of action. */
  action: 'put' | 'update' | 'delete' | 'check';
  /** Name of the model of the action's item. */
  model: string;
  /** DynamoDB's code: `ConditionalCheckFailed`, `TransactionConflict`, `ItemCollectionSizeLimitExceeded`, ... */
  code: string;
  /** DynamoDB's message, if any. */
  message?: string;
  /** The instance given to the action, when it was given one. */
  instance?: unknown;
  /** The stored item when the condition was checked, decoded into the model's values. */
  item?: Record<string, unknown>;
  /** The stored item as a model instance. */
  current?: unknown;
  /** `true` when the failed condition was the optimistic version check. */
  versionConflict: boolean;
  /** Set when the action failed because its key holds an item of another entity (`item` is then that raw item). */
  entityMismatch?: EntityMismatchError;
}

/**
 * DynamoDB canceled a transaction: nothing was written. `reasons` lists each action that
 * failed (actions that did not fail are left out), mapped to the action and instance.
 */
export class TransactionCanceledError extends DynagraphError {
  static { this.prototype.name = 'TransactionCanceledError'; }
  /** The failed actions. */
  readonly reasons: CancellationReason[];
  /** The idempotency token the transaction was sent with. */
  readonly token: string | undefined;

  constructor(reasons: CancellationReason[], token: string | undefined, cause?: unknown) {
    const text = reasons.map((r) => `[${r.index}] ${r.action} ${r.model}: ${r.entityMismatch ? 'EntityMismatch' : r.versionConflict ? 'VersionConflict' : r.code}`).join('; ');
    super('TRANSACTION_CANCELED', `transaction canceled: ${text || 'no reason given'}`, { cause });
    this.reasons = reasons;
    this.token = token;
  }

  /** `true` when every failure is a conflict with another transaction (retrying may succeed). */
  get conflict(): boolean {
    return this.reasons.length > 0 && this.reasons.every((r) => r.code === 'TransactionConflict');
  }
}

/** A transaction holds more actions than DynamoDB accepts (100); raised before sending, never split silently. */
export class TransactionTooLargeError extends DynagraphError {
  static { this.prototype.name = 'TransactionTooLargeError'; }
  /** How many actions were given. */
  readonly actions: number;
  constructor(actions: number, limit: number) {
    super('TRANSACTION_TOO_LARGE', `a transaction holds at most ${limit} actions; this one has ${actions}. Nothing was sent.`);
    this.actions = actions;
  }
}

/** A getter of the transaction engine found no target (the original's TargetNotFoundError). */
export class TargetNotFoundError extends DynagraphError {
  static { this.prototype.name = 'TargetNotFoundError'; }
  /** Position of the transactor whose getter returned nothing. */
  readonly transactor: number;
  constructor(transaction: string, transactor: number) {
    super('TARGET_NOT_FOUND', `${transaction}: the getter of transactor ${transactor} found no target`);
    this.transactor = transactor;
  }
}

/** The transaction engine gave up after its bound of attempts, every one lost to a conflict. */
export class MaxRetriesExceededError extends DynagraphError {
  static { this.prototype.name = 'MaxRetriesExceededError'; }
  /** Attempts made. */
  readonly attempts: number;
  constructor(transaction: string, attempts: number, cause?: unknown) {
    super('MAX_RETRIES_EXCEEDED', `${transaction}: still conflicting after ${attempts} attempts; nothing was written`, { cause });
    this.attempts = attempts;
  }
}

/** The AWS error name of an SDK error (raw, or wrapped in a {@link DynamoDBError}). */
export function sdkErrorName(err: unknown): string | undefined {
  return (rawSdkError(err) as { name?: string } | undefined)?.name;
}

/** The raw SDK error behind a wrapped one (or the error itself). */
export function rawSdkError(err: unknown): unknown {
  return err instanceof DynamoDBError ? err.cause : err;
}

/**
 * DynamoDB or the SDK raised an error that dynagraph has no more specific type for: a
 * missing table (`TABLE_NOT_FOUND`), a request DynamoDB refused (`DYNAMODB_VALIDATION`),
 * throttling after the SDK's retries (`THROTTLED`), a request that never reached DynamoDB
 * (`NETWORK`), anything else (`DYNAMODB_ERROR`). `cause` is the SDK's error.
 */
export class DynamoDBError extends DynagraphError {
  static { this.prototype.name = 'DynamoDBError'; }
  /** DynamoDB's API name of the command, e.g. `Query`. */
  readonly command: string;
  /** The physical table(s) the request was for, if known. */
  readonly table: string | undefined;
  /** The SDK's error name, e.g. `ResourceNotFoundException`. */
  readonly awsName: string;
  constructor(code: ErrorCode, command: string, table: string | undefined, cause: unknown) {
    const e = cause as { name?: string; message?: string };
    super(code, `${command}${table ? ` on table "${table}"` : ''} failed: ${e?.name ?? 'Error'}: ${e?.message ?? String(cause)}`, { cause });
    this.command = command;
    this.table = table;
    this.awsName = e?.name ?? 'Error';
  }
}

/**
 * A write whose answer was lost (a connection dropped or timed out, or DynamoDB answered 500,
 * after the request may have reached it) and whose outcome dynagraph could not decide:
 * DynamoDB may or may not have applied it. Read the item before deciding what to do; a blind
 * retry could apply the write twice. `cause` is the last error seen.
 */
export class OutcomeUnknownError extends DynagraphError {
  static { this.prototype.name = 'OutcomeUnknownError'; }
  /** DynamoDB's API name of the command, e.g. `PutItem`. */
  readonly command: string;
  /** The physical table, if known. */
  readonly table: string | undefined;
  /** The stored key of the item written, when the write had one. */
  readonly key: Record<string, unknown> | undefined;
  constructor(command: string, table: string | undefined, key: Record<string, unknown> | undefined, cause: unknown, detail = '') {
    super('OUTCOME_UNKNOWN', `${command}${table ? ` on table "${table}"` : ''}${key ? ` of key ${JSON.stringify(key, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}` : ''}: the answer was lost and DynamoDB may or may not have applied the write${detail ? ` (${detail})` : ''}; read the item before retrying`, { cause });
    this.command = command;
    this.table = table;
    this.key = key;
  }
}

/** Set on an SDK error (and its request's context) when an attempt's outcome was unknown (see client.ts); read by operations/outcome.ts. */
export const RESENT = Symbol.for('dynagraph.resentAfterUnknownOutcome');
const THROTTLES = new Set(['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded', 'ThrottlingError']);
const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);
/** @internal Failures the operations map to their own typed errors (they carry the stored item), and those errors' codes. */
export const MAPPED_BY_OPERATIONS: Readonly<Record<string, ErrorCode>> = { ConditionalCheckFailedException: 'CONDITION_FAILED', TransactionCanceledException: 'TRANSACTION_CANCELED' };

/** @internal What dynagraph reads of an SDK error. */
export type SdkFailure = { name?: string; code?: string; $metadata?: { httpStatusCode?: number }; $response?: { statusCode?: number }; [RESENT]?: boolean };

/**
 * @internal An SDK error as a DynagraphError: {@link OutcomeUnknownError} for a write an attempt
 * may have applied, else {@link DynamoDBError}; the two that operations map pass unchanged.
 */
export function fromSdkError(err: unknown, command: string, table: string | undefined, key: Record<string, unknown> | undefined): unknown {
  if (err instanceof DynagraphError) return err;
  const raw = err as SdkFailure;
  if (Object.hasOwn(MAPPED_BY_OPERATIONS, raw?.name ?? '')) return err;
  // Only what an HTTP attempt saw counts: errors raised before any attempt (credentials, marshalling) were never sent.
  if (WRITES.has(command) && raw?.[RESENT]) return new OutcomeUnknownError(command, table, key, err);
  return new DynamoDBError(sdkErrorCode(raw), command, table, err);
}

function sdkErrorCode(err: SdkFailure): ErrorCode {
  const name = err?.name ?? '';
  if (name === 'ResourceNotFoundException') return 'TABLE_NOT_FOUND';
  if (name === 'ValidationException') return 'DYNAMODB_VALIDATION';
  if (THROTTLES.has(name)) return 'THROTTLED';
  const status = err?.$metadata?.httpStatusCode ?? err?.$response?.statusCode;
  // No answer, or a 2xx whose body was lost on the way: the network failed, not DynamoDB.
  const answered = status !== undefined && !(status >= 200 && status < 300);
  if (!answered && (err?.code !== undefined || name === 'TimeoutError' || name === 'AbortError')) return 'NETWORK';
  return 'DYNAMODB_ERROR';
}
