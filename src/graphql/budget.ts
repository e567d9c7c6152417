/**
 * What a query will cost, from its text before anything is sent: per field, how many
 * requests it adds and how many objects its children resolve for. A to-one field under N
 * parents is one BatchGetItem per 100 keys; a connection under N parents is N Queries (plus
 * N BatchGetItems' worth of keys when its index projects keys only) yielding up to
 * N × first children; a get is one request. It is an upper bound for the shapes it knows
 * (a count pages through, so it is counted as one request per parent, at least).
 */
import {
  getArgumentValues, getNamedType, isObjectType, Kind,
  type FieldNode, type FragmentDefinitionNode, type GraphQLField, type GraphQLObjectType, type GraphQLSchema, type OperationDefinitionNode, type SelectionSetNode,
} from 'graphql';
import { pageRequest, type ConnectionArgs, type ConnectionLimits } from './connection.js';

/** How one field costs. */
export type FieldCost =
  /** A root get: one request. */
  | { kind: 'get' }
  /** A to-one edge: one BatchGetItem per 100 parents. */
  | { kind: 'one' }
  /** A connection (root or edge): one read per parent (`reads` requests, 2 when keys-only), `first`/`last` children each. */
  | { kind: 'connection'; reads: number; limits: ConnectionLimits }
  /** `totalCount` of a connection: one paged COUNT per connection. */
  | { kind: 'count' }
  /** A computed field or a mutation: this many requests per parent. */
  | { kind: 'fixed'; requests: number };

/** Field costs by `Type.field`. */
export type CostTable = Map<string, FieldCost>;

type Ctx = { schema: GraphQLSchema; costs: CostTable; fragments: Record<string, FragmentDefinitionNode>; variables: Record<string, unknown> };

function fieldsOf(set: SelectionSetNode, ctx: Ctx, seen = new Set<string>()): FieldNode[] {
  const out: FieldNode[] = [];
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) out.push(sel);
    else if (sel.kind === Kind.INLINE_FRAGMENT) out.push(...fieldsOf(sel.selectionSet, ctx, seen));
    else if (!seen.has(sel.name.value) && ctx.fragments[sel.name.value]) {
      seen.add(sel.name.value);
      out.push(...fieldsOf(ctx.fragments[sel.name.value].selectionSet, ctx, seen));
    }
  }
  return out;
}

function args(def: GraphQLField<unknown, unknown>, node: FieldNode, ctx: Ctx): Record<string, unknown> {
  try {
    return getArgumentValues(def, node, ctx.variables);
  } catch {
    // Bad arguments are execute's to report; they cost nothing.
    return {};
  }
}

function walk(type: GraphQLObjectType, set: SelectionSetNode, parents: number, ctx: Ctx): number {
  let total = 0;
  for (const node of fieldsOf(set, ctx)) {
    const def = type.getFields()[node.name.value];
    if (!def) continue;
    const cost = ctx.costs.get(`${type.name}.${def.name}`);
    const child = getNamedType(def.type);
    let below = parents;
    if (cost?.kind === 'get') total += 1, below = 1;
    else if (cost?.kind === 'one') total += Math.ceil(parents / 100);
    else if (cost?.kind === 'fixed') total += cost.requests * parents;
    else if (cost?.kind === 'count') total += parents;
    if (cost?.kind === 'connection') {
      let size = 0;
      try {
        size = pageRequest(args(def, node, ctx) as ConnectionArgs, cost.limits).size;
      } catch {
        continue;
      }
      total += parents * cost.reads;
      if (node.selectionSet && isObjectType(child)) total += connection(child, node.selectionSet, parents, parents * size, ctx);
      continue;
    }
    if (node.selectionSet && isObjectType(child)) total += walk(child, node.selectionSet, below, ctx);
  }
  return total;
}

/** Inside a connection: `edges { node }` resolve for `children` objects, `totalCount` once per connection. */
function connection(type: GraphQLObjectType, set: SelectionSetNode, connections: number, children: number, ctx: Ctx): number {
  let total = 0;
  for (const node of fieldsOf(set, ctx)) {
    const def = type.getFields()[node.name.value];
    if (!def || !node.selectionSet && node.name.value !== 'totalCount') continue;
    if (node.name.value === 'totalCount') total += connections;
    else if (node.name.value === 'edges' && node.selectionSet) {
      const edge = getNamedType(def.type);
      if (!isObjectType(edge)) continue;
      for (const inner of fieldsOf(node.selectionSet, ctx)) {
        const nodeType = inner.name.value === 'node' ? getNamedType(edge.getFields().node?.type) : undefined;
        if (inner.selectionSet && nodeType && isObjectType(nodeType)) total += walk(nodeType, inner.selectionSet, children, ctx);
      }
    }
  }
  return total;
}

/** The most requests `operation` can send, from its text and variables (already coerced). */
export function estimateRequests(schema: GraphQLSchema, costs: CostTable, operation: OperationDefinitionNode, fragments: Record<string, FragmentDefinitionNode>, variables: Record<string, unknown>): number {
  const root = operation.operation === 'mutation' ? schema.getMutationType() : operation.operation === 'subscription' ? schema.getSubscriptionType() : schema.getQueryType();
  if (!root) return 0;
  return walk(root, operation.selectionSet, 1, { schema, costs, fragments, variables });
}
