/**
 * Secondary index declarations. A GSI has its own hash (and optional range) key; an
 * LSI shares the table's hash key and adds another range key. The projection decides
 * what a query through the index returns: everything, the keys only, or a list.
 */

/** What an index stores besides its keys and the table keys. */
export type Projection = 'all' | 'keys' | readonly string[];

/** A global secondary index declaration. */
export interface GsiDeclaration<H extends string = string, R extends string = string, P extends Projection = Projection> {
  readonly type: 'gsi';
  readonly hash: H;
  readonly range?: R | undefined;
  readonly projection: P;
  /**
   * Sparse-index predicate: `true` when an item carries the index keys. Items for which
   * it returns `false` get their index key attributes removed, so they stay out of the index.
   */
  readonly sparse?: ((item: any) => boolean) | undefined;
  /** Provisioned throughput, for provisioned tables. */
  readonly throughput?: { read: number; write: number } | undefined;
}

/** A local secondary index declaration (same hash key as the table). */
export interface LsiDeclaration<R extends string = string, P extends Projection = Projection> {
  readonly type: 'lsi';
  readonly range: R;
  readonly projection: P;
  readonly sparse?: ((item: any) => boolean) | undefined;
}

/** Either kind of index declaration. */
export type IndexDeclaration<N extends string = string> = GsiDeclaration<N, N> | LsiDeclaration<N>;

/** Declares a global secondary index: `gsi({ hash: 'user_name', range: 'subject', projection: 'keys' })`. */
export function gsi<const H extends string, const R extends string = never, const P extends Projection = 'all'>(options: {
  hash: H;
  range?: R | undefined;
  projection?: P | undefined;
  sparse?: ((item: any) => boolean) | undefined;
  throughput?: { read: number; write: number } | undefined;
}): GsiDeclaration<H, NoInfer<R>, NoInfer<P>> {
  return { type: 'gsi', projection: 'all' as P, ...options };
}

/** Declares a local secondary index: `lsi({ range: 'posted', projection: 'all' })`. */
export function lsi<const R extends string, const P extends Projection = 'all'>(options: { range: R; projection?: P; sparse?: (item: any) => boolean }): LsiDeclaration<R, NoInfer<P>> {
  return { type: 'lsi', projection: 'all' as P, ...options };
}
