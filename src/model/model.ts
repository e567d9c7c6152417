/**
 * `Model({...})`: turns one declaration into a base class whose instances are typed
 * from it, with persistence (`save`, `delete`) and static reads (`get`, `put`).
 */
import type { AttributeMap, InputOf, KeyInput, Settled, ValuesOf } from '../schema/types.js';
import type { Attribute } from '../schema/attribute.js';
import type { IndexDeclaration } from '../schema/indexes.js';
import type { Database } from '../operations/context.js';
import { getItem, type GetOptions } from '../operations/items.js';
import { databaseOf } from './binding.js';
import { decodePartial, getMany, materialize, Query, querySpec, scanSpec, type ModelReadOptions } from './reads.js';
import { writeMany, type BatchWrite } from './batches.js';
import type { BatchGetOptions } from '../operations/batch-get.js';
import type { BatchWriteOptions } from '../operations/batch-write.js';
import { instanceFromItem, ModelBase, STATE, type ModelClassRuntime } from './instance.js';
import { describeChanges, diffItems, type Change } from './changes.js';
import { updateInstance, type DeleteOptions, type InstanceUpdateOptions, type SaveOptions } from './writes.js';
import type { AnyUpdateSpec } from './update-spec.js';
import { updateByKey } from './writes-by-key.js';
import { deleteByKeyThroughEdges, deleteThroughEdges, saveThroughEdges } from './effect-writes.js';
import type { ModelDeleteOptions, ModelUpdateOptions, UpdateResult, UpdateSpecOf, UpdateSpecOfModel, ValuesOfInstance } from './write-types.js';
import type { ReturnValues } from '../operations/update.js';
import type { DryRunRequest } from '../operations/dry-run.js';
import type { Projected } from './projection-types.js';
import {
  batchGetRequests, deleteByKeyRequests, getProjection, getRequests, instanceDeleteRequests, instanceUpdateRequests,
  keyRequests, nextIdRequests, saveRequests, updateByKeyRequests, writeManyRequests, type SaveParamsOptions,
} from './dry-runs.js';
import { ModelSchema, type ModelDefinition, type ModelOptions, type TimestampsOptions, type WithTimestamps } from '../schema/model-schema.js';

/** Phantom key carrying a model's declaration types. */
export declare const MODEL_TYPES: unique symbol;

/** The declaration types of a model, kept for inference. */
export interface ModelTypes<A extends AttributeMap = any, H extends string = any, R extends string = any, I = any, V extends string = any, N extends string = any> {
  attributes: A;
  hash: H;
  range: R;
  indexes: I;
  /** The version attribute (`never` without one). */
  version: V;
  /** Attributes that may be left out on construction (the version, an autoincrement key). */
  optionalInput: N;
  // Derived once per model (a member of this interface is resolved once per model, then
  // read by every signature that names it) instead of at every call site.
  /** The attribute values of instances. */
  values: ValuesOf<A>;
  /** The primary key input. */
  key: KeyInput<A, H, R>;
  /** Query key conditions: on the table (under `''`) and on each secondary index. */
  queryKeys: QueryKeys<A, H, R, I>;
}
/**
 * What any model's declaration types are: {@link ModelTypes} with every member `any`, as a
 * plain interface so that checking a model against {@link AnyModel} compares members
 * (each against `any`) instead of first computing the variance of `ModelTypes`.
 */
export interface AnyModelTypes {
  attributes: any;
  hash: any;
  range: any;
  indexes: any;
  version: any;
  optionalInput: any;
  values: any;
  key: any;
  queryKeys: any;
}
/** Any class made by `Model()` (or a subclass of one). */
export interface AnyModel {
  new (...args: any[]): PersistentModel;
  readonly schema: ModelSchema;
  readonly [MODEL_TYPES]: AnyModelTypes;
}

/** The primary key input of a model class. */
export type KeyOf<M extends AnyModel> = M[typeof MODEL_TYPES]['key'];
/** The constructor / put input of a model class. */
export type InputOfModel<M extends AnyModel> = LooseInput<M[typeof MODEL_TYPES]['attributes'], M[typeof MODEL_TYPES]['optionalInput']>;
/** The attribute values of a model class's instances. */
export type ValuesOfModel<M extends AnyModel> = M[typeof MODEL_TYPES]['values'];

export type { IndexNameOf, QueryKeyOf, ProjectionPathOf, QueryOptions, QueryResult } from './query-types.js';
import type { IndexNameOf, QueryKeyOf, ProjectionPathOf, QueryOptions, QueryResult, QueryKeys } from './query-types.js';

export type { SaveOptions, DeleteOptions, KeyChangePolicy, InstanceUpdateOptions } from './writes.js';
export type { ModelUpdateOptions, ModelDeleteOptions, ExpectVersionOf, NoVersionAttribute, UpdateResult, UpdateSpecOf, UpdateSpecOfModel } from './write-types.js';

export type { VersionedBatchRefusal, Unversioned, UnversionedInstance, UnversionedModel, UnversionedBatchWrite } from './batch-types.js';
import type { Unversioned } from './batch-types.js';

/** Instance methods every model has. */
export class PersistentModel extends ModelBase {
  /** The model's database for this call: given, the instance's own, then the model's. */
  protected databaseFor(db?: Database): Database {
    const cls = this.constructor as ModelClassRuntime;
    return db ?? this[STATE].db ?? databaseOf(cls, cls.name);
  }

  /** The stored item this instance would write; throws ValidationError listing every bad field. */
  toItem(): Record<string, unknown> {
    return (this.constructor as ModelClassRuntime).schema.encode(this as unknown as Record<string, unknown>);
  }

  /**
   * Writes the whole item (PutItem), or with `partial: true` only what changed since it was
   * loaded (one UpdateItem). Validates first: nothing is sent when a field is bad. With
   * `overwrite: false`, `expect` or `condition` the write is conditional and a failure
   * raises ItemExistsError / ConditionFailedError carrying the stored item. A versioned
   * model's save is conditional on the loaded version (VersionConflictError on a mismatch)
   * unless `{ ignoreVersion: true }`; an autoincrement model's new instance gets its id here.
   * A new item whose edges act on creates (`requireTarget`, a counter) is written in one
   * transaction with their checks and counter changes.
   */
  async save<T extends PersistentModel>(this: T, options: SaveOptions<ValuesOfInstance<T>> = {}): Promise<T> {
    await saveThroughEdges(this.databaseFor(options.db), this, options);
    return this;
  }

  /**
   * Applies update actions to the stored item in one UpdateItem — `{ add: { coins: -10 } }`,
   * `{ set: { 'address.city': 'Oslo' }, remove: ['coupon'] }` — typed against the model,
   * validated before sending, conditional on the item existing (and on the loaded version;
   * opt out with `ignoreVersion`). The instance then holds the item as stored; unsaved edits
   * of attributes the update did not touch are kept.
   */
  async update<T extends PersistentModel>(this: T, spec: UpdateSpecOf<T>, options: InstanceUpdateOptions<ValuesOfInstance<T>> = {}): Promise<T> {
    await updateInstance(this.databaseFor(options.db), this, spec as AnyUpdateSpec, options);
    return this;
  }

  /**
   * Dry run of `save(options)`: the requests it would send, nothing sent (see DryRunRequest).
   * An autoincrement model's new instance: the counter's UpdateItem, then the PutItem under
   * `nextId` (default 1; the real id comes from the counter). A moved key's transaction token
   * is random unless `token` is given.
   */
  saveParams<T extends PersistentModel>(this: T, options: SaveParamsOptions<ValuesOfInstance<T>> = {}): DryRunRequest[] {
    return saveRequests(this.databaseFor(options.db), this, options);
  }

  /** Dry run of `update(spec, options)`: its UpdateItem, nothing sent. */
  updateParams<T extends PersistentModel>(this: T, spec: UpdateSpecOf<T>, options: InstanceUpdateOptions<ValuesOfInstance<T>> = {}): DryRunRequest[] {
    return instanceUpdateRequests(this.databaseFor(options.db), this, spec as AnyUpdateSpec, options);
  }

  /** Dry run of `delete(options)`: its DeleteItem, nothing sent. */
  deleteParams<T extends PersistentModel>(this: T, options: DeleteOptions<ValuesOfInstance<T>> = {}): DryRunRequest[] {
    return instanceDeleteRequests(this.databaseFor(options.db), this, options);
  }

  /** `true` when the instance differs from the item as last read or written (deeply), or was never saved. */
  isDirty(): boolean {
    const stored = this[STATE].stored;
    return !stored || this.changes().length > 0;
  }

  /**
   * What a partial save would write: each changed attribute or nested path with its action.
   * Empty for an unchanged instance; for a never-saved one, every attribute is a SET.
   */
  changes(): Change[] {
    const schema = (this.constructor as ModelClassRuntime).schema;
    const item = schema.encode(this as unknown as Record<string, unknown>);
    return describeChanges(diffItems(schema, this[STATE].stored ?? {}, item, schema.version ? [schema.version] : []));
  }

  /**
   * Deletes the item (by its key as last stored, else as now). Conditional with `expect` /
   * `condition`, and for a versioned model on the loaded version. Edges declared with
   * `onDelete` (and counters of its to-one edges) act in the same transaction.
   */
  async delete<T extends PersistentModel>(this: T, options: DeleteOptions<ValuesOfInstance<T>> = {}): Promise<void> {
    await deleteThroughEdges(this.databaseFor(options.db), this, options);
  }

  /** Reads one item by key; `null` when there is none. */
  static get<M extends AnyModel>(this: M, key: KeyOf<M>, options?: Omit<GetOptions, 'projection'> & { db?: Database | undefined }): Promise<InstanceType<M> | null>;
  /**
   * With a projection: only those attributes or nested paths, as a plain object narrowed to
   * them (never an instance that could be saved half-empty).
   */
  static get<M extends AnyModel, const P extends ProjectionPathOf<M>>(this: M, key: KeyOf<M>, options: Omit<GetOptions, 'projection'> & { projection: readonly P[]; db?: Database | undefined }): Promise<Projected<ValuesOfModel<M>, P> | null>;
  static async get<M extends AnyModel>(this: M, key: KeyOf<M>, options: GetOptions & { db?: Database | undefined } = {}): Promise<unknown> {
    const db = options.db ?? databaseOf(this, this.name);
    const schema = this.schema;
    const projection = getProjection(schema, options.projection);
    const item = await getItem(db, schema, schema.key(key as Record<string, unknown>), projection ? { consistent: options.consistent, projection } : options);
    // In a shared table the key may hold another model's item: that is not ours.
    if (!item || (schema.entity !== undefined && item[schema.entityField] !== schema.entity)) return null;
    if (options.projection) return decodePartial(schema, item, options.projection);
    return materialize(db, this as unknown as ModelClassRuntime, item);
  }

  /** Dry run of `get(key, options)`: its GetItem, nothing sent. */
  static getParams<M extends AnyModel>(this: M, key: KeyOf<M>, options: Omit<GetOptions, 'projection'> & { projection?: readonly ProjectionPathOf<M>[] | undefined; db?: Database | undefined } = {}): DryRunRequest[] {
    return getRequests(options.db ?? databaseOf(this, this.name), this as unknown as ModelClassRuntime, key as Record<string, unknown>, options);
  }

  /** Dry run of `put(values, options)`: validates, then returns what the save would send (see `saveParams`). */
  static putParams<M extends AnyModel>(this: M, values: InputOfModel<M>, options: SaveParamsOptions<ValuesOfModel<M>> = {}): DryRunRequest[] {
    return (new this(values) as InstanceType<M>).saveParams(options);
  }

  /** Dry run of `delete(key, options)`: its DeleteItem, nothing sent. */
  static deleteParams<M extends AnyModel>(this: M, key: KeyOf<M>, options: ModelDeleteOptions<M> = {}): DryRunRequest[] {
    return deleteByKeyRequests(options.db ?? databaseOf(this, this.name), this as unknown as ModelClassRuntime, key as Record<string, unknown>, options as DeleteOptions & { expectVersion?: number | undefined });
  }

  /**
   * Dry run of `update(key, spec, options)`: its UpdateItem (with the ReturnValues it asks
   * for; through a session `'none'` is asked as `ALL_NEW`), nothing sent.
   */
  static updateParams<M extends AnyModel>(this: M, key: KeyOf<M>, spec: UpdateSpecOfModel<M>, options: ModelUpdateOptions<M> = {}): DryRunRequest[] {
    return updateByKeyRequests(options.db ?? databaseOf(this, this.name), this as unknown as ModelClassRuntime, key as Record<string, unknown>, spec as AnyUpdateSpec, options as ModelUpdateOptions);
  }

  /** Dry run of `getMany(keys, options)`: one BatchGetItem per chunk of at most 100 distinct keys. */
  static getManyParams<M extends AnyModel>(this: M, keys: readonly KeyOf<M>[], options: BatchGetOptions & { db?: Database | undefined } = {}): DryRunRequest[] {
    const db = options.db ?? databaseOf(this, this.name);
    return batchGetRequests(db, keyRequests(db, this as unknown as ModelClassRuntime, keys), options);
  }

  /** Dry run of `putMany(items)`: validates every item, then one BatchWriteItem per chunk of at most 25. */
  static putManyParams<M extends AnyModel>(this: M & Unversioned<M>, items: readonly (InputOfModel<M> | InstanceType<M>)[], options: { db?: Database | undefined } = {}): DryRunRequest[] {
    const db = options.db ?? databaseOf(this, this.name);
    return writeManyRequests(db, items.map((i) => ({ put: (i instanceof this ? i : new this(i)) as InstanceType<M> })));
  }

  /** Dry run of `deleteMany(keys)`: one BatchWriteItem per chunk of at most 25. */
  static deleteManyParams<M extends AnyModel>(this: M & Unversioned<M>, keys: readonly KeyOf<M>[], options: { db?: Database | undefined } = {}): DryRunRequest[] {
    const db = options.db ?? databaseOf(this, this.name);
    const model = this as unknown as ModelClassRuntime;
    return writeManyRequests(db, keys.map((k): BatchWrite => ({ delete: [model, k as Record<string, unknown>] })));
  }

  /** Dry run of an autoincrement model's counter: the UpdateItem that hands out its next id. */
  static nextIdParams<M extends AnyModel>(this: M, options: { db?: Database | undefined } = {}): DryRunRequest[] {
    return nextIdRequests(options.db ?? databaseOf(this, this.name), this as unknown as ModelClassRuntime);
  }

  /** Validates a raw document and writes it; returns the saved instance. Unknown attributes are rejected. */
  static async put<M extends AnyModel>(this: M, values: InputOfModel<M>, options: SaveOptions<ValuesOfModel<M>> = {}): Promise<InstanceType<M>> {
    const instance = new this(values) as InstanceType<M>;
    return instance.save(options);
  }

  /**
   * Deletes an item by key, optionally conditional; `expectVersion` makes it conditional on
   * that stored version (VersionConflictError otherwise). When the model's edges act on
   * deletes, the item is read first (one consistent GetItem) and deleted with their effects.
   */
  static async delete<M extends AnyModel>(this: M, key: KeyOf<M>, options: ModelDeleteOptions<M> = {}): Promise<void> {
    const db = options.db ?? databaseOf(this, this.name);
    await deleteByKeyThroughEdges(db, this as unknown as ModelClassRuntime, key as Record<string, unknown>, options as DeleteOptions & { expectVersion?: number | undefined });
  }

  /**
   * Updates an item by key without reading it: `Account.update({ id }, { add: { coins: -10 } },
   * { condition: { coins: { ge: 10 } } })`. Requires that the item exists unless `upsert`.
   * Returns the item after the update as an instance (`returnValues: 'allNew'`, the default),
   * before it (`'allOld'`), the updated attributes only (`'updatedNew'` / `'updatedOld'`), or
   * nothing (`'none'`). A versioned model's version is advanced atomically; pass
   * `expectVersion` to make the update conditional on it.
   */
  static async update<M extends AnyModel, R extends ReturnValues = 'allNew'>(this: M, key: KeyOf<M>, spec: UpdateSpecOfModel<M>, options?: ModelUpdateOptions<M> & { returnValues?: R | undefined }): Promise<UpdateResult<M, R>> {
    const opts = (options ?? {}) as ModelUpdateOptions;
    const db = opts.db ?? databaseOf(this, this.name);
    return (await updateByKey(db, this as unknown as ModelClassRuntime, key as Record<string, unknown>, spec as AnyUpdateSpec, opts)) as UpdateResult<M, R>;
  }

  /**
   * A lazy query: `Thread.query({ forum_name: 'AWS', subject: { beginsWith: 'A' } })`.
   * Use `{ index }` for a GSI or LSI; keys-only indexes are hydrated with batched gets.
   */
  static query<M extends AnyModel, X extends IndexNameOf<M> | undefined = undefined, const P extends ProjectionPathOf<M> = never, H extends boolean = true>(
    this: M, key: QueryKeyOf<M, X>, options?: QueryOptions<M, X> & { index?: X | undefined; projection?: readonly P[] | undefined; hydrate?: H | undefined; db?: Database | undefined },
  ): Query<QueryResult<M, { index: X; projection: readonly P[]; hydrate: H }>, ValuesOfModel<M>> {
    const db = options?.db ?? databaseOf(this, this.name);
    const opts = (options ?? {}) as ModelReadOptions;
    return new Query(db, querySpec(db, [this as unknown as ModelClassRuntime], key as Record<string, unknown>, opts), opts);
  }

  /** A lazy scan of the whole table (or `{ segments: n }` in parallel, merged into one stream). */
  static scan<M extends AnyModel, const P extends ProjectionPathOf<M> = never>(
    this: M, options?: QueryOptions<M, undefined> & { projection?: readonly P[] | undefined; db?: Database | undefined },
  ): Query<QueryResult<M, { projection: readonly P[] }>, ValuesOfModel<M>> {
    const db = options?.db ?? databaseOf(this, this.name);
    const opts = (options ?? {}) as ModelReadOptions;
    return new Query(db, scanSpec(db, [this as unknown as ModelClassRuntime], opts), opts);
  }

  /** Reads many items by key in batches of 100; `null` where none exists, in input order. */
  static getMany<M extends AnyModel>(this: M, keys: readonly KeyOf<M>[], options: BatchGetOptions & { db?: Database | undefined } = {}): Promise<(InstanceType<M> | null)[]> {
    const db = options.db ?? databaseOf(this, this.name);
    return getMany<InstanceType<M>>(db, this as unknown as ModelClassRuntime, keys as unknown as Record<string, unknown>[], options);
  }

  /** Validates every item, then writes them in batches of 25; returns the instances. */
  static async putMany<M extends AnyModel>(this: M & Unversioned<M>, items: readonly (InputOfModel<M> | InstanceType<M>)[], options: BatchWriteOptions & { db?: Database | undefined } = {}): Promise<InstanceType<M>[]> {
    const db = options.db ?? databaseOf(this, this.name);
    const instances = items.map((i) => (i instanceof this ? i : new this(i)) as InstanceType<M>);
    await writeMany(db, instances.map((put) => ({ put })), options);
    return instances;
  }

  /** Deletes many items by key in batches of 25. */
  static async deleteMany<M extends AnyModel>(this: M & Unversioned<M>, keys: readonly KeyOf<M>[], options: BatchWriteOptions & { db?: Database | undefined } = {}): Promise<void> {
    const db = options.db ?? databaseOf(this, this.name);
    const model = this as unknown as ModelClassRuntime;
    await writeMany(db, keys.map((k): BatchWrite => ({ delete: [model, k as Record<string, unknown>] })), options);
  }

  /** Builds an instance from a stored item (as returned by the DocumentClient). */
  static fromItem<M extends AnyModel>(this: M, item: Record<string, unknown>, db?: Database): InstanceType<M> {
    return instanceFromItem(this as unknown as ModelClassRuntime, item, db) as InstanceType<M>;
  }

  /** The stored primary key for a key input (validated). */
  static key<M extends AnyModel>(this: M, key: KeyOf<M>): Record<string, unknown> {
    return this.schema.key(key as Record<string, unknown>);
  }
}

/** Phantom key carrying an instance's declaration types (for typed `update()`). */
export declare const INSTANCE_TYPES: unique symbol;

/** An instance of a model declared with attributes `A` (and declaration types `T`). */
export type ModelInstance<A extends AttributeMap, T = ModelTypes<A, string, never, {}, never, never>> = PersistentModel & ValuesOf<A> & { readonly [INSTANCE_TYPES]: T };

/** Constructor input: keys in `N` (the version, an autoincrement key) may be left out. */
type LooseInput<A extends AttributeMap, N extends string> = [N] extends [never] ? InputOf<A> : Omit<InputOf<A>, N> & Partial<Pick<InputOf<A>, N & keyof InputOf<A>>>;
type ConstructorArgs<A extends AttributeMap, N extends string> = {} extends LooseInput<A, N> ? [init?: LooseInput<A, N>] : [init: LooseInput<A, N>];

/** The static side every model class inherits from {@link PersistentModel}. */
type PersistentStatics = Omit<typeof PersistentModel, 'prototype'>;

/**
 * The class `Model()` returns. An interface over the statics (not an intersection), so
 * TypeScript resolves its members once, without merging an intersection per model.
 */
export interface ModelClass<A extends AttributeMap, H extends string, R extends string, I, V extends string = never, N extends string = never> extends PersistentStatics {
  new (...args: ConstructorArgs<A, N>): ModelInstance<A, ModelTypes<A, H, R, I, V, N>>;
  readonly schema: ModelSchema;
  readonly [MODEL_TYPES]: ModelTypes<A, H, R, I, V, N>;
}

// Declaration errors knowable from the types, each with a message instead of a bare `never`.
/** A key attribute as declared: its name, or why it cannot be a key. */
type KeyName<A extends AttributeMap, K extends keyof A> = A[K] extends Attribute<any, any, true> ? 'a key attribute cannot be optional' : K;
/** The version attribute as declared: its name, or why it cannot be the version. */
type VersionName<A extends AttributeMap, V extends keyof A> = A[V] extends Attribute<infer X, any, any> ? ([X] extends [number] ? V : 'the version attribute must be a number() attribute') : V;
/** The ttl attribute as declared: its name, or why it cannot hold the expiry time. */
type TtlName<A extends AttributeMap, T extends keyof A> = A[T] extends Attribute<infer X, any, any> ? ([X] extends [Date | number] ? T : 'ttl must be a date() or number() attribute') : T;

/**
 * Declares a model. Extend the result: `class User extends Model({ table: 'users',
 * key: { hash: 'name' }, attributes: { name: string() } }) {}`. Instance types come from
 * the declaration; a bad declaration throws SchemaError here, at declaration time.
 */
export function Model<
  const A extends AttributeMap,
  const H extends keyof A & string,
  const R extends keyof A & string = never,
  const I extends Record<string, IndexDeclaration<keyof A & string>> = {},
  const V extends keyof A & string = never,
  const AI extends boolean = false,
  const TS extends boolean | TimestampsOptions = false,
  const TT extends keyof A & string = never,
>(definition: ModelOptions<A> & {
  key: { hash: KeyName<A, H>; range?: KeyName<A, R> | undefined }; indexes?: I | undefined; version?: VersionName<A, V> | undefined;
  ttl?: TtlName<A, TT> | undefined; autoincrement?: AI | undefined; timestamps?: TS | undefined;
}): ModelClass<Settled<WithTimestamps<A, TS>>, H, R, Settled<I>, V, V | (AI extends true ? H : never)> {
  const schema = new ModelSchema(definition as unknown as ModelDefinition);
  const base = class extends PersistentModel {
    static readonly schema = schema;
  };
  return base as unknown as ModelClass<Settled<WithTimestamps<A, TS>>, H, R, Settled<I>, V, V | (AI extends true ? H : never)>;
}
