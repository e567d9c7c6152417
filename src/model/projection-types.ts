/**
 * Types of projected reads: which paths a projection may name (attributes, and nested map
 * keys and list elements below them) and what a projected read returns — only the projected
 * attributes (and, for queries, the keys every item carries), nested paths narrowed too.
 */
import type { GsiDeclaration, LsiDeclaration } from '../schema/indexes.js';

type Simplify<T> = { [K in keyof T]: T[K] } & {};
// Values a projection can reach into by name: plain objects (maps), not sets, dates, lists or binaries.
type IsMap<X> = X extends ReadonlySet<any> | Date | Uint8Array | readonly any[] | ((...a: any[]) => any) ? false : X extends object ? true : false;
// Depth of typed nested paths (deeper ones are not offered), to keep checks cheap.
type Depth = [never, 0, 1, 2];

/** The paths a projection of items with values `V` may name: `'title'`, `'meta.lang'`, `'lines[0]'`. */
export type ProjectionPath<V, D extends number = 3> = [D] extends [never] ? never : {
  [K in keyof V & string]-?: K | (NonNullable<V[K]> extends readonly any[] ? `${K}[${number}]` : never) | (IsMap<NonNullable<V[K]>> extends true ? `${K}.${ProjectionPath<NonNullable<V[K]>, Depth[D]>}` : never);
}[keyof V & string];

type RootOf<P> = P extends `${infer R}.${string}` ? (R extends `${infer Q}[${string}` ? Q : R) : P extends `${infer R}[${string}` ? R : P;
type Below<P, K extends string> = P extends `${K}.${infer Rest}` ? Rest : never;

/** What a read projected to paths `P` returns of values `V`: the projected attributes (each may be absent), nested paths narrowed. */
export type Projected<V, P extends string> = Simplify<{
  [K in keyof V & RootOf<P>]?: K extends P ? V[K]
    : [Extract<P, `${K & string}[${string}`>] extends [never]
      ? (IsMap<NonNullable<V[K]>> extends true ? Projected<NonNullable<V[K]>, Below<P, K & string>> : V[K])
      : V[K];
}>;

/** A projected query's item: the projected paths, plus the key attributes every item carries. */
export type ProjectedWithKeys<V, P extends string, Keys> = Simplify<{ [K in keyof V & Keys]: V[K] } & Projected<V, P>>;

/** The attributes an index projects besides its keys: `never` for a keys-only index, `string` for `'all'`. */
export type IndexProjectionOf<D> = D extends GsiDeclaration<any, any, infer P> | LsiDeclaration<any, infer P>
  ? (P extends 'keys' ? never : P extends readonly (infer N)[] ? N & string : string) : string;
/** The key attributes of index declaration `D`. */
export type IndexKeyNamesOf<D> = D extends GsiDeclaration<infer H, infer R, any> ? H | R : D extends LsiDeclaration<infer R, any> ? R : never;
