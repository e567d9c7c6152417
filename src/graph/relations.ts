/**
 * Relationship declarations as instance fields: `user = manyToOne(() => User, { query })`.
 * The declaration (target thunk, query, back-query, inverse) is shared and stateless;
 * each instance gets its own edge object holding what it loaded — never the class
 * (DynamORM cached related objects on the shared descriptor and returned wrong users).
 */
import type { AnyModel, IndexNameOf, INSTANCE_TYPES, KeyOf, PersistentModel, QueryKeyOf, ValuesOfModel } from '../model/model.js';
import { constructingInstance, fillComputed, instanceFromItem, type ModelBase, type ModelClassRuntime } from '../model/instance.js';
import { isRangeCondition } from '../model/reads.js';
import { TemplateAttribute } from '../schema/template.js';
import { SchemaError } from '../errors.js';
import type { Page } from '../operations/read-stream.js';
import { checkRelationNames, graphFor } from './graph-context.js';
import { PRIME_INVERSE, primeInverse, type InversePrimable } from './inverse.js';
import { ListEdge, type TwoSteps } from './list-edge.js';
import { isPartialIndex, type GraphLoader } from './loader.js';
import { EDGE, EdgeNotLoadedError, edgeLabel, type KnownLoaded, fieldOf, INCLUDE, modelName, type Edge, type IncludeLoadOptions, type IncludeRound } from './edge.js';
import { WRITE_EFFECTS, type WriteEffectHandler, type WriteEffectSource } from '../model/write-hooks.js';
import { toManyEffects, toOneEffects, type CounterAttribute, type OnDelete } from './integrity.js';

export { EdgeNotLoadedError, type KnownLoaded } from './edge.js';

/** The kinds of relationship. */
export type RelationKind = 'oneToOne' | 'manyToOne' | 'oneToMany';

/** A relationship declaration, shared by every instance of the declaring model. */
export interface Relation {
  readonly kind: RelationKind;
  /** The target model (a thunk, so models may refer to each other in cycles). */
  readonly target: () => AnyModel;
  /** This item → the target's key (to-one by key) or the target's partition (index or to-many). */
  readonly query: (self: any) => Record<string, unknown> | null | undefined;
  /** Index of the target that `query` addresses. */
  readonly index?: string;
  /** Target item → my attribute values that point at it; used by `set()`. */
  readonly backQuery?: (target: any) => Record<string, unknown>;
  /** Index on my model that answers the inverse question (target → me); for documentation and diagrams. */
  readonly backIndex?: string;
  /** Name of the edge on the target pointing back here; loading this edge primes it. */
  readonly inverse?: string;
  /** What deleting my item does to the items this edge reaches (see integrity.ts). */
  readonly onDelete?: OnDelete;
  /** To-one: a create of my item is conditional on the target existing. */
  readonly requireTarget?: boolean;
  /** To-many: my number attribute kept equal to the number of targets (see counters.ts). */
  readonly counter?: string;
}

/**
 * The names of the edges a model's instances declare: its instance members that are neither
 * attributes nor the model's own methods. Names only (not their types), so models that
 * refer to each other in cycles still compile.
 */
export type EdgeNameOf<M extends AnyModel> = Exclude<keyof InstanceType<M> & string, keyof ValuesOfModel<M> | keyof PersistentModel>;
/** The index names of an instance's model (`string` for an instance whose declaration is not known). */
export type IndexOfInstance<S> = S extends { readonly [INSTANCE_TYPES]: { indexes: infer I } } ? keyof I & string : string;

/** Options of a to-one relationship. */
export interface ToOneOptions<S, M extends AnyModel, X extends IndexNameOf<M> | undefined> {
  /** Through an index of the target (its first match), instead of the target's primary key. */
  index?: X;
  /** This item → the target's key (or, with `index`, the index key). `null` means "no target". */
  query: (self: S) => ([X] extends [undefined] ? KeyOf<M> : QueryKeyOf<M, X>) | null | undefined;
  /** Target → my attributes pointing at it; `set(target)` assigns them. */
  backQuery?: (target: InstanceType<M>) => Partial<S>;
  /** Index on my model for target → me (an index my model declares). */
  backIndex?: IndexOfInstance<S> | undefined;
  /** Name of the target's edge pointing back to me (primed when this edge loads); an edge the target declares. */
  inverse?: EdgeNameOf<M> | undefined;
  /**
   * Deleting my item: `'restrict'` refuses while the target exists; `'cascade'` deletes the
   * target in the same transaction (meant for a one-to-one that owns its target).
   */
  onDelete?: 'restrict' | 'cascade';
  /** Creating my item is conditional on the target existing (a ConditionCheck in the same transaction; MissingTargetError otherwise). */
  requireTarget?: boolean;
}

/** Options of a to-many relationship. */
export interface ToManyOptions<S, M extends AnyModel, X extends IndexNameOf<M> | undefined> {
  /** Query an index of the target instead of its table. */
  index?: X;
  /** This item → the target partition (and optionally a range condition). */
  query: (self: S) => QueryKeyOf<M, X> | null | undefined;
  /** Me → the attributes `add(child)` assigns to a child. Defaults to what `query` returns. */
  backQuery?: (self: S) => Partial<InstanceType<M>>;
  /** Index on my model for target → me (an index my model declares). */
  backIndex?: IndexOfInstance<S> | undefined;
  /** Name of the target's to-one edge pointing back to me (primed when this edge loads); an edge the target declares. */
  inverse?: EdgeNameOf<M> | undefined;
  /**
   * Deleting my item: `'restrict'` refuses while targets exist (DeleteRestrictedError naming
   * them); `'cascade'` deletes them in the same transaction; `'detach'` removes from each the
   * attributes pointing at me, in the same transaction.
   */
  onDelete?: OnDelete;
  /**
   * A number attribute of mine kept equal to the number of targets: every create and delete
   * of a target through dynagraph changes it in the same transaction. Needs `inverse` (the
   * target's to-one edge that names my key).
   */
  counter?: CounterAttribute<S>;
}

function owner(kind: string): ModelBase {
  const o = constructingInstance();
  if (!o) throw new SchemaError(`${kind}() must initialise an instance field of a model class`);
  return o;
}

/** What a to-one edge holds before it is loaded (a loaded edge holds its target, or `null`). */
const UNLOADED: unique symbol = Symbol('dynagraph.unloaded');

/** A to-one edge of one instance. */
export class ToOne<T> implements InversePrimable, Edge, WriteEffectSource {
  /** @internal */
  declare readonly [EDGE]: 'toOne';
  static {
    // On the prototype: one less field for every edge of every instance.
    Object.defineProperty(this.prototype, EDGE, { value: 'toOne' });
  }
  /** The instance this edge belongs to. */
  declare readonly owner: ModelBase;
  /** The target once loaded (`null`: none), else {@link UNLOADED}. */
  #value: T | null | typeof UNLOADED = UNLOADED;
  #relation: Relation | undefined;
  // The declaration as given (checked already), until `relation` is first read: most edges of most instances never are.
  readonly #kind: RelationKind | undefined;
  readonly #target: (() => AnyModel) | undefined;
  readonly #options: Given | undefined;

  /** An edge of `owner` over `relation`. */
  constructor(relation: Relation, owner: ModelBase);
  /** @internal An edge of `owner` whose declaration is made from what was declared (and checked) when first read. */
  constructor(kind: RelationKind, owner: ModelBase, target: () => AnyModel, options: Given);
  constructor(relation: Relation | RelationKind, owner: ModelBase, target?: () => AnyModel, options?: Given) {
    this.owner = owner;
    if (typeof relation === 'string') {
      this.#kind = relation;
      this.#target = target;
      this.#options = options;
    } else this.#relation = relation;
  }

  /** The shared declaration. */
  get relation(): Relation {
    return (this.#relation ??= relationOf(this.#kind!, this.#target!, this.#options!));
  }

  /** @internal What this edge adds to a create or delete of its owner (see integrity.ts). */
  get [WRITE_EFFECTS](): WriteEffectHandler | undefined {
    return toOneEffects(this);
  }

  /** @internal Takes the owner that loaded this instance through the inverse edge, unless already loaded. */
  [PRIME_INVERSE](owner: unknown): void {
    if (this.#value === UNLOADED) this.prime(owner as T);
  }

  /** The owner's field holding this edge (`user` of `Thread.user`). */
  get field(): string {
    return fieldOf(this.owner, this);
  }

  /** @internal An include's load: the target (`null`: none) goes to its slot, at once when held; a failure fails the round (never a throw). */
  [INCLUDE](_options: IncludeLoadOptions, round: IncludeRound, slot: number): void {
    const held = this.#value;
    if (held !== UNLOADED) return round.put(slot, held as ModelBase | null);
    try {
      const relation = this.relation;
      const graph = graphFor(this.owner);
      const target = relation.target() as unknown as ModelClassRuntime;
      if (isPartialIndex(target, relation.index)) return this.#includeEntry(graph, target, round, slot);
      // As load() does (the inverse and this edge primed), in one `then`: an include's per-edge path.
      graph.loadToOneInto(relation, this.owner, (found) => round.put(slot, this.#loaded(found) as ModelBase | null), round.fail);
    } catch (err) {
      round.fail(err);
    }
  }

  /** A keys-only index edge's include: its entry this round; the full item the next, with that round's gets. */
  #includeEntry(graph: GraphLoader, target: ModelClassRuntime, round: IncludeRound, slot: number): void {
    graph.entryToOne(this.relation, this.owner).then((entry) => {
      if (!entry) return round.put(slot, this.#loaded(null) as null);
      round.defer(slot, (next, at) => {
        let hydrated: Promise<ModelBase[]>;
        try {
          // Asked again next round: outside a session, that round's tick has a loader of its own.
          hydrated = graphFor(this.owner).hydrate(target, [entry]);
        } catch (err) {
          return next.fail(err);
        }
        hydrated.then(([found]) => next.put(at, this.#loaded(found ?? null) as ModelBase | null)).catch(next.fail);
      });
    }).catch(round.fail);
  }

  /** `true` once loaded (or set). */
  get isLoaded(): boolean {
    return this.#value !== UNLOADED;
  }

  /**
   * The loaded target; compiles only on an edge known to be loaded (an include or
   * `session.load` result), and throws EdgeNotLoadedError when not loaded.
   */
  get(this: ToOne<T> & KnownLoaded): T | null {
    const value = this.#value;
    if (value === UNLOADED) throw new EdgeNotLoadedError(edgeLabel(this));
    return value;
  }

  /** Loads the target (batched with every other load of the same tick); `null` when missing. Never writes. */
  load(): Promise<T | null> {
    const held = this.#value;
    if (held !== UNLOADED) return Promise.resolve(held);
    let loading: Promise<ModelBase | null>;
    try {
      loading = graphFor(this.owner).loadToOne(this.relation, this.owner);
    } catch (err) {
      return Promise.reject(err);
    }
    // One `then` per load rather than an async frame: the per-edge path of a fan-in.
    return loading.then((found) => this.#loaded(found));
  }

  /** A load's target arrived: its inverse edge and this one are primed. */
  #loaded(found: ModelBase | null): T | null {
    const value = found as T | null;
    if (value && this.relation.inverse) primeInverse(value, this.relation.inverse, this.owner);
    this.prime(value);
    return value;
  }

  /**
   * Points this item at `target`: assigns my attributes from the declaration's `backQuery`
   * (nothing is saved). `null` clears them.
   */
  set(target: T | null): void {
    checkRelationNames(this.owner);
    const back = this.relation.backQuery;
    if (!back) throw new SchemaError(`set() needs a backQuery on ${edgeLabel(this)}`);
    const self = this.owner as unknown as Record<string, unknown>;
    if (target === null) {
      // Unloaded: a blank target still tells which of my attributes backQuery fills.
      const held = this.#value;
      const probe = held !== UNLOADED && held !== null ? held : instanceFromItem(this.relation.target() as unknown as ModelClassRuntime, {});
      for (const k of Object.keys(back(probe))) delete self[k];
    } else {
      Object.assign(self, back(target));
      fillComputed((this.owner.constructor as ModelClassRuntime).schema, self);
    }
    this.prime(target);
  }

  /** @internal Marks the edge loaded with `value`. */
  prime(value: T | null): void {
    this.#value = value;
  }
}

/** A to-many edge of one instance. */
export class ToMany<T> extends ListEdge<T> implements WriteEffectSource {
  /** @internal */
  declare readonly [EDGE]: 'toMany';
  static {
    Object.defineProperty(this.prototype, EDGE, { value: 'toMany' });
  }
  /** The instance this edge belongs to. */
  declare readonly owner: ModelBase;
  #relation: Relation | undefined;
  // The declaration as given (checked already), until `relation` is first read.
  readonly #target: (() => AnyModel) | undefined;
  readonly #options: Given | undefined;

  /** An edge of `owner` over `relation`. */
  constructor(relation: Relation, owner: ModelBase);
  /** @internal An edge of `owner` whose `oneToMany` declaration is made from what was declared (and checked) when first read. */
  constructor(kind: 'oneToMany', owner: ModelBase, target: () => AnyModel, options: Given);
  constructor(relation: Relation | 'oneToMany', owner: ModelBase, target?: () => AnyModel, options?: Given) {
    super();
    this.owner = owner;
    if (typeof relation === 'string') {
      this.#target = target;
      this.#options = options;
    } else this.#relation = relation;
  }

  /** The shared declaration. */
  get relation(): Relation {
    return (this.#relation ??= relationOf('oneToMany', this.#target!, this.#options!));
  }

  /** @internal What this edge adds to a delete of its owner (see integrity.ts). */
  get [WRITE_EFFECTS](): WriteEffectHandler | undefined {
    return toManyEffects(this);
  }

  /** Loads every item (a Query, de-duplicated with identical loads of the same tick). */
  async load(): Promise<T[]> {
    if (this.complete) return this.held!;
    const items = (await graphFor(this.owner).loadToMany(this.relation, this.owner)) as T[];
    this.#primeInverses(items);
    this.prime(items, undefined);
    return items;
  }

  /** One page of at most `limit` items after `cursor`; `reverse` for descending range-key order (latest first). */
  async page(options: { limit?: number | undefined; cursor?: string | undefined; reverse?: boolean | undefined } = {}): Promise<Page<T>> {
    const page = (await graphFor(this.owner).pageToMany(this.relation, this.owner, options)) as Page<T>;
    this.#primeInverses(page.items);
    return page;
  }

  /** @internal An include over a keys-only index reads its entries one round, hydrates them the next (with that round's gets). */
  protected override twoSteps(): TwoSteps<T> | undefined {
    const relation = this.relation;
    const target = relation.target() as unknown as ModelClassRuntime;
    if (!isPartialIndex(target, relation.index)) return undefined;
    const graph = graphFor(this.owner);
    return {
      first: (page) => (page ? graph.pageToMany(relation, this.owner, page, true) : graph.loadToMany(relation, this.owner, true)),
      // The loader asked again next round: outside a session, that round's tick has its own (its gets share its batch).
      targets: (entries) => graphFor(this.owner).hydrate(target, entries as Record<string, unknown>[]).then((items) => {
        this.#primeInverses(items as T[]);
        return items as T[];
      }),
    };
  }

  /** Each target loaded through me knows me through its inverse to-one edge, without a request. */
  #primeInverses(items: readonly T[]): void {
    const inverse = this.relation.inverse;
    if (inverse) for (const item of items) primeInverse(item as object, inverse, this.owner);
  }

  /** The number of items (Select COUNT, paged through). */
  count(): Promise<number> {
    return graphFor(this.owner).countToMany(this.relation, this.owner);
  }

  /**
   * Makes `child` belong to this item: assigns the child's attributes from `backQuery`
   * (or from what `query` returns). Nothing is saved.
   */
  add(child: T): void {
    checkRelationNames(this.owner);
    const values = this.relation.backQuery ? this.relation.backQuery(this.owner) : this.relation.query(this.owner);
    if (!values) throw new SchemaError(`add(): ${modelName(this.owner.constructor)} has no key for ${edgeLabel(this)} yet`);
    // Only equality values are the child's: a range condition (`{ beginsWith }`) or a computed template key is not.
    const { schema } = (child as object).constructor as ModelClassRuntime;
    const target = child as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(values)) {
      if (!isRangeCondition(v) && !(schema.attributes[k] instanceof TemplateAttribute)) target[k] = v;
    }
    fillComputed(schema, target);
    const held = this.held;
    if (held && !held.includes(child)) held.push(child);
  }
}

/** The options of a to-one or to-many declaration, as given. */
type Given = ToOneOptions<any, any, any> | ToManyOptions<any, any, any>;

/** Refuses a declaration that cannot work, when it is declared (its instance is constructed). */
function check(kind: RelationKind, target: () => AnyModel, options: Given): void {
  if (typeof target !== 'function') throw new SchemaError(`${kind}() needs a thunk of the target model: () => Target`);
  if (typeof options?.query !== 'function') throw new SchemaError(`${kind}() needs a query function`);
  const { counter } = options as { counter?: string };
  if (counter !== undefined && !options.inverse) throw new SchemaError(`${kind}(): counter "${counter}" needs inverse (the target's to-one edge naming my key)`);
}

/** The declaration object of a checked declaration. */
function relationOf(kind: RelationKind, target: () => AnyModel, options: Given): Relation {
  const { onDelete, requireTarget, counter } = options as { onDelete?: OnDelete; requireTarget?: boolean; counter?: string };
  return { kind, target, query: options.query, index: options.index, backQuery: options.backQuery as Relation['backQuery'], backIndex: options.backIndex, inverse: options.inverse, onDelete, requireTarget, counter };
}

// Never cached per call site or class: the functions given may differ per instance (they may close over it). Each edge makes its own declaration, when first read.
/** Many of me point at one target: `user = manyToOne(() => User, { query: (t: Thread) => ({ name: t.user_name }) })`. */
export function manyToOne<S, M extends AnyModel, X extends IndexNameOf<M> | undefined = undefined>(target: () => M, options: ToOneOptions<S, M, X>): ToOne<InstanceType<M>> {
  check('manyToOne', target, options);
  return new ToOne('manyToOne', owner('manyToOne'), target, options);
}

/** One of me points at one target. */
export function oneToOne<S, M extends AnyModel, X extends IndexNameOf<M> | undefined = undefined>(target: () => M, options: ToOneOptions<S, M, X>): ToOne<InstanceType<M>> {
  check('oneToOne', target, options);
  return new ToOne('oneToOne', owner('oneToOne'), target, options);
}

/** One of me has many targets: `replies = oneToMany(() => Reply, { query: (t: Thread) => ({ thread_id: … }) })`. */
export function oneToMany<S, M extends AnyModel, X extends IndexNameOf<M> | undefined = undefined>(target: () => M, options: ToManyOptions<S, M, X>): ToMany<InstanceType<M>> {
  check('oneToMany', target, options);
  return new ToMany('oneToMany', owner('oneToMany'), target, options);
}
