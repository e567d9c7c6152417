/**
 * `dynagraph/graphql`: a GraphQL schema generated from dynagraph models (graphql-js, an
 * optional peer dependency), with batched resolvers, Relay connections, a request budget
 * and typed errors.
 *
 * ```ts
 * const api = graphqlSchema({ models: { Forum, Thread, Reply, User } });
 * const result = await api.run(db, '{ forum(name: "DynamoDB") { threads(first: 5) { edges { node { subject } } } } }');
 * ```
 * @module dynagraph/graphql
 */
export { graphqlSchema, type DynagraphGraphQL } from './runtime.js';
export type { GraphQLContext, GraphQLSchemaOptions, ModelConfig, ComputedField, MutationField, TypeRef, ArgsConfig } from './types.js';
export type { ConnectionArgs, ConnectionLimits } from './connection.js';
export { edgeKindOf, edgesOf, edgeTarget, type EdgeKind, type EdgeInfo, type ToOneEdgeLike, type ConnectionEdgeLike } from './edges.js';
export { toGraphQLError } from './errors.js';
export { estimateRequests, type CostTable, type FieldCost } from './budget.js';
export { GraphQLDateTime, GraphQLJSON } from './scalars.js';
