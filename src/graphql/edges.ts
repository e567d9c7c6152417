/**
 * The one place the GraphQL layer recognises edges. Any edge object with a `page` method is
 * a connection (to-many today, many-to-many or any later kind with the same API); an edge
 * with `load` and no `page` is a to-one field. Nothing else here knows edge classes.
 */
import type { AnyModel } from '../model/model.js';
import { instanceFromItem, type ModelBase, type ModelClassRuntime } from '../model/instance.js';
import type { Page } from '../operations/read-stream.js';

/** How an edge appears in the schema: a nullable object field, or a connection. */
export type EdgeKind = 'one' | 'many';

/** What the GraphQL layer needs of a to-one edge. */
export interface ToOneEdgeLike {
  load(): Promise<unknown>;
  /** `true` once loaded: then `get()`, when it has one, is what `load()` resolves to. */
  readonly isLoaded?: boolean;
  get?(): unknown;
}

/** What the GraphQL layer needs of a connection edge (ToMany and any edge with its API). */
export interface ConnectionEdgeLike {
  page(options: { limit?: number; cursor?: string; reverse?: boolean }): Promise<Page<unknown>>;
  count?(): Promise<number>;
}

type EdgeObject = { relation?: { kind?: string; target?: () => AnyModel; query?: (owner: unknown) => unknown; index?: string }; target?: () => AnyModel };

/**
 * The one adapter: `'many'` for an edge object with a `page` method (a Relay connection),
 * `'one'` for one with `load` only, `undefined` for anything that is no edge.
 */
export function edgeKindOf(edge: unknown): EdgeKind | undefined {
  if (edge === null || typeof edge !== 'object') return undefined;
  const e = edge as { page?: unknown; load?: unknown };
  if (typeof e.page === 'function') return 'many';
  if (typeof e.load === 'function') return 'one';
  return undefined;
}

/** An edge's target model: from its declaration (`relation.target()`), or a `target()` of its own. */
export function edgeTarget(edge: unknown): AnyModel | undefined {
  const e = edge as EdgeObject;
  const thunk = e.relation?.target ?? e.target;
  return typeof thunk === 'function' ? thunk() : undefined;
}

/** One edge a model declares. */
export interface EdgeInfo {
  /** The instance field holding the edge. */
  field: string;
  kind: EdgeKind;
  /** The model the edge leads to. */
  target: AnyModel;
  /**
   * Requests one page of it takes per parent, for the request budget: 1 for a Query of its
   * targets, 2 when they come through a keys-only index or another read (then fetched by key).
   */
  reads: number;
}

/** The edges a model declares, read from a blank probe instance's own fields. */
export function edgesOf(model: AnyModel): EdgeInfo[] {
  const probe = instanceFromItem(model as unknown as ModelClassRuntime, {}) as unknown as Record<string, unknown>;
  const out: EdgeInfo[] = [];
  for (const [field, value] of Object.entries(probe)) {
    const kind = edgeKindOf(value);
    const target = kind && edgeTarget(value);
    if (kind && target) out.push({ field, kind, target, reads: kind === 'one' ? 1 : pageReads(value, target) });
  }
  return out;
}

function pageReads(edge: unknown, target: AnyModel): number {
  const rel = (edge as EdgeObject).relation;
  if (rel?.kind !== 'oneToMany') return 2;
  return rel.index && target.schema.indexes[rel.index]?.projection !== 'all' ? 2 : 1;
}

/**
 * For an edge that reads its targets with a plain Query of their table or index (a to-many
 * declaration: `relation.query(owner)` gives the partition), what that query is — so an item's
 * own cursor can be made from its key. `undefined` for any other edge (the caller then uses
 * position cursors).
 */
export function keyedQueryOf(edge: unknown, owner: ModelBase): { model: ModelClassRuntime; condition: Record<string, unknown>; index?: string } | undefined {
  const rel = (edge as EdgeObject).relation;
  if (!rel || rel.kind !== 'oneToMany' || typeof rel.query !== 'function' || typeof rel.target !== 'function') return undefined;
  const condition = rel.query(owner);
  if (!condition || typeof condition !== 'object') return undefined;
  return { model: rel.target() as unknown as ModelClassRuntime, condition: condition as Record<string, unknown>, index: rel.index };
}
