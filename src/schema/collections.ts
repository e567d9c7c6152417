/**
 * Collection attribute kinds: sets, typed lists and typed maps. Elements are encoded
 * by their own attribute, so dates nested in lists and maps round-trip.
 */
import { Attribute, checkNumberText, deepCopy, numberText, NumberValue, type IssueSink, type ProjectedPath } from './attribute.js';
import type { InputOf, ValuesOf, AttributeMap, Settled } from './types.js';
import { SchemaError } from '../errors.js';

type SetElement = 'string' | 'number' | 'binary';

/** A DynamoDB set. Empty sets are stored as absent and restored as empty. */
export class SetAttribute<E> extends Attribute<Set<E>, false, false> {
  readonly kind;
  override get isContainer(): boolean { return true; }
  constructor(/** @internal What the set holds. */ readonly element: SetElement) {
    super();
    this.kind = element === 'string' ? 'stringSet' as const : element === 'number' ? 'numberSet' as const : 'binarySet' as const;
  }
  override empty(): Set<E> { return new Set<E>(); }
  protected encodeValue(value: unknown, path: string, issues: IssueSink): unknown {
    if (!(value instanceof Set)) {
      issues.push({ path, message: `expected a Set, got ${Array.isArray(value) ? 'array' : typeof value}` });
      return undefined;
    }
    if (value.size === 0) return undefined;
    for (const v of value) {
      const problem = this.checkElement(v);
      if (problem) {
        issues.push({ path, message: `set element ${describe(v)} ${problem}` });
        return undefined;
      }
    }
    return this.copy(value);
  }
  /** A copy that shares nothing mutable: strings and numbers are immutable, binary is copied. */
  private copy(value: Set<unknown>): Set<E> {
    return (this.element === 'binary' ? deepCopy(value) : new Set(value)) as Set<E>;
  }
  private checkElement(v: unknown): string | undefined {
    switch (this.element) {
      case 'string': return typeof v === 'string' ? (v === '' ? 'is an empty string' : undefined) : 'is not a string';
      case 'binary': return v instanceof Uint8Array ? (v.length === 0 ? 'is empty' : undefined) : 'is not a Uint8Array';
      case 'number':
        if (typeof v === 'number') return !Number.isFinite(v) ? 'is not finite' : checkNumberText(String(v)) ?? (Math.abs(v) > Number.MAX_SAFE_INTEGER ? 'is beyond Number.MAX_SAFE_INTEGER; use bigint elements' : undefined);
        if (typeof v === 'bigint') return checkNumberText(v.toString());
        return 'is not a number';
    }
  }
  protected decodeValue(stored: unknown): Set<E> {
    if (this.element !== 'number') return this.copy(stored as Set<unknown>);
    const out = new Set<E>();
    for (const n of stored as Set<unknown>) out.add((n instanceof NumberValue ? Number(numberText(n)) : n) as E);
    return out;
  }
}

function describe(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

/** A list whose elements are all of one attribute kind. */
export class ListAttribute<T> extends Attribute<T[], false, false> {
  readonly kind = 'list' as const;
  override get isContainer(): boolean { return true; }
  constructor(readonly of: Attribute<T>) { super(); }
  override empty(): T[] { return []; }
  protected encodeValue(value: unknown, path: string, issues: IssueSink): unknown {
    if (!Array.isArray(value)) {
      issues.push({ path, message: `expected an array, got ${typeof value}` });
      return undefined;
    }
    const out = new Array(value.length);
    for (let i = 0; i < value.length; i++) {
      const encoded = this.of.encode(value[i], `${path}[${i}]`, issues);
      // A list cannot hold an absent element; keep its position with the empty form.
      out[i] = encoded === undefined ? emptyStored(this.of) : encoded;
    }
    return out;
  }
  protected decodeValue(stored: unknown): T[] {
    return (stored as unknown[]).map((v) => this.of.decode(v) as T);
  }
}

/** Stored stand-in for an element whose value is stored as absent ('' or an empty set). */
function emptyStored(attr: Attribute): unknown {
  switch (attr.kind) {
    case 'string': return '';
    case 'stringSet': case 'numberSet': case 'binarySet': return null;
    default: return null;
  }
}

/** A map with a declared shape; unknown keys are rejected. */
export class MapAttribute<S extends AttributeMap> extends Attribute<ValuesOf<S>, {} extends InputOf<S> ? false : true, false> {
  readonly kind = 'map' as const;
  override get isContainer(): boolean { return true; }
  constructor(readonly shape: S) {
    super();
    // Assigning it sets an object's prototype (here and in the SDK's marshaller): its value would vanish.
    if (Object.hasOwn(shape, '__proto__')) throw new SchemaError('map(): "__proto__" cannot be a map key');
    // The SDK's marshaller tells a plain object by its `constructor`: a map holding that key cannot be written.
    if (Object.hasOwn(shape, 'constructor')) throw new SchemaError('map(): "constructor" cannot be a map key (the AWS SDK cannot marshal a map holding it)');
  }
  override empty(): ValuesOf<S> | undefined {
    if (this.isOptional) return undefined;
    const out: Record<string, unknown> = {};
    for (const [name, attr] of Object.entries(this.shape)) {
      const v = attr.initial();
      if (v !== undefined) out[name] = v;
    }
    return out as ValuesOf<S>;
  }
  protected encodeValue(value: unknown, path: string, issues: IssueSink): unknown {
    if (typeof value !== 'object' || Array.isArray(value) || value instanceof Set || value instanceof Date) {
      issues.push({ path, message: `expected an object, got ${Array.isArray(value) ? 'array' : typeof value}` });
      return undefined;
    }
    const input = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const name of Object.keys(input)) {
      if (!Object.hasOwn(this.shape, name) && input[name] !== undefined) issues.push({ path: `${path}.${name}`, message: 'is not declared in the map' });
    }
    // Own keys only: a key such as "toString" that the value lacks must not read Object.prototype's.
    for (const name of Object.keys(this.shape)) {
      const encoded = this.shape[name].encode(own(input, name), `${path}.${name}`, issues);
      if (encoded !== undefined) out[name] = encoded;
    }
    return out;
  }
  protected decodeValue(stored: unknown): ValuesOf<S> {
    const input = stored as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const name of Object.keys(this.shape)) {
      const v = this.shape[name].decode(own(input, name));
      if (v !== undefined) out[name] = v;
    }
    return out as ValuesOf<S>;
  }
  override decodeProjected(stored: unknown, paths?: readonly ProjectedPath[]): ValuesOf<S> | undefined {
    if (stored === null || typeof stored !== 'object' || paths?.some((p) => p.length === 0)) return this.decode(stored);
    const input = stored as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const name of Object.keys(input)) {
      if (!Object.hasOwn(this.shape, name)) continue;
      const below = paths?.filter((p) => p[0] === name).map((p) => p.slice(1));
      const v = this.shape[name].decodeProjected(input[name], below?.length ? below : undefined);
      if (v !== undefined) out[name] = v;
    }
    return out as ValuesOf<S>;
  }
}

function own(o: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(o, key) ? o[key] : undefined;
}

/** A set of strings. */
export const stringSet = (): SetAttribute<string> => new SetAttribute<string>('string');
/** A set of numbers. */
export const numberSet = (): SetAttribute<number> => new SetAttribute<number>('number');
/** A set of binary values. */
export const binarySet = (): SetAttribute<Uint8Array> => new SetAttribute<Uint8Array>('binary');
/** A list whose elements are `of`: `list(date())`. */
export const list = <T>(of: Attribute<T>): ListAttribute<T> => new ListAttribute(of);
/** A map with a declared shape: `map({ city: string(), zip: string().optional() })`. */
export const map = <S extends AttributeMap>(shape: S): MapAttribute<Settled<S>> => new MapAttribute(shape as unknown as Settled<S>);
