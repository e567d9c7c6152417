/**
 * Early reads: a to-many edge whose Query needs only its owner's key (`Forum.threads` is the
 * partition `forum_name = forum.name`) can be read while a root get of the owner is still in
 * flight — the key is in the get's arguments — so the owner and its first page share one
 * round, as a hand-written resolver would send them. The read goes through the session's
 * loader with the very key the edge's own `page()` uses, so when the owner arrives the
 * connection is served that read, not a second one. When no owner is stored, the read was
 * one request the lazy walk would not have sent, and its result is dropped.
 */
import { instanceFromItem, type ModelClassRuntime } from '../model/instance.js';
import type { AnyModel } from '../model/model.js';
import { querySpec } from '../model/reads.js';
import { ToMany } from '../graph/relations.js';
import { pageRequest, type ConnectionArgs, type ConnectionLimits } from './connection.js';
import type { Speculator } from './prefetch.js';

const NOT_KEY: unique symbol = Symbol('dynagraph.graphql.notKey');

/**
 * An owner that is only its key: reading any other property (or listing them) throws, so a
 * query function that needs more than the key is never run on it to the end.
 */
function keyOwner(key: Record<string, unknown>): object {
  const refuse = (): never => {
    throw NOT_KEY;
  };
  return new Proxy(key, {
    get: (t, p) => (typeof p === 'string' && Object.hasOwn(t, p) ? t[p] : refuse()),
    has: refuse,
    ownKeys: refuse,
    getOwnPropertyDescriptor: refuse,
    set: refuse,
    defineProperty: refuse,
    deleteProperty: refuse,
  });
}

/**
 * The early read of `model`'s to-many edge `field`, for connections with no cursor (a first
 * or last page); `undefined` for any other kind of edge. It starts nothing when the edge's
 * query reads more of its owner than the key, or when its page or query would be refused
 * (the connection then reports that itself, once the owner is read).
 */
export function earlyRead(model: AnyModel, field: string, limits: ConnectionLimits): Speculator | undefined {
  const probe = (instanceFromItem(model as unknown as ModelClassRuntime, {}) as unknown as Record<string, unknown>)[field];
  if (!(probe instanceof ToMany)) return undefined;
  // The declaration as every instance makes it (a field initialiser); this one is the probe's.
  const relation = probe.relation;
  return (key, args, ctx, pageInfo) => {
    const a = args as ConnectionArgs;
    if ((a.after ?? null) !== null || (a.before ?? null) !== null) return undefined;
    let size: number;
    let backward: boolean;
    try {
      ({ size, backward } = pageRequest(a, limits));
    } catch {
      return undefined;
    }
    const owner = keyOwner(key);
    try {
      const condition = relation.query(owner);
      if (!condition || typeof condition !== 'object') return undefined;
      // What the loader's batch checks first: refused here, it is not sent (nor fails its batch).
      querySpec(ctx.session, [relation.target() as unknown as ModelClassRuntime], condition, { index: relation.index });
    } catch {
      return undefined;
    }
    // The key `ToMany.page` gives the loader for this connection's page: the same limit (readConnection's) and direction.
    return ctx.session.graph.pageToMany(relation, owner as never, { limit: pageInfo ? size + 1 : size, reverse: backward });
  };
}
