/**
 * Optimistic versions. A model that names a version attribute gets lost-update protection:
 * the first save requires that no item exists and stores version 1; every later save,
 * update and delete is conditional on the version the instance was loaded with and stores
 * the next one. A mismatch becomes a {@link VersionConflictError} carrying the stored item.
 */
import { and, attr, type Condition } from '../expressions/condition-ast.js';
import { path as literalPath } from '../expressions/path.js';
import { ConditionFailedError, VersionConflictError } from '../errors.js';
import { numberText } from '../schema/attribute.js';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { set, type UpdateAction } from '../expressions/update.js';
import { wrapNumber } from '../client.js';
import { WRITE_ID, type ModelSchema } from './schema.js';

/** The per-call opt-out of version checks. */
export interface VersionOptions {
  /**
   * Skip the version check of this one write (an administrative fix, a migration). The
   * stored version is still advanced, atomically (the write is sent as an UpdateItem that
   * increments it), so copies loaded earlier conflict afterwards. Only a moved or copied
   * key is written with the loaded version + 1. Default `false`.
   */
  ignoreVersion?: boolean;
}

/** What a versioned write checks and stores. */
export interface VersionPlan {
  /** The version attribute. */
  attribute: string;
  /** The version the write expects stored; `undefined` for a first save or an unchecked write. */
  expected: number | undefined;
  /** The version the write stores (for an unchecked update: see `increment`). */
  next: number;
  /** The condition guarding the write, if it is checked. */
  guard: Condition | undefined;
  /** A first save: the item must not exist. */
  mustNotExist: boolean;
  /** An unchecked update advances the stored version atomically instead of setting `next`. */
  increment: boolean;
}

/** The version stored in an item, as a number (`undefined` when absent). */
export function storedVersion(schema: ModelSchema, item: Record<string, unknown> | undefined): number | undefined {
  const v = schema.version === undefined ? undefined : item?.[schema.version];
  return v === undefined || v === null ? undefined : Number(numberText(v));
}

/**
 * The version plan of a write of an instance whose snapshot is `stored` (`undefined`: never
 * saved). `undefined` when the model has no version attribute.
 */
export function planVersion(schema: ModelSchema, stored: Record<string, unknown> | undefined, options: VersionOptions = {}): VersionPlan | undefined {
  const name = schema.version;
  if (name === undefined) return undefined;
  const loaded = storedVersion(schema, stored);
  if (options.ignoreVersion) return { attribute: name, expected: undefined, next: (loaded ?? 0) + 1, guard: undefined, mustNotExist: false, increment: true };
  if (!stored) return { attribute: name, expected: undefined, next: 1, guard: undefined, mustNotExist: true, increment: false };
  const at = attr(literalPath(name));
  // An item written before the model had versions has none yet: it must still have none.
  const guard = loaded === undefined ? and(attr(literalPath(schema.hash)).exists(), at.notExists()) : at.eq(loaded);
  return { attribute: name, expected: loaded, next: (loaded ?? 0) + 1, guard, mustNotExist: false, increment: false };
}

/** The plan of a write by key with an expected version given by the caller (or none: unchecked). */
export function planByKey(schema: ModelSchema, expectVersion: number | undefined): VersionPlan | undefined {
  const name = schema.version;
  if (name === undefined) return undefined;
  if (expectVersion === undefined) return { attribute: name, expected: undefined, next: 0, guard: undefined, mustNotExist: false, increment: true };
  return { attribute: name, expected: expectVersion, next: expectVersion + 1, guard: attr(literalPath(name)).eq(expectVersion), mustNotExist: false, increment: false };
}

/** ANDs the conditions given, skipping the missing ones. */
export function allOf(...conditions: (Condition | undefined)[]): Condition | undefined {
  const present = conditions.filter((c): c is Condition => c !== undefined);
  return present.length === 0 ? undefined : present.length === 1 ? present[0] : and(...present);
}

/**
 * Turns a failed conditional write into a VersionConflictError when the stored version is not
 * the one expected; other failures (the caller's own condition) are returned unchanged.
 */
export function versionError(schema: ModelSchema, plan: VersionPlan | undefined, err: unknown): unknown {
  if (!plan || plan.increment || !(err instanceof ConditionFailedError) || err instanceof VersionConflictError) return err;
  if (plan.mustNotExist) {
    // The first save of a versioned item raced another creator: ItemExistsError already says so.
    return err;
  }
  const actual = storedVersion(schema, err.item);
  if (err.item !== undefined && actual === plan.expected) return err;
  const what = err.item === undefined ? 'the item no longer exists' : `version ${actual ?? '(none)'} is stored`;
  return new VersionConflictError(
    `${schema.name}: version conflict: expected version ${plan.expected ?? '(none)'} but ${what}; reload and retry`,
    plan.expected, actual, err.item, err.current, err,
  );
}

/*
 * A versioned write stores its own random id (WRITE_ID). When a write is applied but its
 * answer is lost (a dropped connection), the SDK resends it and the resend fails its own
 * version check; finding our id on the stored item tells "my write landed" from "someone
 * else's write won", so the first is not reported as a conflict (and not applied twice by a
 * caller that retries).
 */
export { WRITE_ID };

/** The update action that records a write's id. */
export function writeIdActions(writeId: string | undefined): UpdateAction[] {
  return writeId === undefined ? [] : [set(literalPath(WRITE_ID), writeId)];
}

/**
 * The stored item, when a conditional write failed only because it had already been
 * applied: the item DynamoDB returned carries this write's id. Otherwise `undefined`.
 */
export function ownWriteLanded(err: unknown, writeId: string | undefined): Record<string, unknown> | undefined {
  if (writeId === undefined || !(err instanceof ConditionFailedError)) return undefined;
  const raw = (err.cause as { Item?: Record<string, any> } | undefined)?.Item;
  if (raw?.[WRITE_ID]?.S !== writeId) return undefined;
  return unmarshall(raw, { wrapNumbers: wrapNumber });
}
