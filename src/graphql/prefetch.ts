/**
 * Prefetching a root field's whole subtree before graphql-js walks it. When every field
 * below a root get or root connection is one the schema generated (attributes, to-one
 * edges, connections, `edges`/`node`/`cursor`/`pageInfo`/`totalCount`), the root resolver
 * runs each edge field's own resolver itself, level by level as graphql-js would (each
 * level one batched round), keeps each outcome (value or error), and resolves once all have
 * settled; the edge fields' resolvers then hand graphql-js the kept outcome — no promise per
 * field, and graphql-js completes the tree synchronously. The requests, results and error
 * paths are those of the lazy walk: the same resolvers with the same arguments, only run
 * earlier. Any other field below (a computed field, a fragment on an unknown type) leaves
 * the query to graphql-js's lazy walk, untouched.
 */
import {
  getArgumentValues, getDirectiveValues, getNamedType, GraphQLIncludeDirective, GraphQLSkipDirective, isObjectType, Kind,
  type FieldNode, type FragmentDefinitionNode, type GraphQLField, type GraphQLObjectType, type GraphQLResolveInfo, type SelectionSetNode,
} from 'graphql';
import { asksPageInfo, type ConnectionValue } from './connection.js';
import type { GraphQLContext } from './types.js';

/** What a generated field does, for the prefetch plan (by `Type.field`). */
export type FieldRole =
  /** Sends nothing and has no fields that send anything: attributes, `cursor`, `pageInfo`. */
  | { kind: 'pure' }
  /** A connection's `edges`, an edge's `node`: structure over values already read. */
  | { kind: 'edges' } | { kind: 'node' }
  /** A to-one edge: `resolve(src, ctx)` is the field's resolver. */
  | { kind: 'one'; resolve: EdgeResolver }
  /** A connection edge: `resolve(src, args, ctx)` is the field's resolver; `speculate` may start its read from the owner's key. */
  | { kind: 'connection'; resolve: EdgeResolver; speculate?: Speculator }
  /** A connection's `totalCount`. */
  | { kind: 'count' };

/**
 * The resolver of a generated edge field (`info` is not used); `pageInfo` says whether a
 * connection's selection asks for it (see {@link asksPageInfo}).
 */
export type EdgeResolver = (src: any, args: any, ctx: GraphQLContext, pageInfo?: boolean) => unknown;

/**
 * Starts a connection's read from its owner's key alone, before the owner is read (see
 * {@link Prefetch.speculate}); `undefined` when it cannot. The promise is the read's own.
 */
export type Speculator = (key: Record<string, unknown>, args: Record<string, unknown>, ctx: GraphQLContext, pageInfo: boolean) => Promise<unknown> | undefined;

/** Field roles by `Type.field`. */
export type RoleTable = Map<string, FieldRole>;

/** The edge fields to run on one object of a model type, for one merged selection. */
interface ModelPlan {
  steps: Step[];
}
interface Step {
  /** The first node of the field's merged nodes: graphql-js's `info.fieldNodes[0]`. */
  node: FieldNode;
  def: GraphQLField<unknown, unknown>;
  role: Extract<FieldRole, { kind: 'one' | 'connection' }>;
  /** The field's arguments, coerced once per execution (`null`: coercion fails, graphql-js reports it). */
  args?: Record<string, unknown> | null;
  /** Its outcomes, by object. */
  kept?: Kept;
  /** One: the target's plan. Connection: the plans of its nodes, and its `totalCount` nodes. */
  sub: ModelPlan | ConnectionPlan;
}
interface ConnectionPlan {
  nodes: ModelPlan[];
  counts: FieldNode[];
  /** The selection asks for `pageInfo` (a page then reads one item more). */
  pageInfo: boolean;
}

/** A resolver's outcome: its value, its error (`failed`), or its promise while pending. */
interface Outcome {
  state: 'value' | 'failed' | 'pending';
  value: unknown;
}
type Kept = Map<object, Outcome>;

// One prefetch per execution: graphql-js coerces a new variables object for each one.
const running = new WeakMap<object, Prefetch>();

/**
 * The outcome a prefetch kept for this field of `src`, when one did: the value (returned),
 * or the error (thrown, as the resolver's own throw or rejection would be reported).
 */
export function kept(src: object, info: GraphQLResolveInfo): { value: unknown } | undefined {
  const run = running.get(info.variableValues);
  const o = run?.outcomes.get(info.fieldNodes[0])?.get(src);
  if (o?.state === 'failed') throw o.value;
  return o;
}

type Collected = Map<string, FieldNode[]>;

/** Plans and runs the prefetch of one execution's root fields. */
export class Prefetch {
  /** Outcomes by field node and object. */
  readonly outcomes = new Map<FieldNode, Kept>();

  private constructor(
    private readonly roles: RoleTable,
    private readonly ctx: GraphQLContext,
    private readonly variables: Record<string, unknown>,
    private readonly fragments: Record<string, FragmentDefinitionNode>,
  ) {}

  /** The prefetch of the execution `info` belongs to (made on first use). */
  static of(roles: RoleTable, ctx: GraphQLContext, info: GraphQLResolveInfo): Prefetch | undefined {
    const vars = info.variableValues;
    if (!vars || typeof vars !== 'object') return undefined;
    let run = running.get(vars);
    if (!run) running.set(vars, (run = new Prefetch(roles, ctx, vars, info.fragments)));
    return run;
  }

  /** The plan of a field whose value is an object of a model type; `undefined` unless every field below is generated. */
  planModel(type: GraphQLObjectType, nodes: readonly FieldNode[]): ModelPlan | undefined {
    const fields = this.collect(type, nodes);
    if (!fields) return undefined;
    const steps: Step[] = [];
    for (const group of fields.values()) {
      const name = group[0].name.value;
      if (name === '__typename') continue;
      const role = this.roles.get(`${type.name}.${name}`);
      if (role?.kind === 'pure') continue;
      if (role?.kind !== 'one' && role?.kind !== 'connection') return undefined;
      const def = type.getFields()[name];
      const child = getNamedType(def.type);
      if (!isObjectType(child)) return undefined;
      const sub = role.kind === 'one' ? this.planModel(child, group) : this.planConnection(child, group);
      if (!sub) return undefined;
      steps.push({ node: group[0], def, role, sub });
    }
    return { steps };
  }

  /** The plan of a field whose value is a connection. */
  planConnection(type: GraphQLObjectType, nodes: readonly FieldNode[]): ConnectionPlan | undefined {
    const fields = this.collect(type, nodes);
    if (!fields) return undefined;
    // Asked as the field's lazy resolver asks it: an early read and the field's own read are then one read.
    const plan: ConnectionPlan = { nodes: [], counts: [], pageInfo: asksPageInfo(nodes, this.fragments) };
    for (const group of fields.values()) {
      const name = group[0].name.value;
      if (name === '__typename') continue;
      const role = this.roles.get(`${type.name}.${name}`);
      if (role?.kind === 'pure') continue;
      if (role?.kind === 'count') {
        plan.counts.push(group[0]);
        continue;
      }
      if (role?.kind !== 'edges') return undefined;
      const edge = getNamedType(type.getFields()[name].type);
      const edgeFields = isObjectType(edge) ? this.collect(edge, group) : undefined;
      if (!edgeFields || !isObjectType(edge)) return undefined;
      for (const inner of edgeFields.values()) {
        const innerName = inner[0].name.value;
        if (innerName === '__typename') continue;
        const innerRole = this.roles.get(`${edge.name}.${innerName}`);
        if (innerRole?.kind === 'pure') continue;
        if (innerRole?.kind !== 'node') return undefined;
        const model = getNamedType(edge.getFields()[innerName].type);
        const sub = isObjectType(model) ? this.planModel(model, inner) : undefined;
        if (!sub) return undefined;
        plan.nodes.push(sub);
      }
    }
    return plan;
  }

  /**
   * The fields of `nodes`' selection sets merged by response name, in graphql-js's order
   * (`collectSubfields`: fragments in place, `@skip`/`@include` applied); `undefined` for a
   * fragment on another type (none applies to an object type but itself; kept out of plans).
   */
  private collect(type: GraphQLObjectType, nodes: readonly FieldNode[]): Collected | undefined {
    const out: Collected = new Map();
    const visited = new Set<string>();
    const walk = (set: SelectionSetNode): boolean => {
      for (const sel of set.selections) {
        if (!this.included(sel)) continue;
        if (sel.kind === Kind.FIELD) {
          const key = sel.alias?.value ?? sel.name.value;
          const list = out.get(key);
          if (list) list.push(sel);
          else out.set(key, [sel]);
        } else if (sel.kind === Kind.INLINE_FRAGMENT) {
          if (sel.typeCondition && sel.typeCondition.name.value !== type.name) return false;
          if (!walk(sel.selectionSet)) return false;
        } else {
          const name = sel.name.value;
          if (visited.has(name)) continue;
          visited.add(name);
          const fragment = this.fragments[name];
          if (!fragment || fragment.typeCondition.name.value !== type.name) return false;
          if (!walk(fragment.selectionSet)) return false;
        }
      }
      return true;
    };
    for (const node of nodes) if (node.selectionSet && !walk(node.selectionSet)) return undefined;
    return out;
  }

  private included(node: Parameters<typeof getDirectiveValues>[1]): boolean {
    if (!node.directives?.length) return true;
    const skip = getDirectiveValues(GraphQLSkipDirective, node, this.variables);
    if (skip?.if === true) return false;
    const include = getDirectiveValues(GraphQLIncludeDirective, node, this.variables);
    return include?.if !== false;
  }

  /**
   * Starts the connections of `plan` whose read needs only the owner's key (`key`, from the
   * root get's arguments), in the same round as the owner's get. When no owner is stored,
   * each was one request more than the lazy walk sends; its result is dropped.
   */
  speculate(plan: ModelPlan, key: Record<string, unknown>): void {
    for (const step of plan.steps) {
      const early = step.role.kind === 'connection' ? step.role.speculate : undefined;
      if (!early) continue;
      const args = this.argsOf(step);
      // Dropped here: when the owner arrives, its step reads through the same loader and is
      // served this read (or, if it failed already, reads again: the loader forgets failures).
      if (args) this.safely(() => void early(key, args, this.ctx, (step.sub as ConnectionPlan).pageInfo)?.catch(() => undefined));
    }
  }

  /** Runs `plan` on `value` (the root field's value) and resolves when every outcome below has settled. */
  run(value: unknown, plan: ModelPlan | ConnectionPlan, model: boolean): Promise<void> {
    if (value === null || value === undefined) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const wave: Wave = { inFlight: 1, done: resolve };
      this.safely(() => (model ? this.runModel(wave, value as object, plan as ModelPlan) : this.runConnection(wave, value as ConnectionValue, plan as ConnectionPlan)));
      settle(wave);
    });
  }

  /**
   * Runs part of the walk; should it throw (resolvers' own errors are kept, not thrown),
   * the fields it did not reach are left to graphql-js, which resolves them itself.
   */
  private safely(walk: () => void): void {
    try {
      walk();
    } catch {
      // Nothing kept for them: their resolvers run as in the lazy walk.
    }
  }

  private argsOf(step: Step): Record<string, unknown> | null {
    if (step.args === undefined) {
      try {
        step.args = getArgumentValues(step.def, step.node, this.variables);
      } catch {
        step.args = null;
      }
    }
    return step.args;
  }

  /** The outcomes of one field node (a fragment's field under two parents shares them). */
  private keptOf(node: FieldNode): Kept {
    let kept = this.outcomes.get(node);
    if (!kept) this.outcomes.set(node, (kept = new Map()));
    return kept;
  }

  private runModel(wave: Wave, src: object, plan: ModelPlan): void {
    for (const step of plan.steps) {
      // The same object under the same field (one author of two threads) runs its fields once.
      const kept = (step.kept ??= this.keptOf(step.node));
      if (kept.has(src)) continue;
      const args = this.argsOf(step);
      // Arguments graphql-js cannot coerce: it reports that without calling the resolver.
      if (args === null) continue;
      let result: unknown;
      try {
        result = step.role.resolve(src, args, this.ctx, step.role.kind === 'connection' ? (step.sub as ConnectionPlan).pageInfo : undefined);
      } catch (error) {
        kept.set(src, { state: 'failed', value: error });
        continue;
      }
      this.keep(wave, src, kept, result, step);
    }
  }

  private runConnection(wave: Wave, conn: ConnectionValue, plan: ConnectionPlan): void {
    for (const node of plan.counts) {
      const kept = this.keptOf(node);
      try {
        this.keep(wave, conn, kept, conn.totalCount());
      } catch (error) {
        kept.set(conn, { state: 'failed', value: error });
      }
    }
    for (const sub of plan.nodes) for (const edge of conn.edges) this.runModel(wave, edge.node as object, sub);
  }

  /** Runs the fields below a value of `step`'s field (none for a count or a null). */
  private below(wave: Wave, step: Step | undefined, value: unknown): void {
    if (!step || value === null || value === undefined) return;
    if (step.role.kind === 'one') this.runModel(wave, value as object, step.sub as ModelPlan);
    else this.runConnection(wave, value as ConnectionValue, step.sub as ConnectionPlan);
  }

  /** Keeps a resolver's result (or, for a promise, what it settles to) and runs the fields below it. */
  private keep(wave: Wave, src: object, kept: Kept, result: unknown, step?: Step): void {
    if (!isThenable(result)) {
      kept.set(src, { state: 'value', value: result });
      this.below(wave, step, result);
      return;
    }
    wave.inFlight++;
    const outcome: Outcome = { state: 'pending', value: result };
    kept.set(src, outcome);
    result.then((value) => {
      outcome.state = 'value';
      outcome.value = value;
      this.safely(() => this.below(wave, step, value));
      settle(wave);
    }, (error: unknown) => {
      outcome.state = 'failed';
      outcome.value = error;
      settle(wave);
    });
  }
}

/** The outcomes one root field waits for. */
interface Wave {
  inFlight: number;
  done: () => void;
}

function settle(wave: Wave): void {
  if (--wave.inFlight === 0) wave.done();
}

function isThenable(v: unknown): v is Promise<unknown> {
  return typeof (v as { then?: unknown } | null)?.then === 'function';
}
