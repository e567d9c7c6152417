/**
 * Deciding the outcome of a write whose answer was lost. A connection reset, a timeout or a
 * 5xx after DynamoDB applied a write is normal on a network; the SDK then resends it, and
 * the resend may fail on the write's own earlier success (or the retries run out with the
 * outcome unknown). Every instance and by-key write passes its failure through here, so that
 * one call is applied once: it either succeeds (it landed), fails with the error it would
 * have had (it surely did not land), or fails with OutcomeUnknownError (nobody can know) —
 * never with a conflict that a caller's retry would apply a second time.
 */
import { outcomeWasUnknown } from '../operations/outcome.js';
import { ConditionFailedError, ItemExistsError, OutcomeUnknownError, VersionConflictError } from '../errors.js';
import type { Database } from '../operations/context.js';
import { getItem } from '../operations/items.js';
import { sameStored } from './changes.js';
import type { ModelSchema } from '../schema/model-schema.js';
import { failedItem, judgeWrite, LINEAGE, storedVersion, versionError, type Outcome, type VersionPlan, type WriteMark } from './versioning.js';

/** A failed write to decide. */
export interface FailedWrite {
  schema: ModelSchema;
  /** Stored key of the item written. */
  key: Record<string, unknown>;
  kind: 'put' | 'update' | 'delete';
  /** The version plan (versioned models). */
  plan?: VersionPlan | undefined;
  /** The mark of a checked versioned write. */
  mark?: WriteMark | undefined;
  /** For a put: the whole item it stores. */
  item?: Record<string, unknown> | undefined;
  /** The caller gave a condition of its own (`expect` / `condition`; `overwrite: false` is not one). */
  conditional?: boolean | undefined;
  /** A put that must not find an item (`overwrite: false`, an autoincrement id). */
  create?: boolean | undefined;
}

/** What a write that landed after all leaves stored, as far as known. */
export interface Landed {
  /** The stored item read while deciding (may hold later writers' changes); `undefined` after a delete. */
  found: Record<string, unknown> | undefined;
}

/**
 * Decides a failed write: returns {@link Landed} when it was applied after all, or throws the
 * error to report (the version conflict or condition failure it really met, a typed network
 * error when it surely was not applied, or OutcomeUnknownError).
 */
export async function settleFailedWrite(db: Database, write: FailedWrite, err: unknown): Promise<Landed> {
  const unknownAtEnd = err instanceof OutcomeUnknownError;
  if (!unknownAtEnd && !(err instanceof ConditionFailedError)) throw err;
  // Another entity's item at the key: no write of this model ever touches it.
  if ((err as ConditionFailedError).code === 'ENTITY_MISMATCH') throw err;
  const resent = unknownAtEnd || outcomeWasUnknown(err);
  if (!resent && !write.mark) throw versionError(write.schema, write.plan, err);
  // Nothing stored can tell whether an unversioned update was applied.
  if (unknownAtEnd && !write.mark && write.kind === 'update') throw err;
  let found: Record<string, unknown> | undefined;
  if (unknownAtEnd) {
    // The last attempt's answer was lost too: a strongly consistent read tells what is stored now.
    try {
      found = await getItem(db, write.schema, write.key, { consistent: true });
    } catch {
      throw err;
    }
  } else {
    found = failedItem(err);
  }
  const outcome = decide(write, found, resent);
  db.connection.log({ channel: 'model', command: 'lost-answer', message: `${write.schema.name} ${write.kind}: ${outcome}` });
  if (outcome === 'landed') return { found: write.kind === 'delete' ? undefined : found };
  if (outcome === 'unknown') throw unknownAtEnd ? err : new OutcomeUnknownError(commandOf(write.kind), db.tableName(write.schema), write.key, err);
  if (!unknownAtEnd) throw versionError(write.schema, write.plan, err);
  // Surely not applied, but no condition was evaluated: say what is stored now.
  if (write.kind === 'put' && write.create && found && !write.mark) {
    throw new ItemExistsError(`${write.schema.name}: put: an item with this key already exists`, write.schema.decode(found), undefined, err);
  }
  const stored = storedVersion(write.schema, found);
  // Still the version it expected: the request may yet be in flight at DynamoDB, so nobody can say.
  if (write.mark && (stored ?? 0) === write.mark.expected) throw err;
  if (write.mark) {
    throw new VersionConflictError(`${write.schema.name}: version conflict: expected version ${write.mark.expected} but ${found ? `version ${stored ?? '(none)'} is stored` : 'the item no longer exists'}; reload and retry`,
      write.mark.expected, stored, found ? write.schema.decode(found) : undefined, undefined, err);
  }
  // Not applied yet, but a request that timed out may still be in flight: the outcome stays unknown.
  throw err;
}

function commandOf(kind: FailedWrite['kind']): string {
  return kind === 'put' ? 'PutItem' : kind === 'update' ? 'UpdateItem' : 'DeleteItem';
}

/** The outcome of a write from the item stored after it (`resent`: some attempt's outcome was unknown). */
function decide(write: FailedWrite, found: Record<string, unknown> | undefined, resent: boolean): Outcome {
  if (write.mark) return judgeWrite(write.schema, write.mark, found, resent, write.kind === 'delete');
  if (!resent) return 'not-applied';
  if (write.kind === 'delete') return found === undefined ? 'landed' : write.conditional ? 'unknown' : 'not-applied';
  if (write.kind !== 'put') return 'unknown';
  if (write.item && found && sameStored(found, write.item)) return 'landed';
  // A create's own lineage on the item (an autoincrement save): it landed, and was changed since.
  if (write.create && write.item?.[LINEAGE] !== undefined && found?.[LINEAGE] === write.item[LINEAGE]) return 'landed';
  // A create that finds another item: that item is not ours.
  if (write.create && !write.conditional && found) return 'not-applied';
  return 'unknown';
}
