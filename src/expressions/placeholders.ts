/**
 * The one placeholder allocator of a request. Every attribute name and every
 * value goes through it, always, so reserved words (NAME, STATUS, DATA, ...)
 * and names with `.`, `#`, `:`, spaces or unicode never need special cases,
 * and a request's condition, key condition, filter, projection and update can
 * share one instance without their placeholders colliding.
 */
import { valueSize } from '../schema/size.js';
import { ExpressionError } from '../errors.js';
import { validatePath, type Path } from './path.js';

/** DynamoDB's limit on the length of one expression string, in UTF-8 bytes (4 KB). */
export const MAX_EXPRESSION_BYTES = 4096;
/** DynamoDB's limit on the operators and functions of one expression. */
export const MAX_EXPRESSION_OPERATORS = 300;
/** DynamoDB's limit on ExpressionAttributeNames plus ExpressionAttributeValues of one request (2 MB). */
export const MAX_SUBSTITUTION_BYTES = 2 * 1024 * 1024;
/** DynamoDB's limit on an attribute name, in UTF-8 bytes. */
export const MAX_NAME_BYTES = 65535;

/** The request parameter an expression is sent as; named in the errors of {@link checkExpression}. */
export type ExpressionParameter =
  | 'ConditionExpression' | 'FilterExpression' | 'KeyConditionExpression' | 'ProjectionExpression' | 'UpdateExpression';

/** The two maps a DynamoDB request carries next to its expressions. */
export interface ExpressionAttributeParams {
  /** Placeholder (`#n0`) → attribute name; absent when no name was allocated. */
  ExpressionAttributeNames?: Record<string, string>;
  /** Placeholder (`:v0`) → document value; absent when no value was allocated. */
  ExpressionAttributeValues?: Record<string, unknown>;
}

/**
 * Allocates `#n0`, `#n1`, ... for names and `:v0`, `:v1`, ... for values.
 * Create one per request and pass it to every compiler of that request.
 */
export class ExpressionAttributes {
  // Keyed by the name so a name used by both the condition and the update reuses one placeholder.
  readonly #names = new Map<string, string>();
  readonly #values: unknown[] = [];
  /** Compiled expressions by parameter, for the checks of {@link toParams}. */
  readonly #expressions = new Map<ExpressionParameter, string[]>();
  /** What ExpressionAttributeNames and ExpressionAttributeValues weigh, the way DynamoDB counts it. */
  #substitutionBytes = 0;

  /**
   * The placeholder of one attribute name or map key; the same segment
   * always yields the same placeholder within this instance.
   *
   * @throws ExpressionError for an empty or non-string segment.
   */
  name(segment: string): string {
    if (typeof segment !== 'string' || segment === '') {
      throw new ExpressionError(`Invalid attribute name ${JSON.stringify(segment)}: names must be non-empty strings`);
    }
    let placeholder = this.#names.get(segment);
    if (placeholder === undefined) {
      const bytes = Buffer.byteLength(segment, 'utf8');
      if (bytes > MAX_NAME_BYTES) {
        throw new ExpressionError(`Attribute name ${JSON.stringify(segment.slice(0, 40))}… is ${bytes} bytes; DynamoDB accepts names of at most ${MAX_NAME_BYTES} bytes`);
      }
      placeholder = `#n${this.#names.size}`;
      this.#names.set(segment, placeholder);
      this.#substitutionBytes += placeholder.length + bytes;
    }
    return placeholder;
  }

  /**
   * The expression text of a document path: `['a', 'b', 2, 'c']` → `#n0.#n1[2].#n2`.
   * List indexes stay literal because DynamoDB accepts no placeholder there.
   */
  path(path: Path): string {
    validatePath(path);
    let out = '';
    for (const segment of path) {
      out += typeof segment === 'number' ? `[${segment}]` : `${out ? '.' : ''}${this.name(segment)}`;
    }
    return out;
  }

  /**
   * A fresh placeholder for one document value (values are never shared:
   * deduplicating would need deep equality and save nothing DynamoDB bills).
   *
   * @throws ExpressionError for a value DynamoDB cannot hold (see {@link checkValue}).
   */
  value(v: unknown): string {
    checkValue(v, 'expression value');
    const placeholder = `:v${this.#values.length}`;
    this.#values.push(v);
    this.#substitutionBytes += placeholder.length + valueSize(v);
    return placeholder;
  }

  /**
   * Records one compiled expression of this request (each compiler calls it with its
   * result): refuses it when it alone is over DynamoDB's limits, and keeps it so that
   * {@link toParams} can check what the request sends as a whole.
   *
   * @throws ExpressionError naming the parameter, for more than {@link MAX_EXPRESSION_BYTES}
   *   bytes or {@link MAX_EXPRESSION_OPERATORS} operators and functions.
   */
  expression(parameter: ExpressionParameter, text: string): string {
    checkExpression(parameter, text);
    const parts = this.#expressions.get(parameter);
    if (parts) parts.push(text);
    else this.#expressions.set(parameter, [text]);
    return text;
  }

  /** `ExpressionAttributeNames`: placeholder → name, or `undefined` when empty (DynamoDB rejects `{}`). */
  get names(): Record<string, string> | undefined {
    if (this.#names.size === 0) return undefined;
    const out: Record<string, string> = {};
    for (const [name, placeholder] of this.#names) out[placeholder] = name;
    return out;
  }

  /** `ExpressionAttributeValues`: placeholder → value, or `undefined` when empty (DynamoDB rejects `{}`). */
  get values(): Record<string, unknown> | undefined {
    if (this.#values.length === 0) return undefined;
    const out: Record<string, unknown> = {};
    this.#values.forEach((v, i) => (out[`:v${i}`] = v));
    return out;
  }

  /**
   * Both maps as request parameters, omitting the empty ones, ready to spread into a command input.
   * Every request passes here, so here the request as a whole is held to DynamoDB's limits.
   *
   * @throws ExpressionError when the names and values weigh more than {@link MAX_SUBSTITUTION_BYTES},
   *   or when the expressions compiled for one parameter, joined as the operations join them
   *   (conditions as `(a) AND (b)`, updates clause by clause), are over the limits of one expression.
   */
  toParams(): ExpressionAttributeParams {
    for (const [parameter, parts] of this.#expressions) {
      if (parts.length > 1) checkExpression(parameter, parameter === 'UpdateExpression' ? mergeUpdates(parts) : parts.map((p) => `(${p})`).join(' AND '));
    }
    if (this.#substitutionBytes > MAX_SUBSTITUTION_BYTES) {
      throw new ExpressionError(
        `ExpressionAttributeNames and ExpressionAttributeValues are ${this.#substitutionBytes} bytes; DynamoDB accepts at most ${MAX_SUBSTITUTION_BYTES} (2 MB) per request`,
      );
    }
    const out: ExpressionAttributeParams = {};
    const names = this.names;
    const values = this.values;
    if (names) out.ExpressionAttributeNames = names;
    if (values) out.ExpressionAttributeValues = values;
    return out;
  }
}

/**
 * Rejects values that would only fail later inside the SDK or DynamoDB with a
 * message that no longer says which operand was wrong: `undefined`, an empty
 * set (DynamoDB has none) and non-finite numbers.
 *
 * @param where names the operand in the error message.
 * @throws ExpressionError
 */
export function checkValue(v: unknown, where: string): void {
  if (v === undefined) {
    throw new ExpressionError(`${where}: value is undefined (use absent / { exists: false } to test for a missing attribute)`);
  }
  if (typeof v === 'number' && !Number.isFinite(v)) {
    throw new ExpressionError(`${where}: ${v} is not a number DynamoDB can store`);
  }
  if (v instanceof Set && v.size === 0) {
    throw new ExpressionError(`${where}: DynamoDB has no empty set`);
  }
}

// Operators and functions as DynamoDB counts them (measured against DynamoDB Local): every
// comparator, AND / OR / NOT, BETWEEN (its AND is part of it), IN and function call count one;
// in an update, `+` / `-` and functions count, the `=` of SET and the clause keywords do not.
const TOKENS = /#n\d+|:v\d+|<>|<=|>=|[=<>+-]|[A-Za-z_]+/g;
const FUNCTIONS = new Set([
  'attribute_exists', 'attribute_not_exists', 'attribute_type', 'begins_with', 'contains', 'size', 'if_not_exists', 'list_append',
]);
const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'BETWEEN', 'IN']);

/** The number of operators and functions DynamoDB counts in an expression dynagraph compiled. */
export function countOperators(parameter: ExpressionParameter, text: string): number {
  const update = parameter === 'UpdateExpression';
  let n = 0;
  let between = 0;
  for (const [t] of text.matchAll(TOKENS)) {
    if (t[0] === '#' || t[0] === ':') continue;
    if (t === 'AND' && between > 0) between--;
    else if (t === 'BETWEEN') {
      between++;
      n++;
    } else if (FUNCTIONS.has(t) || KEYWORDS.has(t) || t === '+' || t === '-' || (!update && /^[=<>]/.test(t))) n++;
  }
  return n;
}

/**
 * Refuses an expression DynamoDB would reject for its size: more than {@link MAX_EXPRESSION_BYTES}
 * bytes, or more than {@link MAX_EXPRESSION_OPERATORS} operators and functions.
 *
 * @throws ExpressionError naming the parameter and the figure.
 */
export function checkExpression(parameter: ExpressionParameter, text: string): void {
  // Exact shortcut for nearly every request: a UTF-16 unit is at most 3 UTF-8 bytes, and every operator takes a character.
  if (text.length * 3 <= MAX_EXPRESSION_BYTES && text.length <= MAX_EXPRESSION_OPERATORS) return;
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_EXPRESSION_BYTES) {
    throw new ExpressionError(`${parameter} is ${bytes} bytes; DynamoDB accepts at most ${MAX_EXPRESSION_BYTES} (4 KB) per expression. Nothing was sent; split the work into several requests`);
  }
  const operators = countOperators(parameter, text);
  if (operators > MAX_EXPRESSION_OPERATORS) {
    throw new ExpressionError(`${parameter} has ${operators} operators and functions; DynamoDB accepts at most ${MAX_EXPRESSION_OPERATORS} per expression. Nothing was sent; split the work into several requests`);
  }
}

/** Update expressions joined clause by clause (`SET a` + `SET b` → `SET a, b`), as UpdateItem needs them. */
function mergeUpdates(parts: readonly string[]): string {
  const clauses = new Map<string, string[]>();
  for (const part of parts) {
    for (const m of part.matchAll(/(SET|REMOVE|ADD|DELETE) (.*?)(?= (?:SET|REMOVE|ADD|DELETE) |$)/g)) {
      clauses.set(m[1], [...(clauses.get(m[1]) ?? []), m[2]]);
    }
  }
  return [...clauses].map(([k, v]) => `${k} ${v.join(', ')}`).join(' ');
}

