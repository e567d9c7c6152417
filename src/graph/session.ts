/**
 * A session: one per request. It owns the loaders and their cache — an identity map
 * where one stored key (of one entity) yields one instance — and counts what it costs.
 * Writes made through it prime or clear its cache, so a read after a write returns what is
 * stored; a held instance is refreshed in place when a newer item arrives, unless it has
 * unsaved changes (then see {@link Session.isStale}). Nothing is shared between sessions.
 */
import type { Connection, RequestObserver } from '../client.js';
import type { AnyModel, IndexNameOf, KeyOf, ProjectionPathOf, QueryKeyOf, QueryOptions, QueryResult, ValuesOfModel } from '../model/model.js';
import { isStale, STATE, type ModelBase, type ModelClassRuntime } from '../model/instance.js';
import { getItem } from '../operations/items.js';
import type { ModelSchema } from '../schema/model-schema.js';
import { Query, querySpec, scanSpec, type ModelReadOptions } from '../model/reads.js';
import type { Database, ModelClass } from '../operations/context.js';
import type { RetryPolicy } from '../operations/retry.js';
import type { GraphDatabase } from './graph-context.js';
import { loadIncludes, type ExactInclude, type IncludeSpec, type Loaded } from './include.js';
import { GraphLoader } from './loader.js';
import { transactWrite, type TransactionWriter, type TransactWriteOptions, type TransactWriteResult } from '../model/transact.js';
import { StatsRecorder, type SessionStats } from './stats.js';
import { holdsIn, planInclude, type GraphPlan } from './explain.js';
import { TraceRecorder, type GraphTrace } from './trace.js';

/** Options of a session. */
export interface SessionOptions {
  /** Refuse (with RequestBudgetExceededError, before sending) any request beyond this many. */
  maxRequests?: number | undefined;
}

/** The model of each query a session made, for `explain`. */
const queryModels = new WeakMap<object, ModelClassRuntime>();

/** A query whose results can eagerly load relationships. */
export class SessionQuery<T, V = Record<string, any>> extends Query<T, V> {
  /** Loads the given edges of every page's items, level by level, before yielding them. */
  include<const S extends IncludeSpec<T>>(spec: S & ExactInclude<T, S>): SessionQuery<Loaded<T, S>, V> {
    const spec0 = this.spec;
    return new SessionQuery<Loaded<T, S>, V>(this.db, {
      ...spec0,
      decode: async (items) => {
        const out = await spec0.decode(items);
        await loadIncludes(out as ModelBase[], spec as Record<string, unknown>, (this.db as Partial<Session>).tracer);
        return out;
      },
    }, this.options);
  }

  /** @internal What `Session.explain` needs of a query root. */
  planRoot(): { model?: ModelClassRuntime | undefined; table: string; index?: string | undefined } {
    return { model: queryModels.get(this.spec), table: this.spec.table, index: this.spec.index };
  }
}

/** One unit of work (usually one request of your API): loaders, identity map, stats, budget. */
export class Session implements GraphDatabase {
  readonly connection: Connection;
  readonly retry: RetryPolicy;
  readonly cursorSecret?: string | Uint8Array | undefined;
  readonly scope: readonly RequestObserver[];
  /** @internal The session's loaders and identity map. */
  readonly graph: GraphLoader;
  private readonly recorder: StatsRecorder;
  /** @internal Records every request of the session for {@link Session.trace}. */
  readonly tracer = new TraceRecorder();

  constructor(private readonly parent: Database, options: SessionOptions = {}) {
    this.connection = parent.connection;
    this.retry = parent.retry;
    this.cursorSecret = parent.cursorSecret;
    this.recorder = new StatsRecorder(options.maxRequests);
    this.scope = [...(parent.scope ?? []), this.recorder, this.tracer];
    this.graph = new GraphLoader(this, { cache: true });
  }

  /** The parent database's bound on parallel requests (its socket pool may become known after the session began). */
  get concurrency(): number {
    return this.parent.concurrency;
  }

  /** What this session has cost so far: requests by command, items, capacity, retries, rounds. */
  get stats(): SessionStats {
    return this.recorder.stats;
  }

  /**
   * What every request of this session cost so far, per include round and edge: requests,
   * keys asked and found, items, pages, retries, RCU/WCU and milliseconds. `.text` (or
   * `String(trace)`) renders it as a table.
   */
  get trace(): GraphTrace {
    return this.tracer.trace();
  }

  /**
   * The plan of `load(roots, spec)` (or of `query.include(spec)`), without sending anything:
   * one round per include level, and per round the requests its edges coalesce into. For
   * given instances the first round's counts are exact; later rounds, and every round below
   * a query whose items are not loaded yet, give bounds or say they depend on data.
   * `.text` renders it as a tree.
   */
  explain<T extends ModelBase, S extends IncludeSpec<T>>(roots: T | readonly T[] | SessionQuery<T>, spec: S & ExactInclude<T, S>): GraphPlan {
    const holds = holdsIn(this, this.graph.identity);
    if (roots instanceof SessionQuery) {
      const root = roots.planRoot();
      const model = root.model;
      if (!model) throw new TypeError('explain: pass a query made by this session (session.query or session.scan), without include()');
      return planInclude(this, { model, table: root.table, index: root.index }, spec as Record<string, unknown>, holds);
    }
    return planInclude(this, { instances: (Array.isArray(roots) ? roots : [roots]) as ModelBase[] }, spec as Record<string, unknown>, holds);
  }

  /** Physical table name (the parent database's). */
  tableName(schema: ModelSchema): string {
    return this.parent.tableName(schema);
  }

  /** @internal The instance this session holds for a stored item. */
  materialize(model: ModelClass, item: Record<string, unknown>): object {
    return this.graph.materialize(model as ModelClassRuntime, item);
  }

  /** @internal Reads stored items through the session's batching loader. */
  loadItems(requests: readonly { key: Record<string, unknown>; model: ModelClass }[]): Promise<(Record<string, unknown> | undefined)[]> {
    return this.graph.loadItems(requests as readonly { key: Record<string, unknown>; model: ModelClassRuntime }[]);
  }

  /** @internal */
  afterPut(schema: ModelSchema, item: Record<string, unknown>, instance: object): void {
    this.graph.written(schema, item, schema.keyOfItem(item), instance as ModelBase);
  }

  /** @internal */
  afterWrite(schema: ModelSchema, key: Record<string, unknown>): void {
    this.graph.forget(schema, key);
  }

  /**
   * A write transaction through this session (see `db.transactWrite`): its writes prime
   * or clear the session's cache once committed.
   */
  transactWrite(build: (tx: TransactionWriter) => void | Promise<void>, options: TransactWriteOptions = {}): Promise<TransactWriteResult> {
    return transactWrite(this, build, options);
  }

  /** @internal */
  afterDelete(schema: ModelSchema, key: Record<string, unknown>): void {
    this.graph.written(schema, undefined, key);
  }

  /**
   * `true` when `instance` has unsaved changes made over an older item than one this session
   * has since seen stored: the newer item changed an attribute the instance has edits of, or
   * (a versioned model) it is another version. Such an instance keeps the edits; every other
   * attribute was refreshed. Its next save overwrites the conflicting attributes — unless the
   * model is versioned (the save raises VersionConflictError: it is still checked against the
   * version loaded) or the save passes `expectUnchanged` (ConditionFailedError). `refresh()`
   * drops the edits. The mark ends with the instance's next successful write or refresh.
   * Without unsaved changes an instance is simply refreshed in place and never stale.
   */
  isStale(instance: object): boolean {
    return isStale(instance as ModelBase);
  }

  /**
   * Re-reads an instance's item (one strongly consistent GetItem) and makes the instance
   * exactly that item, dropping its unsaved changes; it is then the instance this session
   * holds for its key. Returns `null` (and the instance is no longer held, nor marked as
   * stored) when no item of its model is stored at its key.
   */
  async refresh<T extends object>(instance: T): Promise<T | null> {
    const self = instance as unknown as ModelBase;
    const schema = (self.constructor as ModelClassRuntime).schema;
    const stored = self[STATE].stored;
    const key = stored ? schema.keyOfItem(stored) : schema.key(self as unknown as Record<string, unknown>);
    const item = await getItem(this, schema, key, { consistent: true });
    self[STATE].db = this;
    return this.graph.refreshed(self, item) as T | null;
  }

  /**
   * Reads one item by key through the batching loader (same-tick gets share a BatchGetItem);
   * `null` when none is stored, or when the key holds an item of another entity of a shared table.
   */
  async get<M extends AnyModel>(model: M, key: KeyOf<M>): Promise<InstanceType<M> | null> {
    const m = model as unknown as ModelClassRuntime;
    return (await this.graph.getOne(m, m.schema.key(key as Record<string, unknown>))) as InstanceType<M> | null;
  }

  /** Reads many items by key through the batching loader; `null` where missing, in order. */
  getMany<M extends AnyModel>(model: M, keys: readonly KeyOf<M>[]): Promise<(InstanceType<M> | null)[]> {
    return Promise.all(keys.map((k) => this.get(model, k)));
  }

  /** A lazy query whose instances come from this session; `.include({...})` loads edges. */
  query<M extends AnyModel, X extends IndexNameOf<M> | undefined = undefined, const P extends ProjectionPathOf<M> = never, H extends boolean = true>(
    model: M | readonly [M, ...AnyModel[]], key: QueryKeyOf<M, X>, options?: QueryOptions<M, X> & { index?: X | undefined; projection?: readonly P[] | undefined; hydrate?: H | undefined },
  ): SessionQuery<QueryResult<M, { index: X; projection: readonly P[]; hydrate: H }>, ValuesOfModel<M>> {
    const models = (Array.isArray(model) ? model : [model]) as ModelClassRuntime[];
    const opts = (options ?? {}) as ModelReadOptions;
    const spec = querySpec(this, models, key as Record<string, unknown>, opts);
    queryModels.set(spec, models[0]);
    return new SessionQuery(this, spec, opts);
  }

  /** A lazy scan whose instances come from this session. */
  scan<M extends AnyModel, const P extends ProjectionPathOf<M> = never>(model: M, options?: QueryOptions<M, undefined> & { projection?: readonly P[] | undefined }): SessionQuery<QueryResult<M, { projection: readonly P[] }>, ValuesOfModel<M>> {
    const opts = (options ?? {}) as ModelReadOptions;
    const spec = scanSpec(this, [model as unknown as ModelClassRuntime], opts);
    queryModels.set(spec, model as unknown as ModelClassRuntime);
    return new SessionQuery(this, spec, opts);
  }

  /**
   * Eagerly loads relationships below `roots`, one level per round trip:
   * `await s.load(threads, { user: true, replies: { user: true } })`.
   */
  async load<T extends ModelBase, const S extends IncludeSpec<T>>(roots: T | readonly T[], spec: S & ExactInclude<T, S>): Promise<Loaded<T, S>[]> {
    const list = (Array.isArray(roots) ? roots : [roots]) as T[];
    await loadIncludes(list, spec as Record<string, unknown>, this.tracer);
    return list as unknown as Loaded<T, S>[];
  }
}
