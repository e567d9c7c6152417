/**
 * `onDelete` of a many-to-many edge: what deleting the owner does to its links (the handler
 * behind WRITE_EFFECTS, as integrity.ts is for to-one and to-many edges). `detach` deletes
 * every link item of the owner in the same TransactWriteItems as the owner's delete (each
 * conditional on still existing); `restrict` refuses while the owner has any link. The
 * targets themselves are never written.
 */
import { DeleteRestrictedError } from '../model/effect-errors.js';
import { instanceFromItem, type ModelBase, type ModelClassRuntime } from '../model/instance.js';
import { keyOf, type WriteEffectHandler, type WriteEffects } from '../model/write-hooks.js';
import { edgeLabel, type Edge } from './edge.js';
import { endsOf, keyOfEndId, type ManyToManyRelation } from './edge-store.js';
import { graphFor } from './graph-context.js';
import type { EdgeQuery } from './loader.js';

/** What deleting the owner does to its links. */
export type LinkOnDelete = 'detach' | 'restrict';

/** What the handler reads of a many-to-many edge. */
export interface LinkedEdge extends Edge {
  readonly relation: ManyToManyRelation;
}

/** How many blocking links a restrict refusal names. */
const BLOCKING_NAMED = 10;

/** The handler of a many-to-many edge declaring `onDelete`; `undefined` without one. */
export function linkEffects(edge: LinkedEdge, mode: LinkOnDelete | undefined, adjacency: (r: ManyToManyRelation) => EdgeQuery): WriteEffectHandler | undefined {
  if (!mode) return undefined;
  return {
    on: ['delete'],
    async effects(): Promise<WriteEffects> {
      const relation = edge.relation;
      const { store, info, theirs } = endsOf(relation);
      // Every link of the owner, as stored items (the adjacency Query, paged through).
      const links = (await graphFor(edge.owner).loadToMany(adjacency(relation), edge.owner)) as unknown as Record<string, unknown>[];
      const name = edgeLabel(edge);
      if (mode === 'restrict') {
        if (!links.length) return {};
        const target = relation.target() as unknown as ModelClassRuntime;
        const blocking = links.slice(0, BLOCKING_NAMED).map((l) => keyOfEndId(info, target, String(l[theirs])) ?? { [theirs]: l[theirs] });
        const many = links.length > BLOCKING_NAMED ? `${links.length} links, the first to` : `${links.length} link(s), to`;
        throw new DeleteRestrictedError(name, keyOf(edge.owner), blocking, `has ${many} ${blocking.map((k) => JSON.stringify(k)).join(', ')}`);
      }
      const model = store as unknown as ModelClassRuntime;
      return { deletes: links.map((item) => ({ instance: instanceFromItem(model, item) as ModelBase, edge: name })) };
    },
  };
}
