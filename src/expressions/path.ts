/**
 * Document paths: how an expression names an attribute, a map key inside it or
 * a list element. Parsing is strict because a silently mis-split path would
 * guard or update the wrong attribute.
 */
import { ExpressionError } from '../errors.js';

/**
 * A document path as literal segments: a string is an attribute name or map
 * key (taken verbatim, so it may contain `.`, `[`, `#`, spaces, anything), a
 * number is a list index. The first segment is always an attribute name.
 */
export type Path = readonly (string | number)[];

/**
 * A path as callers write it: a dotted string such as `'a.b[2].c'` (names and list
 * indexes) or a {@link Path} of literal segments (see {@link path}).
 */
export type PathInput = string | Path;

function invalid(input: string, why: string): ExpressionError {
  return new ExpressionError(`Invalid path ${JSON.stringify(input)}: ${why}`);
}

/**
 * Parses a dotted path: `'a.b[2].c'` → `['a', 'b', 2, 'c']`.
 *
 * Names cannot contain `.`, `[` or `]` in this notation; use {@link path} (or
 * an `isAttribute` callback for top-level names) when they do.
 *
 * @throws ExpressionError on an empty path or segment, an unbalanced bracket,
 *   or a list index that is not a non-negative integer; the message quotes the input.
 */
export function parsePath(input: string): Path {
  if (typeof input !== 'string') {
    throw new ExpressionError(`Invalid path ${String(input)}: expected a string`);
  }
  if (input === '') throw invalid(input, 'empty path');
  const out: (string | number)[] = [];
  let i = 0;
  for (;;) {
    const start = i;
    while (i < input.length && input[i] !== '.' && input[i] !== '[' && input[i] !== ']') i++;
    if (i === start) {
      if (input[i] === ']') throw invalid(input, `unbalanced "]" at offset ${i}`);
      throw invalid(input, out.length === 0 && input[i] === '['
        ? 'a path must start with an attribute name, not a list index'
        : `empty segment at offset ${start}`);
    }
    out.push(input.slice(start, i));
    while (input[i] === '[') {
      const close = input.indexOf(']', i);
      if (close < 0) throw invalid(input, `unbalanced "[" at offset ${i}`);
      const text = input.slice(i + 1, close);
      // DynamoDB list indexes are literal non-negative integers; placeholders are not allowed there.
      if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
        throw invalid(input, `list index "${text}" at offset ${i} must be a non-negative integer`);
      }
      out.push(Number(text));
      i = close + 1;
    }
    if (i === input.length) return Object.freeze(out);
    if (input[i] === ']') throw invalid(input, `unbalanced "]" at offset ${i}`);
    if (input[i] !== '.') throw invalid(input, `expected "." or "[" at offset ${i}`);
    i++;
  }
}

/**
 * Builds a path from literal segments, for names a dotted string cannot spell:
 * `path('weird.name', 'x', 0)` is attribute `weird.name`, key `x`, element 0.
 *
 * @throws ExpressionError when the segments do not form a valid path.
 */
export function path(...segments: (string | number)[]): Path {
  return validatePath(Object.freeze([...segments]));
}

/**
 * Checks a literal path and returns it: non-empty, starting with a name,
 * names non-empty, indexes non-negative safe integers.
 *
 * @throws ExpressionError naming the path.
 */
export function validatePath(p: Path): Path {
  if (!Array.isArray(p) || p.length === 0) {
    throw new ExpressionError(`Invalid path ${describe(p)}: a path needs at least one segment`);
  }
  if (typeof p[0] !== 'string') {
    throw new ExpressionError(`Invalid path ${describe(p)}: a path must start with an attribute name`);
  }
  for (const s of p) {
    if (typeof s === 'string') {
      if (s === '') throw new ExpressionError(`Invalid path ${describe(p)}: empty name segment`);
    } else if (typeof s !== 'number' || !Number.isSafeInteger(s) || s < 0) {
      throw new ExpressionError(
        `Invalid path ${describe(p)}: list index ${String(s)} must be a non-negative integer`,
      );
    }
  }
  return p;
}

/**
 * Resolves what a caller wrote into a literal path. A string is taken as one
 * literal attribute name when `isAttribute` says it is one (so a declared
 * attribute called `a.b` is not split), otherwise it is parsed.
 */
export function resolvePath(input: PathInput, isAttribute?: (name: string) => boolean): Path {
  if (typeof input === 'string') {
    return isAttribute?.(input) ? Object.freeze([input]) : parsePath(input);
  }
  return validatePath(input);
}

/**
 * Renders a path for humans (error messages, logs): `a.b[2].c`, with names
 * that the dotted notation cannot spell shown JSON-quoted.
 */
export function formatPath(p: Path): string {
  return p
    .map((s, i) => {
      if (typeof s === 'number') return `[${s}]`;
      const name = /^[^.[\]"]+$/.test(s) ? s : JSON.stringify(s);
      return i === 0 ? name : `.${name}`;
    })
    .join('');
}

/** True when one path is a prefix of (or equal to) the other: DynamoDB calls these overlapping. */
export function pathsOverlap(a: Path, b: Path): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

function describe(p: unknown): string {
  if (!Array.isArray(p)) return String(p);
  try {
    return JSON.stringify(p);
  } catch {
    return String(p);
  }
}
