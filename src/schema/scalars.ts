/**
 * Scalar attribute kinds: strings, numbers (plain, bigint, exact decimal), booleans,
 * dates, binary, literal unions and free-form JSON.
 */
import { Attribute, checkNumberText, deepCopy, numberText, NumberValue, type IssueSink, type ScalarType } from './attribute.js';
import { checkJson, decodeJson } from './json.js';

function typeIssue(issues: IssueSink, path: string, expected: string, value: unknown): undefined {
  const got = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  issues.push({ path, message: `expected ${expected}, got ${got}` });
  return undefined;
}

/** A string. Empty non-key strings are stored as absent and restored as `''`. */
export class StringAttribute extends Attribute<string, true, false> {
  readonly kind = 'string' as const;
  override get scalarType(): ScalarType { return 'S'; }
  override empty(): string | undefined { return this.isOptional ? undefined : ''; }
  protected encodeValue(value: unknown, path: string, issues: IssueSink, isKey: boolean): unknown {
    if (typeof value !== 'string') return typeIssue(issues, path, 'a string', value);
    if (value === '') {
      if (isKey) issues.push({ path, message: 'is an empty string; DynamoDB keys cannot be empty' });
      return undefined;
    }
    return value;
  }
  protected decodeValue(stored: unknown): string { return stored as string; }
}

/**
 * The SDK refuses to marshal a `number` beyond Number.MAX_SAFE_INTEGER (it may already
 * have lost precision); report it as a field issue before any request instead.
 */
function unsafeNumber(value: number): string | undefined {
  if (Math.abs(value) <= Number.MAX_SAFE_INTEGER) return undefined;
  return `${value} is beyond Number.MAX_SAFE_INTEGER and may have lost precision; use bigint() or decimal()`;
}

/** A JS number (finite, within DynamoDB's range and Number.MAX_SAFE_INTEGER). */
export class NumberAttribute extends Attribute<number, true, false> {
  readonly kind = 'number' as const;
  override get scalarType(): ScalarType { return 'N'; }
  protected encodeValue(value: unknown, path: string, issues: IssueSink): unknown {
    if (typeof value !== 'number') return typeIssue(issues, path, 'a number', value);
    if (!Number.isFinite(value)) {
      issues.push({ path, message: `${value} cannot be stored; DynamoDB numbers are finite` });
      return undefined;
    }
    if (value !== 0 && (Math.abs(value) >= 1e126 || Math.abs(value) < 1e-130)) {
      const problem = checkNumberText(String(value));
      if (problem) {
        issues.push({ path, message: problem });
        return undefined;
      }
    }
    const unsafe = unsafeNumber(value);
    if (unsafe) issues.push({ path, message: unsafe });
    return value;
  }
  protected decodeValue(stored: unknown): number {
    return typeof stored === 'number' ? stored : Number(numberText(stored));
  }
}

/** An integer beyond 2^53 as a `bigint`, up to DynamoDB's 38 digits. */
export class BigIntAttribute extends Attribute<bigint, true, false> {
  readonly kind = 'bigint' as const;
  override get scalarType(): ScalarType { return 'N'; }
  protected encodeValue(value: unknown, path: string, issues: IssueSink): unknown {
    if (typeof value !== 'bigint') return typeIssue(issues, path, 'a bigint', value);
    const problem = checkNumberText(value.toString());
    if (problem) issues.push({ path, message: problem });
    return value;
  }
  protected decodeValue(stored: unknown): bigint { return BigInt(numberText(stored)); }
}

/** An exact decimal kept as its string form (e.g. money), up to 38 significant digits. */
export class DecimalAttribute extends Attribute<string, true, false> {
  readonly kind = 'decimal' as const;
  override get scalarType(): ScalarType { return 'N'; }
  protected encodeValue(value: unknown, path: string, issues: IssueSink): unknown {
    if (typeof value !== 'string') return typeIssue(issues, path, 'a decimal string', value);
    const problem = checkNumberText(value);
    if (problem) issues.push({ path, message: problem });
    // A real NumberValue: the marshaller sends it as N with the exact text (a look-alike object became a map).
    return NumberValue.from(value);
  }
  protected decodeValue(stored: unknown): string { return numberText(stored); }
}

/** A boolean. */
export class BooleanAttribute extends Attribute<boolean, true, false> {
  readonly kind = 'boolean' as const;
  protected encodeValue(value: unknown, path: string, issues: IssueSink): unknown {
    return typeof value === 'boolean' ? value : typeIssue(issues, path, 'a boolean', value);
  }
  protected decodeValue(stored: unknown): boolean { return stored as boolean; }
}

/** How a date is stored. */
export interface DateOptions {
  /** `'iso'` (default): ISO-8601 UTC string. `'epoch'`: whole seconds since 1970, as TTL wants. */
  format?: 'iso' | 'epoch';
}

/** A `Date`, stored as an ISO-8601 UTC string or as epoch seconds. */
export class DateAttribute extends Attribute<Date, true, false> {
  readonly kind = 'date' as const;
  constructor(readonly format: 'iso' | 'epoch' = 'iso') { super(); }
  override get scalarType(): ScalarType { return this.format === 'epoch' ? 'N' : 'S'; }
  protected encodeValue(value: unknown, path: string, issues: IssueSink): unknown {
    if (!(value instanceof Date)) return typeIssue(issues, path, 'a Date', value);
    const ms = value.getTime();
    if (Number.isNaN(ms)) {
      issues.push({ path, message: 'is an invalid Date' });
      return undefined;
    }
    return this.format === 'epoch' ? Math.floor(ms / 1000) : value.toISOString();
  }
  protected decodeValue(stored: unknown): Date {
    return this.format === 'epoch' ? new Date(Number(numberText(stored)) * 1000) : new Date(stored as string);
  }
}

/** Binary data as a `Uint8Array` (a Node `Buffer` is accepted). */
export class BinaryAttribute extends Attribute<Uint8Array, true, false> {
  readonly kind = 'binary' as const;
  override get scalarType(): ScalarType { return 'B'; }
  protected encodeValue(value: unknown, path: string, issues: IssueSink, isKey: boolean): unknown {
    if (!(value instanceof Uint8Array)) return typeIssue(issues, path, 'a Uint8Array', value);
    if (value.length === 0) {
      if (isKey) issues.push({ path, message: 'is empty binary; DynamoDB keys cannot be empty' });
      return undefined;
    }
    return new Uint8Array(value);
  }
  override empty(): Uint8Array | undefined { return this.isOptional ? undefined : new Uint8Array(0); }
  protected decodeValue(stored: unknown): Uint8Array { return new Uint8Array(stored as Uint8Array); }
}

/** One of a fixed set of strings. */
export class LiteralAttribute<L extends string> extends Attribute<L, true, false> {
  readonly kind = 'literal' as const;
  constructor(readonly values: readonly L[]) { super(); }
  override get scalarType(): ScalarType { return 'S'; }
  protected encodeValue(value: unknown, path: string, issues: IssueSink): unknown {
    if (typeof value !== 'string' || !this.values.includes(value as L)) {
      issues.push({ path, message: `expected one of ${this.values.map((v) => JSON.stringify(v)).join(', ')}, got ${JSON.stringify(value)}` });
      return undefined;
    }
    return value;
  }
  protected decodeValue(stored: unknown): L { return stored as L; }
}

/**
 * Free-form JSON-like data stored as a nested map/list. Checked before any request for what
 * DynamoDB can store unchanged (see `checkJson`); numbers come back as numbers when exact.
 */
export class JsonAttribute<T> extends Attribute<T, true, false> {
  readonly kind = 'json' as const;
  protected encodeValue(value: unknown, path: string, issues: IssueSink): unknown {
    if (typeof value === 'function' || typeof value === 'symbol') return typeIssue(issues, path, 'JSON data', value);
    const before = issues.length;
    checkJson(value, path, issues);
    return issues.length > before ? undefined : deepCopy(value);
  }
  protected decodeValue(stored: unknown): T { return decodeJson(stored) as T; }
}

/** A string attribute. */
export const string = (): StringAttribute => new StringAttribute();
/** A number attribute (JS `number`). */
export const number = (): NumberAttribute => new NumberAttribute();
/** An integer attribute beyond 2^53, as `bigint` (up to 38 digits). */
export const bigint = (): BigIntAttribute => new BigIntAttribute();
/** An exact decimal number kept as a string (up to 38 significant digits). */
export const decimal = (): DecimalAttribute => new DecimalAttribute();
/** A boolean attribute. */
export const boolean = (): BooleanAttribute => new BooleanAttribute();
/** A date attribute: ISO-8601 UTC string by default, or `{ format: 'epoch' }` seconds (for TTL). */
export const date = (options: DateOptions = {}): DateAttribute => new DateAttribute(options.format);
/** A binary attribute (`Uint8Array`). */
export const binary = (): BinaryAttribute => new BinaryAttribute();
/** One of the given strings: `literal('draft', 'published')`. */
export const literal = <const L extends string>(...values: L[]): LiteralAttribute<L> => new LiteralAttribute(values);
/** Free-form JSON data; give the type as `json<MyShape>()`. */
export const json = <T = unknown>(): JsonAttribute<T> => new JsonAttribute<T>();
