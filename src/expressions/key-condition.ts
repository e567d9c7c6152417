/**
 * KeyConditionExpression for Query: partition-key equality plus at most one
 * sort-key condition. DynamoDB allows only a handful of sort-key operators,
 * so anything else is refused here, naming the key, before a request is sent.
 */
import { ExpressionError } from '../errors.js';
import type { MapValue } from './context.js';
import { checkValue, type ExpressionAttributes } from './placeholders.js';

/** Operators DynamoDB accepts on a sort key. */
export type KeyConditionOperator = 'eq' | 'lt' | 'le' | 'gt' | 'ge' | 'between' | 'beginsWith';

/** Every {@link KeyConditionOperator}, for runtime validation. */
export const KEY_CONDITION_OPERATORS: readonly KeyConditionOperator[] = Object.freeze([
  'eq', 'lt', 'le', 'gt', 'ge', 'between', 'beginsWith',
]);

type Exclusive<K extends KeyConditionOperator, V> = { [P in K]: V } & {
  // A message rather than `never`, so two operators at once read as what is wrong.
  [P in Exclude<KeyConditionOperator, K>]?: OneOperator;
};
/** What a second operator of a sort-key condition is told. */
export type OneOperator = 'a sort-key condition takes exactly one operator';
/** What `beginsWith` on a sort key that is not a string or binary is told. */
export type PrefixOfStringsOnly = 'beginsWith needs a string or binary attribute';

/**
 * The typed object form of a sort-key condition; exactly one operator.
 * `V` is the sort key's type (`beginsWith` only for strings and binaries).
 *
 * @example { between: ['2024-01', '2024-12'] }
 */
export type RangeCondition<V = unknown> =
  | Exclusive<'eq', V>
  | Exclusive<'lt', V>
  | Exclusive<'le', V>
  | Exclusive<'gt', V>
  | Exclusive<'ge', V>
  | Exclusive<'between', readonly [V, V]>
  | Exclusive<'beginsWith', KeyPrefix<V>>;

// An untyped sort key (unknown) may take either prefix kind; a typed one only its own.
type KeyPrefix<V> = unknown extends V
  ? string | Uint8Array
  : V extends string ? string : V extends Uint8Array ? Uint8Array : PrefixOfStringsOnly;

/** A sort-key condition as a tuple: `['subject', 'beginsWith', 'Re:']`, `['at', 'between', a, b]`. */
export type RangeTuple = readonly [name: string, op: KeyConditionOperator, ...operands: unknown[]];

/** Input of {@link compileKeyCondition}. Key names are literal top-level attribute names, never parsed. */
export interface KeyConditionInput {
  /** Partition key name and the value it must equal. */
  hash: readonly [name: string, value: unknown];
  /** Optional sort-key condition, as a tuple or as `[name, { op: operand }]`. */
  range?: RangeTuple | readonly [name: string, condition: RangeCondition];
}

/** Hooks for {@link compileKeyCondition}. */
export interface KeyConditionOptions {
  /** Converts each operand to its stored form; called with `[keyName]` as the path. */
  mapValue?: MapValue;
}

const SYMBOLS = { eq: '=', lt: '<', le: '<=', gt: '>', ge: '>=' } as const;

/**
 * Compiles a key condition: `#n0 = :v0 AND begins_with(#n1, :v1)`.
 *
 * @throws ExpressionError for a missing key name or value, an operator other
 *   than eq/lt/le/gt/ge/between/beginsWith, or the wrong number of operands.
 */
export function compileKeyCondition(
  input: KeyConditionInput,
  attrs: ExpressionAttributes,
  options: KeyConditionOptions = {},
): string {
  const [hashName, hashValue] = input.hash ?? [];
  checkName(hashName, 'partition key');
  const hash = `${attrs.name(hashName)} = ${value(hashName, hashValue, 'eq', attrs, options)}`;
  if (input.range === undefined) return attrs.expression('KeyConditionExpression', hash);
  const [rangeName, op, operands] = normalizeRange(input.range);
  checkName(rangeName, 'sort key');
  const name = attrs.name(rangeName);
  const v = (x: unknown): string => value(rangeName, x, op, attrs, options);
  let range: string;
  if (op === 'between') {
    arity(rangeName, op, operands, 2);
    range = `${name} BETWEEN ${v(operands[0])} AND ${v(operands[1])}`;
  } else if (op === 'beginsWith') {
    arity(rangeName, op, operands, 1);
    if (typeof operands[0] !== 'string' && !(operands[0] instanceof Uint8Array)) {
      throw new ExpressionError(`Key condition on ${rangeName}: beginsWith needs a string or binary prefix`);
    }
    range = `begins_with(${name}, ${v(operands[0])})`;
  } else {
    arity(rangeName, op, operands, 1);
    range = `${name} ${SYMBOLS[op]} ${v(operands[0])}`;
  }
  return attrs.expression('KeyConditionExpression', `${hash} AND ${range}`);
}

/** Turns either range form into name, operator and operands, refusing operators a sort key cannot take. */
function normalizeRange(range: KeyConditionInput['range'] & {}): [string, KeyConditionOperator, unknown[]] {
  if (!Array.isArray(range) || range.length < 2) {
    throw new ExpressionError('Key condition range must be [name, op, ...operands] or [name, { op: operand }]');
  }
  const [name, second, ...rest] = range as unknown[];
  let op: unknown = second;
  let operands = rest;
  if (typeof second === 'object' && second !== null) {
    const entries = Object.entries(second);
    if (entries.length !== 1 || rest.length > 0) {
      throw new ExpressionError(
        `Key condition on ${String(name)}: expected exactly one operator, got ${entries.map(([k]) => k).join(', ') || 'none'}`,
      );
    }
    const [k, v] = entries[0]!;
    op = k;
    operands = k === 'between' && Array.isArray(v) ? [...v] : [v];
  }
  if (!KEY_CONDITION_OPERATORS.includes(op as KeyConditionOperator)) {
    throw new ExpressionError(
      `Key condition on ${String(name)}: operator ${JSON.stringify(op)} is not allowed on a sort key; ` +
        `use ${KEY_CONDITION_OPERATORS.join(', ')} (filter on anything else)`,
    );
  }
  return [name as string, op as KeyConditionOperator, operands];
}

function checkName(name: unknown, what: string): asserts name is string {
  if (typeof name !== 'string' || name === '') {
    throw new ExpressionError(`Key condition: ${what} name must be a non-empty string, got ${JSON.stringify(name)}`);
  }
}

function arity(name: string, op: string, operands: unknown[], n: number): void {
  if (operands.length !== n) {
    throw new ExpressionError(`Key condition on ${name}: ${op} takes ${n} operand${n > 1 ? 's' : ''}, got ${operands.length}`);
  }
}

function value(
  name: string,
  raw: unknown,
  op: KeyConditionOperator,
  attrs: ExpressionAttributes,
  options: KeyConditionOptions,
): string {
  const where = `Key condition on ${name} (${op})`;
  // Null can never match a key attribute, so it is as wrong as undefined here.
  if (raw === null) throw new ExpressionError(`${where}: value is null`);
  checkValue(raw, where);
  const mapped = options.mapValue ? options.mapValue(Object.freeze([name]), raw, op) : raw;
  checkValue(mapped, where);
  return attrs.value(mapped);
}

/** A sort-key condition in stored form, for checking a key against it (e.g. a cursor's start key). */
export interface RangeBound {
  /** The sort key's name. */
  name: string;
  op: KeyConditionOperator;
  /** Operands after `mapValue`, as the key condition sends them. */
  operands: readonly unknown[];
}

/**
 * The stored form of a sort-key condition, normalised and converted as {@link compileKeyCondition}
 * converts it.
 *
 * @throws ExpressionError as {@link compileKeyCondition} does for the range.
 */
export function rangeBound(range: KeyConditionInput['range'] & {}, options: KeyConditionOptions = {}): RangeBound {
  const [name, op, operands] = normalizeRange(range);
  checkName(name, 'sort key');
  arity(name, op, operands, op === 'between' ? 2 : 1);
  const mapped = operands.map((x) => {
    checkValue(x, `Key condition on ${name} (${op})`);
    return options.mapValue ? options.mapValue(Object.freeze([name]), x, op) : x;
  });
  return { name, op, operands: mapped };
}

/** `true` when a stored key value satisfies the sort-key condition the way DynamoDB evaluates it. */
export function satisfiesRange(value: unknown, bound: RangeBound): boolean {
  const [a, b] = bound.operands;
  if (bound.op === 'beginsWith') {
    const v = bytesOf(value);
    const p = bytesOf(a);
    return v !== undefined && p !== undefined && typeof value === typeof a && v.length >= p.length && Buffer.compare(v.subarray(0, p.length), p) === 0;
  }
  const c = compareKeyValues(value, a);
  if (c === undefined) return false;
  switch (bound.op) {
    case 'eq': return c === 0;
    case 'lt': return c < 0;
    case 'le': return c <= 0;
    case 'gt': return c > 0;
    case 'ge': return c >= 0;
    case 'between': {
      const d = compareKeyValues(value, b);
      return c >= 0 && d !== undefined && d <= 0;
    }
  }
}

/** DynamoDB's scalar type of a stored key value: `S`, `N` or `B` (`undefined` for anything else). */
export function keyValueType(v: unknown): 'S' | 'N' | 'B' | undefined {
  if (typeof v === 'string') return 'S';
  if (typeof v === 'number' || typeof v === 'bigint') return 'N';
  if (v instanceof Uint8Array) return 'B';
  // The SDK's NumberValue (numbers beyond double precision): compared by its text.
  if (v !== null && typeof v === 'object' && typeof (v as { toAttributeValue?: unknown }).toAttributeValue === 'function') return 'N';
  return undefined;
}

/**
 * Compares two stored key values in DynamoDB's order: strings by their UTF-8 bytes, binary
 * by unsigned bytes, numbers by exact decimal value. `undefined` when their types differ.
 */
export function compareKeyValues(x: unknown, y: unknown): number | undefined {
  const t = keyValueType(x);
  if (t === undefined || t !== keyValueType(y)) return undefined;
  if (t === 'N') return compareDecimals(String(x), String(y));
  return Buffer.compare(bytesOf(x)!, bytesOf(y)!);
}

function bytesOf(v: unknown): Buffer | undefined {
  if (typeof v === 'string') return Buffer.from(v, 'utf8');
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  return undefined;
}

/** Sign, significant digits and the decimal point's position (value = ±0.digits × 10^point). */
function decimal(text: string): { sign: number; digits: string; point: number } {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text.trim());
  if (!m) return { sign: 0, digits: '', point: 0 };
  const int = m[2] ?? '';
  const all = int + (m[3] ?? '');
  const lead = all.length - all.replace(/^0+/, '').length;
  const digits = all.slice(lead).replace(/0+$/, '');
  if (!digits) return { sign: 0, digits: '', point: 0 };
  return { sign: m[1] === '-' ? -1 : 1, digits, point: int.length - lead + Number(m[4] ?? 0) };
}

function compareDecimals(x: string, y: string): number {
  const a = decimal(x);
  const b = decimal(y);
  if (a.sign !== b.sign) return a.sign < b.sign ? -1 : 1;
  if (a.sign === 0) return 0;
  const magnitude = a.point !== b.point ? (a.point < b.point ? -1 : 1) : a.digits === b.digits ? 0 : a.digits < b.digits ? -1 : 1;
  return magnitude * a.sign;
}
