/**
 * What the batch writes take: models and instances without a version attribute (batch writes
 * cannot check a version, so a versioned model's batch write does not compile).
 */
import type { ModelClassRuntime } from './instance.js';
import type { AnyModel, INSTANCE_TYPES, MODEL_TYPES, PersistentModel } from './model.js';

/** What a versioned model is told by the batch writes, which cannot check a version. */
export interface VersionedBatchRefusal {
  /** Batch writes (putMany, deleteMany, writeMany) cannot check versions: use save() / delete() or a transaction. */
  readonly 'batch writes cannot check versions: use save(), delete() or db.transactWrite': true;
}
/** `unknown` for a model without a version attribute; a refusal its class lacks otherwise. */
export type Unversioned<M extends AnyModel> = [M[typeof MODEL_TYPES]['version']] extends [never] ? unknown : VersionedBatchRefusal;

/** An instance of a model without a version attribute, as the batch writes take them (a versioned one does not compile). */
export type UnversionedInstance = PersistentModel & { readonly [INSTANCE_TYPES]?: { readonly version: never } };
/** A model class without a version attribute, as `db.writeMany` deletes take them (a versioned one does not compile). */
export type UnversionedModel = ModelClassRuntime & { readonly [MODEL_TYPES]?: { readonly version: never } };
/**
 * One write of `db.writeMany`: an instance to put, or a model and key to delete. Batch writes
 * cannot check versions, so a versioned model's put or delete does not compile.
 */
export type UnversionedBatchWrite = { put: UnversionedInstance } | { delete: [model: UnversionedModel, key: Record<string, unknown>] };
