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
  | 'NO_DATABASE'
  | 'INVALID_CURSOR'
  | 'INVALID_EXPRESSION'
  | 'UNPROCESSED'
  | 'DUPLICATE_KEY'
  | 'TRANSACTION_CANCELED'
  | 'TRANSACTION_TOO_LARGE'
  | 'TARGET_NOT_FOUND'
  | 'MAX_RETRIES_EXCEEDED'
  | 'LOCK_NOT_ACQUIRED'
  | 'LOCK_LOST'
  | 'REQUEST_BUDGET_EXCEEDED'
  | 'DYNAMODB_LOCAL';

/** Base class of every error dynagraph raises. */
export class DynagraphError extends Error {
  /** Stable machine-readable code. */
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
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
  /** Every problem found, one per field. */
  readonly issues: FieldIssue[];

  constructor(model: string, issues: FieldIssue[]) {
    super('VALIDATION', `${model}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
    this.issues = issues;
  }
}

/** A model, attribute, index or relationship declaration is invalid. Raised at declaration time. */
export class SchemaError extends DynagraphError {
  constructor(message: string) {
    super('SCHEMA', message);
  }
}

/** An expression (condition, filter, update, projection) is malformed or names an unknown attribute. */
export class ExpressionError extends DynagraphError {
  constructor(message: string) {
    super('INVALID_EXPRESSION', message);
  }
}

/** No {@link Dynagraph} is bound to the model and none was given. */
export class NoDatabaseError extends DynagraphError {
  constructor(model: string) {
    super('NO_DATABASE', `${model}: no database; pass { db }, call db.bind(${model}) or create a Dynagraph first`);
  }
}

/**
 * A conditional write failed. `item` is the item as stored when the condition was
 * checked (DynamoDB's `ReturnValuesOnConditionCheckFailure`), or `undefined` when there was none.
 */
export class ConditionFailedError extends DynagraphError {
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

/** `save({ overwrite: false })` (or a first versioned save) found an item with the same key. */
export class ItemExistsError extends ConditionFailedError {
  constructor(message: string, item?: Record<string, unknown>, current?: unknown, cause?: unknown) {
    super(message, item, current, 'ITEM_EXISTS', cause);
  }
}

/** A loaded instance's key attributes changed and `save()` was not told what to do about it. */
export class KeyChangedError extends DynagraphError {
  constructor(model: string, fields: string[]) {
    super('KEY_CHANGED', `${model}: key attribute${fields.length > 1 ? 's' : ''} ${fields.map((f) => `"${f}"`).join(', ')} changed since the item was loaded; DynamoDB cannot rename a key. Pass save({ onKeyChange: 'move' }) to move the item atomically, or 'copy' to write a new item and keep the old one.`);
  }
}

/** A live table differs from what the model declares. */
export class TableMismatchError extends DynagraphError {
  /** Every difference found. */
  readonly differences: string[];
  constructor(table: string, differences: string[]) {
    super('TABLE_MISMATCH', `table "${table}" differs from its models: ${differences.join('; ')}`);
    this.differences = differences;
  }
}

/** A cursor could not be used: malformed, tampered, unsigned, or from another table, index or partition. */
export class InvalidCursorError extends DynagraphError {
  constructor(reason: string) {
    super('INVALID_CURSOR', `invalid cursor: ${reason}`);
  }
}

/**
 * A batch read or write gave up with work left (the retry bound was hit). `keys` are exactly
 * the keys not read / items not written; everything else was done.
 */
export class UnprocessedError extends DynagraphError {
  /** The keys (stored form) not processed, with their physical table. */
  readonly unprocessed: { table: string; key: Record<string, unknown> }[];
  constructor(operation: string, unprocessed: { table: string; key: Record<string, unknown> }[], attempts: number) {
    super('UNPROCESSED', `${operation}: ${unprocessed.length} key(s) still unprocessed after ${attempts} attempts: ${unprocessed.slice(0, 5).map((u) => `${u.table} ${JSON.stringify(u.key, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}`).join('; ')}${unprocessed.length > 5 ? '; …' : ''}`);
    this.unprocessed = unprocessed;
  }
}

/** The same key appears twice in one batch write; DynamoDB would reject the whole batch. */
export class DuplicateKeyError extends DynagraphError {
  constructor(table: string, key: Record<string, unknown>) {
    super('DUPLICATE_KEY', `batch write: key ${JSON.stringify(key, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))} appears more than once for table "${table}"`);
  }
}
