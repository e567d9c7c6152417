/**
 * Generators of hostile input for the property suites (fast-check): attribute names that
 * are reserved words, look like placeholders or paths, hold `.`, `#`, `:`, spaces,
 * brackets and unicode, up to 255 bytes; values with unicode, 38-digit numbers, binary and
 * JSON maps with such keys; strings that look like expression syntax.
 */
import fc from 'fast-check';

/** DynamoDB reserved words (a sample), which must be names like any other. */
export const RESERVED_WORDS = [
  'NAME', 'STATUS', 'DATA', 'COUNT', 'SIZE', 'KEY', 'VALUE', 'TABLE', 'USER', 'DATE', 'ORDER', 'BY', 'SELECT', 'FROM', 'WHERE',
  'AND', 'OR', 'NOT', 'BETWEEN', 'IN', 'SET', 'REMOVE', 'ADD', 'DELETE', 'TTL', 'INDEX', 'ALL', 'BOOLEAN', 'NULL', 'LIST', 'MAP',
  'NUMBER', 'STRING', 'BINARY', 'YEAR', 'ZONE', 'COMMENT', 'PATH', 'SOURCE', 'TOTAL', 'TIMESTAMP', 'ATTRIBUTE', 'EXISTS', 'TYPE',
  'name', 'status', 'data', 'size', 'key', 'value', 'values', 'timestamp',
];

/** Text that looks like expression syntax: placeholders, paths, operators, functions. */
export const EXPRESSION_LOOKALIKES = [
  ':v0', ':v1', ':v10', '#n0', '#n1', '#n0.#n1', ':v0 OR :v1', ') OR (', ') OR (1 = 1', 'attribute_exists(x)', 'attribute_not_exists(#n0)',
  'size(a) > :v0', 'begins_with(a, :v0)', 'contains(#n0, :v1)', 'a.b', 'a[0]', 'a[0].b', '[0]', '[]', '.', '#', ':', '=', '<>', '<',
  'NOT', 'AND', "' OR '1'='1", '"; DROP TABLE x; --', 'SET #n0 = :v0', 'REMOVE #n0', 'a, b', '(', ')', '\\', '%s', '${x}',
];

const SPECIAL_CHARS = ['.', '#', ':', ' ', '[', ']', '(', ')', ',', '=', '<', '>', '$', '"', "'", '\\', '/', '-', '_', '@', '*', 'é', 'ß', '名', '前', '🙂', '👩‍💻', 'a', 'b', 'Z', '0', '9'];

/** Names no model attribute may take (instance methods, the key and entity field of the test models). */
const TAKEN = new Set(['id', 'pk', 'sk', '_type', '_wid', '__proto__', 'save', 'delete', 'toJSON', 'toItem', 'update', 'reload', 'constructor', 'isDirty', 'changes']);

/** A string of exactly `bytes` UTF-8 bytes built from `chars` (padded with ASCII). */
function ofBytes(chars: string[], bytes: number): string {
  let out = '';
  for (let i = 0; ; i++) {
    const next = chars[i % chars.length];
    if (Buffer.byteLength(out + next) > bytes) break;
    out += next;
  }
  return out + 'x'.repeat(bytes - Buffer.byteLength(out));
}

/** One hostile attribute name (or map key): 1 to 255 UTF-8 bytes, no control characters. */
export const hostileName: fc.Arbitrary<string> = fc
  .oneof(
    fc.constantFrom(...RESERVED_WORDS, ...EXPRESSION_LOOKALIKES),
    fc.array(fc.constantFrom(...SPECIAL_CHARS), { minLength: 1, maxLength: 12 }).map((a) => a.join('')),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }),
    fc.tuple(fc.array(fc.constantFrom('a', 'é', '名', '🙂', '.', '#', ':', ' '), { minLength: 1, maxLength: 4 }), fc.integer({ min: 200, max: 255 }))
      .map(([chars, bytes]) => ofBytes(chars, bytes)),
  )
  .filter((n) => n.length > 0 && !TAKEN.has(n) && Buffer.byteLength(n) <= 255 && !/[\u0000-\u001f\u007f]/.test(n));

/** Strings as values: unicode, expression look-alikes, empty. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...EXPRESSION_LOOKALIKES, ...RESERVED_WORDS, ''),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.array(fc.constantFrom(...SPECIAL_CHARS), { maxLength: 20 }).map((a) => a.join('')),
);

/** The largest magnitude a 38-digit integer has. */
export const MAX_38 = 10n ** 38n - 1n;

/** Integers of up to 38 digits, the extremes included. */
export const bigint38: fc.Arbitrary<bigint> = fc.oneof(
  fc.constantFrom(MAX_38, -MAX_38, 0n, 2n ** 53n + 1n, -(2n ** 63n)),
  fc.bigInt({ min: -MAX_38, max: MAX_38 }),
);

/** Numbers a number() attribute holds: finite, safe, in DynamoDB's range, never -0. */
export const storableDouble: fc.Arbitrary<number> = fc
  .double({ noNaN: true, noDefaultInfinity: true, min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER })
  .map((x) => (Object.is(x, -0) ? 0 : x))
  .filter((x) => x === 0 || Math.abs(x) >= 1e-130);

/** JSON data DynamoDB stores unchanged, with hostile keys, up to `depth` containers deep. */
export function hostileJson(depth = 4): fc.Arbitrary<unknown> {
  const leaf = fc.oneof(hostileString, storableDouble, fc.integer(), fc.boolean(), fc.constant(null));
  const { tree } = fc.letrec<{ tree: unknown; node: unknown }>((tie) => ({
    tree: fc.oneof({ depthSize: 'small', maxDepth: depth }, leaf, tie('node')),
    node: fc.oneof(
      fc.array(tie('tree'), { maxLength: 4 }),
      fc.dictionary(hostileName, tie('tree'), { maxKeys: 4, noNullPrototype: true }),
    ),
  }));
  return tree;
}

/** A map / list chain exactly `levels` containers deep, keys and leaf hostile. */
export function nested(levels: number, keys: string[], leaf: unknown): unknown {
  let v: unknown = leaf;
  for (let i = levels - 1; i >= 0; i--) v = i % 3 === 2 ? [v] : { [keys[i % keys.length]]: v };
  return v;
}

/** A comparable form: sets as sorted arrays, binary as arrays, bigints as text, objects key-sorted. */
export function comparable(v: unknown): unknown {
  if (v instanceof Set) return [...v].map(comparable).sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  if (v instanceof Uint8Array) return { bytes: [...v] };
  if (typeof v === 'bigint') return { bigint: v.toString() };
  if (Array.isArray(v)) return v.map(comparable);
  if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) Object.defineProperty(out, k, { value: comparable((v as Record<string, unknown>)[k]), enumerable: true });
    return out;
  }
  if (v && typeof v === 'object') return { [(v as object).constructor.name]: String(v) };
  return v;
}
