/**
 * The plan of an include, computed without sending: the rounds `loadIncludes` will run
 * (one per include level; a many-to-many edge's targets are read the round after its
 * links, a keys-only index edge's items the round after its entries) and, per round, the
 * requests its loaders will coalesce the edges into. Given root
 * instances, the first round's counts are exact (distinct keys and partitions computed from
 * the roots, keys the session already holds left out); counts that depend on items not
 * loaded yet are bounds, or say so.
 */
import { SchemaError } from '../errors.js';
import { instanceFromItem, type ModelBase, type ModelClassRuntime } from '../model/instance.js';
import { querySpec } from '../model/reads.js';
import type { Database } from '../operations/context.js';
import { keyId } from '../operations/key-id.js';
import { identityId } from './loader.js';
import { stableJson } from './stable-json.js';
import type { Relation } from './relations.js';
import type { ManyToManyRelation } from './edge-store.js';
import { adjacency } from './many-to-many.js';
import { EDGE, isEdge, modelName, type Edge } from './edge.js';
import { graphFor } from './graph-context.js';
import type { RoundExpectation } from './trace.js';

/** How an edge is loaded. */
export type PlanEdgeKind = 'toOneByKey' | 'toOneByIndex' | 'toMany' | 'keysOnly' | 'itemCollection' | 'manyToMany';

/** A count: exact, bounded, or depending on data (then `note` says on what). */
export interface PlanCount {
  exact?: number | undefined;
  max?: number | undefined;
  note?: string | undefined;
}

/** One edge of one round. */
export interface PlanEdge {
  /** Path from the roots: `replies.user`. */
  path: string;
  /** `Thread.user`. */
  edge: string;
  target: string;
  kind: PlanEdgeKind;
  table: string;
  index?: string | undefined;
  /** Owners whose edge this round loads (already loaded edges left out). */
  owners: PlanCount;
  /** `$limit` of a to-many edge. */
  limit?: number | undefined;
  /**
   * The second round of an edge read in two: `'targets'`, a many-to-many edge's targets its
   * links name (`owners` counts the links); `'hydrate'`, the full items a keys-only index's
   * entries name (`owners` counts the entries).
   */
  step?: 'targets' | 'hydrate' | undefined;
}

/** The requests of one step of a round. */
export interface PlanStep {
  command: 'BatchGetItem' | 'Query';
  /** Physical table(s); a BatchGetItem reads every table of its round at once. */
  table: string;
  index?: string | undefined;
  /** The edges served (`Thread.user`), `hydrate User.threads`, `targets of Thread.tags`. */
  edges: string[];
  /** How the requests arise. */
  how: string;
  /** Distinct keys (BatchGetItem) or partitions (Query). */
  keys: PlanCount;
  requests: PlanCount;
}

/** One round trip of the include (its steps overlap). */
export interface PlanRound {
  round: number;
  edges: PlanEdge[];
  steps: PlanStep[];
}

/** The plan of a graph load. */
export interface GraphPlan {
  /** The root query of a query root (round 0), absent for given instances. */
  root?: PlanStep | undefined;
  rounds: PlanRound[];
  /** Every request, root query included. */
  requests: PlanCount;
  /** The plan as a readable tree. */
  readonly text: string;
  toString(): string;
}

type Spec = Record<string, unknown>;

interface Frontier {
  model: ModelClassRuntime;
  path: string;
  /** Known instances (exact counts), else the owners are only bounded. */
  instances?: readonly ModelBase[] | undefined;
  owners: PlanCount;
  spec: Spec;
}

/** A many-to-many edge's targets or a keys-only index's full items, read in the round after their Queries. */
interface DeferredTargets {
  kind: 'manyToMany' | 'keysOnly';
  path: string;
  edge: string;
  target: ModelClassRuntime;
  table: string;
  /** The links or entries found (their targets' keys). */
  links: PlanCount;
  /** What is loaded below the targets, the round after. */
  next?: Frontier | undefined;
}

const DATA = 'depends on data';
const add = (a: PlanCount, b: PlanCount): PlanCount =>
  a.exact === 0 ? b : b.exact === 0 ? a : a.exact !== undefined && b.exact !== undefined ? { exact: a.exact + b.exact }
    : (a.exact ?? a.max) !== undefined && (b.exact ?? b.max) !== undefined ? { max: (a.exact ?? a.max)! + (b.exact ?? b.max)! }
      : { note: DATA };
const chunks = (c: PlanCount): PlanCount =>
  c.exact !== undefined ? { exact: Math.ceil(c.exact / 100) } : c.max !== undefined ? { max: Math.ceil(c.max / 100) } : { note: `⌈keys / 100⌉, ${DATA}` };

/** Renders a count: `3`, `≤ 3`, or its note. */
export function showCount(c: PlanCount): string {
  return c.exact !== undefined ? String(c.exact) : c.max !== undefined ? `≤ ${c.max}` : c.note ?? DATA;
}

interface EdgeInfo {
  relation: Relation | ManyToManyRelation;
  target: ModelClassRuntime;
  /** The model whose table is queried: the target, or a many-to-many edge's store. */
  queried: ModelClassRuntime;
  /** Owner → the key or partition asked. */
  query: (owner: ModelBase) => Record<string, unknown> | null | undefined;
  /** Physical table of the target (where a many-to-many edge's targets are read). */
  targetTable: string;
  kind: PlanEdgeKind;
  table: string;
  limit?: number | undefined;
  reverse: boolean;
  nested?: Spec | undefined;
}

function edgeInfo(db: Database, model: ModelClassRuntime, probe: ModelBase, name: string, sub: unknown): EdgeInfo {
  const edge = (probe as unknown as Record<string, unknown>)[name];
  if (!isEdge(edge)) throw new SchemaError(`include: "${name}" is not a relationship of ${modelName(model)}`);
  const nested = typeof sub === 'object' && sub ? (sub as Spec) : undefined;
  const limit = nested?.$limit as number | undefined;
  const reverse = nested?.$reverse === true;
  if (edge[EDGE] === 'manyToMany') {
    const relation = edge.relation as ManyToManyRelation;
    const target = relation.target() as unknown as ModelClassRuntime;
    const store = relation.through() as unknown as ModelClassRuntime;
    const query = adjacency(relation).query;
    return { relation, target, queried: store, query, kind: 'manyToMany', table: db.tableName(store.schema), targetTable: db.tableName(target.schema), limit, reverse, nested };
  }
  const relation = edge.relation as Relation;
  const target = relation.target() as unknown as ModelClassRuntime;
  const keysOnly = relation.index !== undefined && target.schema.indexes[relation.index]?.projection !== 'all';
  const kind: PlanEdgeKind = keysOnly ? 'keysOnly' : edge[EDGE] === 'toOne' ? (relation.index ? 'toOneByIndex' : 'toOneByKey') : 'toMany';
  const table = db.tableName(target.schema);
  return { relation, target, queried: target, query: relation.query, kind, table, targetTable: table, limit, reverse, nested };
}

/** A query step being counted: its distinct query ids (exact) or its bounded owners. */
interface QueryAcc { table: string; index?: string; edges: Set<string>; ids: Set<string>; bound: PlanCount; exact: boolean; merged: number; targets?: boolean; hydrate?: boolean }

/** The plan of loading `spec` below `roots` (instances) or below the items of a query. */
export function planInclude(db: Database, root: { instances: readonly ModelBase[] } | { model: ModelClassRuntime; table: string; index?: string; limit?: number }, spec: Spec, holds: (model: ModelClassRuntime, key: Record<string, unknown>) => boolean): GraphPlan {
  let rootStep: PlanStep | undefined;
  let frontier: Frontier[];
  if ('instances' in root) {
    const byModel = new Map<ModelClassRuntime, ModelBase[]>();
    for (const i of root.instances) byModel.set(i.constructor as ModelClassRuntime, [...(byModel.get(i.constructor as ModelClassRuntime) ?? []), i]);
    frontier = [...byModel].map(([model, instances]) => ({ model, path: '', instances, owners: { exact: instances.length }, spec }));
  } else {
    rootStep = {
      command: 'Query', table: root.table, index: root.index, edges: [`${root.model.name} (root query)`], how: 'the root query: one request per page', keys: { exact: 1 },
      requests: { note: root.limit !== undefined ? `≥ 1 page (limit ${root.limit})` : '≥ 1 page, depends on data' },
    };
    frontier = [{ model: root.model, path: '', owners: root.limit !== undefined ? { max: root.limit } : { note: DATA }, spec }];
  }
  const rounds: PlanRound[] = [];
  let deferred: DeferredTargets[] = [];
  while (frontier.length || deferred.length) {
    const round = planRound(db, rounds.length + 1, frontier, deferred, holds);
    rounds.push(round.plan);
    frontier = round.next;
    deferred = round.deferred;
  }
  const requests = [rootStep, ...rounds.flatMap((r) => r.steps)].reduce<PlanCount>((sum, s) => (s ? add(sum, s.requests.exact !== undefined || s.requests.max !== undefined ? s.requests : { note: DATA }) : sum), { exact: 0 });
  const plan: GraphPlan = { root: rootStep, rounds, requests, text: '', toString: () => plan.text };
  Object.defineProperty(plan, 'text', { get: () => renderPlan(plan), enumerable: false });
  return plan;
}

function planRound(db: Database, n: number, frontier: Frontier[], deferred: readonly DeferredTargets[], holds: (model: ModelClassRuntime, key: Record<string, unknown>) => boolean): { plan: PlanRound; next: Frontier[]; deferred: DeferredTargets[] } {
  const edges: PlanEdge[] = [];
  const next: Frontier[] = [];
  const later: DeferredTargets[] = [];
  const gets = { tables: new Set<string>(), edges: new Set<string>(), ids: new Set<string>(), bound: { exact: 0 } as PlanCount };
  // The previous round's many-to-many targets and keys-only hydrations go out with this round's gets.
  for (const d of deferred) {
    const step = deferredStep(d.kind);
    edges.push({ path: d.path, edge: d.edge, target: d.target.name, kind: d.kind, table: d.table, owners: d.links, step });
    gets.tables.add(d.table);
    gets.edges.add(deferredLabel(step, d.edge));
    gets.bound = add(gets.bound, d.links.exact !== undefined || d.links.max !== undefined ? d.links : { note: step === 'hydrate' ? 'one per index entry found' : 'one per link found' });
    if (d.next) next.push(d.next);
  }
  const queries = new Map<string, QueryAcc>();
  // Whole-partition loads of entity models, by (table, partition): an item collection when ≥ 2 distinct.
  const collections = new Map<string, { ids: Set<string>; step: string; edges: Set<string> }>();
  for (const f of frontier) {
    const probe = f.instances?.[0] ?? instanceFromItem(f.model, {}, db);
    for (const [name, sub] of Object.entries(f.spec)) {
      if (name.startsWith('$') || !sub) continue;
      const info = edgeInfo(db, f.model, probe, name, sub);
      const label = `${f.model.name}.${name}`;
      const path = f.path ? `${f.path}.${name}` : name;
      const pending = f.instances?.filter((i) => !isLoaded((i as unknown as Record<string, unknown>)[name], info));
      const owners = pending ? { exact: pending.length } : f.owners;
      edges.push({ path, edge: label, target: info.target.name, kind: info.kind, table: info.table, index: info.relation.index, owners, limit: info.limit });
      let children: PlanCount;
      if (info.kind === 'toOneByKey') {
        gets.tables.add(info.table);
        gets.edges.add(label);
        if (pending) {
          for (const i of pending) {
            const input = info.query(i);
            if (!input) continue;
            const key = info.target.schema.key(input);
            if (!holds(info.target, key)) gets.ids.add(keyId(info.table, info.target.schema.keyNames, key));
          }
        } else gets.bound = add(gets.bound, owners.exact !== undefined || owners.max !== undefined ? owners : { note: `≤ 1 key per ${f.model.name}` });
        children = pending ? { max: pending.length } : perItem(owners, 1);
      } else {
        const stepId = stableJson([info.table, info.relation.index ?? '']);
        const acc = queries.get(stepId) ?? { table: info.table, index: info.relation.index, edges: new Set(), ids: new Set(), bound: { exact: 0 }, exact: true, merged: 0 };
        queries.set(stepId, acc);
        acc.edges.add(label);
        const page = info.kind === 'toOneByIndex' || (info.kind === 'keysOnly' && info.relation.kind !== 'oneToMany') ? { limit: 1 } : info.limit !== undefined || info.reverse ? { limit: info.limit ?? Number.MAX_SAFE_INTEGER, reverse: info.reverse } : undefined;
        if (pending) {
          for (const i of pending) {
            const input = info.query(i);
            if (!input) continue;
            const id = stableJson([info.table, info.queried.schema.entity ?? '', info.relation.index ?? '', input, page ?? null]);
            acc.ids.add(id);
            if (!page && !info.relation.index && info.queried.schema.entity !== undefined && info.kind !== 'manyToMany') {
              const partition = querySpec(db, [info.target], input, {}).partition?.value;
              const cid = stableJson([info.table, partition]);
              const c = collections.get(cid) ?? { ids: new Set(), step: stepId, edges: new Set() };
              collections.set(cid, c);
              c.ids.add(id);
              c.edges.add(label);
            }
          }
        } else {
          acc.exact = false;
          acc.bound = add(acc.bound, owners.exact !== undefined || owners.max !== undefined ? owners : { note: `≤ 1 per ${f.model.name}` });
        }
        const per = page?.limit !== undefined && page.limit < Number.MAX_SAFE_INTEGER ? page.limit : undefined;
        children = per !== undefined ? perItem(pending ? { exact: pending.length } : owners, per) : { note: DATA };
      }
      const below = info.nested && Object.keys(info.nested).some((k) => !k.startsWith('$')) ? { model: info.target, path, owners: children, spec: info.nested } : undefined;
      if (info.kind === 'manyToMany' || info.kind === 'keysOnly') {
        queries.get(stableJson([info.table, info.relation.index ?? '']))![deferredStep(info.kind)] = true;
        if (!pending || pending.length) later.push({ kind: info.kind, path, edge: label, target: info.target, table: info.targetTable, links: children, next: below });
        // Edges loaded already give their items at once: what is below those is read next round.
        const held = below && pending && pending.length < f.instances!.length ? heldTargets(f.instances!, name, pending) : [];
        if (held.length) next.push({ ...below!, instances: held, owners: { exact: held.length } });
      } else if (below) next.push(below);
    }
  }
  const steps: PlanStep[] = [];
  const keys = add(gets.bound, { exact: gets.ids.size });
  // A step of no keys (every edge loaded, every key held) sends nothing: it is left out.
  if (gets.edges.size && keys.exact !== 0) {
    steps.push({
      command: 'BatchGetItem', table: [...gets.tables].join(','), edges: [...gets.edges], keys, requests: chunks(keys),
      how: `${deferred.length ? 'to-one by key, and the keys the previous round\'s links or index entries name' : 'to-one by key'}: every key of the round in BatchGetItem chunks of ≤ 100 distinct keys (keys the session holds cost nothing)`,
    });
  }
  for (const c of collections.values()) {
    if (c.ids.size < 2) continue;
    const acc = queries.get(c.step)!;
    acc.merged += c.ids.size - 1;
    for (const e of c.edges) acc.edges.add(`${e} (item collection)`);
    for (const e of edges) if (c.edges.has(e.edge) && e.kind === 'toMany') e.kind = 'itemCollection';
  }
  for (const acc of queries.values()) {
    const keys = add(acc.bound, { exact: acc.ids.size - acc.merged });
    if (keys.exact === 0) continue;
    const collection = acc.merged > 0 ? '; edges of one item collection share one Query of the partition' : '';
    const twoRounds = acc.targets ? '; many-to-many: the adjacency Query of each owner; its targets are read next round, with that round\'s gets'
      : acc.hydrate ? '; keys-only index: the entries found are hydrated next round, with that round\'s gets' : '';
    steps.push({
      command: 'Query', table: acc.table, index: acc.index, edges: [...acc.edges].filter((e) => !acc.edges.has(`${e} (item collection)`)), keys,
      requests: keys.exact !== undefined ? { exact: keys.exact, note: 'more if a partition exceeds 1 MB' } : keys,
      how: `one Query per distinct partition (more pages if one exceeds 1 MB)${collection}${twoRounds}`,
    });
  }
  const merged = new Map<string, Frontier>();
  // loadIncludes merges the children of one path (the same instances) into one next frontier entry.
  for (const f of next) merged.set(`${f.path}`, f);
  return { plan: { round: n, edges, steps }, next: [...merged.values()], deferred: later };
}

/** The distinct targets the loaded `name` edges of `instances` (those not `pending`) hold. */
function heldTargets(instances: readonly ModelBase[], name: string, pending: readonly ModelBase[]): ModelBase[] {
  const out = new Set<ModelBase>();
  const waiting = new Set(pending);
  for (const i of instances) {
    if (waiting.has(i)) continue;
    const held = ((i as unknown as Record<string, unknown>)[name] as { get(): ModelBase | ModelBase[] | null }).get();
    for (const t of Array.isArray(held) ? held : held ? [held] : []) out.add(t);
  }
  return [...out];
}

/** The second round of an edge read in two: a keys-only index edge's hydration, else a many-to-many edge's targets. */
function deferredStep(kind: PlanEdgeKind): 'targets' | 'hydrate' {
  return kind === 'keysOnly' ? 'hydrate' : 'targets';
}

/** `targets of Post.tags`, `hydrate User.threads`: the edges a deferred read serves. */
function deferredLabel(step: 'targets' | 'hydrate', edge: string): string {
  return step === 'hydrate' ? `hydrate ${edge}` : `targets of ${edge}`;
}

function perItem(owners: PlanCount, n: number): PlanCount {
  if (owners.exact !== undefined) return { max: owners.exact * n };
  if (owners.max !== undefined) return { max: owners.max * n };
  return { note: `≤ ${n} per item, ${DATA}` };
}

function isLoaded(edge: unknown, info: EdgeInfo): boolean {
  if (!isEdge(edge)) return false;
  if (edge[EDGE] === 'toOne') return edge.isLoaded;
  // A paged include always sends its page; a full load is skipped once loaded completely.
  return info.limit === undefined && !info.reverse && edge.isLoaded && (edge as Edge & { cursor?: string }).cursor === undefined;
}

function renderStep(s: PlanStep): string {
  const where = `${s.table}${s.index ? `.${s.index}` : ''}`;
  const unit = s.command === 'Query' ? 'partitions' : 'keys';
  return `${s.command} ${where} ← ${s.edges.join(', ')}; ${unit}: ${showCount(s.keys)}; requests: ${showCount(s.requests)}\n      ${s.how}`;
}

/** The plan as a tree. */
export function renderPlan(plan: GraphPlan): string {
  const lines = [`plan: ${plan.rounds.length + (plan.root ? 1 : 0)} sequential round(s); requests: ${showCount(plan.requests)}`];
  if (plan.root) lines.push('├─ round 0 (roots)', `│  └─ ${renderStep(plan.root).replace('\n', '\n│  ')}`);
  plan.rounds.forEach((r, i) => {
    const last = i === plan.rounds.length - 1;
    const bar = last ? '   ' : '│  ';
    const edge = (e: PlanEdge) => (e.step ? `${e.path} (${deferredLabel(e.step, e.edge)} → ${e.target}, ${e.step === 'hydrate' ? 'entries' : 'links'}: ${showCount(e.owners)})` : `${e.path} (${e.edge} → ${e.target}, ${e.kind}, owners: ${showCount(e.owners)})`);
    lines.push(`${last ? '└─' : '├─'} round ${r.round}: ${r.edges.map(edge).join('; ')}`);
    r.steps.forEach((s, j) => {
      const text = renderStep(s).split('\n');
      const lastStep = j === r.steps.length - 1;
      lines.push(`${bar}${lastStep ? '└─' : '├─'} ${text[0]}`, `${bar}${lastStep ? '   ' : '│  '}${text[1].trimStart().replace(/^/, '  ')}`);
    });
  });
  return lines.join('\n');
}

/** The identity-map check `planInclude` needs, for a loader's identity map. */
export function holdsIn(db: Database, identity: ReadonlyMap<string, unknown>): (model: ModelClassRuntime, key: Record<string, unknown>) => boolean {
  return (model, key) => identity.has(identityId(db.tableName(model.schema), model.schema, key));
}

/** What one round of `loadIncludes` expects to send, for the trace to attribute requests to edges. */
export function roundExpectation(round: number, frontier: readonly (readonly [readonly ModelBase[], Spec])[], deferred: readonly { probe: ModelBase; name: string }[]): RoundExpectation {
  const gets = new Map<string, string[]>();
  const queries = new Map<string, string[]>();
  const push = (m: Map<string, string[]>, k: string, v: string) => m.set(k, [...new Set([...(m.get(k) ?? []), v])]);
  // The targets of the previous round's many-to-many edges, the hydration of its keys-only edges.
  for (const { probe, name } of deferred) {
    const model = probe.constructor as ModelClassRuntime;
    const info = edgeInfo(graphFor(probe).db, model, probe, name, true);
    push(gets, info.targetTable, deferredLabel(deferredStep(info.kind), `${model.name}.${name}`));
  }
  for (const [instances, spec] of frontier) {
    const probe = instances[0];
    if (!probe) continue;
    const model = probe.constructor as ModelClassRuntime;
    const db = graphFor(probe).db;
    for (const [name, sub] of Object.entries(spec)) {
      if (name.startsWith('$') || !sub) continue;
      if (!isEdge((probe as unknown as Record<string, unknown>)[name])) continue;
      const info = edgeInfo(db, model, probe, name, sub);
      const label = `${model.name}.${name}`;
      if (info.kind === 'toOneByKey') push(gets, info.table, label);
      else push(queries, info.relation.index ? `${info.table}.${info.relation.index}` : info.table, label);
    }
  }
  return { round, gets, queries };
}
