/**
 * Eager, level-wise loading: `session.load(threads, { user: true, replies: { user: true } })`
 * loads every edge of one level at once (so the loaders batch them), then the next
 * level: sequential round trips equal the include depth.
 */
import { SchemaError } from '../errors.js';
import type { ModelBase } from '../model/instance.js';
import type { ToMany, ToOne } from './relations.js';
import type { ManyToMany } from './many-to-many.js';
import { INCLUDE, isEdge, modelName } from './edge.js';
import { roundExpectation } from './explain.js';
import type { TraceRecorder } from './trace.js';

type EdgeKeys<T> = { [K in keyof T]: T[K] extends ToOne<any> | ToMany<any> | ManyToMany<any> ? K : never }[keyof T] & string;
type TargetOf<E> = E extends ToOne<infer U> ? U : E extends ToMany<infer U> ? U : E extends ManyToMany<infer U> ? U : never;

/**
 * Which edges to load: `{ user: true, replies: { $limit: 10, $reverse: true, user: true } }`.
 * `$limit` loads a first page of a to-many or many-to-many edge; `$reverse` takes it from the end (latest first).
 */
export type IncludeSpec<T> = { [K in EdgeKeys<T>]?: true | (IncludeSpec<TargetOf<T[K]>> & { $limit?: number; $reverse?: boolean }) };

/** Rejects keys that are not edges, at any depth (misuse does not compile). */
export type ExactInclude<T, S> = {
  [K in keyof S]: K extends '$limit' ? number : K extends '$reverse' ? boolean : K extends EdgeKeys<T> ? (S[K] extends true ? true : ExactInclude<TargetOf<T[K]>, S[K]>) : never;
};

/** A to-one edge known to be loaded. */
export interface LoadedToOne<U> extends Omit<ToOne<U>, 'get' | 'isLoaded'> {
  readonly isLoaded: true;
  get(): U | null;
}
/** A to-many edge known to be loaded. */
export interface LoadedToMany<U> extends Omit<ToMany<U>, 'get' | 'isLoaded'> {
  readonly isLoaded: true;
  get(): U[];
}

/** A many-to-many edge known to be loaded. */
export interface LoadedManyToMany<U> extends Omit<ManyToMany<U>, 'get' | 'isLoaded'> {
  readonly isLoaded: true;
  get(): U[];
}

/** `T` with the edges named in `S` marked as loaded (recursively). */
export type Loaded<T, S> = Omit<T, keyof S & keyof T> & {
  [K in keyof S & keyof T]: T[K] extends ToOne<infer U>
    ? LoadedToOne<S[K] extends true ? U : Loaded<U, S[K]>>
    : T[K] extends ToMany<infer U>
      ? LoadedToMany<S[K] extends true ? U : Loaded<U, S[K]>>
      : T[K] extends ManyToMany<infer U>
        ? LoadedManyToMany<S[K] extends true ? U : Loaded<U, S[K]>>
        : never;
};

type Spec = Record<string, unknown>;

/** Loads `spec` below `roots`, one level per round. */
export async function loadIncludes(roots: readonly ModelBase[], spec: Spec, trace?: TraceRecorder): Promise<void> {
  let frontier: [readonly ModelBase[], Spec][] = [[roots, spec]];
  for (let round = 1; frontier.length; round++) {
    const end = trace?.startRound(roundExpectation(round, frontier));
    const next: [ModelBase[], Spec][] = [];
    const loads: Promise<unknown>[] = [];
    for (const [instances, level] of frontier) {
      for (const [name, sub] of Object.entries(level)) {
        if (name.startsWith('$') || !sub) continue;
        const children: ModelBase[] = [];
        const nested = typeof sub === 'object' ? (sub as Spec) : undefined;
        const limit = nested?.$limit as number | undefined;
        const reverse = nested?.$reverse === true;
        for (const instance of instances) {
          const edge = (instance as unknown as Record<string, unknown>)[name];
          if (!isEdge(edge)) throw new SchemaError(`include: "${name}" is not a relationship of ${modelName(instance.constructor)}`);
          loads.push(edge[INCLUDE]({ limit, reverse }).then((items) => children.push(...items)));
        }
        if (nested && Object.keys(nested).some((k) => !k.startsWith('$'))) next.push([children, nested]);
      }
    }
    try {
      await Promise.all(loads);
    } finally {
      end?.();
    }
    frontier = next.map(([instances, s]): [ModelBase[], Spec] => [[...new Set(instances)], s]).filter(([instances]) => instances.length > 0);
  }
}
