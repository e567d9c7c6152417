/**
 * What every edge (to-one, to-many, many-to-many) shows the rest of the graph layer:
 * includes, explain, trace and diagrams ask an edge through this one interface instead of
 * testing its class. An edge learns its field name from its owner, once.
 */
import { DynagraphError } from '../errors.js';
import type { ModelBase, ModelClassRuntime } from '../model/instance.js';
import type { AnyModel } from '../model/model.js';

/** Marks an edge object and says its shape. */
export const EDGE: unique symbol = Symbol('dynagraph.edge');
/** Loads the edge for an include: all of it, or its first page. */
export const INCLUDE: unique symbol = Symbol('dynagraph.include');

/** How an edge's targets are counted: one, or many. */
export type EdgeShape = 'toOne' | 'toMany' | 'manyToMany';

/** What the graph layer reads from any edge's declaration. */
export interface EdgeDeclaration {
  /** `oneToOne`, `manyToOne`, `oneToMany` or `manyToMany`. */
  readonly kind: string;
  /** The target model. */
  readonly target: () => AnyModel;
  /** Index of the target (to-one / to-many) or of the edge store (many-to-many, inverse side) that is queried. */
  readonly index?: string;
}

/** Options of an include's load of one edge. */
export interface IncludeLoadOptions {
  /** Load a first page of at most this many targets (to-many and many-to-many edges). */
  limit?: number;
  /** Take that page from the end. */
  reverse?: boolean;
}

/** One edge of one instance, as the graph layer sees it. */
export interface Edge {
  /** The shape of the edge. */
  readonly [EDGE]: EdgeShape;
  /** The shared declaration. */
  readonly relation: EdgeDeclaration;
  /** The instance this edge belongs to. */
  readonly owner: ModelBase;
  /** `true` once loaded. */
  readonly isLoaded: boolean;
  /** The field of the owner holding this edge (`user` of `Thread.user`). */
  readonly field: string;
  /**
   * @internal Loads for an include, primes the edge, and reports what it loaded into `slot`
   * of `round`: a list edge its targets, a to-one edge its target or `null`.
   */
  [INCLUDE](options: IncludeLoadOptions, round: IncludeRound, slot: number): void;
}

/** The last step of a deferred load: it reports into `slot` of `round` (or fails it), and never throws. */
export type NextStep = (round: IncludeRound, slot: number) => void;

/**
 * The edge loads of one include round: each reports its result into its slot (or fails the
 * round), and the round settles once every slot is filled, or at the first failure (as
 * `Promise.all` would, without a promise and a callback per load).
 */
export class IncludeRound {
  /** What each load gave, by slot. */
  readonly results: (readonly ModelBase[] | ModelBase | null)[] = [];
  /** The loads whose last step runs in the next round (see {@link defer}), by slot. */
  deferred: Map<number, NextStep> | undefined;
  /** Settles when every load has reported, or rejects with the first failure. */
  readonly done: Promise<void>;
  /** Loads not reported yet, and one more until {@link close}: a load reporting at once never settles a round still being filled. */
  #pending = 1;
  #settle!: () => void;
  #fail!: (err: unknown) => void;
  /** Fails the round (a method bound once per round, so edges pass it as their rejection handler). */
  readonly fail = (err: unknown): void => this.#fail(err);

  constructor() {
    this.done = new Promise<void>((resolve, reject) => {
      this.#settle = resolve;
      this.#fail = reject;
    });
  }

  /** Takes a slot for one more load. */
  slot(): number {
    this.#pending++;
    return this.results.push(null) - 1;
  }

  /** A load's result. */
  put(slot: number, value: readonly ModelBase[] | ModelBase | null): void {
    this.results[slot] = value;
    if (--this.#pending === 0) this.#settle();
  }

  /**
   * A load whose first step is done and whose last runs in the next round, with that
   * round's loads (a many-to-many edge's targets share the next level's BatchGetItems).
   */
  defer(slot: number, next: NextStep): void {
    (this.deferred ??= new Map()).set(slot, next);
    this.put(slot, null);
  }

  /** Every slot is taken (a round whose loads have all reported, or has none, settles now). */
  close(): void {
    if (--this.#pending === 0) this.#settle();
  }
}

/** `true` for any edge object. */
export function isEdge(value: unknown): value is Edge {
  return typeof value === 'object' && value !== null && EDGE in value;
}

/** A model class's name for messages: its class name, else its schema's. */
export function modelName(model: object): string {
  const m = model as ModelClassRuntime;
  return m.name || m.schema?.name;
}

const fields = new WeakMap<object, string>();

/**
 * The field of `owner` that holds `edge`, found by looking at the owner's own fields
 * (declarations are instance fields, so the edge is one of them) and remembered.
 */
export function fieldOf(owner: object, edge: object): string {
  let name = fields.get(edge);
  if (name === undefined) {
    name = Object.entries(owner).find(([, v]) => v === edge)?.[0] ?? '(not a field)';
    // Until the owner's constructor has assigned it the edge is not found yet; do not remember that.
    if (name !== '(not a field)') fields.set(edge, name);
  }
  return name;
}

/** `Thread.user`: the owner's model and the edge's field. */
export function edgeLabel(edge: Edge): string {
  return `${modelName(edge.owner.constructor)}.${edge.field}`;
}

/** The edges of an instance, by field name. */
export function edgesOf(instance: object): [string, Edge][] {
  return Object.entries(instance).filter((e): e is [string, Edge] => isEdge(e[1]));
}

/** Thrown by `get()` on an edge that has not been loaded: `Thread.user is not loaded`. */
export class EdgeNotLoadedError extends DynagraphError {
  static { this.prototype.name = 'EdgeNotLoadedError'; }
  /** The edge, as `Model.field`. */
  readonly edge: string;
  constructor(edge: string) {
    super('EDGE_NOT_LOADED', `${edge} is not loaded; await .load() or include it first`);
    this.edge = edge;
  }
}

/**
 * What `get()` asks of its edge: that the type knows it is loaded — an edge of an include or
 * `session.load` result (`Loaded<T, S>`). On any other edge, `await edge.load()` instead.
 */
export interface KnownLoaded {
  readonly isLoaded: true;
}
