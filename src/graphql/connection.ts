/**
 * Relay Cursor Connections over dynagraph pages. Every edge has its own cursor, so a client
 * may resume after (or before) any item: for a read whose items are the Query's own items
 * (a to-many edge, a root query or scan) the cursor is the item's key in the library's cursor
 * format — signed when the database has a cursor secret, valid in both directions — and one
 * page is one request of `first` items, or `first + 1` when the query asks for `pageInfo`
 * (the extra one tells `hasNextPage`). Any other
 * connection edge (one whose items come through another read) gets position cursors: a page
 * cursor of the library plus an offset, with forward paging through `endCursor` as cheap as
 * with keyed cursors.
 */
import { GraphQLError, Kind, type FieldNode, type FragmentDefinitionNode, type SelectionSetNode } from 'graphql';
import { STATE, type ModelBase } from '../model/instance.js';
import { encodeCursor, type CursorScope } from '../operations/cursor.js';
import type { Page } from '../operations/read-stream.js';
import { InvalidCursorError } from '../errors.js';

/** Connection arguments (Relay): forward with `first`/`after`, backward with `last`/`before`. */
export interface ConnectionArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

/** Bounds of `first` and `last`. */
export interface ConnectionLimits {
  /** Page size when neither `first` nor `last` is given (default 20). */
  defaultFirst?: number;
  /** Largest `first` or `last` accepted (default 100). */
  maxFirst?: number;
}

/** What a connection reads from. */
export interface Pager {
  /** One page: the edge's or query's `page()`. */
  page(options: { limit: number; cursor?: string; reverse: boolean }): Promise<Page<unknown>>;
  /** Where a cursor of this read may be used, when its items are the read's own (keyed cursors); asked when a first cursor is made. */
  scope?: () => CursorScope;
  /** Whether the read can go backward (a scan cannot). */
  reversible: boolean;
  /** The total count, when the connection's `totalCount` is asked. */
  count?(): Promise<number>;
}

/** The value of a connection field, as its object type resolves it. */
export interface ConnectionValue {
  edges: { readonly cursor: string; node: unknown }[];
  pageInfo: { startCursor: string | null; endCursor: string | null; hasNextPage: boolean; hasPreviousPage: boolean };
  totalCount: () => Promise<number> | number;
}

/** A GraphQL error for bad arguments. */
export function badInput(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });
}

/** Checks the arguments, before anything is sent: the page size and direction. */
export function pageRequest(args: ConnectionArgs, limits: ConnectionLimits = {}): { size: number; backward: boolean; cursor?: string } {
  const { defaultFirst = 20, maxFirst = 100 } = limits;
  const has = (v: unknown) => v !== undefined && v !== null;
  if (has(args.first) && has(args.last)) throw badInput('give first or last, not both');
  if (has(args.after) && has(args.before)) throw badInput('give after or before, not both');
  if (has(args.before) && has(args.first)) throw badInput('before pages backward: use last with it, not first');
  if (has(args.after) && has(args.last)) throw badInput('after pages forward: use first with it, not last');
  const backward = has(args.last) || has(args.before);
  const name = backward ? 'last' : 'first';
  const size = (backward ? args.last : args.first) ?? defaultFirst;
  if (!Number.isInteger(size) || size < 1 || size > maxFirst) throw badInput(`${name} must be a whole number from 1 to ${maxFirst}, got ${size}`);
  const cursor = (backward ? args.before : args.after) ?? undefined;
  if (cursor !== undefined && cursor === '') throw badInput(`${backward ? 'before' : 'after'} must not be empty`);
  return { size, backward, cursor };
}

function keyCursor(item: unknown, scope: CursorScope): string {
  const stored = (item as ModelBase)[STATE]?.stored ?? (item as Record<string, unknown>);
  const key: Record<string, unknown> = {};
  for (const n of scope.keyNames) key[n] = stored[n];
  return encodeCursor(key, scope);
}

// Position cursors: `@` + base64url JSON of [page cursor or null, offset, direction]. The page
// cursor is the library's (checked, signed with a secret); the offset is bounded so that a
// forged one cannot make a page read more than this many items past it.
const POSITION = '@';
const MAX_OFFSET = 1000;

function positionCursor(base: string | undefined, offset: number, backward: boolean): string {
  return POSITION + Buffer.from(JSON.stringify([base ?? null, offset, backward ? 1 : 0])).toString('base64url');
}

function readPosition(cursor: string, backward: boolean): { base?: string; offset: number } {
  let parsed: unknown;
  try {
    parsed = cursor.startsWith(POSITION) ? JSON.parse(Buffer.from(cursor.slice(1), 'base64url').toString('utf8')) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== 3 || !(parsed[0] === null || typeof parsed[0] === 'string')
    || !Number.isInteger(parsed[1]) || parsed[1] < 0 || parsed[1] > MAX_OFFSET || (parsed[2] !== 0 && parsed[2] !== 1)) {
    throw new InvalidCursorError('malformed');
  }
  if ((parsed[2] === 1) !== backward) throw new InvalidCursorError(`it is a cursor of ${parsed[2] ? 'a backward' : 'a forward'} page of this connection; use it with ${parsed[2] ? 'last/before' : 'first/after'}`);
  return { base: parsed[0] ?? undefined, offset: parsed[1] };
}

/** An edge whose cursor is made on first read. */
class LazyEdge {
  #cursor: string | undefined;
  constructor(
    readonly node: unknown,
    private readonly index: number,
    private readonly make: (node: unknown, i: number) => string,
  ) {}

  get cursor(): string {
    return (this.#cursor ??= this.make(this.node, this.index));
  }
}

const askedByNodes = new WeakMap<readonly FieldNode[], boolean>();

/**
 * Whether a connection field's selection (its merged nodes) asks for `pageInfo`: only then
 * does a keyed page read one item more than it returns. Fragments count wherever they are
 * spread and `@skip`/`@include` are not read, so a selection that may ask is taken to ask.
 */
export function asksPageInfo(nodes: readonly FieldNode[], fragments: Readonly<Record<string, FragmentDefinitionNode>>): boolean {
  let asked = askedByNodes.get(nodes);
  if (asked !== undefined) return asked;
  const seen = new Set<string>();
  const walk = (set: SelectionSetNode | undefined): boolean => set?.selections.some((sel) => {
    if (sel.kind === Kind.FIELD) return sel.name.value === 'pageInfo';
    if (sel.kind === Kind.INLINE_FRAGMENT) return walk(sel.selectionSet);
    if (seen.has(sel.name.value)) return false;
    seen.add(sel.name.value);
    return walk(fragments[sel.name.value]?.selectionSet);
  }) ?? false;
  asked = nodes.some((n) => walk(n.selectionSet));
  // graphql-js merges a field's nodes once per parent type and selection: one walk for all its parents.
  askedByNodes.set(nodes, asked);
  return asked;
}

/**
 * Reads one connection page: one `page()` call of the pager. `pageInfo: false` (the query
 * does not ask for it) reads just the page's items; `hasNextPage`/`hasPreviousPage` are then
 * DynamoDB's word (a last evaluated key), which may say more when there is none.
 */
export async function readConnection(pager: Pager, args: ConnectionArgs, limits?: ConnectionLimits, pageInfo = true): Promise<ConnectionValue> {
  const { size, backward, cursor } = pageRequest(args, limits);
  if (backward && !pager.reversible) throw badInput('this connection cannot be read backward (last/before)');
  const count = () => (pager.count ? pager.count() : Promise.reject(badInput('this connection has no totalCount')));
  let nodes: unknown[];
  let cursorOf: (node: unknown, i: number) => string;
  // Whether the read has more past this page: asked only when `pageInfo` is (a page cursor is then encoded).
  let more: () => boolean;
  if (pager.scope) {
    const scopeOf = pager.scope;
    let scope: CursorScope | undefined;
    const page = await pager.page({ limit: pageInfo ? size + 1 : size, cursor, reverse: backward });
    more = pageInfo ? () => page.items.length > size : () => page.cursor !== undefined;
    nodes = page.items.length > size ? page.items.slice(0, size) : page.items;
    cursorOf = (n) => keyCursor(n, (scope ??= scopeOf()));
  } else {
    const { base, offset } = cursor === undefined ? { base: undefined, offset: 0 } : readPosition(cursor, backward);
    const page = await pager.page({ limit: offset + size, cursor: base, reverse: backward });
    nodes = page.items.slice(offset);
    more = () => page.cursor !== undefined;
    // The last item's cursor is the page cursor itself, so the next page starts there at offset 0.
    const last = nodes.length - 1;
    cursorOf = (_, i) => (i === last && page.cursor !== undefined ? positionCursor(page.cursor, 0, backward) : positionCursor(base, offset + i + 1, backward));
  }
  // A cursor is made when its field is asked for: most queries read only the nodes.
  const edges = nodes.map((node, i) => new LazyEdge(node, i, cursorOf));
  if (backward) edges.reverse();
  const given = cursor !== undefined;
  return {
    edges,
    pageInfo: {
      get startCursor() {
        return edges[0]?.cursor ?? null;
      },
      get endCursor() {
        return edges[edges.length - 1]?.cursor ?? null;
      },
      // Relay: the side a cursor came from has items before it (it is an item's cursor); the read's side is what was read.
      get hasNextPage() {
        return backward ? given : more();
      },
      get hasPreviousPage() {
        return backward ? more() : given;
      },
    },
    totalCount: count,
  };
}
