/**
 * Many-to-many edges over an adjacency list (see edge-store.ts): `tags = manyToMany(() => Tag,
 * { through: () => PostTag })` on Post and `posts = manyToMany(() => Post, { through: () => PostTag })`
 * on Tag read one store, the first by its partitions, the second by its inverse index. A load
 * is two steps: the adjacency Query of every owner of the tick (de-duplicated, in parallel
 * under the concurrency bound), then one batched get of every target they name. In an
 * include the targets are read in the next round, with the next level's loads.
 */
import { SchemaError } from '../errors.js';
import { constructingInstance, STATE, type ModelBase, type ModelClassRuntime } from '../model/instance.js';
import type { AnyModel } from '../model/model.js';
import type { Page } from '../operations/read-stream.js';
import { EDGE, modelName } from './edge.js';
import { endId, endsOf, isEdgeStore, keyOfEndId, type EdgeStore, type ManyToManyRelation } from './edge-store.js';
import { graphFor } from './graph-context.js';
import { ListEdge, type TwoSteps } from './list-edge.js';
import type { GraphLoader, EdgeQuery } from './loader.js';
import { linkRequests, writeLinks, type LinkOptions, type LinkResult } from './links.js';
import type { DryRunRequest } from '../operations/dry-run.js';
import { WRITE_EFFECTS, type WriteEffectHandler, type WriteEffectSource } from '../model/write-hooks.js';
import { linkEffects, type LinkOnDelete } from './link-integrity.js';

/** Options of {@link manyToMany}. */
export interface ManyToManyOptions {
  /** The edge store (see `edgeTable`) holding the links; both sides of one link name the same store. */
  through: () => EdgeStore;
  /**
   * Which end of the store the declaring model is. Found from the store's `from` / `to`
   * models; needed only when both ends are one model (`follows` / `followers`).
   */
  side?: 'from' | 'to';
  /** Name of the target's many-to-many edge over the same store: link / unlink keep it up to date when it is loaded. */
  inverse?: string;
  /**
   * Deleting my item: `'detach'` deletes my links (their items) in the same transaction;
   * `'restrict'` refuses while I have any (DeleteRestrictedError naming the linked targets).
   * The targets are never written. Without it, my links stay (loads skip links whose end is gone).
   */
  onDelete?: LinkOnDelete;
}

const isOfModel = (cls: unknown, model: AnyModel): boolean => cls === model || (typeof cls === 'function' && cls.prototype instanceof (model as unknown as typeof Object));

/** The sides found per declaring class, by what decides them (the models at the ends, the target and the side asked for). */
const sidesFound = new WeakMap<object, { from: AnyModel; to: AnyModel; other: AnyModel; asked: ManyToManyOptions['side']; side: 'from' | 'to' }[]>();

/**
 * The declaration, resolved on first use (the thunks may name classes declared later). Which
 * side the class reads is worked out (and checked) once per class and models: later
 * instances only look it up.
 */
function resolve(owner: ModelBase, target: () => AnyModel, options: ManyToManyOptions): ManyToManyRelation {
  const store = options.through();
  if (!isEdgeStore(store)) throw new SchemaError(`manyToMany() on ${modelName(owner.constructor)}: through must return a store made by edgeTable()`);
  const info = store.edgeStore;
  const cls = owner.constructor;
  const from = info.from();
  const to = info.to();
  const other = target();
  let found = sidesFound.get(cls);
  const known = found?.find((f) => f.from === from && f.to === to && f.other === other && f.asked === options.side);
  const side = known ? known.side : sideOf(cls, info, from, to, other, options.side);
  if (!known) {
    if (!found) sidesFound.set(cls, (found = []));
    found.push({ from, to, other, asked: options.side, side });
  }
  return { kind: 'manyToMany', target, through: options.through, index: side === 'to' ? info.index : undefined, side, inverse: options.inverse };
}

/** The end of the store `cls` reads; throws when the store does not link `cls` to `other` that way. */
function sideOf(cls: object, info: EdgeStore['edgeStore'], from: AnyModel, to: AnyModel, other: AnyModel, asked: ManyToManyOptions['side']): 'from' | 'to' {
  let side = asked;
  if (!side) {
    if (isOfModel(cls, from) && other === to && !isOfModel(cls, to)) side = 'from';
    else if (isOfModel(cls, to) && other === from && !isOfModel(cls, from)) side = 'to';
    else if (from === to) throw new SchemaError(`manyToMany() on ${modelName(cls)} over ${info.name}: both ends are ${modelName(from)}; say which end this edge reads with side: 'from' | 'to'`);
    else throw new SchemaError(`manyToMany() on ${modelName(cls)}: ${info.name} links ${modelName(from)} to ${modelName(to)}, not ${modelName(cls)} to ${modelName(other)}`);
  }
  const [mine, theirs] = side === 'from' ? [from, to] : [to, from];
  if (!isOfModel(cls, mine) || other !== theirs) throw new SchemaError(`manyToMany() on ${modelName(cls)}: the ${side} side of ${info.name} links ${modelName(mine)} to ${modelName(theirs)}`);
  return side;
}

/** The adjacency queries made, per store and side (a query depends on nothing else). */
const adjacencies = new WeakMap<EdgeStore, { from?: EdgeQuery; to?: EdgeQuery }>();

/** The adjacency Query of an owner, as the loaders' to-many query of the store. */
export function adjacency(relation: ManyToManyRelation): EdgeQuery {
  const store = relation.through();
  let made = adjacencies.get(store);
  if (!made) adjacencies.set(store, (made = {}));
  return (made[relation.side] ??= adjacencyOf(relation));
}

function adjacencyOf(relation: ManyToManyRelation): EdgeQuery {
  const { store, info, mine } = endsOf(relation);
  return {
    kind: 'oneToMany',
    target: () => store,
    index: relation.index,
    raw: true,
    query: (owner: ModelBase) => {
      const cls = owner.constructor as ModelClassRuntime;
      const stored = owner[STATE].stored;
      // The stored key is the one its links were written with; an instance made by key has its values'.
      let key: Record<string, unknown>;
      try {
        key = stored ? cls.schema.keyOfItem(stored) : cls.schema.key(owner as unknown as Record<string, unknown>);
      } catch {
        return null; // no complete key yet: no links
      }
      return { [mine]: endId(info, cls, key) };
    },
  };
}

/**
 * The targets named by edge items (as stored: links are read, never held as instances),
 * through the batched gets (one BatchGetItem per 100 distinct keys of the tick); dangling
 * links are skipped.
 */
async function targetsOf(graph: GraphLoader, relation: ManyToManyRelation, links: readonly unknown[]): Promise<ModelBase[]> {
  const { info, theirs } = endsOf(relation);
  const model = relation.target() as unknown as ModelClassRuntime;
  const found = await Promise.all(links.map((link) => {
    const key = keyOfEndId(info, model, String((link as Record<string, unknown>)[theirs]));
    return key ? graph.getOne(model, key) : null;
  }));
  return found.filter((t): t is ModelBase => t !== null);
}

/** A many-to-many edge of one instance. */
export class ManyToMany<T> extends ListEdge<T> implements WriteEffectSource {
  /** @internal */
  declare readonly [EDGE]: 'manyToMany';
  static {
    Object.defineProperty(this.prototype, EDGE, { value: 'manyToMany' });
  }
  /** The instance this edge belongs to. */
  declare readonly owner: ModelBase;
  /** The declaration as given, until resolved. */
  readonly #target: () => AnyModel;
  readonly #options: ManyToManyOptions;
  #relation: ManyToManyRelation | undefined;

  constructor(target: () => AnyModel, options: ManyToManyOptions, owner: ModelBase) {
    super();
    this.#target = target;
    this.#options = options;
    this.owner = owner;
  }

  /** The shared declaration (resolved on first use). */
  get relation(): ManyToManyRelation {
    return (this.#relation ??= resolve(this.owner, this.#target, this.#options));
  }

  /** @internal What this edge adds to a delete of its owner (`onDelete`, see link-integrity.ts). */
  get [WRITE_EFFECTS](): WriteEffectHandler | undefined {
    return linkEffects(this, this.#options.onDelete, adjacency);
  }

  /** Loads every target: the adjacency Query (de-duplicated with the tick's), then the targets in shared BatchGetItems. */
  async load(): Promise<T[]> {
    if (this.complete) return this.held!;
    const relation = this.relation;
    const graph = graphFor(this.owner);
    const links = await graph.loadToMany(adjacency(relation), this.owner);
    const items = (await targetsOf(graph, relation, links)) as T[];
    this.prime(items, undefined);
    return items;
  }

  /** @internal An include reads the adjacency Query (all links, or a first page) one round, the targets the next. */
  protected override twoSteps(): TwoSteps<T> {
    const relation = this.relation;
    const graph = graphFor(this.owner);
    const query = adjacency(relation);
    return {
      first: (page) => (page ? graph.pageToMany(query, this.owner, page) : graph.loadToMany(query, this.owner)),
      // The loader asked again next round: outside a session, that round's tick has its own (its gets share its batch).
      targets: (links) => targetsOf(graphFor(this.owner), relation, links) as Promise<T[]>,
    };
  }

  /**
   * One page of at most `limit` links after `cursor` (in the store's order: by the target's
   * encoded key, or the source's on the inverse side), with their targets; `reverse` reads
   * backward. A link whose target is gone is left out, so a page may hold fewer items.
   */
  async page(options: { limit?: number | undefined; cursor?: string | undefined; reverse?: boolean | undefined } = {}): Promise<Page<T>> {
    const relation = this.relation;
    const graph = graphFor(this.owner);
    const page = await graph.pageToMany(adjacency(relation), this.owner, options);
    const items = (await targetsOf(graph, relation, page.items)) as T[];
    // The page's cursor is encoded when asked for, as the links' page does.
    return { items, get cursor() { return page.cursor; } };
  }

  /** The number of links (Select COUNT of the adjacency partition, paged through). */
  async count(): Promise<number> {
    const query = adjacency(this.relation);
    return graphFor(this.owner).countToMany(query, this.owner);
  }

  /**
   * Links `target`: one TransactWriteItems putting the edge item, conditional on both ends
   * existing (nothing else is written). Linking a linked pair again changes nothing.
   */
  async link(target: T, options: LinkOptions = {}): Promise<void> {
    await writeLinks(this, [target as unknown as ModelBase], 'link', options);
  }

  /** Unlinks `target`: deletes the edge item (one TransactWriteItems); unlinking an absent link changes nothing. */
  async unlink(target: T, options: LinkOptions = {}): Promise<void> {
    await writeLinks(this, [target as unknown as ModelBase], 'unlink', options);
  }

  /**
   * Links many targets, in TransactWriteItems of at most 100 actions (the owner's check, then
   * a put and a check per target: 49 links each), one after another. If one fails, a
   * BatchIncompleteError says which links are done, not done, or unknown.
   */
  linkMany(targets: readonly T[], options: LinkOptions = {}): Promise<LinkResult> {
    return writeLinks(this, targets as unknown as ModelBase[], 'link', options);
  }

  /** Unlinks many targets, 100 deletes per TransactWriteItems; failures as for {@link linkMany}. */
  unlinkMany(targets: readonly T[], options: LinkOptions = {}): Promise<LinkResult> {
    return writeLinks(this, targets as unknown as ModelBase[], 'unlink', options);
  }

  /** Dry run of `linkMany(targets)`: its TransactWriteItems, one per chunk; nothing is sent. */
  linkParams(targets: readonly T[], options: LinkOptions = {}): DryRunRequest[] {
    return linkRequests(this, targets as unknown as ModelBase[], 'link', options);
  }

  /** Dry run of `unlinkMany(targets)`. */
  unlinkParams(targets: readonly T[], options: LinkOptions = {}): DryRunRequest[] {
    return linkRequests(this, targets as unknown as ModelBase[], 'unlink', options);
  }

  /** @internal After a committed link or unlink: a loaded edge shows it. */
  linked(target: T, linked: boolean): void {
    const held = this.held;
    if (!held) return;
    const at = held.indexOf(target);
    if (linked && at < 0) held.push(target);
    if (!linked && at >= 0) held.splice(at, 1);
  }
}

/**
 * Many of me link to many targets through an edge store:
 * `tags = manyToMany(() => Tag, { through: () => PostTag })`.
 */
export function manyToMany<M extends AnyModel>(target: () => M, options: ManyToManyOptions): ManyToMany<InstanceType<M>> {
  if (typeof target !== 'function') throw new SchemaError('manyToMany() needs a thunk of the target model: () => Target');
  if (typeof options?.through !== 'function') throw new SchemaError('manyToMany() needs through: () => an edgeTable() store');
  if (options.onDelete !== undefined && options.onDelete !== 'detach' && options.onDelete !== 'restrict') {
    throw new SchemaError(`manyToMany(): onDelete must be 'detach' or 'restrict', not ${JSON.stringify(options.onDelete)}`);
  }
  const owner = constructingInstance();
  if (!owner) throw new SchemaError('manyToMany() must initialise an instance field of a model class');
  return new ManyToMany(target, options, owner);
}
