/**
 * The generated API at run time: a context factory (one session per request), an `execute`
 * that refuses over-budget queries before anything is sent, maps errors to GraphQL errors
 * with codes and reports what the request cost in `extensions.dynagraph`; and the schema as
 * type definitions and resolvers for servers that want those.
 */
import {
  execute as graphqlExecute, getVariableValues, GraphQLError, isObjectType, Kind, parse, printSchema, validate,
  type ExecutionArgs, type ExecutionResult, type FragmentDefinitionNode, type GraphQLFieldResolver, type GraphQLSchema, type OperationDefinitionNode,
} from 'graphql';
import type { Dynagraph } from '../dynagraph.js';
import type { AnyModel } from '../model/model.js';
import { estimateRequests } from './budget.js';
import { mapResultError } from './errors.js';
import { buildSchema } from './schema.js';
import type { GraphQLContext, GraphQLSchemaOptions } from './types.js';

/** What `graphqlSchema()` returns. */
export interface DynagraphGraphQL {
  /** The graphql-js schema, resolvers included. */
  readonly schema: GraphQLSchema;
  /** The schema as SDL, for servers that take type definitions and resolvers. */
  readonly typeDefs: string;
  /** Resolvers by type and field, for servers that take type definitions and resolvers (use `context` and `execute` too). */
  readonly resolvers: Record<string, Record<string, GraphQLFieldResolver<unknown, GraphQLContext>>>;
  /** The most requests one GraphQL request may send. */
  readonly maxRequests: number;
  /** The per-request context: a new session of `db` with the request budget as its `maxRequests`. */
  context(db: Dynagraph): GraphQLContext;
  /**
   * graphql-js `execute` with the budget check first (an estimate over `maxRequests` is one
   * REQUEST_BUDGET_EXCEEDED error, nothing sent), errors mapped to codes, and the session's
   * stats (and trace) in `extensions.dynagraph`. Pass it as graphql-http's `execute`.
   */
  execute(args: ExecutionArgs): Promise<ExecutionResult>;
  /** The requests a query would send at most, from its text (`undefined` when it does not parse or validate). */
  estimate(source: string, variables?: Record<string, unknown>, operationName?: string): number | undefined;
  /** Parses, validates and executes one request in a new session of `db`. */
  run(db: Dynagraph, source: string, variables?: Record<string, unknown>, operationName?: string): Promise<ExecutionResult>;
}

function operationOf(args: Pick<ExecutionArgs, 'document' | 'operationName'>): { operation?: OperationDefinitionNode; fragments: Record<string, FragmentDefinitionNode> } {
  const fragments: Record<string, FragmentDefinitionNode> = {};
  let operation: OperationDefinitionNode | undefined;
  const operations = args.document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  for (const d of args.document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
  operation = args.operationName ? operations.find((o) => o.name?.value === args.operationName) : operations.length === 1 ? operations[0] : undefined;
  return { operation, fragments };
}

/**
 * The GraphQL API of dynagraph models: `graphqlSchema({ models: { Forum, Thread } })`.
 * See {@link GraphQLSchemaOptions} for hiding, renaming, computed fields, exposed edges and
 * indexes, `first`/`last` bounds, mutations and the request budget.
 */
export function graphqlSchema<T extends Record<string, AnyModel>>(options: GraphQLSchemaOptions<T>): DynagraphGraphQL {
  const { schema, costs } = buildSchema(options as unknown as GraphQLSchemaOptions);
  const maxRequests = options.maxRequests ?? 1000;
  const withTrace = options.trace !== false;

  const estimateOf = (args: Pick<ExecutionArgs, 'document' | 'operationName' | 'variableValues'>): number | undefined => {
    const { operation, fragments } = operationOf(args);
    if (!operation) return undefined;
    const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], (args.variableValues ?? {}) as Record<string, unknown>);
    if (coerced.errors) return undefined;
    return estimateRequests(schema, costs, operation, fragments, coerced.coerced);
  };

  const context = (db: Dynagraph): GraphQLContext => ({ db, session: db.session({ maxRequests }) });

  const execute = async (args: ExecutionArgs): Promise<ExecutionResult> => {
    const ctx = args.contextValue as GraphQLContext | undefined;
    if (!ctx?.session) throw new TypeError('dynagraph/graphql: the context must come from api.context(db) (a session per request)');
    const estimate = estimateOf(args);
    ctx.estimate = estimate;
    const report = () => {
      const stats = ctx.session.stats;
      const { rows, rounds, totals } = ctx.session.trace;
      return { dynagraph: { ...stats, estimate: estimate ?? null, maxRequests, ...(withTrace ? { trace: { rows, rounds, totals } } : {}) } };
    };
    if (estimate !== undefined && estimate > maxRequests) {
      return {
        errors: [new GraphQLError(`this query would send up to ${estimate} requests; the limit is ${maxRequests}: ask for fewer items (first/last) or fewer levels`, { extensions: { code: 'REQUEST_BUDGET_EXCEEDED', estimate, maxRequests } })],
        extensions: report(),
      };
    }
    const result = await graphqlExecute(args);
    const errors = result.errors?.map((e) => mapResultError(e, options.onInternalError));
    return { ...result, ...(errors ? { errors } : {}), extensions: { ...result.extensions, ...report() } };
  };

  const resolvers: DynagraphGraphQL['resolvers'] = {};
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const [name, field] of Object.entries(type.getFields())) {
      if (field.resolve) (resolvers[type.name] ??= {})[name] = field.resolve as GraphQLFieldResolver<unknown, GraphQLContext>;
    }
  }

  return {
    schema,
    typeDefs: printSchema(schema),
    resolvers,
    maxRequests,
    context,
    execute,
    estimate(source, variables, operationName) {
      try {
        const document = parse(source);
        if (validate(schema, document).length) return undefined;
        return estimateOf({ document, variableValues: variables, operationName });
      } catch {
        return undefined;
      }
    },
    async run(db, source, variables, operationName) {
      let document;
      try {
        document = parse(source);
      } catch (err) {
        return { errors: [err as GraphQLError] };
      }
      const errors = validate(schema, document);
      if (errors.length) return { errors };
      return execute({ schema, document, variableValues: variables, operationName, contextValue: context(db) });
    },
  };
}
