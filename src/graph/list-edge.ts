/**
 * What a to-many and a many-to-many edge share: the loaded items (all of them, or a first
 * page and its cursor), `get()` on an edge known loaded, iteration page by page, and the
 * include's load. The subclasses say how a page and a whole load are read.
 */
import type { ModelBase } from '../model/instance.js';
import type { Page } from '../operations/read-stream.js';
import { EDGE, EdgeNotLoadedError, edgeLabel, fieldOf, INCLUDE, type Edge, type EdgeDeclaration, type IncludeLoadOptions, type IncludeRound, type KnownLoaded } from './edge.js';

/**
 * @internal How an include reads a list edge whose targets are named by what a first read
 * finds (a many-to-many edge's links, a keys-only index's entries): that read this round,
 * the targets the next, with that round's loads.
 */
export interface TwoSteps<T> {
  /** Every entry, or a first page of them. */
  first(page: { limit: number; reverse: boolean } | undefined): Promise<readonly unknown[] | Page<unknown>>;
  /** The targets the entries name (an entry whose target is gone is left out). */
  targets(entries: readonly unknown[]): Promise<T[]>;
}

/** The loaded state and the reads every list-valued edge has. */
export abstract class ListEdge<T> implements AsyncIterable<T>, Edge {
  /** @internal */
  abstract readonly [EDGE]: 'toMany' | 'manyToMany';
  /** The instance this edge belongs to. */
  abstract readonly owner: ModelBase;
  /** The shared declaration. */
  abstract readonly relation: EdgeDeclaration;
  /** The loaded items (all, or a first page); `undefined` until loaded. */
  #items: T[] | undefined;
  /** The next page's cursor, or what gives it: a page's cursor is encoded only when asked for. */
  #next: { readonly cursor: string | undefined } | undefined;

  /** Loads every item. */
  abstract load(): Promise<T[]>;
  /** One page of at most `limit` items after `cursor`; `reverse` reads backward. */
  abstract page(options?: { limit?: number | undefined; cursor?: string | undefined; reverse?: boolean | undefined }): Promise<Page<T>>;

  /** `true` once loaded (all items, or a first page through an include with `$limit`). */
  get isLoaded(): boolean {
    return this.#items !== undefined;
  }

  /** The owner's field holding this edge (`replies` of `Thread.replies`). */
  get field(): string {
    return fieldOf(this.owner, this);
  }

  /**
   * The loaded items; compiles only on an edge known to be loaded (an include or
   * `session.load` result), and throws EdgeNotLoadedError when not loaded.
   */
  get(this: ListEdge<T> & KnownLoaded): T[] {
    const items = this.#items;
    if (items === undefined) throw new EdgeNotLoadedError(edgeLabel(this));
    return items;
  }

  /** After a page-limited include: the cursor of the next page (`undefined` when complete). */
  get cursor(): string | undefined {
    return this.#next?.cursor;
  }

  /** @internal Every item is loaded (not only a first page): `load()` may answer at once. */
  protected get complete(): boolean {
    return this.#items !== undefined && this.cursor === undefined;
  }

  /** @internal The loaded items, for a subclass that keeps them up to date after a write. */
  protected get held(): T[] | undefined {
    return this.#items;
  }

  /** Streams the items page by page. */
  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    let cursor: string | undefined;
    do {
      const page = await this.page({ limit: 100, cursor });
      yield* page.items;
      cursor = page.cursor;
    } while (cursor);
  }

  /** @internal What an include reads in two rounds, for an edge read that way; `undefined`: one read. */
  protected twoSteps(): TwoSteps<T> | undefined {
    return undefined;
  }

  /** @internal An include's load: every item, or a first page (`$limit` / `$reverse`). `load` and `page` are async: never a throw. */
  [INCLUDE](options: IncludeLoadOptions, round: IncludeRound, slot: number): void {
    const page = options.limit === undefined && !options.reverse ? undefined : { limit: options.limit ?? Number.MAX_SAFE_INTEGER, reverse: options.reverse === true };
    let steps: TwoSteps<T> | undefined;
    try {
      steps = this.twoSteps();
    } catch (err) {
      return round.fail(err);
    }
    if (steps) return this.#includeInTwo(steps, page, round, slot);
    if (!page) {
      this.load().then((items) => round.put(slot, items as unknown as ModelBase[]), round.fail);
      return;
    }
    this.page(page).then((p) => {
      this.prime(p.items, p);
      round.put(slot, p.items as unknown as ModelBase[]);
    }, round.fail);
  }

  /** The first read now; the targets deferred to the next round, then the edge primed (with the entries' cursor, for a page). */
  #includeInTwo(steps: TwoSteps<T>, page: { limit: number; reverse: boolean } | undefined, round: IncludeRound, slot: number): void {
    if (!page && this.complete) return round.put(slot, this.#items as unknown as ModelBase[]);
    let first: Promise<readonly unknown[] | Page<unknown>>;
    try {
      first = steps.first(page);
    } catch (err) {
      return round.fail(err);
    }
    first.then((got) => {
      const found = Array.isArray(got) ? undefined : (got as Page<unknown>);
      const entries = found ? found.items : (got as readonly unknown[]);
      // No entries: no targets to read, the edge is settled now.
      if (entries.length === 0) {
        this.prime([], found);
        return round.put(slot, []);
      }
      round.defer(slot, (next, at) => {
        let targets: Promise<T[]>;
        try {
          targets = steps.targets(entries);
        } catch (err) {
          return next.fail(err);
        }
        targets.then((items) => {
          this.prime(items, found);
          next.put(at, items as unknown as ModelBase[]);
        }).catch(next.fail);
      });
    }).catch(round.fail);
  }

  /** @internal Marks the edge loaded; `next` is the cursor of the next page, or the page that has it. */
  prime(items: T[], next: string | undefined | { readonly cursor: string | undefined }): void {
    this.#items = items;
    this.#next = typeof next === 'object' ? next : next === undefined ? undefined : { cursor: next };
  }
}
