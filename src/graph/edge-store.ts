/**
 * The adjacency list behind many-to-many edges: one small item per link, holding the
 * source's key (the partition) and the target's key (the sort key), each encoded with the
 * injective key id, so two links never share an item and every key type round-trips. A GSI
 * with the two swapped answers the inverse direction (tag → posts). The store is a model:
 * `db.createTables`, `ensureTables` and `planTables` take it beside the others, and it may
 * share a table with other models (its items carry an entity marker, never passing for another
 * model's item).
 */
import { SchemaError } from '../errors.js';
import { wrapNumber } from '../client.js';
import type { ModelClassRuntime } from '../model/instance.js';
import { Model, type AnyModel, type ModelClass } from '../model/model.js';
import { keyId } from '../operations/key-id.js';
import { gsi, type GsiDeclaration } from '../schema/indexes.js';
import { string, type StringAttribute } from '../schema/scalars.js';
import type { EdgeDeclaration } from './edge.js';

/** Options of {@link edgeTable}. */
export interface EdgeTableOptions {
  /** The link's name, unique among the stores sharing a table: the entity name of its items (`PostTag`). */
  name: string;
  /** The table holding the edge items: a dedicated one, or a table shared with other models. */
  table: string;
  /** The model at the source end (its items own the partition of their links). */
  from: () => AnyModel;
  /** The model at the target end. */
  to: () => AnyModel;
  /** Attribute names of the table's key (default `{ hash: 'source', range: 'target' }`). */
  key?: { hash: string; range: string };
  /** Name of the inverse GSI, keyed (range, hash) of the table (default `inverse`). */
  index?: string;
}

/** What a store knows of itself. */
export interface EdgeStoreInfo {
  /** The link's name: the entity name of the edge items. */
  readonly name: string;
  /** The model at the source end. */
  readonly from: () => AnyModel;
  /** The model at the target end. */
  readonly to: () => AnyModel;
  /** The partition attribute: the source's encoded key. */
  readonly hash: string;
  /** The sort attribute: the target's encoded key. */
  readonly range: string;
  /** The inverse index (target → sources). */
  readonly index: string;
  /** The stored value of an end: `endId(Post, { id: 'p1' })`, for hand-written requests on the store. */
  endId(model: AnyModel, key: Record<string, unknown>): string;
  /** An end's stored key read back from its stored value (`undefined` when not one of this store's). */
  keyOf(model: AnyModel, id: string): Record<string, unknown> | undefined;
}

/** An edge store: a model of link items, with what its many-to-many edges read. */
export interface EdgeStore extends ModelClass<Record<string, StringAttribute>, string, string, Record<string, GsiDeclaration<string, string, 'all'>>> {
  /** What the store holds: its name and the models at its two ends. */
  readonly edgeStore: EdgeStoreInfo;
}

/**
 * Declares an adjacency-list store for many-to-many links:
 * `const PostTag = edgeTable({ name: 'PostTag', table: 'post_tags', from: () => Post, to: () => Tag })`.
 * Pass it to `db.createTables([...])` beside the models it links.
 */
export function edgeTable(options: EdgeTableOptions): EdgeStore {
  const { name, table } = options;
  if (typeof name !== 'string' || !name) throw new SchemaError('edgeTable() needs a name');
  if (typeof options.from !== 'function' || typeof options.to !== 'function') throw new SchemaError(`edgeTable ${name}: from and to are thunks of the linked models: () => Model`);
  const hash = options.key?.hash ?? 'source';
  const range = options.key?.range ?? 'target';
  if (hash === range) throw new SchemaError(`edgeTable ${name}: the key's hash and range must be two attributes`);
  const index = options.index ?? 'inverse';
  const base = Model({
    table,
    entity: name,
    key: { hash, range },
    attributes: { [hash]: string(), [range]: string() },
    indexes: { [index]: gsi({ hash: range, range: hash, projection: 'all' }) },
  });
  const info: EdgeStoreInfo = {
    name, from: options.from, to: options.to, hash, range, index,
    endId: (model, key) => endId(info, model as unknown as ModelClassRuntime, (model as unknown as ModelClassRuntime).schema.key(key)),
    keyOf: (model, id) => keyOfEndId(info, model as unknown as ModelClassRuntime, id),
  };
  // A named class: diagrams and messages call it by the link's name.
  const store = { [name]: class extends base { static readonly edgeStore = info; } }[name];
  return store as unknown as EdgeStore;
}

/** `true` for a store made by {@link edgeTable}. */
export function isEdgeStore(model: unknown): model is EdgeStore {
  return typeof model === 'function' && typeof (model as Partial<EdgeStore>).edgeStore === 'object';
}

/**
 * The stored value of one end of a link: the link's name and the end's stored key, as the
 * injective key id (length-prefixed pieces: no content can shift a boundary).
 */
export function endId(store: Pick<EdgeStoreInfo, 'name'>, model: ModelClassRuntime, key: Record<string, unknown>): string {
  return keyId(store.name, model.schema.keyNames, key);
}

/** Reads an end's stored key back from its id; `undefined` when the id is not of this store and model. */
export function keyOfEndId(store: Pick<EdgeStoreInfo, 'name'>, model: ModelClassRuntime, id: string): Record<string, unknown> | undefined {
  let at = pieceEnd(id, 0);
  if (at < 0 || id[0] !== 'T' || id.slice(id.indexOf(':', 1) + 1, at) !== store.name) return undefined;
  const key: Record<string, unknown> = {};
  for (const name of model.schema.keyNames) {
    const start = at;
    at = pieceEnd(id, start);
    if (at < 0) return undefined;
    const tag = id[start];
    if (tag !== 'S' && tag !== 'N' && tag !== 'B') return undefined;
    const content = id.slice(id.indexOf(':', start + 1) + 1, at);
    if (tag === 'S') key[name] = content;
    else if (tag === 'N') key[name] = wrapNumber(content);
    else key[name] = new Uint8Array(Buffer.from(content, 'base64'));
  }
  return at === id.length ? key : undefined;
}

/**
 * Where the piece of a key id starting at `at` ends (a tag; `U` alone, else the content's
 * length, `:` and the content), or -1 when no whole piece starts there.
 */
function pieceEnd(id: string, at: number): number {
  if (id[at] === 'U') return at + 1;
  const colon = id.indexOf(':', at + 1);
  if (colon < 0) return -1;
  const length = Number(id.slice(at + 1, colon));
  if (!Number.isSafeInteger(length) || length < 0 || colon + 1 + length > id.length) return -1;
  return colon + 1 + length;
}

/** A many-to-many declaration, shared by every instance of the declaring model. */
export interface ManyToManyRelation extends EdgeDeclaration {
  /** Always `manyToMany`. */
  readonly kind: 'manyToMany';
  /** The model at the other end. */
  readonly target: () => AnyModel;
  /** The edge store. */
  readonly through: () => EdgeStore;
  /** The store's inverse index when this side reads it (the `to` side); absent on the `from` side. */
  readonly index?: string;
  /** The declaring model's end of the store. */
  readonly side: 'from' | 'to';
  /** The target's edge over the same store, kept up to date by link / unlink when loaded. */
  readonly inverse?: string;
}

/** The store, and the attributes holding my end and the target's end. */
export function endsOf(relation: ManyToManyRelation): { store: EdgeStore; info: EdgeStoreInfo; mine: string; theirs: string } {
  const store = relation.through();
  const info = store.edgeStore;
  return relation.side === 'from' ? { store, info, mine: info.hash, theirs: info.range } : { store, info, mine: info.range, theirs: info.hash };
}

