/**
 * Compiles conditions (builders and typed object forms) to the text of a
 * ConditionExpression or FilterExpression. Parentheses are emitted wherever
 * DynamoDB's precedence (comparisons, NOT, AND, OR) could change the meaning,
 * and around AND inside OR for the reader's sake.
 */
import { ExpressionError } from '../errors.js';
import {
  isAttributeRef, isConditionNode, type Comparator, type Condition, type ConditionAst, type Operand,
} from './condition-ast.js';
import { ATTRIBUTE_TYPE_CODES, absent } from './condition-types.js';
import { ExpressionContext, type ExpressionOptions, type ValueOperator } from './context.js';
import { formatPath, type Path, type PathInput } from './path.js';
import type { ExpressionAttributes } from './placeholders.js';

/** Hooks for {@link compileCondition}; see {@link ExpressionOptions}. */
export interface ConditionOptions extends ExpressionOptions {
  /** The parameter the condition is sent as, named when it is over DynamoDB's limits. Default `ConditionExpression`. */
  parameter?: 'ConditionExpression' | 'FilterExpression';
}

/** DynamoDB's limit on the candidates of one IN. */
export const MAX_IN_VALUES = 100;

const SYMBOLS: Record<Comparator, string> = { eq: '=', ne: '<>', lt: '<', le: '<=', gt: '>', ge: '>=' };
const COMPARATORS = Object.keys(SYMBOLS) as Comparator[];
const OPERATOR_KEYS = new Set<string>([
  ...COMPARATORS, 'between', 'in', 'beginsWith', 'contains', 'exists', 'type', 'size',
]);

// Binding strength of what a compiled piece exposes at its top level, weakest last.
const Prec = { Atom: 0, Infix: 1, Not: 2, And: 3, Or: 4 } as const;
type Prec = (typeof Prec)[keyof typeof Prec];

/** A node that tests one path (everything but and / or / not). */
type Leaf = Extract<ConditionAst, { path: PathInput }>;

interface Compiled {
  text: string;
  prec: Prec;
}

/**
 * Compiles a condition into expression text, allocating every name and value
 * in `attrs` (shared with the request's other expressions).
 *
 * @throws ExpressionError for malformed conditions (empty and/or/object,
 *   `in` with 0 or more than 100 values, a bad type code or size operand,
 *   `undefined` operands, bad paths, more than 4 KB or 300 operators and functions);
 *   whatever `resolveName` throws for an unknown attribute.
 */
export function compileCondition(
  condition: Condition<any>,
  attrs: ExpressionAttributes,
  options: ConditionOptions = {},
): string {
  return attrs.expression(options.parameter ?? 'ConditionExpression', compile(condition, new ExpressionContext(attrs, options)).text);
}

function compile(c: Condition<any>, ctx: ExpressionContext): Compiled {
  if (isConditionNode(c)) return compileNode(c, ctx);
  if (typeof c !== 'object' || c === null || Array.isArray(c)) {
    throw new ExpressionError(`Invalid condition ${String(c)}: expected a condition object or builder`);
  }
  const leaves = objectToAst(c as Record<string, unknown>, ctx);
  if (leaves.length === 0) throw new ExpressionError('Empty condition object {}: nothing to test');
  return junction('and', leaves.map((leaf) => compileLeaf(leaf, ctx, leaf.path as Path)));
}

function compileNode(a: ConditionAst, ctx: ExpressionContext): Compiled {
  switch (a.kind) {
    case 'and':
    case 'or':
      if (!Array.isArray(a.conditions) || a.conditions.length === 0) {
        throw new ExpressionError(`${a.kind}() needs at least one condition`);
      }
      return junction(a.kind, a.conditions.map((c) => compile(c, ctx)));
    case 'not': {
      const inner = compile(a.condition, ctx);
      return { text: inner.prec === Prec.Atom ? `NOT ${inner.text}` : `NOT (${inner.text})`, prec: Prec.Not };
    }
    default:
      return compileLeaf(a, ctx);
  }
}

function junction(kind: 'and' | 'or', parts: Compiled[]): Compiled {
  if (parts.length === 1) return parts[0]!;
  // OR inside AND must be wrapped; AND inside OR need not be, but reads ambiguously without.
  const wrapAt = kind === 'and' ? Prec.Or : Prec.And;
  const own = kind === 'and' ? Prec.And : Prec.Or;
  const text = parts
    .map((p) => (p.prec >= wrapAt && p.prec !== own ? `(${p.text})` : p.text))
    .join(kind === 'and' ? ' AND ' : ' OR ');
  return { text, prec: own };
}

// `resolved` is passed for object-form leaves, whose keys were already resolved (and vetted) once.
function compileLeaf(a: Leaf, ctx: ExpressionContext, resolved?: Path): Compiled {
  if (!('path' in a)) throw new ExpressionError(`Invalid condition node kind ${String((a as { kind: unknown }).kind)}`);
  const p = resolved ?? ctx.resolve(a.path);
  const name = ctx.pathText(p);
  const operand = (v: Operand, op: ValueOperator): string =>
    isAttributeRef(v) ? ctx.pathText(ctx.resolve(v.path)) : ctx.value(p, v, op);
  switch (a.kind) {
    case 'compare':
      checkComparator(a.op, p);
      return { text: `${name} ${SYMBOLS[a.op]} ${operand(a.value, a.op)}`, prec: Prec.Infix };
    case 'between':
      return { text: `${name} BETWEEN ${operand(a.low, 'between')} AND ${operand(a.high, 'between')}`, prec: Prec.Infix };
    case 'in': {
      if (!Array.isArray(a.values) || a.values.length === 0 || a.values.length > MAX_IN_VALUES) {
        const n = Array.isArray(a.values) ? a.values.length : 'no';
        throw new ExpressionError(`${formatPath(p)} in: needs 1 to ${MAX_IN_VALUES} values, got ${n}`);
      }
      return { text: `${name} IN (${a.values.map((v) => operand(v, 'in')).join(', ')})`, prec: Prec.Infix };
    }
    case 'beginsWith': {
      if (typeof a.prefix !== 'string' && !(a.prefix instanceof Uint8Array)) {
        throw new ExpressionError(`${formatPath(p)} beginsWith: prefix must be a string or binary, got ${typeof a.prefix}`);
      }
      return { text: `begins_with(${name}, ${ctx.value(p, a.prefix, 'beginsWith')})`, prec: Prec.Atom };
    }
    case 'contains':
      return { text: `contains(${name}, ${ctx.value(p, a.operand, 'contains')})`, prec: Prec.Atom };
    case 'exists':
      if (typeof a.exists !== 'boolean') {
        throw new ExpressionError(`${formatPath(p)} exists: expected true or false, got ${String(a.exists)}`);
      }
      return { text: `${a.exists ? 'attribute_exists' : 'attribute_not_exists'}(${name})`, prec: Prec.Atom };
    case 'type':
      if (!ATTRIBUTE_TYPE_CODES.includes(a.type)) {
        throw new ExpressionError(
          `${formatPath(p)} type: ${JSON.stringify(a.type)} is not one of ${ATTRIBUTE_TYPE_CODES.join(', ')}`,
        );
      }
      // The code is a value like any other: it goes through a placeholder.
      return { text: `attribute_type(${name}, ${ctx.attrs.value(a.type)})`, prec: Prec.Atom };
    case 'sizeCompare':
      checkComparator(a.op, p);
      return { text: `size(${name}) ${SYMBOLS[a.op]} ${sizeOperand(p, a.value, a.op, ctx)}`, prec: Prec.Infix };
    case 'sizeBetween':
      return {
        text: `size(${name}) BETWEEN ${sizeOperand(p, a.low, 'between', ctx)} AND ${sizeOperand(p, a.high, 'between', ctx)}`,
        prec: Prec.Infix,
      };
  }
}

function checkComparator(op: string, p: Path): void {
  if (!Object.hasOwn(SYMBOLS, op)) throw new ExpressionError(`${formatPath(p)}: unknown comparator ${JSON.stringify(op)}`);
}

// Size operands are counts, not attribute values, so they bypass mapValue (a Date converter must not see them).
function sizeOperand(p: Path, n: unknown, op: string, ctx: ExpressionContext): string {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
    throw new ExpressionError(`${formatPath(p)} size ${op}: expected a non-negative integer, got ${String(n)}`);
  }
  return ctx.attrs.value(n);
}

/** A plain object whose keys are all operator names is an operator object; anything else is a value. */
function isOperatorObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return false;
  const keys = Object.keys(v);
  return keys.length > 0 && keys.every((k) => OPERATOR_KEYS.has(k));
}

function objectToAst(obj: Record<string, unknown>, ctx: ExpressionContext): Leaf[] {
  const out: Leaf[] = [];
  for (const [key, spec] of Object.entries(obj)) {
    // Resolved here (not left to compileLeaf) so isAttribute decides once, and the path is literal afterwards.
    const p = ctx.resolve(key);
    if (spec === absent) out.push({ kind: 'exists', path: p, exists: false });
    else if (spec === undefined) {
      throw new ExpressionError(`${key}: condition is undefined (use absent or { exists: false } for a missing attribute)`);
    } else if (isOperatorObject(spec)) out.push(...operatorsToAst(key, p, spec));
    else out.push({ kind: 'compare', path: p, op: 'eq', value: spec });
  }
  return out;
}

function operatorsToAst(key: string, p: Path, ops: Record<string, unknown>): Leaf[] {
  const out: Leaf[] = [];
  for (const [op, v] of Object.entries(ops)) {
    if (v === undefined) throw new ExpressionError(`${key} ${op}: operand is undefined`);
    switch (op) {
      case 'between':
        out.push({ kind: 'between', path: p, ...pair(key, op, v) });
        break;
      case 'in':
        if (!Array.isArray(v)) throw new ExpressionError(`${key} in: expected an array of values`);
        out.push({ kind: 'in', path: p, values: v });
        break;
      case 'beginsWith':
        out.push({ kind: 'beginsWith', path: p, prefix: v });
        break;
      case 'contains':
        out.push({ kind: 'contains', path: p, operand: v });
        break;
      case 'exists':
        out.push({ kind: 'exists', path: p, exists: v as boolean });
        break;
      case 'type':
        out.push({ kind: 'type', path: p, type: v as never });
        break;
      case 'size':
        out.push(...sizeToAst(key, p, v));
        break;
      default:
        out.push({ kind: 'compare', path: p, op: op as Comparator, value: v });
    }
  }
  return out;
}

function sizeToAst(key: string, p: Path, spec: unknown): Leaf[] {
  if (typeof spec !== 'object' || spec === null || Object.keys(spec).length === 0) {
    throw new ExpressionError(`${key} size: expected comparisons such as { gt: 3 }`);
  }
  return Object.entries(spec).map(([op, v]): Leaf => {
    if (op === 'between') return { kind: 'sizeBetween', path: p, ...pair(key, 'size between', v) };
    if (!COMPARATORS.includes(op as Comparator)) {
      throw new ExpressionError(`${key} size: unknown comparator ${JSON.stringify(op)}`);
    }
    return { kind: 'sizeCompare', path: p, op: op as Comparator, value: v as number };
  });
}

function pair(key: string, op: string, v: unknown): { low: any; high: any } {
  if (!Array.isArray(v) || v.length !== 2) {
    throw new ExpressionError(`${key} ${op}: expected [low, high]`);
  }
  return { low: v[0], high: v[1] };
}
