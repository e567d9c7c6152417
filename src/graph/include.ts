/**
 * Eager, level-wise loading: `session.load(threads, { user: true, replies: { user: true } })`
 * loads every edge of one level at once (so the loaders batch them), then the next
 * level: one round trip per level. A many-to-many edge takes two: its adjacency Queries,
 * then its targets, read with the next level's loads (one BatchGetItem for both, as a
 * hand-written resolver would send them); so does an edge over a keys-only index (its
 * entries, then their full items).
 */
import { SchemaError } from '../errors.js';
import type { ModelBase } from '../model/instance.js';
import type { ToMany, ToOne } from './relations.js';
import type { ManyToMany } from './many-to-many.js';
import { INCLUDE, IncludeRound, isEdge, modelName, type NextStep } from './edge.js';
import { roundExpectation } from './explain.js';
import type { TraceRecorder } from './trace.js';

type EdgeKeys<T> = { [K in keyof T]: T[K] extends ToOne<any> | ToMany<any> | ManyToMany<any> ? K : never }[keyof T] & string;
type TargetOf<E> = E extends ToOne<infer U> ? U : E extends ToMany<infer U> ? U : E extends ManyToMany<infer U> ? U : never;

/** Options of a to-many level of an include: a first page, optionally from the end. */
interface PageOptions {
  $limit?: number | undefined;
  $reverse?: boolean | undefined;
}

/**
 * Which edges to load: `{ user: true, replies: { $limit: 10, $reverse: true, user: true } }`.
 * `$limit` loads a first page of a to-many or many-to-many edge; `$reverse` takes it from the end (latest first).
 */
export type IncludeSpec<T> = {
  [K in EdgeKeys<T>]?: true | (T[K] extends ToMany<infer U> | ManyToMany<infer U> ? IncludeSpec<U> & PageOptions : IncludeSpec<TargetOf<T[K]>>);
};

/** What a `$limit` / `$reverse` under a to-one edge is told: paging is for to-many edges. */
type ToManyOnly = '$limit and $reverse page a to-many edge; this edge is to-one';

/**
 * Rejects keys that are not edges, at any depth, and paging under a to-one edge (misuse
 * does not compile). `P` is `true` where the level is a to-many edge.
 */
export type ExactInclude<T, S, P = false> = {
  [K in keyof S]: K extends '$limit' ? (P extends true ? number : ToManyOnly) : K extends '$reverse' ? (P extends true ? boolean : ToManyOnly)
    : K extends EdgeKeys<T> ? (S[K] extends object ? ExactInclude<TargetOf<T[K]>, S[K], T[K] extends ToMany<any> | ManyToMany<any> ? true : false> : true) : never;
};

/** A to-one edge known to be loaded: `get()` compiles on it. */
export interface LoadedToOne<U> {
  readonly isLoaded: true;
  /** The loaded target (`null` when there is none). */
  get(): U | null;
  /** The loaded target, at once (already loaded). */
  load(): Promise<U | null>;
}
/** A to-many edge known to be loaded: `get()` compiles on it. */
export interface LoadedToMany<U> {
  readonly isLoaded: true;
  /** The loaded items. */
  get(): U[];
  /** The loaded items, at once (already loaded). */
  load(): Promise<U[]>;
}

/** A many-to-many edge known to be loaded: `get()` compiles on it. */
export interface LoadedManyToMany<U> {
  readonly isLoaded: true;
  /** The loaded targets. */
  get(): U[];
  /** The loaded targets, at once (already loaded). */
  load(): Promise<U[]>;
}

/**
 * `T` with the edges named in `S` marked as loaded (recursively; `true`, even widened to
 * `boolean` by a destructuring, loads an edge). An intersection with `T`,
 * so a loaded result is usable wherever a `T` is (`render(t: Thread)`, `tx.put(t)`,
 * `t.update(…)`): its protected members and its class identity are kept.
 */
export type Loaded<T, S> = [keyof S & keyof T] extends [never] ? T : {
  [K in keyof S & keyof T]: T[K] extends ToOne<infer U>
    ? LoadedToOne<S[K] extends object ? Loaded<U, S[K]> : U>
    : T[K] extends ToMany<infer U>
      ? LoadedToMany<S[K] extends object ? Loaded<U, S[K]> : U>
      : T[K] extends ManyToMany<infer U>
        ? LoadedManyToMany<S[K] extends object ? Loaded<U, S[K]> : U>
        : never;
} & T;

type Spec = Record<string, unknown>;

/** The deferred last steps of one edge's loads, run in the next round with that round's loads. */
interface DeferredSteps {
  /** An owner of the edge (for the trace's expectation) and the edge's field. */
  probe: ModelBase;
  name: string;
  steps: NextStep[];
  /** What to load below the edge's targets. */
  spec: Spec | undefined;
}

/** One edge of one round: its loads are slots [from, to) of the round. */
interface Level {
  from: number;
  to: number;
  spec: Spec | undefined;
  probe: ModelBase | undefined;
  name: string;
}

/**
 * Loads `spec` below `roots`, one level per round; a many-to-many edge's targets (a
 * keys-only index edge's items) are read in the round after its Queries, with the next
 * level's loads.
 */
export async function loadIncludes(roots: readonly ModelBase[], spec: Spec, trace?: TraceRecorder): Promise<void> {
  let frontier: [readonly ModelBase[], Spec][] = [[roots, spec]];
  let deferred: DeferredSteps[] = [];
  for (let round = 1; frontier.length || deferred.length; round++) {
    const end = trace?.startRound(roundExpectation(round, frontier, deferred));
    // Every edge load of the round, level after level: a level's loads are slots [from, to) of the round (no closure or index per edge).
    const loads = new IncludeRound();
    const levels: Level[] = [];
    // The last steps deferred by the previous round, in this round's tick: their gets share its BatchGetItems.
    for (const group of deferred) {
      const from = loads.results.length;
      for (const step of group.steps) step(loads, loads.slot());
      levels.push({ from, to: loads.results.length, spec: group.spec, probe: undefined, name: group.name });
    }
    for (const [instances, level] of frontier) {
      for (const [name, sub] of Object.entries(level)) {
        if (name.startsWith('$') || !sub) continue;
        const nested = typeof sub === 'object' ? (sub as Spec) : undefined;
        // One options object per level: edges only read it.
        const options = { limit: nested?.$limit as number | undefined, reverse: nested?.$reverse === true };
        const from = loads.results.length;
        for (const instance of instances) {
          const edge = (instance as unknown as Record<string, unknown>)[name];
          if (!isEdge(edge)) throw new SchemaError(`include: "${name}" is not a relationship of ${modelName(instance.constructor)}`);
          edge[INCLUDE](options, loads, loads.slot());
        }
        const children = nested && Object.keys(nested).some((k) => !k.startsWith('$')) ? nested : undefined;
        levels.push({ from, to: loads.results.length, spec: children, probe: instances[0], name });
      }
    }
    loads.close();
    try {
      await loads.done;
    } finally {
      end?.();
    }
    const loaded = loads.results;
    const later = loads.deferred;
    // Children in load order, each once (as the de-duplicated frontier always was): a to-one
    // load gives its target or null, a list load its targets; a deferred load goes on next round.
    const next: [ModelBase[], Spec][] = [];
    deferred = [];
    for (const level of levels) {
      if (later && level.probe) {
        const steps: NextStep[] = [];
        for (let i = level.from; i < level.to; i++) {
          const step = later.get(i);
          if (step) steps.push(step);
        }
        if (steps.length) deferred.push({ probe: level.probe, name: level.name, steps, spec: level.spec });
      }
      if (!level.spec) continue;
      const children = new Set<ModelBase>();
      for (let i = level.from; i < level.to; i++) {
        const got = loaded[i];
        if (got === null) continue;
        if (Array.isArray(got)) for (const item of got as readonly ModelBase[]) children.add(item);
        else children.add(got as ModelBase);
      }
      if (children.size > 0) next.push([[...children], level.spec]);
    }
    frontier = next;
  }
}
