/**
 * The errors of edges' write effects: a create whose required target is missing, a delete
 * refused by `onDelete: 'restrict'`. Each names the edge and the key; nothing was written.
 */
import { DynagraphError } from '../errors.js';

/** A write needs a related item that does not exist (an edge's `requireTarget`, or a counter's parent); nothing was written. */
export class MissingTargetError extends DynagraphError {
  static { this.prototype.name = 'MissingTargetError'; }
  constructor(/** The edge, as `Model.field`. */ readonly edge: string, /** The target's model. */ readonly model: string, /** The target's stored key. */ readonly key: Record<string, unknown>, cause?: unknown) {
    super('TARGET_NOT_FOUND', `${edge}: no ${model} ${keyText(key)}; nothing was written`, { cause });
  }
}

/** A delete refused because an edge declared `onDelete: 'restrict'` still has items; nothing was written. */
export class DeleteRestrictedError extends DynagraphError {
  static { this.prototype.name = 'DeleteRestrictedError'; }
  constructor(/** The restricting edge, as `Model.field`. */ readonly edge: string, /** Stored key of the item not deleted. */ readonly key: Record<string, unknown>, /** The blocking items read (the first page; empty when only the edge's counter told). */ readonly blocking: readonly unknown[], detail: string, cause?: unknown) {
    super('DELETE_RESTRICTED', `cannot delete ${keyText(key)}: ${edge} is restrict and ${detail}; nothing was written`, { cause });
  }
}

function keyText(key: unknown): string {
  return JSON.stringify(key, (_k, v) => (typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v));
}
