/**
 * Attribute kinds as GraphQL types: strings, numbers and booleans as themselves, dates as a
 * `DateTime` scalar (ISO-8601), bigint, decimal and binary as strings (base64 for binary),
 * sets and lists as lists, maps and json as a `JSON` scalar. Key arguments go the other way:
 * GraphQL input → the value the model's key attribute takes.
 */
import {
  GraphQLBoolean, GraphQLError, GraphQLFloat, GraphQLList, GraphQLNonNull, GraphQLScalarType, GraphQLString, Kind,
  type GraphQLInputType, type GraphQLOutputType, type ValueNode,
} from 'graphql';
import { NumberValue } from '@aws-sdk/lib-dynamodb';
import type { Attribute } from '../schema/attribute.js';
import type { ListAttribute } from '../schema/collections.js';

/** An instant as an ISO-8601 UTC string (`2024-05-01T12:00:00.000Z`). */
export const GraphQLDateTime = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: 'An instant, as an ISO-8601 UTC string.',
  serialize: (v) => {
    const d = v instanceof Date ? v : new Date(v as string);
    if (Number.isNaN(d.getTime())) throw new GraphQLError(`DateTime cannot represent ${String(v)}`);
    return d.toISOString();
  },
  parseValue: (v) => parseDate(v),
  parseLiteral: (ast) => parseDate(ast.kind === Kind.STRING ? ast.value : undefined),
});

function parseDate(v: unknown): Date {
  const d = typeof v === 'string' && /^\d{4}-\d\d-\d\d(T|$)/.test(v) ? new Date(v) : undefined;
  if (!d || Number.isNaN(d.getTime())) throw new GraphQLError(`DateTime expects an ISO-8601 string, got ${JSON.stringify(v)}`, { extensions: { code: 'BAD_USER_INPUT' } });
  return d;
}

const b64 = (v: Uint8Array) => Buffer.from(v).toString('base64');

/** A stored value made plain JSON: dates as ISO strings, big numbers and decimals as strings, sets as arrays, binary as base64. */
export function toJsonValue(v: unknown): unknown {
  if (v === undefined || v === null) return null;
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'bigint' || v instanceof NumberValue) return String(v);
  if (v instanceof Uint8Array) return b64(v);
  if (v instanceof Set) return [...v].map(toJsonValue);
  if (Array.isArray(v)) return v.map(toJsonValue);
  if (typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toJsonValue(x)]));
  return v;
}

function literalJson(ast: ValueNode): unknown {
  switch (ast.kind) {
    case Kind.STRING: case Kind.BOOLEAN: return ast.value;
    case Kind.INT: case Kind.FLOAT: return Number(ast.value);
    case Kind.LIST: return ast.values.map(literalJson);
    case Kind.OBJECT: return Object.fromEntries(ast.fields.map((f) => [f.name.value, literalJson(f.value)]));
    default: return null;
  }
}

/** Any JSON value: maps, json attributes and whatever a computed field returns. */
export const GraphQLJSON = new GraphQLScalarType({
  name: 'JSON',
  description: 'Any JSON value.',
  serialize: toJsonValue,
  parseValue: (v) => v,
  parseLiteral: literalJson,
});

/** Strings of big integers, decimals and base64 binary; numbers that are not JS-safe stay exact. */
const text = (v: unknown): string => (v instanceof Uint8Array ? b64(v) : String(v));

/** The GraphQL output type of an attribute (before nullability) and how a value is turned into it. */
export function outputOf(attr: Attribute): { type: GraphQLOutputType; convert?: (v: unknown) => unknown } {
  switch (attr.kind) {
    case 'string': case 'literal': case 'template': return { type: GraphQLString };
    case 'number': return { type: GraphQLFloat, convert: (v) => (v instanceof NumberValue ? Number(String(v)) : v) };
    case 'bigint': case 'decimal': case 'binary': return { type: GraphQLString, convert: text };
    case 'boolean': return { type: GraphQLBoolean };
    case 'date': return { type: GraphQLDateTime };
    case 'stringSet': return { type: nonNullList(GraphQLString), convert: (v) => [...(v as Set<string> ?? [])].sort() };
    case 'numberSet': return { type: nonNullList(GraphQLFloat), convert: (v) => [...(v as Set<number> ?? [])].map(Number).sort((a, b) => a - b) };
    case 'binarySet': return { type: nonNullList(GraphQLString), convert: (v) => [...(v as Set<Uint8Array> ?? [])].map(b64).sort() };
    case 'list': {
      const inner = outputOf((attr as ListAttribute<unknown>).of);
      const each = inner.convert;
      return { type: new GraphQLList(inner.type), convert: (v) => (Array.isArray(v) ? (each ? v.map(each) : v) : v) };
    }
    default: return { type: GraphQLJSON };
  }
}

function nonNullList(t: GraphQLOutputType & GraphQLInputType): GraphQLList<GraphQLNonNull<typeof t>> {
  return new GraphQLList(new GraphQLNonNull(t));
}

/** The GraphQL input type of a key attribute and how an argument becomes the attribute's value. */
export function keyInputOf(attr: Attribute): { type: GraphQLInputType; parse: (v: unknown) => unknown } {
  switch (attr.kind) {
    case 'number': return { type: GraphQLFloat, parse: (v) => v };
    case 'bigint': return { type: GraphQLString, parse: (v) => parseBigInt(v as string) };
    case 'decimal': return { type: GraphQLString, parse: (v) => v };
    case 'date': return { type: GraphQLDateTime, parse: (v) => v };
    case 'binary': return { type: GraphQLString, parse: (v) => new Uint8Array(Buffer.from(v as string, 'base64')) };
    default: return { type: GraphQLString, parse: (v) => v };
  }
}

function parseBigInt(v: string): bigint {
  if (!/^-?\d+$/.test(v)) throw new GraphQLError(`expected an integer string, got ${JSON.stringify(v)}`, { extensions: { code: 'BAD_USER_INPUT' } });
  return BigInt(v);
}
