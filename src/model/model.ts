/**
 * `Model({...})`: turns one declaration into a base class whose instances are typed
 * from it, with persistence (`save`, `delete`) and static reads (`get`, `put`).
 */
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { AttributeMap, InputOf, KeyInput, ValuesOf } from '../schema/types.js';
import type { IndexDeclaration } from '../table/indexes.js';
import { KeyChangedError } from '../errors.js';
import type { Database } from '../operations/context.js';
import { deleteItem, deleteParams, getItem, putItem, putParams, type GetOptions, type WriteConditions } from '../operations/items.js';
import { databaseOf } from './binding.js';
import { getMany, materialize, Query, querySpec, scanSpec, type ModelReadOptions } from './reads.js';
import { writeMany, type BatchWrite } from './batches.js';
import type { BatchGetOptions } from '../operations/batch-get.js';
import type { BatchWriteOptions } from '../operations/batch-write.js';
import type { RangeCondition } from '../expressions/key-condition.js';
import type { GsiDeclaration, LsiDeclaration } from '../table/indexes.js';
import type { KeyPart, ValueOf } from '../schema/types.js';
import { fillComputed, instanceFromItem, ModelBase, STATE, type ModelClassRuntime } from './instance.js';
import { ModelSchema, type ModelDefinition } from './schema.js';

/** Phantom key carrying a model's declaration types. */
export declare const MODEL_TYPES: unique symbol;

/** The declaration types of a model, kept for inference. */
export interface ModelTypes<A extends AttributeMap = any, H extends string = any, R extends string = any, I = any> {
  attributes: A;
  hash: H;
  range: R;
  indexes: I;
}

/** Any class made by `Model()` (or a subclass of one). */
export interface AnyModel {
  new (...args: any[]): PersistentModel;
  readonly schema: ModelSchema;
  readonly [MODEL_TYPES]: ModelTypes;
}

/** The primary key input of a model class. */
export type KeyOf<M extends AnyModel> = M[typeof MODEL_TYPES] extends ModelTypes<infer A, infer H, infer R> ? KeyInput<A, H, R> : never;
/** The constructor / put input of a model class. */
export type InputOfModel<M extends AnyModel> = InputOf<M[typeof MODEL_TYPES]['attributes']>;
/** The attribute values of a model class's instances. */
export type ValuesOfModel<M extends AnyModel> = ValuesOf<M[typeof MODEL_TYPES]['attributes']>;

type TypesOf<M extends AnyModel> = M[typeof MODEL_TYPES];
/** Names of the secondary indexes of a model class. */
export type IndexNameOf<M extends AnyModel> = keyof TypesOf<M>['indexes'] & string;
type IndexKeys<M extends AnyModel, X> = X extends string
  ? TypesOf<M>['indexes'][X] extends GsiDeclaration<infer H, infer R, any> ? { hash: H; range: R }
    : TypesOf<M>['indexes'][X] extends LsiDeclaration<infer R, any> ? { hash: TypesOf<M>['hash']; range: R } : never
  : { hash: TypesOf<M>['hash']; range: TypesOf<M>['range'] };
type RangePart<A extends AttributeMap, R> = [R] extends [never] ? {} : { [P in R & keyof A]?: NonNullable<ValueOf<A[P]>> | RangeCondition<NonNullable<ValueOf<A[P]>>> };

/**
 * The key condition of a query on the table (or on index `X`): the partition key (or the
 * fields of its template) and optionally a condition on the range key.
 */
export type QueryKeyOf<M extends AnyModel, X = undefined> = KeyPart<TypesOf<M>['attributes'], IndexKeys<M, X>['hash']> & RangePart<TypesOf<M>['attributes'], IndexKeys<M, X>['range']>;

/** Options of a typed query or scan. */
export type QueryOptions<M extends AnyModel, X> = Omit<ModelReadOptions, 'index' | 'projection'> & { index?: X; projection?: readonly (keyof ValuesOfModel<M> & string)[] };

/** Result of a query or scan: instances, or plain partial objects when projected. */
export type QueryResult<M extends AnyModel, O> = O extends { projection: readonly any[] } | { hydrate: false } ? Partial<ValuesOfModel<M>> : InstanceType<M>;

/** What `save()` does when a loaded instance's key attributes were changed. */
export type KeyChangePolicy = 'error' | 'copy' | 'move';

/** Options of `save()` and `Model.put()`. */
export interface SaveOptions extends WriteConditions {
  /** Database to write to (default: the instance's, then the model's binding). */
  db?: Database;
  /**
   * When a loaded instance's key changed: `'error'` (default) throws KeyChangedError
   * before any request; `'copy'` writes a new item and keeps the old one; `'move'`
   * writes the new item and deletes the old one in one transaction.
   */
  onKeyChange?: KeyChangePolicy;
}

/** Options of `delete()`. */
export interface DeleteOptions extends Omit<WriteConditions, 'overwrite'> {
  /** Database to delete from. */
  db?: Database;
}

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
   * Writes the whole item (PutItem). Validates first: nothing is sent when a field is
   * bad. With `overwrite: false`, `expect` or `condition` the write is conditional and a
   * failure raises ItemExistsError / ConditionFailedError carrying the stored item.
   */
  async save(options: SaveOptions = {}): Promise<this> {
    const cls = this.constructor as ModelClassRuntime;
    const schema = cls.schema;
    const self = this as unknown as Record<string, unknown>;
    const item = schema.encode(self);
    const db = this.databaseFor(options.db);
    const state = this[STATE];
    const toInstance = (stored: Record<string, unknown>) => instanceFromItem(cls, stored, db);
    const changed = state.stored ? schema.keyNames.filter((k) => !sameKeyValue(state.stored![k], item[k])) : [];
    const policy = options.onKeyChange ?? 'error';
    if (changed.length && policy === 'error') throw new KeyChangedError(cls.name || schema.name, changed);
    if (changed.length && policy === 'move') {
      const table = db.tableName(schema);
      await db.connection.send(new TransactWriteCommand({
        TransactItems: [
          { Put: putParams(schema, table, item, options) as never },
          { Delete: deleteParams(schema, table, schema.keyOfItem(state.stored!), {}) as never },
        ],
      }), { channel: 'transactions', table, scope: db.scope });
    } else {
      await putItem(db, schema, item, options, toInstance);
    }
    fillComputed(schema, self);
    if (changed.length && policy === 'move') db.afterDelete?.(schema, schema.keyOfItem(state.stored!));
    state.stored = item;
    state.db = db;
    db.afterPut?.(schema, item, this);
    return this;
  }

  /** Deletes the item (by its key as last stored, else as now). Conditional with `expect` / `condition`. */
  async delete(options: DeleteOptions = {}): Promise<void> {
    const cls = this.constructor as ModelClassRuntime;
    const schema = cls.schema;
    const db = this.databaseFor(options.db);
    const state = this[STATE];
    const key = state.stored ? schema.keyOfItem(state.stored) : schema.key(this as unknown as Record<string, unknown>);
    await deleteItem(db, schema, key, options, (stored) => instanceFromItem(cls, stored, db));
    state.stored = undefined;
    db.afterDelete?.(schema, key);
  }

  /** Reads one item by key; `null` when there is none. */
  static async get<M extends AnyModel>(this: M, key: KeyOf<M>, options: GetOptions & { db?: Database } = {}): Promise<InstanceType<M> | null> {
    const db = options.db ?? databaseOf(this, this.name);
    const item = await getItem(db, this.schema, this.schema.key(key as Record<string, unknown>), options);
    // In a shared table the key may hold another model's item: that is not ours.
    if (!item || (this.schema.entity !== undefined && item[this.schema.entityField] !== this.schema.entity)) return null;
    return materialize(db, this as unknown as ModelClassRuntime, item) as InstanceType<M>;
  }

  /** Validates a raw document and writes it; returns the saved instance. Unknown attributes are rejected. */
  static async put<M extends AnyModel>(this: M, values: InputOfModel<M>, options: SaveOptions = {}): Promise<InstanceType<M>> {
    const instance = new this(values) as InstanceType<M>;
    return instance.save(options);
  }

  /** Deletes an item by key, optionally conditional. */
  static async delete<M extends AnyModel>(this: M, key: KeyOf<M>, options: DeleteOptions = {}): Promise<void> {
    const db = options.db ?? databaseOf(this, this.name);
    const cls = this as unknown as ModelClassRuntime;
    const stored = this.schema.key(key as Record<string, unknown>);
    await deleteItem(db, this.schema, stored, options, (item) => instanceFromItem(cls, item, db));
    db.afterDelete?.(this.schema, stored);
  }

  /**
   * A lazy query: `Thread.query({ forum_name: 'AWS', subject: { beginsWith: 'A' } })`.
   * Use `{ index }` for a GSI or LSI; keys-only indexes are hydrated with batched gets.
   */
  static query<M extends AnyModel, X extends IndexNameOf<M> | undefined = undefined, O extends QueryOptions<M, X> = QueryOptions<M, X>>(
    this: M, key: QueryKeyOf<M, X>, options?: O & { index?: X; db?: Database },
  ): Query<QueryResult<M, O>> {
    const db = options?.db ?? databaseOf(this, this.name);
    const opts = (options ?? {}) as ModelReadOptions;
    return new Query(db, querySpec(db, [this as unknown as ModelClassRuntime], key as Record<string, unknown>, opts), opts);
  }

  /** A lazy scan of the whole table (or `{ segments: n }` in parallel, merged into one stream). */
  static scan<M extends AnyModel, O extends QueryOptions<M, undefined> = QueryOptions<M, undefined>>(
    this: M, options?: O & { db?: Database },
  ): Query<QueryResult<M, O>> {
    const db = options?.db ?? databaseOf(this, this.name);
    const opts = (options ?? {}) as ModelReadOptions;
    return new Query(db, scanSpec(db, [this as unknown as ModelClassRuntime], opts), opts);
  }

  /** Reads many items by key in batches of 100; `null` where none exists, in input order. */
  static getMany<M extends AnyModel>(this: M, keys: readonly KeyOf<M>[], options: BatchGetOptions & { db?: Database } = {}): Promise<(InstanceType<M> | null)[]> {
    const db = options.db ?? databaseOf(this, this.name);
    return getMany<InstanceType<M>>(db, this as unknown as ModelClassRuntime, keys as unknown as Record<string, unknown>[], options);
  }

  /** Validates every item, then writes them in batches of 25; returns the instances. */
  static async putMany<M extends AnyModel>(this: M, items: readonly (InputOfModel<M> | InstanceType<M>)[], options: BatchWriteOptions & { db?: Database } = {}): Promise<InstanceType<M>[]> {
    const db = options.db ?? databaseOf(this, this.name);
    const instances = items.map((i) => (i instanceof this ? i : new this(i)) as InstanceType<M>);
    await writeMany(db, instances.map((put) => ({ put })), options);
    return instances;
  }

  /** Deletes many items by key in batches of 25. */
  static async deleteMany<M extends AnyModel>(this: M, keys: readonly KeyOf<M>[], options: BatchWriteOptions & { db?: Database } = {}): Promise<void> {
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

function sameKeyValue(a: unknown, b: unknown): boolean {
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.from(a).equals(Buffer.from(b));
  return String(a) === String(b);
}

/** An instance of a model declared with attributes `A`. */
export type ModelInstance<A extends AttributeMap> = PersistentModel & ValuesOf<A>;

type ConstructorArgs<A extends AttributeMap> = {} extends InputOf<A> ? [init?: InputOf<A>] : [init: InputOf<A>];

/** The class `Model()` returns. */
export type ModelClass<A extends AttributeMap, H extends string, R extends string, I> = {
  new (...args: ConstructorArgs<A>): ModelInstance<A>;
  readonly schema: ModelSchema;
  readonly [MODEL_TYPES]: ModelTypes<A, H, R, I>;
} & Omit<typeof PersistentModel, 'prototype'>;

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
>(definition: ModelDefinition<A, H, R> & { key: { hash: H; range?: R }; indexes?: I }): ModelClass<A, H, R, I> {
  const schema = new ModelSchema(definition as unknown as ModelDefinition);
  const base = class extends PersistentModel {
    static readonly schema = schema;
  };
  return base as unknown as ModelClass<A, H, R, I>;
}
