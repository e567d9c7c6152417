/**
 * Secondary index declarations. A GSI has its own hash (and optional range) key; an
 * LSI shares the table's hash key and adds another range key. The projection decides
 * what a query through the index returns: everything, the keys only, or a list.
 */

/** What an index stores besides its keys and the table keys. */
export type Projection = 'all' | 'keys' | readonly string[];

/** A global secondary index declaration. */
export interface GsiDeclaration<N extends string = string> {
  readonly type: 'gsi';
  readonly hash: N;
  readonly range?: N;
  readonly projection: Projection;
  /**
   * Sparse-index predicate: `true` when an item carries the index keys. Items for which
   * it returns `false` get their index key attributes removed, so they stay out of the index.
   */
  readonly sparse?: (item: any) => boolean;
  /** Provisioned throughput, for provisioned tables. */
  readonly throughput?: { read: number; write: number };
}

/** A local secondary index declaration (same hash key as the table). */
export interface LsiDeclaration<N extends string = string> {
  readonly type: 'lsi';
  readonly range: N;
  readonly projection: Projection;
  readonly sparse?: (item: any) => boolean;
}

/** Either kind of index declaration. */
export type IndexDeclaration<N extends string = string> = GsiDeclaration<N> | LsiDeclaration<N>;

/** Declares a global secondary index: `gsi({ hash: 'user_name', range: 'subject', projection: 'keys' })`. */
export function gsi<const N extends string>(options: {
  hash: N;
  range?: N;
  projection?: Projection;
  sparse?: (item: any) => boolean;
  throughput?: { read: number; write: number };
}): GsiDeclaration<N> {
  return { type: 'gsi', projection: 'all', ...options };
}

/** Declares a local secondary index: `lsi({ range: 'posted', projection: 'all' })`. */
export function lsi<const N extends string>(options: { range: N; projection?: Projection; sparse?: (item: any) => boolean }): LsiDeclaration<N> {
  return { type: 'lsi', projection: 'all', ...options };
}
