/**
 * The one placeholder allocator of a request. Every attribute name and every
 * value goes through it, always, so reserved words (NAME, STATUS, DATA, ...)
 * and names with `.`, `#`, `:`, spaces or unicode never need special cases,
 * and a request's condition, key condition, filter, projection and update can
 * share one instance without their placeholders colliding.
 */
import { ExpressionError } from '../errors.js';
import { validatePath, type Path } from './path.js';

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
      placeholder = `#n${this.#names.size}`;
      this.#names.set(segment, placeholder);
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
    return placeholder;
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

  /** Both maps as request parameters, omitting the empty ones, ready to spread into a command input. */
  toParams(): ExpressionAttributeParams {
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
