/**
 * Attribute builders. An {@link Attribute} knows its JS type (for inference), whether
 * it is required on input, how to validate a value and how to turn it into the
 * document form the DocumentClient marshals (and back).
 */
import { NumberValue } from '@aws-sdk/lib-dynamodb';
import type { FieldIssue } from '../errors.js';

/** The kinds of attribute dynagraph knows. */
export type AttributeKind =
  | 'string' | 'number' | 'bigint' | 'decimal' | 'boolean' | 'date' | 'binary'
  | 'stringSet' | 'numberSet' | 'binarySet' | 'list' | 'map' | 'json' | 'literal' | 'template';

/** DynamoDB scalar type of a key-capable attribute. */
export type ScalarType = 'S' | 'N' | 'B';

/** A projected path below an attribute: map keys and list indexes. */
export type ProjectedPath = readonly (string | number)[];

/** Collects issues while a value is encoded; `path` is the attribute path so far. */
export type IssueSink = FieldIssue[];

/** A custom check: return `true` (or nothing) when fine, `false` or a message when not. */
export type Validator<T> = (value: T) => boolean | string | void;

/** Shared options every builder accepts. */
interface AttributeState<T> {
  optional: boolean;
  defaultValue?: T | (() => T);
  validators: Validator<T>[];
}

/**
 * One declared attribute.
 *
 * @typeParam T - the value's JS type on an instance.
 * @typeParam Req - `true` when a value must be given on construction.
 * @typeParam Opt - `true` when the value may be `undefined` on an instance.
 */
export abstract class Attribute<T = any, Req extends boolean = boolean, Opt extends boolean = boolean> {
  /** Phantom fields carrying the type parameters for inference. */
  declare readonly __type: T;
  declare readonly __required: Req;
  declare readonly __optional: Opt;

  /** Kind of attribute. */
  abstract readonly kind: AttributeKind;
  /** @internal */
  state: AttributeState<T> = { optional: false, validators: [] };

  /** DynamoDB scalar type when this attribute can be a key, else `undefined`. */
  get scalarType(): ScalarType | undefined {
    return undefined;
  }

  /** `true` when the attribute may be absent. */
  get isOptional(): boolean {
    return this.state.optional;
  }

  /** `true` when a default value or factory was declared. */
  get hasDefault(): boolean {
    return this.state.defaultValue !== undefined;
  }

  /** The value may be absent (`undefined`); absent values are not stored. */
  optional(): Attribute<T, false, true> {
    return this.derive({ optional: true }) as unknown as Attribute<T, false, true>;
  }

  /** Value used when none is given on construction: a value or a factory called per instance. */
  default(value: T | (() => T)): Attribute<T, false, Opt> {
    return this.derive({ defaultValue: value }) as unknown as Attribute<T, false, Opt>;
  }

  /** Adds a check run before every write; a returned string is the error message. */
  validate(check: Validator<T>): this {
    return this.derive({ validators: [...this.state.validators, check] }) as this;
  }

  /** @internal The default value for a new instance, or the empty container, or `undefined`. */
  initial(): T | undefined {
    const d = this.state.defaultValue;
    if (d !== undefined) return typeof d === 'function' ? (d as () => T)() : d;
    return this.isContainer ? this.empty() : undefined;
  }

  /**
   * @internal `true` for sets, lists and maps: a new instance starts with them empty. A
   * missing scalar stays missing (a required one fails validation), even though an absent
   * string or binary is read back as empty.
   */
  get isContainer(): boolean {
    return false;
  }

  /** @internal Value restored when the attribute is absent from a stored item. */
  empty(): T | undefined {
    return undefined;
  }

  /**
   * @internal Validates `value` and returns its stored (document) form, or `undefined`
   * when it is stored as an absent attribute. Problems go to `issues`.
   */
  encode(value: unknown, path: string, issues: IssueSink, isKey = false): unknown {
    if (value === undefined || value === null) {
      if (!this.state.optional) issues.push({ path, message: 'is required' });
      return undefined;
    }
    const before = issues.length;
    const stored = this.encodeValue(value, path, issues, isKey);
    // A custom check expects a value of the declared type; a wrong one is already reported.
    if (issues.length > before) return undefined;
    for (const check of this.state.validators) {
      const verdict = check(value as T);
      if (verdict === false) issues.push({ path, message: 'failed validation' });
      else if (typeof verdict === 'string') issues.push({ path, message: verdict });
    }
    return stored;
  }

  /** @internal Restores the JS value from its stored form (`undefined` when absent). */
  decode(stored: unknown): T | undefined {
    if (stored === undefined || stored === null) return this.empty();
    return this.decodeValue(stored);
  }

  /**
   * @internal Restores what a projection read of this attribute: `paths` are the projected
   * paths below it (an empty path: the whole value), `undefined` when not known. Unlike
   * {@link decode}, nothing the read did not return is filled in: a map read through
   * `address.city` has no `zip`, not an invented `''`.
   */
  decodeProjected(stored: unknown, _paths?: readonly ProjectedPath[]): T | undefined {
    return this.decode(stored);
  }

  /** @internal Kind-specific check + conversion of a present value. */
  protected abstract encodeValue(value: unknown, path: string, issues: IssueSink, isKey: boolean): unknown;
  /** @internal Kind-specific conversion of a present stored value. */
  protected abstract decodeValue(stored: unknown): T;

  /** @internal A copy with changed state, so builders never mutate a shared attribute. */
  protected derive(patch: Partial<AttributeState<T>>): Attribute<T, Req, Opt> {
    const copy = Object.create(Object.getPrototypeOf(this)) as Attribute<T, Req, Opt>;
    Object.assign(copy, this);
    copy.state = { ...this.state, ...patch };
    return copy;
  }
}

/** Largest magnitude DynamoDB stores: 38 significant digits, exponent up to 125. */
const MAX_DIGITS = 38;
const NUMBER_FORMAT = /^-?(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/** Returns a message when `text` is not a number DynamoDB can store, else `undefined`. */
export function checkNumberText(text: string): string | undefined {
  const m = NUMBER_FORMAT.exec(text);
  if (!m) return `"${text}" is not a number`;
  const digits = (m[1] + (m[2] ?? '')).replace(/^0+/, '').replace(/0+$/, '');
  if (digits.length > MAX_DIGITS) return `has ${digits.length} significant digits; DynamoDB stores at most ${MAX_DIGITS}`;
  if (digits.length === 0) return undefined;
  const intDigits = m[1].replace(/^0+/, '').length;
  const exp = Number(m[3] ?? 0);
  const magnitude = intDigits > 0 ? intDigits - 1 + exp : exp - ((m[2] ?? '').match(/^0*/)?.[0].length ?? 0) - 1;
  if (magnitude > 125) return 'is larger than DynamoDB can store (9.99e125)';
  if (magnitude < -130) return 'is smaller than DynamoDB can store (1e-130)';
  return undefined;
}

/**
 * One text per number value, as DynamoDB normalises them: `1.50`, `15e-1` and `01.5` all
 * become `15e-1` (sign, significant digits, exponent).
 */
export function canonicalNumber(text: string): string {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m) return text;
  const frac = m[3] ?? '';
  const digits = ((m[2] ?? '') + frac).replace(/^0+/, '');
  if (!digits) return '0';
  const significant = digits.replace(/0+$/, '');
  return `${m[1] === '-' ? '-' : ''}${significant}e${Number(m[4] ?? 0) - frac.length + (digits.length - significant.length)}`;
}

/** Stored numbers come back as `number` when exact, else as the SDK's `NumberValue`. */
export function numberText(stored: unknown): string {
  return typeof stored === 'number' ? String(stored) : (stored as NumberValue).toString();
}

/**
 * A copy of a document value that shares no mutable container with the original (sets,
 * arrays, plain objects, binary). Encoders and decoders return copies so the item an
 * instance was last saved or read as never aliases the instance's own values: an in-place
 * change such as `tags.add(x)` must not change the snapshot dirty tracking compares with.
 */
export function deepCopy<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Set) return new Set([...value].map(deepCopy)) as T;
  if (Array.isArray(value)) return value.map(deepCopy) as T;
  if (value instanceof Uint8Array) return new Uint8Array(value) as T;
  if (value instanceof Date) return new Date(value.getTime()) as T;
  const proto = Object.getPrototypeOf(value);
  // Class instances (NumberValue, ...) are immutable values here; only plain objects are containers.
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  // defineProperty: a key named "__proto__" is data, not the copy's prototype.
  for (const [k, v] of Object.entries(value)) Object.defineProperty(out, k, { value: deepCopy(v), enumerable: true, writable: true, configurable: true });
  return out as T;
}

export { NumberValue };
