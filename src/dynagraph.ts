/**
 * `Dynagraph`: one database (a client, a table prefix, a logger). Models are bound to
 * it; tables are created from them; every request goes through its connection.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Connection, type Logger, type RequestObserver } from './client.js';
import { ValidationError } from './errors.js';
import { bindModels, defaultDatabase, setDefaultDatabase } from './model/binding.js';
import type { AnyModel, Unversioned, UnversionedBatchWrite, UnversionedInstance, KeyOf, ProjectionPathOf, QueryKeyOf, QueryOptions, QueryResult, IndexNameOf, ValuesOfModel } from './model/model.js';
import { getMany, isOf, materialize, Query, querySpec, scanSpec, type ModelReadOptions } from './model/reads.js';
import { writeMany, type BatchWrite } from './model/batches.js';
import { batchGetParams, writeManyRequests } from './model/dry-runs.js';
import type { DryRunRequest } from './operations/dry-run.js';
import type { ModelClassRuntime } from './model/instance.js';
import { batchGetItems, type BatchGetOptions } from './operations/batch-get.js';
import type { BatchWriteOptions } from './operations/batch-write.js';
import { Session, type SessionOptions } from './graph/session.js';
import type { ModelSchema } from './schema/model-schema.js';
import type { Database } from './operations/context.js';
import { createTable, deleteTable, ensureTable, type CreateTableOptions } from './table/admin.js';
import { applyPlan, planTables, type ApplyTablesOptions } from './table/evolve.js';
import type { PlanTablesOptions, TablePlan } from './table/plan.js';
import { DEFAULT_RETRY, type RetryPolicy } from './operations/retry.js';
import { SocketPoolBound } from './operations/socket-pool.js';
import { tableDefinition, type TableDefinition } from './table/definition.js';
import {
  transactGet, transactGetRequests, transactWrite, transactWriteRequests, type CheckedTargets, type TransactGetResult, type TransactGetTargets, type TransactionWriter,
  type TransactWriteOptions, type TransactWriteResult,
} from './model/transact.js';
import { acquireLock, withLock, type LockHandle, type LockOptions } from './locks/lock.js';

/** Options of a {@link Dynagraph}. */
export interface DynagraphOptions {
  /** A DynamoDB client to use. When omitted one is built from `endpoint` / `region`. */
  client?: DynamoDBClient | undefined;
  /** Endpoint of DynamoDB (e.g. DynamoDB Local's `http://127.0.0.1:8000`). */
  endpoint?: string | undefined;
  /** AWS region (default: `AWS_REGION`, or `local` with an endpoint). */
  region?: string | undefined;
  /** Prepended to every model's table name: `'forum-dev-'`. */
  tablePrefix?: string | undefined;
  /** Receives a line per request on the `model`, `database-access` and `transactions` channels. */
  logger?: Logger | undefined;
  /** Models to bind (see {@link Dynagraph.bind}). */
  models?: readonly AnyModel[] | undefined;
  /** How leftover keys of batch reads and writes are retried (exponential backoff, full jitter). */
  retry?: Partial<RetryPolicy> | undefined;
  /**
   * How many requests one batch operation or one level of relationship loads runs at once.
   * Default: the client's socket pool — the `maxSockets` of the agent its `requestHandler`
   * sends through (the SDK's NodeHttpHandler: 50 unless you configure it), unbounded when
   * that agent has no limit (`Infinity`) or the handler is not a node:http(s) pool, and 50
   * until the handler has resolved its agents.
   */
  concurrency?: number | undefined;
  /** HMAC key that signs page cursors; when set, unsigned or foreign cursors are rejected. */
  cursorSecret?: string | Uint8Array | undefined;
  /** Make this the default database of unbound models. Default: `true` for the first Dynagraph created. */
  default?: boolean | undefined;
}

/** How many CreateTable requests run at once; DynamoDB limits concurrent table operations. */
const CREATE_CONCURRENCY = 10;

/** Options of `ensureTables`. */
export interface EnsureTablesOptions extends CreateTableOptions, PlanTablesOptions, ApplyTablesOptions {
  /** Apply the changes live tables need (see `planTables`) instead of reporting them as a TableMismatchError. */
  apply?: boolean | undefined;
}

/** One DynamoDB database as seen by dynagraph. */
export class Dynagraph implements Database {
  /** The send point every request goes through. */
  readonly connection: Connection;
  /** Prefix of every physical table name. */
  readonly tablePrefix: string;
  /** No scope at the database level; sessions add one. */
  readonly scope?: readonly RequestObserver[] = undefined;
  /** Retry policy of batch leftovers. */
  readonly retry: RetryPolicy;
  /** The `concurrency` option, else the client's socket pool (see {@link DynagraphOptions.concurrency}). */
  readonly #concurrency: number | SocketPoolBound;
  /** Cursor signing key, if any. */
  readonly cursorSecret?: string | Uint8Array | undefined;

  constructor(options: DynagraphOptions = {}) {
    // Before anything is built, so a refused option leaves no client behind.
    const cursorSecret = checkedSecret(options.cursorSecret);
    this.connection = new Connection(options);
    this.tablePrefix = options.tablePrefix ?? '';
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.#concurrency = options.concurrency ?? new SocketPoolBound(this.connection.client);
    this.cursorSecret = cursorSecret;
    if (options.models) this.bind(...options.models);
    if (options.default ?? !defaultDatabase()) setDefaultDatabase(this);
  }

  /**
   * Parallel requests per batch operation or relationship level: the `concurrency` option,
   * else the `maxSockets` of the client's socket pool (read once the handler has resolved it).
   */
  get concurrency(): number {
    const c = this.#concurrency;
    return typeof c === 'number' ? c : c.get();
  }

  /** Physical table name of a model's table. */
  tableName(schema: ModelSchema): string {
    return this.tablePrefix + schema.table;
  }

  /**
   * Binds models to this database: their static methods (`User.get`) and new instances'
   * `save()` use it. Instances read through a database always write back to it.
   */
  bind(...models: AnyModel[]): this {
    bindModels(this, models);
    return this;
  }

  /** Makes this the database of models bound to none. */
  makeDefault(): this {
    setDefaultDatabase(this);
    return this;
  }

  /** The merged table definitions of some models, one per physical table. */
  tables(models: readonly AnyModel[]): TableDefinition[] {
    const byTable = new Map<string, ModelSchema[]>();
    for (const m of models) {
      const name = this.tableName(m.schema);
      const list = byTable.get(name) ?? [];
      if (!list.includes(m.schema)) list.push(m.schema);
      byTable.set(name, list);
    }
    return [...byTable].map(([name, schemas]) => tableDefinition(name, schemas));
  }

  /** Creates the table of a model (with its indexes, TTL and stream) and binds the model. */
  async createTable(model: AnyModel, options: CreateTableOptions = {}): Promise<void> {
    await this.createTables([model], options);
  }

  /**
   * Creates the tables of several models (models sharing a table make one table), a few
   * at a time to respect DynamoDB's limit on concurrent table operations, and binds them.
   */
  async createTables(models: readonly AnyModel[], options: CreateTableOptions = {}): Promise<void> {
    const defs = this.tables(models);
    await inBatches(defs, CREATE_CONCURRENCY, (def) => createTable(this.connection, def, options));
    this.bind(...models);
  }

  /**
   * The changes each live table needs to match the models — GSIs added or removed, billing
   * and throughput, streams, TTL — as the exact CreateTable / UpdateTable / UpdateTimeToLive
   * inputs in the order they must be sent, and the changes no request can make. Sends only
   * DescribeTable and DescribeTimeToLive.
   */
  planTables(models: readonly AnyModel[], options: PlanTablesOptions = {}): Promise<TablePlan> {
    return planTables(this.connection, this.tables(models), options);
  }

  /**
   * Idempotent: creates missing tables, and throws TableMismatchError when a live table's
   * keys, indexes or TTL differ from the models. With `apply: true` it instead applies
   * `planTables` one step at a time (waiting for ACTIVE and index backfills between steps),
   * or throws TableChangeRefusedError before any change when a change cannot be made.
   * Binds the models.
   */
  async ensureTables(models: readonly AnyModel[], options: EnsureTablesOptions = {}): Promise<void> {
    const defs = this.tables(models);
    if (options.apply) {
      await applyPlan(this.connection, await planTables(this.connection, defs, options), options);
    } else {
      await inBatches(defs, CREATE_CONCURRENCY, (def) => ensureTable(this.connection, def, options));
    }
    this.bind(...models);
  }

  /** Deletes the table of each model (missing tables are fine), waiting until gone unless `wait: false`. */
  async deleteTables(models: readonly AnyModel[], options: { wait?: boolean | undefined } = {}): Promise<void> {
    const names = [...new Set(models.map((m) => this.tableName(m.schema)))];
    await inBatches(names, CREATE_CONCURRENCY, (name) => deleteTable(this.connection, name, options));
  }

  /**
   * A lazy query (see `Model.query`). Given several models that share a table, reads
   * their item collection: each item comes back as an instance of its own model.
   */
  query<M extends AnyModel, X extends IndexNameOf<M> | undefined = undefined, const P extends ProjectionPathOf<M> = never, H extends boolean = true>(
    model: M | readonly [M, ...AnyModel[]], key: QueryKeyOf<M, X>, options?: QueryOptions<M, X> & { index?: X | undefined; projection?: readonly P[] | undefined; hydrate?: H | undefined },
  ): Query<QueryResult<M, { index: X; projection: readonly P[]; hydrate: H }>, ValuesOfModel<M>>;
  query(model: AnyModel | readonly AnyModel[], key: object, options: ModelReadOptions = {}): Query<unknown> {
    const models = (Array.isArray(model) ? model : [model]) as ModelClassRuntime[];
    return new Query(this, querySpec(this, models, key as Record<string, unknown>, options), options);
  }

  /**
   * Reads a shared-table partition (an item collection): each item comes back as an
   * instance of its own model, told apart by the entity-type attribute.
   */
  collection<Ms extends readonly AnyModel[]>(models: Ms, key: QueryKeyOf<Ms[0]>, options: Omit<ModelReadOptions, 'index' | 'projection' | 'hydrate'> = {}): Query<InstanceType<Ms[number]>> {
    return new Query(this, querySpec(this, models as unknown as ModelClassRuntime[], key as Record<string, unknown>, options), options);
  }

  /** A lazy scan (see `Model.scan`); `{ segments: n }` scans in parallel. */
  scan<M extends AnyModel, const P extends ProjectionPathOf<M> = never>(model: M | readonly [M, ...AnyModel[]], options?: QueryOptions<M, undefined> & { projection?: readonly P[] | undefined }): Query<QueryResult<M, { projection: readonly P[] }>, ValuesOfModel<M>>;
  scan(model: AnyModel | readonly AnyModel[], options: ModelReadOptions = {}): Query<unknown> {
    const models = (Array.isArray(model) ? model : [model]) as ModelClassRuntime[];
    return new Query(this, scanSpec(this, models, options), options);
  }

  /** Reads many items of one model by key (100 per BatchGetItem, leftovers retried); `null` where missing. */
  getMany<M extends AnyModel>(model: M, keys: readonly KeyOf<M>[], options: BatchGetOptions = {}): Promise<(InstanceType<M> | null)[]> {
    return getMany(this, model as unknown as ModelClassRuntime, keys as unknown as Record<string, unknown>[], options);
  }

  /**
   * Reads from several tables in shared BatchGetItem requests:
   * `db.batchGet({ users: [User, keys], threads: [Thread, keys] })`.
   */
  async batchGet<R extends BatchGetRequest>(requests: R & BatchGetKeys<R>, options: BatchGetOptions = {}): Promise<BatchGetResult<R>> {
    const entries = Object.entries(requests).map(([name, [model, keys]]) => {
      const schema = model.schema;
      const table = this.tableName(schema);
      return { name, model, reqs: keys.map((k) => ({ table, keyNames: schema.keyNames, key: schema.key(k as Record<string, unknown>) })) };
    });
    const items = await batchGetItems(this, entries.flatMap((e) => e.reqs), options);
    const out: Record<string, unknown[]> = {};
    let i = 0;
    for (const e of entries) {
      out[e.name] = e.reqs.map(() => {
        const item = items[i++];
        const model = e.model as unknown as ModelClassRuntime;
        // In a shared table the key may hold another model's item: that is not the one asked for.
        return item && isOf(model, item) ? materialize(this, model, item) : null;
      });
    }
    return out as BatchGetResult<R>;
  }

  /** Validates then writes instances of any models in batches of 25 (leftovers retried). */
  async putMany(instances: readonly UnversionedInstance[], options: BatchWriteOptions = {}): Promise<void> {
    await writeMany(this, instances.map((put) => ({ put })), options);
  }

  /** Deletes many items of one model by key in batches of 25. */
  async deleteMany<M extends AnyModel>(model: M & Unversioned<M>, keys: readonly KeyOf<M>[], options: BatchWriteOptions = {}): Promise<void> {
    await writeMany(this, keys.map((k): BatchWrite => ({ delete: [model as unknown as ModelClassRuntime, k as Record<string, unknown>] })), options);
  }

  /**
   * A mixed batch: `[{ put: instance }, { delete: [Model, key] }]`, validated before any request.
   * A versioned model's put or delete does not compile (batch writes cannot check versions).
   */
  async writeMany(writes: readonly UnversionedBatchWrite[], options: BatchWriteOptions = {}): Promise<void> {
    await writeMany(this, writes, options);
  }

  /**
   * A session (one per request of your API): loaders that batch every relationship load of
   * a tick, an identity map, stats and an optional request budget.
   */
  session(options: SessionOptions = {}): Session {
    return new Session(this, options);
  }

  /**
   * A write transaction over model instances, committed in one TransactWriteItems:
   * `db.transactWrite(tx => { tx.put(order); tx.update(wallet, { add: { coins: -5 } }); })`.
   * Every action is validated (and version-checked) as added; more than 100 actions is a
   * TransactionTooLargeError before sending; a cancellation is a TransactionCanceledError
   * whose reasons name the failed actions and instances.
   */
  transactWrite(build: (tx: TransactionWriter) => void | Promise<void>, options: TransactWriteOptions = {}): Promise<TransactWriteResult> {
    return transactWrite(this, build, options);
  }

  /** Dry run of {@link batchGet}: the BatchGetItem inputs it would send (one per chunk of 100 keys); nothing is sent. */
  batchGetParams<R extends BatchGetRequest>(requests: R & BatchGetKeys<R>, options: BatchGetOptions = {}): DryRunRequest[] {
    return batchGetParams(this, requests as never, options);
  }

  /** Dry run of {@link writeMany} (and of `putMany` / `deleteMany`): the BatchWriteItem inputs, one per chunk of 25; nothing is sent. */
  writeManyParams(writes: readonly UnversionedBatchWrite[]): DryRunRequest[] {
    return writeManyRequests(this, writes);
  }

  /** Dry run of {@link transactWrite}: the TransactWriteItems input (pass `token` to get the very input a run with it sends). */
  transactWriteParams(build: (tx: TransactionWriter) => void | Promise<void>, options: TransactWriteOptions = {}): Promise<DryRunRequest[]> {
    return transactWriteRequests(this, build, options);
  }

  /** Dry run of {@link transactGet}: the TransactGetItems input; nothing is sent. */
  transactGetParams<const T extends TransactGetTargets>(targets: T & CheckedTargets<T>): DryRunRequest[] {
    return transactGetRequests(this, targets);
  }

  /** Reads up to 100 items of any models in one consistent snapshot: `db.transactGet([[User, key], [Thread, key]])`. */
  transactGet<const T extends TransactGetTargets>(targets: T & CheckedTargets<T>): Promise<TransactGetResult<T>> {
    return transactGet(this, targets);
  }

  /** Acquires the lease lock `name` (the LockRecord table must exist); release the handle when done. */
  lock(name: string, options: LockOptions = {}): Promise<LockHandle> {
    return acquireLock(this, name, options);
  }

  /** Runs `fn` holding the lease lock `name`, releasing it afterwards (see `withLock`). */
  withLock<T>(name: string, fn: (lock: LockHandle) => Promise<T> | T, options: LockOptions = {}): Promise<T> {
    return withLock(this, name, fn, options);
  }

  /** Deletes one model's table. */
  async deleteTable(model: AnyModel, options: { wait?: boolean | undefined } = {}): Promise<void> {
    await this.deleteTables([model], options);
  }
}

/** Requests of a multi-table batch get: a name → `[Model, keys]`. */
export type BatchGetRequest = Record<string, readonly [AnyModel, readonly object[]]>;
/** The keys of a multi-table batch get, typed by each entry's model (a wrong or incomplete key does not compile). */
export type BatchGetKeys<R extends BatchGetRequest> = { [K in keyof R]: readonly [R[K][0], readonly KeyOf<R[K][0]>[]] };
/** Result of a multi-table batch get: the same names → instances or `null`, in key order. */
export type BatchGetResult<R extends BatchGetRequest> = { [K in keyof R]: (InstanceType<R[K][0]> | null)[] };

/**
 * A cursor secret as given, refused when it could not sign anything: an empty key would make
 * every cursor "signed" with a value anyone can compute, and `''` silently means "no secret".
 */
function checkedSecret(secret: unknown): string | Uint8Array | undefined {
  if (secret === undefined) return undefined;
  if (typeof secret !== 'string' && !(secret instanceof Uint8Array)) {
    throw new ValidationError('Dynagraph', [{ path: 'cursorSecret', message: `must be a non-empty string or Uint8Array, got ${secret === null ? 'null' : typeof secret}` }]);
  }
  if (secret.length === 0) {
    throw new ValidationError('Dynagraph', [{ path: 'cursorSecret', message: 'is empty; give a secret key (e.g. 32 random bytes), or leave cursorSecret out for unsigned cursors' }]);
  }
  return secret;
}

async function inBatches<T>(items: readonly T[], size: number, run: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(run));
}
