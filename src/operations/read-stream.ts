/**
 * Lazy, re-iterable Query and Scan results. Nothing is sent until iterated; every
 * iteration starts afresh (unlike DynamORM's single-use iterator). `page({ limit })`
 * counts returned items, reading on when a filter drops some; DynamoDB's own per-request
 * `Limit` (items evaluated) is `evaluationLimit`.
 */
import { QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { ExpressionError } from '../errors.js';
import { and, type Condition } from '../expressions/condition-ast.js';
import type { Database } from './context.js';
import { decodeCursor, encodeCursor, type CursorScope } from './cursor.js';
import type { RangeBound } from '../expressions/key-condition.js';
import { dryRun, type DryRunRequest } from './dry-run.js';

/** One page of results and the cursor of the next one (`undefined` at the end). */
export interface Page<T> {
  items: T[];
  cursor: string | undefined;
}

/** What a stream reads; built once by the model layer. */
export interface ReadSpec {
  kind: 'query' | 'scan';
  /** Physical table. */
  table: string;
  index?: string | undefined;
  /** Attributes of a last evaluated key (table keys + index keys). */
  keyNames: readonly string[];
  /** Partition a query reads, for cursor checks. */
  partition?: { name: string; value: unknown } | undefined;
  /** DynamoDB type of each key attribute, for cursor checks. */
  keyTypes?: Readonly<Record<string, 'S' | 'N' | 'B'>> | undefined;
  /** The sort-key condition of a query in stored form, for cursor checks; computed only when a cursor is given. */
  cursorRange?(): RangeBound | undefined;
  /** Refuses read options DynamoDB would reject (e.g. a consistent read of a GSI); called before the first request. */
  checkOptions?(options: ReadOptions): void;
  /** True when `params` adds a filter of its own (e.g. the entity type), so a page may need more reads. */
  filtered?: boolean | undefined;
  /** Builds KeyCondition / Filter / Projection params for the given read options. */
  params(options: ReadOptions, count: boolean): Record<string, unknown>;
  /** Turns raw items into results (instances, partial objects, or hydrated items). */
  decode(items: Record<string, unknown>[]): Promise<unknown[]> | unknown[];
  /**
   * Where results need nothing of the other items of their page (no batched hydration):
   * `item` turns one raw item into its result, as `of` (this spec's `decode`) would, and
   * `for await` decodes each item as it is handed out. A spec copied with another `decode`
   * (one that also loads includes) is decoded by pages again, as `of` no longer matches.
   */
  decodeEach?: { of: ReadSpec['decode']; item(item: Record<string, unknown>): unknown } | undefined;
}

/** Options shared by queries and scans. */
export interface ReadOptions {
  /** Filter applied by DynamoDB after reading (items read still cost capacity). */
  filter?: Condition<any> | undefined;
  /** Descending range-key order (queries only). */
  reverse?: boolean | undefined;
  /** Strongly consistent reads (not on GSIs). */
  consistent?: boolean | undefined;
  /** DynamoDB's `Limit`: items evaluated per request, before filtering. */
  evaluationLimit?: number | undefined;
  /** Parallel scan: number of segments, merged into one stream (scans only). */
  segments?: number | undefined;
  /** Read only this segment of `totalSegments` (scans only). */
  segment?: number | undefined;
  totalSegments?: number | undefined;
}

/** Options of a read's dry run (`query.params()`). */
export interface ReadParamsOptions {
  /** Which requests: the first of `page()` (default), of an iteration, or of `count()`. */
  read?: 'page' | 'all' | 'count' | undefined;
  /** The `limit` of the `page()` call (default 100, as there). */
  limit?: number | undefined;
  /** The `cursor` of the `page()` call: its key becomes `ExclusiveStartKey`. */
  cursor?: string | undefined;
}

type RawPage = { Items?: Record<string, unknown>[]; LastEvaluatedKey?: Record<string, unknown>; Count?: number | undefined; segment?: [number, number] };

/** A lazy query or scan over items of type `T`. */
export class ReadStream<T> implements AsyncIterable<T> {
  /** @internal Built by the model layer: `Model.query`, `Model.scan` and the edges. */
  constructor(
    protected readonly db: Database,
    protected readonly spec: ReadSpec,
    protected readonly options: ReadOptions = {},
  ) {
    if (spec.kind === 'query' && (options.segments !== undefined || options.segment !== undefined)) {
      throw new ExpressionError('segments apply to scans only');
    }
    if (options.segments !== undefined && !(Number.isInteger(options.segments) && options.segments >= 1 && options.segments <= 1_000_000)) {
      throw new ExpressionError(`segments must be a whole number from 1, got ${options.segments}`);
    }
    const { segment, totalSegments } = options;
    if (segment !== undefined || totalSegments !== undefined) {
      if (options.segments !== undefined) throw new ExpressionError('give either segments or segment / totalSegments, not both');
      if (!(Number.isInteger(totalSegments) && totalSegments! >= 1 && totalSegments! <= 1_000_000)) {
        throw new ExpressionError(`totalSegments must be a whole number from 1 to 1000000 with segment, got ${totalSegments}`);
      }
      if (!(Number.isInteger(segment) && segment! >= 0 && segment! < totalSegments!)) {
        throw new ExpressionError(`segment must be a whole number from 0 to ${totalSegments! - 1}, got ${segment}`);
      }
    }
  }

  /** A copy with more options; the original is unchanged. */
  protected with(options: ReadOptions): this {
    const Ctor = this.constructor as new (db: Database, spec: ReadSpec, options: ReadOptions) => this;
    return new Ctor(this.db, this.spec, { ...this.options, ...options });
  }

  /** Adds a filter, ANDed with any earlier one. */
  filter(condition: Condition<any>): this {
    return this.with({ filter: this.options.filter ? and(this.options.filter, condition) : condition });
  }

  /** Descending order of the range key. */
  reverse(): this {
    return this.with({ reverse: true });
  }

  /** Strongly consistent reads. */
  consistent(): this {
    return this.with({ consistent: true });
  }

  /** Where a cursor may be used; a scan segment's cursor only in that segment. */
  private cursorScope(segment?: [number, number]): CursorScope {
    return { table: this.spec.table, index: this.spec.index ?? '', keyNames: this.spec.keyNames, partition: this.spec.partition, segment, secret: this.db.cursorSecret, keyTypes: this.spec.keyTypes };
  }

  private async request(params: Record<string, unknown>): Promise<RawPage> {
    const Command = this.spec.kind === 'query' ? QueryCommand : ScanCommand;
    return this.db.connection.send<RawPage>(new Command(params as never), { channel: 'database-access', table: this.spec.table, scope: this.db.scope });
  }

  private baseParams(count = false): Record<string, unknown> {
    this.spec.checkOptions?.(this.options);
    const params: Record<string, unknown> = { TableName: this.spec.table, ...this.spec.params(this.options, count) };
    if (this.spec.index) params.IndexName = this.spec.index;
    if (this.options.consistent) params.ConsistentRead = true;
    if (this.options.reverse) params.ScanIndexForward = false;
    if (this.options.evaluationLimit) params.Limit = this.options.evaluationLimit;
    if (count) params.Select = 'COUNT';
    return params;
  }

  /** The params of every request of one segment (or of the whole query/scan), before ExclusiveStartKey. */
  private segmentParams(count: boolean, segment?: [number, number]): Record<string, unknown> {
    const base = this.baseParams(count);
    if (segment) {
      base.Segment = segment[0];
      base.TotalSegments = segment[1];
    }
    return base;
  }

  /** The segments an iteration reads: `undefined` for one unsegmented stream. */
  private segmentsRead(): ([number, number] | undefined)[] {
    const { segments, segment, totalSegments } = this.options;
    if (segment !== undefined) return [[segment, totalSegments!]];
    if (!segments || segments === 1) return [undefined];
    return Array.from({ length: segments }, (_, i) => [i, segments] as [number, number]);
  }

  /** Raw pages of one segment (or of the whole query/scan), starting after `start`. */
  private async *rawPages(count: boolean, start?: Record<string, unknown>, segment?: [number, number]): AsyncGenerator<RawPage> {
    const base = this.segmentParams(count, segment);
    let next = start;
    do {
      const page = await this.request(next ? { ...base, ExclusiveStartKey: next } : base);
      next = page.LastEvaluatedKey;
      yield segment ? { ...page, segment } : page;
    } while (next);
  }

  /** Raw pages of every segment, merged as they arrive. */
  private rawStream(count: boolean): AsyncIterable<RawPage> {
    const segments = this.segmentsRead();
    if (segments.length === 1) return this.rawPages(count, undefined, segments[0]);
    return merge(segments.map((segment) => this.rawPages(count, undefined, segment)));
  }

  /**
   * Dry run: the requests this read would send first, nothing sent. By default (`read:
   * 'page'`) the first request of `page({ limit, cursor })`; `'all'` the first request of
   * each segment when iterated (`for await`, `pages()`, `all()`); `'count'` those of
   * `count()`. Later requests differ only in `ExclusiveStartKey` (and, for a page, a
   * smaller `Limit`).
   */
  params(options: ReadParamsOptions = {}): DryRunRequest[] {
    const command = this.spec.kind === 'query' ? 'Query' : 'Scan';
    if ((options.read ?? 'page') === 'page') {
      const { base, start, unfiltered, limit } = this.pageStart(options);
      return [dryRun(command, this.pageRequest(base, start, unfiltered, limit) as never)];
    }
    return this.segmentsRead().map((segment) => dryRun(command, this.segmentParams(options.read === 'count', segment) as never));
  }

  /** What `page()` checks and computes before its first request. */
  private pageStart(options: { limit?: number | undefined; cursor?: string | undefined }) {
    const { limit = 100, cursor } = options;
    if (!Number.isInteger(limit) || limit < 1) throw new ExpressionError(`page limit must be a whole number from 1, got ${limit}`);
    if (this.options.segments && this.options.segments > 1) throw new ExpressionError('page() reads one segment at a time; use { segment, totalSegments } or stream with for await');
    const { segment, totalSegments } = this.options;
    const scope = this.cursorScope(segment === undefined ? undefined : [segment, totalSegments!]);
    const start = cursor === undefined ? undefined : decodeCursor(cursor, { ...scope, range: this.spec.cursorRange?.() });
    const base = this.segmentParams(false, segment === undefined ? undefined : [segment, totalSegments!]);
    const unfiltered = !this.options.filter && !this.spec.filtered && !this.options.evaluationLimit;
    return { limit, scope, start, base, unfiltered };
  }

  /** One request of a page that still needs `missing` items. */
  private pageRequest(base: Record<string, unknown>, start: Record<string, unknown> | undefined, unfiltered: boolean, missing: number): Record<string, unknown> {
    const params: Record<string, unknown> = { ...base };
    if (start) params.ExclusiveStartKey = start;
    // Without a filter every evaluated item is returned, so asking for exactly what is missing is exact.
    if (unfiltered) params.Limit = Math.min(missing, 0x7fffffff);
    return params;
  }

  /** Every page, lazily: `for await (const { items, cursor } of q.pages())`. */
  async *pages(): AsyncGenerator<Page<T>> {
    const scope = this.cursorScope();
    for await (const raw of this.rawStream(false)) {
      const items = (await this.spec.decode(raw.Items ?? [])) as T[];
      yield pageOf(items, raw.LastEvaluatedKey, raw.segment ? { ...scope, segment: raw.segment } : scope);
    }
  }

  /**
   * Streams every item: `for await (const item of q)`. Where items decode one by one, each
   * is decoded as it is handed out and let go by its page: a page never holds a second,
   * decoded copy of all its items, so a stream's memory is its page's raw items at most.
   */
  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    const each = this.spec.decodeEach;
    const one = each && each.of === this.spec.decode ? each.item : undefined;
    if (!one) {
      for await (const page of this.pages()) yield* page.items;
      return;
    }
    for await (const raw of this.rawStream(false)) {
      const items: (Record<string, unknown> | undefined)[] = raw.Items ?? [];
      for (let i = 0; i < items.length; i++) {
        const item = items[i]!;
        items[i] = undefined;
        yield one(item) as T;
      }
    }
  }

  /**
   * One page of at most `limit` returned items, starting at `cursor`. Reads on when a
   * filter drops items; the cursor resumes right after the last item returned.
   */
  async page(options: { limit?: number | undefined; cursor?: string | undefined } = {}): Promise<Page<T>> {
    const { limit, scope, base, unfiltered, start: first } = this.pageStart(options);
    let start = first;
    const raw: Record<string, unknown>[] = [];
    for (;;) {
      const page = await this.request(this.pageRequest(base, start, unfiltered, limit - raw.length));
      const items = page.Items ?? [];
      const room = limit - raw.length;
      if (items.length > room) {
        raw.push(...items.slice(0, room));
        const last = raw[raw.length - 1];
        const key: Record<string, unknown> = {};
        for (const n of this.spec.keyNames) key[n] = last[n];
        return pageOf((await this.spec.decode(raw)) as T[], key, scope);
      }
      raw.push(...items);
      start = page.LastEvaluatedKey;
      if (!start || raw.length === limit) {
        return pageOf((await this.spec.decode(raw)) as T[], start, scope);
      }
    }
  }

  /** Every item, in one array. */
  async all(): Promise<T[]> {
    const out: T[] = [];
    for await (const page of this.pages()) for (const item of page.items) out.push(item);
    return out;
  }

  /** The first item, or `null`. */
  async first(): Promise<T | null> {
    const { items } = await this.page({ limit: 1 });
    return items[0] ?? null;
  }

  /** The number of matching items, paging through with `Select: COUNT` (never just one page). */
  async count(): Promise<number> {
    let n = 0;
    for await (const page of this.rawStream(true)) n += page.Count ?? 0;
    return n;
  }
}

/**
 * A page whose cursor is encoded on first read: most pages (an include's first page of
 * every edge) never hand theirs out, and encoding is the costliest part of a small page.
 */
function pageOf<T>(items: T[], last: Record<string, unknown> | undefined, scope: CursorScope): Page<T> {
  let cursor: string | undefined;
  let encoded = last === undefined;
  return {
    items,
    get cursor() {
      if (!encoded) {
        cursor = encodeCursor(last!, scope);
        encoded = true;
      }
      return cursor;
    },
  };
}

/** Merges async iterables, yielding values as they arrive. */
async function* merge<V>(sources: AsyncIterable<V>[]): AsyncGenerator<V> {
  const iterators = sources.map((s) => s[Symbol.asyncIterator]());
  const pending = new Map<number, Promise<{ i: number; r: IteratorResult<V> }>>();
  const pull = (i: number) => pending.set(i, iterators[i].next().then((r) => ({ i, r })));
  iterators.forEach((_, i) => pull(i));
  try {
    while (pending.size) {
      const { i, r } = await Promise.race(pending.values());
      if (r.done) pending.delete(i);
      else {
        pull(i);
        yield r.value;
      }
    }
  } finally {
    await Promise.all(iterators.map((it) => it.return?.()));
  }
}
