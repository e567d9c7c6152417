/**
 * `graphqlSchema({ models })`: the GraphQL schema of dynagraph models, generated from what
 * the models declare — an object type per model, its to-one edges as nullable fields, its
 * connection edges (to-many, many-to-many) as Relay connections, and root fields to get an
 * item by key and to read a partition or an index with a condition on its range key.
 * Resolvers load edges through the request's session, so the edges of one level of a
 * query share one batched round trip.
 */
import {
  GraphQLBoolean, GraphQLInputObjectType, GraphQLInt, GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLSchema, GraphQLString,
  getNamedType, isObjectType,
  type GraphQLFieldConfig, type GraphQLFieldConfigArgumentMap, type GraphQLFieldConfigMap, type GraphQLFieldResolver, type GraphQLInputType, type GraphQLNamedType,
} from 'graphql';
import type { AnyModel } from '../model/model.js';
import type { ModelBase, ModelClassRuntime } from '../model/instance.js';
import { querySpec, scanSpec } from '../model/reads.js';
import type { Database } from '../operations/context.js';
import type { CursorScope } from '../operations/cursor.js';
import type { ReadSpec } from '../operations/read-stream.js';
import type { Attribute } from '../schema/attribute.js';
import { TemplateAttribute } from '../schema/template.js';
import { isWriteMark } from '../schema/model-schema.js';
import { SchemaError } from '../errors.js';
import { edgesOf, keyedQueryOf, type ConnectionEdgeLike, type ToOneEdgeLike } from './edges.js';
import { asksPageInfo, badInput, readConnection, type ConnectionArgs, type ConnectionLimits, type Pager } from './connection.js';
import { keyInputOf, outputOf } from './scalars.js';
import { argsOf, outputTypeOf, type GraphQLContext, type GraphQLSchemaOptions, type ModelConfig } from './types.js';
import type { CostTable } from './budget.js';
import { kept, Prefetch, type EdgeResolver, type RoleTable } from './prefetch.js';
import { earlyRead } from './early.js';

const NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;
const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);
const upperFirst = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
/** English plural of a type name, for root connection fields: Thread → threads, Reply → replies. */
export function plural(name: string): string {
  const n = lowerFirst(name);
  if (/[^aeiou]y$/.test(n)) return n.slice(0, -1) + 'ies';
  if (/(s|x|z|ch|sh)$/.test(n)) return n + 'es';
  return n + 's';
}

function checkName(name: string, what: string): string {
  if (!NAME.test(name) || name.startsWith('__')) throw new SchemaError(`graphqlSchema: ${what} "${name}" is not a GraphQL name; rename it`);
  return name;
}

/** The scope a cursor of `spec` has (as the library's own page cursors). */
export function scopeOf(spec: ReadSpec, db: Database): CursorScope {
  return { table: spec.table, index: spec.index ?? '', keyNames: spec.keyNames, partition: spec.partition, secret: db.cursorSecret, keyTypes: spec.keyTypes };
}

type Built = { schema: GraphQLSchema; costs: CostTable; roles: RoleTable };

/** An edge field's resolver: the outcome a prefetch kept for it, else `lazy` now (told, for a connection, whether `pageInfo` is asked). */
function keptOr(lazy: EdgeResolver, connection = false): GraphQLFieldResolver<any, GraphQLContext> {
  return (src, args, ctx, info) => {
    const k = kept(src as object, info);
    return k ? k.value : lazy(src, args, ctx, connection && asksPageInfo(info.fieldNodes, info.fragments));
  };
}

/** Builds the schema and the cost table of its fields (for the request budget). */
export function buildSchema(options: GraphQLSchemaOptions): Built {
  const configs = new Map<string, ModelConfig>();
  const typeOfModel = new Map<AnyModel, string>();
  for (const [name, entry] of Object.entries(options.models)) {
    const config: ModelConfig = 'model' in entry && !('schema' in entry) ? entry as ModelConfig : { model: entry as AnyModel };
    if (!config.model || !(config.model as { schema?: unknown }).schema) throw new SchemaError(`graphqlSchema: models.${name} is not a model`);
    configs.set(checkName(name, 'type name'), config);
    typeOfModel.set(config.model, name);
  }
  const costs: CostTable = new Map();
  const roles: RoleTable = new Map();
  const objectTypes = new Map<string, GraphQLObjectType>();
  const connections = new Map<string, GraphQLObjectType>();
  const named = (name: string): GraphQLNamedType | undefined => objectTypes.get(name) ?? connections.get(name);
  const limitsOf = (name: string): ConnectionLimits => ({ ...options.limits, ...configs.get(name)?.limits });

  const PageInfo = new GraphQLObjectType({
    name: 'PageInfo',
    description: 'Relay page information.',
    fields: {
      startCursor: { type: GraphQLString }, endCursor: { type: GraphQLString },
      hasNextPage: { type: new GraphQLNonNull(GraphQLBoolean) }, hasPreviousPage: { type: new GraphQLNonNull(GraphQLBoolean) },
    },
  });
  const connectionOf = (typeName: string): GraphQLObjectType => {
    let c = connections.get(typeName);
    if (!c) {
      roles.set(`${typeName}Edge.cursor`, { kind: 'pure' }).set(`${typeName}Edge.node`, { kind: 'node' });
      roles.set(`${typeName}Connection.edges`, { kind: 'edges' }).set(`${typeName}Connection.pageInfo`, { kind: 'pure' }).set(`${typeName}Connection.totalCount`, { kind: 'count' });
      const Edge = new GraphQLObjectType({
        name: `${typeName}Edge`,
        fields: () => ({ cursor: { type: new GraphQLNonNull(GraphQLString) }, node: { type: new GraphQLNonNull(objectTypes.get(typeName)!) } }),
      });
      c = new GraphQLObjectType<{ totalCount: () => unknown }>({
        name: `${typeName}Connection`,
        fields: {
          edges: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(Edge))) },
          pageInfo: { type: new GraphQLNonNull(PageInfo) },
          totalCount: { type: new GraphQLNonNull(GraphQLInt), description: 'Every item of the connection, counted (a paged COUNT query).', resolve: keptOr((conn) => conn.totalCount()) },
        },
      });
      connections.set(typeName, c);
    }
    return c;
  };
  const connectionArgs: GraphQLFieldConfigArgumentMap = {
    first: { type: GraphQLInt }, after: { type: GraphQLString }, last: { type: GraphQLInt }, before: { type: GraphQLString },
  };

  for (const [typeName, config] of configs) {
    const schema = config.model.schema;
    const hidden = new Set(config.hide ?? []);
    const rename = (f: string) => checkName(config.rename?.[f] ?? f, `field of ${typeName}`);
    const edges = edgesOf(config.model).filter((e) => typeOfModel.has(e.target) && !hidden.has(e.field) && (!config.edges || config.edges.includes(e.field)));
    for (const wanted of config.edges ?? []) {
      if (!edges.some((e) => e.field === wanted)) throw new SchemaError(`graphqlSchema: ${typeName} has no edge "${wanted}" to a model of the schema`);
    }
    objectTypes.set(typeName, new GraphQLObjectType<ModelBase, GraphQLContext>({
      name: typeName,
      description: config.description,
      fields: () => {
        const fields: GraphQLFieldConfigMap<ModelBase, GraphQLContext> = {};
        for (const name of schema.names) {
          const attr = schema.attributes[name];
          if (hidden.has(name) || isWriteMark(name)) continue;
          const { type, convert } = outputOf(attr);
          const required = !attr.isOptional;
          roles.set(`${typeName}.${rename(name)}`, { kind: 'pure' });
          fields[rename(name)] = {
            type: required ? new GraphQLNonNull(type) : type,
            resolve: (src) => {
              const v = (src as unknown as Record<string, unknown>)[name];
              return convert && v !== undefined && v !== null ? convert(v) : v;
            },
          };
        }
        for (const edge of edges) {
          const target = typeOfModel.get(edge.target)!;
          const field = rename(edge.field);
          if (edge.kind === 'one') {
            costs.set(`${typeName}.${field}`, { kind: 'one' });
            // A loaded edge (primed by an inverse, or loaded before) answers at once, without a promise.
            const resolve: EdgeResolver = (src) => {
              const e = (src as Record<string, ToOneEdgeLike>)[edge.field];
              return e.isLoaded === true && typeof e.get === 'function' ? e.get() : e.load();
            };
            roles.set(`${typeName}.${field}`, { kind: 'one', resolve });
            fields[field] = { type: objectTypes.get(target)!, resolve: keptOr(resolve) };
          } else {
            const limits = limitsOf(target);
            costs.set(`${typeName}.${field}`, { kind: 'connection', reads: edge.reads, limits });
            const resolve: EdgeResolver = (src, args: ConnectionArgs, ctx, pageInfo) => readConnection(edgePager((src as Record<string, ConnectionEdgeLike>)[edge.field], src, ctx.session), args, limits, pageInfo);
            roles.set(`${typeName}.${field}`, { kind: 'connection', resolve, speculate: options.earlyReads === false ? undefined : earlyRead(config.model, edge.field, limits) });
            fields[field] = { type: new GraphQLNonNull(connectionOf(target)), args: connectionArgs, resolve: keptOr(resolve, true) };
          }
        }
        for (const [name, computed] of Object.entries(config.computed ?? {})) {
          const field = checkName(name, `computed field of ${typeName}`);
          costs.set(`${typeName}.${field}`, { kind: 'fixed', requests: computed.cost ?? 0 });
          // It replaces an attribute or edge of its name: a field the prefetch cannot plan (see prefetch.ts).
          roles.delete(`${typeName}.${field}`);
          fields[field] = { type: outputTypeOf(computed.type, named), description: computed.description, args: argsOf(computed.args, named), resolve: (src, args, ctx) => computed.resolve(src as never, args, ctx) };
        }
        return fields;
      },
    }));
  }

  const query: GraphQLFieldConfigMap<unknown, GraphQLContext> = {};
  const addRoot = (name: string, field: GraphQLFieldConfig<unknown, GraphQLContext>, cost: Parameters<CostTable['set']>[1]) => {
    checkName(name, 'root field');
    if (query[name]) throw new SchemaError(`graphqlSchema: two root fields are named "${name}"; rename one (get, query, indexes or scan)`);
    query[name] = field;
    costs.set(`Query.${name}`, cost);
  };
  const conditions = new Map<string, GraphQLInputObjectType>();
  for (const [typeName, config] of configs) {
    const model = config.model as unknown as ModelClassRuntime;
    const schema = model.schema;
    const limits = limitsOf(typeName);
    const keyArgs = (names: readonly string[]) => keyArguments(schema.attributes, names);
    if (config.get !== false) {
      const args = keyArgs([schema.hash, ...(schema.range ? [schema.range] : [])]);
      addRoot(config.get ?? lowerFirst(typeName), {
        type: objectTypes.get(typeName)!,
        args: args.config,
        resolve: prefetching(roles, true, (_s, a: Record<string, unknown>, ctx) => ctx.session.get(config.model, args.parse(a) as never), (a) => args.parse(a)),
      }, { kind: 'get' });
    }
    const reads: { name: string; index?: string; hash: string; range?: string }[] = [];
    if (schema.range && config.query !== false) reads.push({ name: config.query ?? plural(typeName), hash: schema.hash, range: schema.range });
    if (config.indexes !== false) {
      for (const index of Object.values(schema.indexes)) {
        const name = config.indexes?.[index.name];
        if (name === false) continue;
        reads.push({ name: name ?? plural(typeName) + upperFirst(index.name), index: index.name, hash: index.hash, range: index.range });
      }
    }
    for (const read of reads) {
      const hashArg = keyArgs([read.hash]);
      const rangeAttr = read.range ? schema.attributes[read.range] : undefined;
      const condition = rangeAttr && !(rangeAttr instanceof TemplateAttribute) ? conditionType(rangeAttr, conditions) : undefined;
      const keysOnly = read.index !== undefined && schema.indexes[read.index].projection !== 'all';
      addRoot(read.name, {
        type: new GraphQLNonNull(connectionOf(typeName)),
        description: `${typeName} items of one ${read.index ? `partition of index ${read.index}` : 'partition'}${condition ? `, optionally narrowed by a condition on ${read.range}` : ''}.`,
        args: { ...hashArg.config, ...(condition ? { [read.range!]: { type: condition.type } } : {}), ...connectionArgs },
        resolve: prefetching(roles, false, (_s, a: Record<string, unknown> & ConnectionArgs, ctx, pageInfo) => {
          const key = hashArg.parse(a);
          if (condition && a[read.range!] != null) key[read.range!] = condition.parse(a[read.range!] as Record<string, unknown>);
          return readConnection(queryPager(ctx.session, model, key, read.index), a, limits, pageInfo);
        }),
      }, { kind: 'connection', reads: keysOnly ? 2 : 1, limits });
    }
    if (config.scan) {
      addRoot(typeof config.scan === 'string' ? config.scan : `all${upperFirst(plural(typeName))}`, {
        type: new GraphQLNonNull(connectionOf(typeName)),
        description: `Every ${typeName}, in no particular order (a Scan).`,
        args: { first: connectionArgs.first, after: connectionArgs.after },
        resolve: prefetching(roles, false, (_s, a: ConnectionArgs, ctx, pageInfo) => readConnection(scanPager(ctx.session, model), a, limits, pageInfo)),
      }, { kind: 'connection', reads: 1, limits });
    }
  }
  let mutation: GraphQLObjectType | undefined;
  if (options.mutations && Object.keys(options.mutations).length) {
    const fields: GraphQLFieldConfigMap<unknown, GraphQLContext> = {};
    for (const [name, m] of Object.entries(options.mutations)) {
      checkName(name, 'mutation');
      fields[name] = { type: outputTypeOf(m.type, named), description: m.description, args: argsOf(m.args, named), resolve: (_s, args, ctx) => m.resolve(args, ctx) };
      costs.set(`Mutation.${name}`, { kind: 'fixed', requests: m.cost ?? 1 });
    }
    mutation = new GraphQLObjectType({ name: 'Mutation', fields });
  }
  const schema = new GraphQLSchema({ query: new GraphQLObjectType({ name: 'Query', fields: query }), mutation });
  return { schema, costs, roles };
}

/**
 * A root field's resolver that, when every field below is generated, also runs the edge
 * fields below before resolving (see prefetch.ts), and with `keyOf` (a get) starts the
 * reads that need only the key in the same round as the get.
 */
function prefetching(roles: RoleTable, model: boolean, lazy: EdgeResolver, keyOf?: (args: Record<string, unknown>) => Record<string, unknown>): GraphQLFieldResolver<unknown, GraphQLContext> {
  return (src, args, ctx, info) => {
    const type = getNamedType(info.returnType);
    const run = isObjectType(type) ? Prefetch.of(roles, ctx, info) : undefined;
    const value = lazy(src, args, ctx, !model && asksPageInfo(info.fieldNodes, info.fragments));
    let plan;
    try {
      plan = run && (model ? run.planModel(type as GraphQLObjectType, info.fieldNodes) : run.planConnection(type as GraphQLObjectType, info.fieldNodes));
    } catch {
      // A selection the plan cannot read is graphql-js's to walk (and to report on).
      plan = undefined;
    }
    if (!run || !plan) return value;
    if (keyOf && 'steps' in plan) run.speculate(plan, keyOf(args));
    return Promise.resolve(value).then((v) => run.run(v, plan, model).then(() => v));
  };
}

/** Key arguments of a read: each key attribute as a non-null argument (a template key as its fields). */
function keyArguments(attributes: Readonly<Record<string, Attribute>>, names: readonly string[]): { config: GraphQLFieldConfigArgumentMap; parse(args: Record<string, unknown>): Record<string, unknown> } {
  const config: GraphQLFieldConfigArgumentMap = {};
  const parsers: [string, (v: unknown) => unknown][] = [];
  for (const name of names) {
    const attr = attributes[name];
    const fields = attr instanceof TemplateAttribute ? attr.fields : [name];
    for (const f of fields) {
      const input = keyInputOf(attributes[f] ?? attr);
      config[checkName(f, 'key attribute')] = { type: new GraphQLNonNull(input.type) };
      parsers.push([f, input.parse]);
    }
  }
  return { config, parse: (args) => Object.fromEntries(parsers.map(([f, parse]) => [f, parse(args[f])])) };
}

const OPS = ['eq', 'lt', 'le', 'gt', 'ge', 'between', 'beginsWith'] as const;

/** The input type of a condition on a range key (`{ ge: "2024-01-01" }`), one per scalar type. */
function conditionType(attr: Attribute, cache: Map<string, GraphQLInputObjectType>): { type: GraphQLInputType; parse(v: Record<string, unknown>): unknown } {
  const input = keyInputOf(attr);
  const scalar = input.type as GraphQLNamedType;
  const name = `${scalar.name}KeyCondition`;
  let type = cache.get(name);
  if (!type) {
    const strings = scalar.name === 'String';
    type = new GraphQLInputObjectType({
      name,
      description: 'A condition on a range key: exactly one of its fields.',
      fields: {
        eq: { type: scalar as GraphQLInputType }, lt: { type: scalar as GraphQLInputType }, le: { type: scalar as GraphQLInputType },
        gt: { type: scalar as GraphQLInputType }, ge: { type: scalar as GraphQLInputType },
        between: { type: new GraphQLList(new GraphQLNonNull(scalar as GraphQLInputType)), description: 'Both bounds, inclusive.' },
        ...(strings ? { beginsWith: { type: GraphQLString } } : {}),
      },
    });
    cache.set(name, type);
  }
  return {
    type,
    parse(v) {
      const given = OPS.filter((op) => v[op] !== undefined && v[op] !== null);
      if (given.length !== 1) throw badInput(`a key condition takes exactly one of ${OPS.join(', ')}; got ${given.length ? given.join(', ') : 'none'}`);
      const op = given[0];
      if (op === 'beginsWith') return { beginsWith: v.beginsWith };
      if (op === 'between') {
        const pair = v.between as unknown[];
        if (pair.length !== 2) throw badInput(`between takes two bounds, got ${pair.length}`);
        return { between: [input.parse(pair[0]), input.parse(pair[1])] };
      }
      return { [op]: input.parse(v[op]) };
    },
  };
}

/** A connection over an edge of `owner`: keyed cursors when the edge is a plain Query of its targets. */
function edgePager(edge: ConnectionEdgeLike, owner: ModelBase, db: Database): Pager {
  const q = keyedQueryOf(edge, owner);
  const spec = q && querySpec(db, [q.model], q.condition, { index: q.index });
  return {
    page: (o) => edge.page(o),
    // Made now: a condition the Query would refuse fails this field alone, before anything is queued.
    scope: spec && (() => scopeOf(spec, db)),
    reversible: true,
    count: typeof edge.count === 'function' ? () => edge.count!() : undefined,
  };
}

function queryPager(session: GraphQLContext['session'], model: ModelClassRuntime, key: Record<string, unknown>, index: string | undefined): Pager {
  const q = session.query(model as never, key as never, { index } as never);
  return {
    page: ({ limit, cursor, reverse }) => (reverse ? q.reverse() : q).page({ limit, cursor }),
    scope: () => scopeOf(querySpec(session, [model], key, { index }), session),
    reversible: true,
    count: () => q.count(),
  };
}

function scanPager(session: GraphQLContext['session'], model: ModelClassRuntime): Pager {
  const q = session.scan(model as never);
  return {
    page: ({ limit, cursor }) => q.page({ limit, cursor }),
    scope: () => scopeOf(scanSpec(session, [model], {}), session),
    reversible: false,
    count: () => q.count(),
  };
}
