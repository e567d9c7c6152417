/**
 * Optimistic versions. A model that names a version attribute gets lost-update protection:
 * the first save requires that no item exists and stores version 1; every later save,
 * update and delete is conditional on the version the instance was loaded with and stores
 * the next one. A mismatch becomes a {@link VersionConflictError} carrying the stored item.
 */
import { and, attr, type Condition } from '../expressions/condition-ast.js';
import { path as literalPath } from '../expressions/path.js';
import { ConditionFailedError, EntityMismatchError, rawSdkError, VersionConflictError } from '../errors.js';
import { randomBytes } from 'node:crypto';
import { numberText } from '../schema/attribute.js';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { set, setIfNotExists, type UpdateAction } from '../expressions/update.js';
import { wrapNumber } from '../client.js';
import { LINEAGE, WRITE_MARK_PREFIX, WRITE_SLOT, type ModelSchema } from '../schema/model-schema.js';

/** The per-call opt-out of version checks. */
export interface VersionOptions {
  /**
   * Skip the version check of this one write (an administrative fix, a migration). The
   * stored version is still advanced, atomically (the write is sent as an UpdateItem that
   * increments it), so copies loaded earlier conflict afterwards. Only a moved or copied
   * key is written with the loaded version + 1. Default `false`.
   */
  ignoreVersion?: boolean | undefined;
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
  /** The write is also checked against the lineage of the item it was loaded from (see LINEAGE). */
  guardsLineage?: boolean | undefined;
  /** That lineage (`undefined`: an item stored before lineages). */
  lineage?: unknown | undefined;
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
  const version = loaded === undefined ? and(attr(literalPath(schema.hash)).exists(), at.notExists()) : at.eq(loaded);
  // And it must be the same item, not one deleted and created again since (which starts over at version 1).
  const lineage = stored[LINEAGE] === undefined ? attr(literalPath(LINEAGE)).notExists() : attr(literalPath(LINEAGE)).eq(stored[LINEAGE]);
  const guard = and(version, lineage);
  return { attribute: name, expected: loaded, next: (loaded ?? 0) + 1, guard, mustNotExist: false, increment: false, guardsLineage: true, lineage: stored[LINEAGE] };
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
  if (!plan || plan.increment || !(err instanceof ConditionFailedError) || err instanceof VersionConflictError || err instanceof EntityMismatchError) return err;
  if (plan.mustNotExist) {
    // The first save of a versioned item raced another creator: ItemExistsError already says so.
    return err;
  }
  const actual = storedVersion(schema, err.item);
  const replaced = plan.guardsLineage === true && err.item !== undefined && plan.lineage !== failedItem(err)?.[LINEAGE];
  if (err.item !== undefined && actual === plan.expected && !replaced) return err;
  const what = err.item === undefined ? 'the item no longer exists' : replaced ? `it was deleted and created again (version ${actual ?? '(none)'} is stored)` : `version ${actual ?? '(none)'} is stored`;
  return new VersionConflictError(
    `${schema.name}: version conflict: expected version ${plan.expected ?? '(none)'} but ${what}; reload and retry`,
    plan.expected, actual, err.item, err.current, err,
  );
}

/*
 * Exactly once under lost answers. When DynamoDB applied a write but its answer was lost, the
 * SDK resends it; a versioned resend then fails its own version check, and if the caller
 * took that for a conflict and redid the change, it would be applied twice. So every checked
 * versioned write leaves a mark: `_w<next mod H>` = `"<next>:<random id>"`, one of H slots
 * (the model's `writeHistory`, default 8) holding who wrote each of the last H versions, and
 * the item's lineage `_wl` (a random id set when the item is created, so an item deleted and
 * created again is not mistaken for the one a write was aimed at). One version is written
 * by exactly one write, so a failed resend looks at the slot of the version it would have
 * written: its own mark means it landed; another writer's mark, or a version reached by an
 * unchecked write, means it did not; a slot already reused by a later version (more than H
 * versions in between) or another lineage means nobody can know, which is an
 * OutcomeUnknownError — never a conflict that invites a retry.
 */

export { LINEAGE, WRITE_SLOT };

/** What one checked versioned write records, and how to recognise it later. */
export interface WriteMark {
  /** The slot attribute, `_w<next mod H>`. */
  slot: string;
  /** `"<next>:<id>"`. */
  value: string;
  /** The version it writes. */
  next: number;
  /** The version it expects stored (`0` for an item stored before it had a version). */
  expected: number;
  /** The write creates the item (a first save, a moved or copied key): it must not exist. */
  create: boolean;
  /** The lineage the write stores: the snapshot's, or a fresh one for a new item or one that had none. */
  lineage: string | undefined;
  /** The lineage of the item as loaded (`undefined`: none yet). */
  baseLineage: string | undefined;
  /** Whether the item's lineage is known (from a snapshot or a new item; not for a write by key). */
  lineageKnown: boolean;
}

const freshId = (bytes: number) => randomBytes(bytes).toString('base64url');

/**
 * The mark of a checked versioned write under `plan`; `undefined` for unchecked or unversioned
 * writes. `create`: the write makes a new item (first save, moved or copied key).
 */
export function writeMark(schema: ModelSchema, plan: VersionPlan | undefined, stored: Record<string, unknown> | undefined, options: { byKey?: boolean; create?: boolean } = {}): WriteMark | undefined {
  if (!plan || plan.increment) return undefined;
  const create = options.create === true || plan.mustNotExist || (!stored && !options.byKey);
  const baseLineage = create || !stored ? undefined : (stored[LINEAGE] as string | undefined);
  // A new item gets a lineage; so does a loaded item that has none yet (the write is guarded on its absence).
  const lineage = options.byKey ? undefined : baseLineage ?? freshId(9);
  return {
    slot: `${WRITE_MARK_PREFIX}${plan.next % schema.writeHistory}`,
    value: `${plan.next}:${freshId(12)}`,
    next: plan.next,
    expected: plan.expected ?? 0,
    create,
    lineage,
    baseLineage,
    lineageKnown: !options.byKey,
  };
}

/**
 * The item a checked put stores: the new values, the snapshot's slots carried over (a put
 * replaces the whole item; a new item starts with none), this write's slot, and the lineage.
 */
export function markedItem(item: Record<string, unknown>, mark: WriteMark | undefined, stored: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!mark) return item;
  const out = { ...item };
  if (stored && !mark.create) for (const [k, v] of Object.entries(stored)) if (WRITE_SLOT.test(k)) out[k] = v;
  out[mark.slot] = mark.value;
  if (mark.lineage !== undefined) out[LINEAGE] = mark.lineage;
  return out;
}

/**
 * The snapshot after a checked update (a partial save, an `update()`) whose new item is only
 * known locally (in a transaction): the values, the stored marks, this write's mark.
 */
export function markedAfterUpdate(item: Record<string, unknown>, mark: WriteMark | undefined, stored: Record<string, unknown> | undefined): Record<string, unknown> {
  const out = { ...item };
  if (stored) for (const [k, v] of Object.entries(stored)) if (WRITE_SLOT.test(k) || k === LINEAGE) out[k] = v;
  if (mark) {
    out[mark.slot] = mark.value;
    if (mark.lineage !== undefined) out[LINEAGE] = mark.lineage;
  }
  return out;
}

/** The update actions that record a write's mark (an update keeps the other slots), and a new lineage where it gives one. */
export function markActions(mark: WriteMark | undefined): UpdateAction[] {
  if (mark === undefined) return [];
  const actions = [set(literalPath(mark.slot), mark.value)];
  if (mark.lineage !== undefined && mark.lineage !== mark.baseLineage) actions.push(set(literalPath(LINEAGE), mark.lineage));
  return actions;
}

/** A fresh lineage attribute for a new item's stored form. */
export function freshLineage(): Record<string, string> {
  return { [LINEAGE]: freshId(9) };
}

/**
 * The action an unchecked write that may create an item adds, so that every versioned item
 * has a lineage however it was created (a resend aimed at an earlier item then cannot pass
 * for a write to this one).
 */
export function lineageIfMissing(): UpdateAction {
  return setIfNotExists(literalPath(LINEAGE), freshId(9));
}

/** What is known of a write whose answer was lost. */
export type Outcome = 'landed' | 'not-applied' | 'unknown';

/**
 * Decides whether a checked versioned write landed, from the item stored when its resend
 * failed (`found`, in stored form; `undefined` when there was none). `resent`: an earlier
 * attempt's outcome was unknown (without one, the write surely did not land).
 */
export function judgeWrite(schema: ModelSchema, mark: WriteMark, found: Record<string, unknown> | undefined, resent: boolean, deleting = false): Outcome {
  if (!deleting && found?.[mark.slot] === mark.value) return 'landed';
  if (!resent) return 'not-applied';
  if (!found) return deleting ? 'landed' : 'unknown';
  const foundLineage = found[LINEAGE];
  // Our own fresh lineage on the item: our write made it (its slot may have been reused since).
  if (!deleting && mark.lineage !== undefined && mark.lineage !== mark.baseLineage && foundLineage === mark.lineage) return 'landed';
  // A create that finds another item: that item is not ours.
  if (mark.create) return 'not-applied';
  if (mark.lineageKnown && foundLineage !== mark.baseLineage) return 'unknown';
  if (deleting) return mark.lineageKnown ? 'not-applied' : 'unknown';
  const version = storedVersion(schema, found) ?? 0;
  if (version <= mark.expected) return mark.lineageKnown ? 'not-applied' : 'unknown';
  const slot = typeof found[mark.slot] === 'string' ? (found[mark.slot] as string) : '';
  const slotVersion = Number(slot.slice(0, slot.indexOf(':')));
  // The slot was reused by a later version: the writer of ours is forgotten.
  if (slot && slotVersion > mark.next) return 'unknown';
  // Another writer's mark for our version, or our version reached by an unchecked write.
  return 'not-applied';
}

/** The raw stored item a failed conditional write came back with, in stored (document) form. */
export function failedItem(err: unknown): Record<string, unknown> | undefined {
  if (!(err instanceof ConditionFailedError)) return undefined;
  const raw = (rawSdkError(err.cause) as { Item?: Record<string, any> } | undefined)?.Item;
  return raw ? unmarshall(raw, { wrapNumbers: wrapNumber }) : undefined;
}
