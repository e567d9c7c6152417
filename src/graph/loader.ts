/**
 * The loaders behind every edge. To-one loads by key share one DataLoader: every load
 * of the same tick, across tables, becomes BatchGetItem requests of up to 100 distinct
 * keys. To-many loads (and to-one loads through an index) are Queries, de-duplicated per
 * (table, index, partition, condition, page) and run in parallel under a bound; edges of
 * one item collection in a shared table cost one Query of that partition.
 */
import DataLoader from 'dataloader';
import { batchGetItems, type KeyRequest } from '../operations/batch-get.js';
import { keyId } from '../operations/key-id.js';
import { stableJson } from './stable-json.js';
import type { Database } from '../operations/context.js';
import type { Page, ReadSpec } from '../operations/read-stream.js';
import { mapConcurrent } from '../operations/retry.js';
import { absorb, instanceFromItem, resetTo, STATE, type ModelBase, type ModelClassRuntime } from '../model/instance.js';
import { hydrateItems, isOf, Query, querySpec, type Hydration } from '../model/reads.js';
import { rangeMatcher } from './range-match.js';
import type { ModelSchema } from '../schema/model-schema.js';
import type { EdgeDeclaration } from './edge.js';

/** What the loaders need of a to-one or to-many declaration (edges prime their own inverses). */
export interface EdgeQuery extends EdgeDeclaration {
  /** The owner → the target's key or partition; `null` / `undefined` for none. */
  readonly query: (self: any) => Record<string, unknown> | null | undefined;
  /** Return the items as stored, not as instances (a many-to-many edge's links: read once, never held). */
  readonly raw?: boolean;
}

/** A key the gets loader reads: a batch read's request as it is (its id, once computed, shared by DataLoader and the batch). */
interface GetKey extends KeyRequest {
  model: ModelClassRuntime;
}

interface QueryKey {
  model: ModelClassRuntime;
  index?: string;
  condition: Record<string, unknown>;
  /** Set for one page; absent to load every item. */
  page?: { limit: number; cursor?: string; reverse?: boolean };
  /** The stored items, not instances. */
  raw?: boolean;
}

function getId(k: GetKey): string {
  return (k.id ??= keyId(k.table, k.model.schema.keyNames, k.key));
}

/**
 * The identity-map id of a key of an entity: two entities' items at one key of a shared
 * table are two ids (JSON never holds a raw NUL, so the entity part ends at the first one).
 */
export function identityId(table: string, schema: ModelSchema, key: Record<string, unknown>): string {
  return entityIdOf(schema, keyId(table, schema.keyNames, key));
}

/**
 * The identity id from a key's id (see {@link identityId}): the key id itself for a model of
 * no entity (a key id starts with `T`, an entity's JSON with `"`, so the two never meet), and
 * the key id is then one string already hashed by the loader's cache.
 */
function entityIdOf(schema: ModelSchema, id: string): string {
  if (schema.entity === undefined) return id;
  let prefix = entityPrefixes.get(schema);
  if (prefix === undefined) entityPrefixes.set(schema, (prefix = `${JSON.stringify(schema.entity)}\u0000`));
  return prefix + id;
}
const entityPrefixes = new WeakMap<ModelSchema, string>();

/** Loaders, and (when caching) the identity map, of one session or one tick. */
export class GraphLoader {
  /**
   * One instance per stored key and entity, for the life of the session (empty without
   * caching). Two entities of a shared table at one key never share an instance.
   */
  readonly identity = new Map<string, ModelBase>();
  private readonly gets: DataLoader<GetKey, Record<string, unknown> | undefined, string>;
  /**
   * The gets' cache (by key id) when caching: a load of a key already asked for takes its
   * promise from here at once rather than through DataLoader's deferred cache hit.
   */
  private readonly cached: Map<string, Promise<Record<string, unknown> | undefined>> | undefined;
  private readonly queries: DataLoader<QueryKey, ModelBase[] | Page<ModelBase>, string>;

  constructor(
    readonly db: Database,
    private readonly options: { cache: boolean },
  ) {
    this.cached = options.cache ? new Map() : undefined;
    // The keys are read as they are: each is a KeyRequest (its id computed when caching).
    this.gets = new DataLoader((keys) => batchGetItems(db, keys), {
      cache: options.cache,
      cacheMap: this.cached ?? null,
      cacheKeyFn: getId,
      maxBatchSize: Number.MAX_SAFE_INTEGER,
    });
    this.queries = new DataLoader((keys) => this.runQueries(keys), {
      cache: options.cache,
      cacheKeyFn: (k) => this.queryId(k),
      maxBatchSize: Number.MAX_SAFE_INTEGER,
    });
  }

  /**
   * The instance for a stored item of `model` (the caller checked the item is of its entity):
   * the one already held for its key, brought up to the item (refreshed in place, or merged
   * around its unsaved changes and perhaps marked stale; see `absorb`), else a new one.
   */
  materialize(model: ModelClassRuntime, item: Record<string, unknown>, loaded?: GetKey): ModelBase {
    if (!this.options.cache) return instanceFromItem(model, item, this.db);
    const schema = model.schema;
    // `loaded`: the key `item` was just read at (its id computed by the loader already).
    const getKey = loaded ?? this.getKey(model, schema.keyOfItem(item));
    const id = entityIdOf(schema, getId(getKey));
    let instance = this.identity.get(id);
    if (instance && instance instanceof model) {
      // The very item the held instance came from (most loads of a fan-in) is 'same' at once.
      const outcome = absorb(instance, item);
      // An older item (a lagging eventually consistent read) neither changes the instance nor the cache.
      if (outcome === 'older') return instance;
      // The same item: the cache holds it already (prime only fills a key it lacks).
      if (outcome === 'same') {
        this.gets.prime(getKey, item);
        return instance;
      }
    } else {
      instance = instanceFromItem(model, item, this.db);
      this.identity.set(id, instance);
    }
    // A later get (or keys-only hydration) of this key is then served the newest item seen:
    // the gets' own cache map set at once (what DataLoader's clear and prime do, in one step).
    this.cached!.set(getId(getKey), Promise.resolve(item));
    return instance;
  }
  /** Physical table names by schema (the database's names never change). */
  private readonly tables = new Map<ModelSchema, string>();

  private tableOf(schema: ModelSchema): string {
    let table = this.tables.get(schema);
    if (table === undefined) this.tables.set(schema, (table = this.db.tableName(schema)));
    return table;
  }

  /** The loader's key of a stored key of `model` (one shape for every key: one hidden class). */
  private getKey(model: ModelClassRuntime, key: Record<string, unknown>): GetKey {
    const schema = model.schema;
    return { model, table: this.tableOf(schema), keyNames: schema.keyNames, key, id: undefined };
  }

  /**
   * Makes `instance` exactly the stored item read now (unsaved changes dropped) and the one
   * this loader holds for its key; `null` (and no longer held) when no item of its entity is stored.
   */
  refreshed(instance: ModelBase, item: Record<string, unknown> | undefined): ModelBase | null {
    const model = instance.constructor as ModelClassRuntime;
    const schema = model.schema;
    const stored = instance[STATE].stored;
    const key = stored ? schema.keyOfItem(stored) : schema.key(instance as unknown as Record<string, unknown>);
    const own = item && isOf(model, item) ? item : undefined;
    resetTo(instance, own);
    if (!this.options.cache) return own ? instance : null;
    const getKey = this.getKey(model, key);
    this.gets.clear(getKey).prime(getKey, item);
    const id = identityId(getKey.table, schema, key);
    if (own) this.identity.set(id, instance);
    else if (this.identity.get(id) === instance) this.identity.delete(id);
    return own ? instance : null;
  }

  /** Keys-only hydration through this loader: its batching, cache and identity map. */
  private readonly hydration: Hydration = { load: (requests) => this.loadItems(requests), make: (model, item) => this.materialize(model, item) };

  /** Reads stored items by key through the batching loader (cached in a session). */
  loadItems(requests: readonly { key: Record<string, unknown>; model: ModelClassRuntime }[]): Promise<(Record<string, unknown> | undefined)[]> {
    return Promise.all(requests.map((r) => this.loadGet(this.getKey(r.model, r.key))));
  }

  /** One key through the gets loader: a key already asked for takes its pending read at once (not through DataLoader's deferred cache hit). */
  private loadGet(k: GetKey): Promise<Record<string, unknown> | undefined> {
    return this.cached?.get(getId(k)) ?? this.gets.load(k);
  }

  /** Reads one item by stored key through the batching loader; another entity's item is `null`. */
  getOne(model: ModelClassRuntime, key: Record<string, unknown>): Promise<ModelBase | null> {
    // One `then` per load (no async frames): the per-edge path of a fan-in.
    const k = this.getKey(model, key);
    return this.loadGet(k).then((item) => this.found(k, item));
  }

  /** What a read at `k` gives a to-one load: its instance, or `null` (none, or another entity's item). */
  private found(k: GetKey, item: Record<string, unknown> | undefined): ModelBase | null {
    return item && isOf(k.model, item) ? this.materialize(k.model, item, k) : null;
  }

  /**
   * Loads the target of a to-one edge for an include: the target (`null`: none) goes to
   * `settle`, any failure (of the read, or of `settle`) to `fail` — one `then` for the whole
   * load by key, where {@link loadToOne} and the edge's `load()` take three.
   */
  loadToOneInto(relation: EdgeQuery, owner: ModelBase, settle: (found: ModelBase | null) => void, fail: (err: unknown) => void): void {
    if (relation.index) {
      this.loadToOne(relation, owner).then(settle).catch(fail);
      return;
    }
    let k: GetKey;
    try {
      const target = relation.target() as unknown as ModelClassRuntime;
      const input = relation.query(owner);
      if (!input) return settle(null);
      k = this.getKey(target, target.schema.key(input));
    } catch (err) {
      return fail(err);
    }
    this.loadGet(k).then((item) => {
      try {
        settle(this.found(k, item));
      } catch (err) {
        fail(err);
      }
    }, fail);
  }

  /** Loads the target of a to-one edge. */
  loadToOne(relation: EdgeQuery, owner: ModelBase): Promise<ModelBase | null> {
    try {
      const target = relation.target() as unknown as ModelClassRuntime;
      const input = relation.query(owner);
      if (!input) return Promise.resolve(null);
      if (relation.index) {
        return this.queries.load({ model: target, index: relation.index, condition: input, page: { limit: 1 } }).then((page) => (page as Page<ModelBase>).items[0] ?? null);
      }
      return this.getOne(target, target.schema.key(input));
    } catch (err) {
      // As from an async function: a bad key or query is a rejection, never a throw.
      return Promise.reject(err);
    }
  }

  /**
   * Loads every target of a to-many edge. `entries`: a keys-only index edge's entries as
   * found, not hydrated (an include hydrates them next round, through {@link hydrate}).
   */
  async loadToMany(relation: EdgeQuery, owner: ModelBase, entries = false): Promise<ModelBase[]> {
    const input = relation.query(owner);
    if (!input) return [];
    return (await this.queries.load({ model: relation.target() as unknown as ModelClassRuntime, index: relation.index, condition: input, raw: relation.raw || entries })) as ModelBase[];
  }

  /** One page of a to-many edge (de-duplicated with identical page loads); `entries` as for {@link loadToMany}. */
  async pageToMany(relation: EdgeQuery, owner: ModelBase, options: { limit?: number; cursor?: string; reverse?: boolean }, entries = false): Promise<Page<ModelBase>> {
    const input = relation.query(owner);
    if (!input) return { items: [], cursor: undefined };
    const page = (await this.queries.load({
      model: relation.target() as unknown as ModelClassRuntime, index: relation.index, condition: input,
      page: { limit: options.limit ?? 100, cursor: options.cursor, reverse: options.reverse === true }, raw: relation.raw || entries,
    })) as Page<ModelBase>;
    return page;
  }

  /** The entry a to-one edge over a keys-only index finds (`undefined`: none), for {@link hydrate}. */
  async entryToOne(relation: EdgeQuery, owner: ModelBase): Promise<Record<string, unknown> | undefined> {
    const input = relation.query(owner);
    if (!input) return undefined;
    const page = (await this.queries.load({ model: relation.target() as unknown as ModelClassRuntime, index: relation.index, condition: input, page: { limit: 1 }, raw: true })) as Page<unknown>;
    return page.items[0] as Record<string, unknown> | undefined;
  }

  /**
   * The instances of the full items a keys-only index's entries name, through the batching
   * loader (asked in this tick, so they share its BatchGetItems); a gone item is left out.
   */
  hydrate(model: ModelClassRuntime, entries: readonly Record<string, unknown>[]): Promise<ModelBase[]> {
    return hydrateItems(this.db, [model], entries, this.hydration) as Promise<ModelBase[]>;
  }

  /** Counts the targets of a to-many edge. */
  async countToMany(relation: EdgeQuery, owner: ModelBase): Promise<number> {
    const input = relation.query(owner);
    if (!input) return 0;
    const model = relation.target() as unknown as ModelClassRuntime;
    return new Query(this.db, querySpec(this.db, [model], input, { index: relation.index }), {}).count();
  }

  /**
   * After a write through the session: the next load of `key` sees `item` (or nothing,
   * after a delete) without a request, `instance` (the one written) is the one held for the
   * key, and cached query results are dropped.
   */
  written(schema: ModelSchema, item: Record<string, unknown> | undefined, key: Record<string, unknown>, instance?: ModelBase): void {
    this.forget(schema, key);
    if (!this.options.cache) return;
    const getKey = this.getKey({ schema } as ModelClassRuntime, key);
    this.gets.prime(getKey, item);
    const id = identityId(getKey.table, schema, key);
    if (instance) this.identity.set(id, instance);
    else this.identity.delete(id);
  }

  /** Ids of the query keys seen (DataLoader and the batch ask for each key's id; compute it once). */
  private readonly queryIds = new WeakMap<QueryKey, string>();

  private queryId(k: QueryKey): string {
    let id = this.queryIds.get(k);
    if (id === undefined) {
      id = stableJson([this.tableOf(k.model.schema), k.model.schema.entity ?? '', k.index ?? '', k.condition, k.page ?? null, ...(k.raw ? ['raw'] : [])]);
      this.queryIds.set(k, id);
    }
    return id;
  }

  /**
   * After an update whose new item is not known here: the next load of `key` reads again
   * (and brings the held instance, if any, up to what it reads).
   */
  forget(schema: ModelSchema, key: Record<string, unknown>): void {
    this.gets.clear(this.getKey({ schema } as ModelClassRuntime, key));
    this.queries.clearAll();
  }

  /** Runs the distinct queries of one tick, coalescing item-collection edges of a shared table. */
  private async runQueries(keys: readonly QueryKey[]): Promise<(ModelBase[] | Page<ModelBase>)[]> {
    // Without a cache (outside a session) DataLoader hands duplicate keys to the batch: run each once.
    const ids = keys.map((k) => this.queryId(k));
    const firstOf = new Map<string, number>();
    ids.forEach((id, i) => firstOf.has(id) || firstOf.set(id, i));
    const distinct = [...firstOf.values()];
    const specs = keys.map((k) => querySpec(this.db, [k.model], k.condition, { index: k.index }));
    const results = new Array<ModelBase[] | Page<ModelBase>>(keys.length);
    const groups = collectionGroups(keys, distinct, specs);
    const grouped = new Set(groups.flat());
    const hydrating: number[] = [];
    const tasks: (() => Promise<void>)[] = [
      ...groups.map((members) => () => this.runCollection(keys, specs, members, results)),
      ...distinct.filter((i) => !grouped.has(i)).map((i) => () => this.runOne(keys[i], specs[i], i, results, hydrating)),
    ];
    await mapConcurrent(tasks, this.db.concurrency, (t) => t());
    await this.hydrateEntries(keys, results, hydrating);
    // Each duplicate gets its own array, so one edge's add() never shows up on another's.
    return keys.map((_, i) => {
      const r = results[firstOf.get(ids[i])!];
      if (firstOf.get(ids[i]) === i) return r;
      return Array.isArray(r) ? [...r] : { ...r, items: [...r.items] };
    });
  }

  /** One Query of a shared partition serves every item-collection edge of the tick that reads it. */
  private async runCollection(keys: readonly QueryKey[], specs: readonly ReadSpec[], members: readonly number[], results: (ModelBase[] | Page<ModelBase>)[]): Promise<void> {
    const models = [...new Set(members.map((i) => keys[i].model))];
    const hash = models[0].schema.hash;
    const all = (await new Query(this.db, querySpec(this.db, models, { [hash]: specs[members[0]].partition!.value }, {}), {}).all()) as ModelBase[];
    for (const i of members) {
      const matches = rangeMatcher(keys[i].model.schema, keys[i].condition);
      results[i] = all.filter((x) => x.constructor === keys[i].model && matches(x[STATE].stored ?? {}));
    }
  }

  /** One distinct query; a keys-only (or include) index's entries are left for {@link hydrateEntries}. */
  private async runOne(k: QueryKey, spec: ReadSpec, i: number, results: (ModelBase[] | Page<ModelBase>)[], hydrating: number[]): Promise<void> {
    const partial = isPartialIndex(k.model, k.index);
    const q = new Query<ModelBase>(this.db, partial || k.raw ? { ...spec, decode: (items) => items } : spec, { reverse: k.page?.reverse });
    results[i] = k.page ? await q.page(k.page) : await q.all();
    if (partial && !k.raw) hydrating.push(i);
  }

  /** The sparse-index pattern once for the whole batch: every entry's full item in shared BatchGetItems, index order kept. */
  private async hydrateEntries(keys: readonly QueryKey[], results: (ModelBase[] | Page<ModelBase>)[], hydrating: readonly number[]): Promise<void> {
    await Promise.all(hydrating.map(async (i) => {
      const r = results[i];
      const entries = (Array.isArray(r) ? r : r.items) as unknown as Record<string, unknown>[];
      const items = await this.hydrate(keys[i].model, entries);
      // The cursor stays the page's own, encoded only if somebody reads it.
      results[i] = Array.isArray(r) ? items : { items, get cursor() { return r.cursor; } };
    }));
  }
}

/** `true` for an index that does not project every attribute (keys-only, include): its entries are hydrated. */
export function isPartialIndex(model: ModelClassRuntime, index: string | undefined): boolean {
  return index !== undefined && model.schema.indexes[index]?.projection !== 'all';
}

/** Whole-partition loads of models sharing a table (an item collection), grouped by partition: groups of two or more. */
function collectionGroups(keys: readonly QueryKey[], distinct: readonly number[], specs: readonly ReadSpec[]): number[][] {
  const groups = new Map<string, number[]>();
  for (const i of distinct) {
    const k = keys[i];
    if (k.page || k.index || k.raw || k.model.schema.entity === undefined) continue;
    const id = stableJson([specs[i].table, specs[i].partition?.value]);
    groups.set(id, [...(groups.get(id) ?? []), i]);
  }
  return [...groups.values()].filter((members) => members.length >= 2);
}
