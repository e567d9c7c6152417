/**
 * Options of `graphqlSchema()`, and GraphQL type references written as text (`'Int!'`,
 * `'[Thread!]!'`) for computed fields, mutations and their arguments.
 */
import {
  GraphQLBoolean, GraphQLFloat, GraphQLID, GraphQLInt, GraphQLList, GraphQLNonNull, GraphQLString, isInputType, isOutputType,
  type GraphQLFieldConfigArgumentMap, type GraphQLInputType, type GraphQLNamedType, type GraphQLOutputType, type GraphQLType,
} from 'graphql';
import type { AnyModel } from '../model/model.js';
import type { Dynagraph } from '../dynagraph.js';
import type { Session } from '../graph/session.js';
import type { ConnectionLimits } from './connection.js';
import { GraphQLDateTime, GraphQLJSON } from './scalars.js';
import { SchemaError } from '../errors.js';

/** The per-request context: one dynagraph session, so each level of a query is one batched round. */
export interface GraphQLContext {
  /** This request's session: its loaders, identity map, stats and request budget. */
  session: Session;
  /** The database the session belongs to. */
  db: Dynagraph;
  /** The request's estimated request count (set by `execute`). */
  estimate?: number;
  /** Whatever else an application puts in its context. */
  [key: PropertyKey]: unknown;
}

/** A GraphQL type: a graphql-js type, or its text (`'Int!'`, `'[String!]'`, `'Thread'`, `'DateTime'`, `'JSON'`). */
export type TypeRef = string | GraphQLType;

/** Arguments of a computed field or a mutation: name → type. */
export type ArgsConfig = Record<string, TypeRef | { type: TypeRef; description?: string; defaultValue?: unknown }>;

/** A field computed from an instance, added to its model's type. */
export interface ComputedField<T = any> {
  type: TypeRef;
  description?: string;
  args?: ArgsConfig;
  /** Requests it sends per object, for the request budget (default 0). */
  cost?: number;
  resolve(source: T, args: any, context: GraphQLContext): unknown;
}

/** A mutation: a declared write operation of the application. */
export interface MutationField {
  /** What it returns: usually a model's type name, such as `'Reply!'`. */
  type: TypeRef;
  description?: string;
  args?: ArgsConfig;
  /** Requests it sends, for the request budget (default 1). */
  cost?: number;
  resolve(args: any, context: GraphQLContext): unknown;
}

/** How one model appears, where the defaults do not fit. */
export interface ModelConfig<M extends AnyModel = AnyModel> {
  /** The model class. */
  model: M;
  /** Attributes and edges left out. */
  hide?: readonly string[];
  /** Field names: attribute or edge → GraphQL field name. */
  rename?: Readonly<Record<string, string>>;
  /** Which edges appear (default: every edge whose target is one of the schema's models). */
  edges?: readonly string[];
  /** Fields computed from an instance (they win over an attribute of the same name). */
  computed?: Readonly<Record<string, ComputedField<InstanceType<M>>>>;
  /** Root field that gets one item by key (default: the type name, lower-cased first letter; `false`: none). */
  get?: string | false;
  /** Root connection over a partition, with a condition on the range key (default: the plural; `false`: none). Models with a range key only. */
  query?: string | false;
  /** Which indexes get a root connection, and its name (default: every index, `threadsByUser` for `byUser`). `false`: none. */
  indexes?: Readonly<Record<string, string | false>> | false;
  /** A root connection over a scan of the table (default none; `true`: `all` + the plural). */
  scan?: string | boolean;
  /** Bounds of `first`/`last` of this model's connections. */
  limits?: ConnectionLimits;
  /** Description of the type. */
  description?: string;
}

/**
 * Options of `graphqlSchema()`. `T` is inferred from `models` (type name → model class), so
 * computed fields' `resolve` gets the model's instance type.
 */
export interface GraphQLSchemaOptions<T extends Record<string, AnyModel> = Record<string, AnyModel>> {
  /** The models by GraphQL type name: a model, or a model with its configuration. */
  models: { readonly [K in keyof T]: T[K] | ModelConfig<T[K]> };
  /** Mutations by field name (none by default). */
  mutations?: Readonly<Record<string, MutationField>>;
  /** Bounds of `first`/`last` (default 20 and at most 100). */
  limits?: ConnectionLimits;
  /**
   * The most requests one GraphQL request may send (default 1000). A query whose estimate
   * exceeds it is refused before anything is sent (REQUEST_BUDGET_EXCEEDED); the session
   * stops at it too.
   */
  maxRequests?: number;
  /**
   * Read a to-many edge whose Query needs only its owner's key together with a root get of
   * the owner (default true): `forum(name) { threads }` sends the forum's get and its threads'
   * Query in one round. When no such owner is stored, that Query was one request more than
   * reading level by level sends (its result is dropped; the field is still `null`).
   */
  earlyReads?: boolean;
  /** Include the session's trace (per round and edge) in `extensions.dynagraph` (default true). */
  trace?: boolean;
  /** Called with the original of every error reported as INTERNAL_SERVER_ERROR (or another server-side code). */
  onInternalError?(error: unknown): void;
}

const BUILTIN: Record<string, GraphQLNamedType> = {
  String: GraphQLString, Int: GraphQLInt, Float: GraphQLFloat, Boolean: GraphQLBoolean, ID: GraphQLID, DateTime: GraphQLDateTime, JSON: GraphQLJSON,
};

/** Resolves a type reference, its names looked up among the built-in scalars and `named`. */
export function typeOf(ref: TypeRef, named: (name: string) => GraphQLNamedType | undefined): GraphQLType {
  if (typeof ref !== 'string') return ref;
  const text = ref.trim();
  if (text.endsWith('!')) return new GraphQLNonNull(typeOf(text.slice(0, -1), named) as GraphQLNamedType);
  if (text.startsWith('[') && text.endsWith(']')) return new GraphQLList(typeOf(text.slice(1, -1), named));
  const type = BUILTIN[text] ?? named(text);
  if (!type) throw new SchemaError(`graphqlSchema: unknown GraphQL type "${text}"`);
  return type;
}

/** An output type reference resolved. */
export function outputTypeOf(ref: TypeRef, named: (name: string) => GraphQLNamedType | undefined): GraphQLOutputType {
  const t = typeOf(ref, named);
  if (!isOutputType(t)) throw new SchemaError(`graphqlSchema: ${String(ref)} is not an output type`);
  return t;
}

/** Argument definitions resolved. */
export function argsOf(args: ArgsConfig | undefined, named: (name: string) => GraphQLNamedType | undefined): GraphQLFieldConfigArgumentMap {
  const out: GraphQLFieldConfigArgumentMap = {};
  for (const [name, a] of Object.entries(args ?? {})) {
    const spec = typeof a === 'object' && a !== null && 'type' in a && !(a as { toJSON?: unknown }).toJSON ? a as { type: TypeRef; description?: string; defaultValue?: unknown } : { type: a as TypeRef };
    const t = typeOf(spec.type, named);
    if (!isInputType(t)) throw new SchemaError(`graphqlSchema: argument "${name}": ${String(spec.type)} is not an input type`);
    out[name] = { type: t as GraphQLInputType, description: spec.description, defaultValue: spec.defaultValue };
  }
  return out;
}
