/**
 * What `json()` may hold, checked before any request: only what DynamoDB stores and gives
 * back unchanged — null, booleans, strings, JS numbers DynamoDB can hold (not bigints: they
 * would read back as numbers), binary, non-empty homogeneous sets, arrays and plain objects
 * with non-empty keys other than `__proto__` and `constructor`, at most
 * {@link MAX_JSON_DEPTH} containers deep. Anything else used to fail inside the SDK with
 * an untyped error, or in DynamoDB after the request was sent, or was silently changed
 * (a Date, a Map, a function, `undefined` in a list).
 */
import { canonicalNumber, checkNumberText, deepCopy, NumberValue, type IssueSink } from './attribute.js';

/**
 * Containers (lists, maps) a top-level attribute value may nest: DynamoDB allows 32 levels,
 * the item itself being the first.
 */
export const MAX_JSON_DEPTH = 31;

/** Issues per attribute before the rest are summarised, so one bad array cannot flood the error. */
const MAX_ISSUES = 10;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  return (value as object).constructor?.name ?? 'object';
}

function numberProblem(value: unknown): string | undefined {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return `${value} cannot be stored; DynamoDB numbers are finite`;
    const range = value === 0 ? undefined : checkNumberText(String(value));
    if (range) return range;
    if (Math.abs(value) > Number.MAX_SAFE_INTEGER) return `${value} is beyond Number.MAX_SAFE_INTEGER and may have lost precision; use a bigint`;
    return undefined;
  }
  return checkNumberText(String(value));
}

/** Options of {@link checkJson}. */
export interface CheckJsonOptions {
  /**
   * `true` for an operand a condition compares with (never stored): a bigint or a NumberValue
   * is then fine, as it is sent exactly; only a stored value must read back as it was given.
   */
  operand?: boolean;
}

/**
 * Reports (into `issues`) every part of `value` that DynamoDB cannot store as JSON data unchanged,
 * or that would read back as something else: a bigint (or a NumberValue a JS number holds exactly)
 * reads back as a JS number, so it is refused rather than changed.
 */
export function checkJson(value: unknown, path: string, issues: IssueSink, options: CheckJsonOptions = {}): void {
  const found: { path: string; message: string }[] = [];
  const report = (p: string, message: string) => void found.push({ path: p, message });
  const walk = (v: unknown, p: string, depth: number): void => {
    if (found.length > MAX_ISSUES) return;
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return;
    if (typeof v === 'number' || typeof v === 'bigint' || v instanceof NumberValue) {
      const problem = numberProblem(v) ?? (options.operand ? undefined : changedNumber(v));
      if (problem) report(p, problem);
      return;
    }
    if (v instanceof Uint8Array) return;
    if (v instanceof Set) {
      if (v.size === 0) return report(p, 'is an empty set; DynamoDB has no empty sets');
      const kinds = new Set([...v].map((e) => (typeof e === 'string' ? 'string' : e instanceof Uint8Array ? 'binary' : typeof e === 'number' || typeof e === 'bigint' || e instanceof NumberValue ? 'number' : describe(e))));
      if (kinds.size > 1 || !['string', 'number', 'binary'].includes([...kinds][0])) return report(p, `is a set of ${[...kinds].join(' and ')}; a DynamoDB set holds only strings, only numbers or only binary`);
      for (const e of v) {
        const problem = typeof e === 'string' ? (e === '' ? 'holds an empty string' : undefined) : e instanceof Uint8Array ? (e.length === 0 ? 'holds empty binary' : undefined) : numberProblem(e) ?? (options.operand ? undefined : changedNumber(e));
        if (problem) return report(p, `set element ${problem}`);
      }
      return;
    }
    if (Array.isArray(v) || isPlainObject(v)) {
      if (depth >= MAX_JSON_DEPTH) return report(p, `nests more than ${MAX_JSON_DEPTH} lists or maps; DynamoDB stores at most 32 levels`);
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) {
          if (v[i] === undefined) report(`${p}[${i}]`, 'is undefined; a list cannot hold it (use null)');
          else walk(v[i], `${p}[${i}]`, depth + 1);
        }
        return;
      }
      for (const [k, e] of Object.entries(v as Record<string, unknown>)) {
        if (k === '') report(`${p}[""]`, 'is an empty key; DynamoDB map keys cannot be empty');
        // The SDK's marshaller assigns keys to a plain object, where this one sets its prototype instead.
        else if (k === '__proto__') report(`${p}.__proto__`, 'is a key the AWS SDK cannot marshal');
        // The SDK's marshaller tells a plain object by its `constructor`, which this key replaces.
        else if (k === 'constructor') report(`${p}.constructor`, 'is a key the AWS SDK cannot marshal (it tells a map by its constructor)');
        else if (e !== undefined) walk(e, `${p}.${k}`, depth + 1);
      }
      return;
    }
    report(p, `is a ${describe(v)}, which is not JSON data DynamoDB stores unchanged`);
  };
  walk(value, path, 0);
  if (found.length > MAX_ISSUES) {
    found.length = MAX_ISSUES;
    found.push({ path, message: 'has more problems' });
  }
  issues.push(...found);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}


/** Why a stored number would read back as something other than what was given, if it would. */
function changedNumber(value: unknown): string | undefined {
  if (typeof value === 'bigint') {
    return 'is a bigint, which DynamoDB stores as a number and json() reads back as a JS number (or a NumberValue); use a bigint() attribute, or store its text';
  }
  if (value instanceof NumberValue && decodeNumber(value) !== value) {
    return `is a NumberValue that json() reads back as the number ${value.toString()}; give the number`;
  }
  return undefined;
}

/** A number read back from DynamoDB: a JS number when it is exactly one, else the NumberValue. */
function decodeNumber(n: unknown): unknown {
  if (!(n instanceof NumberValue)) return n;
  const text = n.toString();
  const value = Number(text);
  return Number.isFinite(value) && canonicalNumber(String(value)) === canonicalNumber(text) ? value : n;
}

/**
 * JSON data as read back: a copy, with numbers that are exactly a JS number (say
 * 0.30000000000000004, whose text is too long to be unwrapped on reading) as numbers.
 */
export function decodeJson(stored: unknown): unknown {
  if (stored instanceof NumberValue) return decodeNumber(stored);
  if (stored instanceof Set) return new Set([...stored].map((e) => (e instanceof Uint8Array ? new Uint8Array(e) : decodeNumber(e))));
  if (Array.isArray(stored)) return stored.map(decodeJson);
  if (isPlainObject(stored)) {
    const out: Record<string, unknown> = {};
    // defineProperty: a key named "__proto__" is data, not the copy's prototype.
    for (const [k, v] of Object.entries(stored)) Object.defineProperty(out, k, { value: decodeJson(v), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return deepCopy(stored);
}
