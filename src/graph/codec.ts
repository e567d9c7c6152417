/**
 * A small typed codec for composite key values: `threadId.join(['AWS', 'S3 #1'])` →
 * `'AWS#S3 \#1'` and back with `split`, escaping the separator (and the escape
 * character) so any part round-trips — instead of hand-written format/split strings.
 */
import { ValidationError } from '../errors.js';

/** Joins and splits a fixed number of named string parts. */
export interface CompositeKeyCodec<Names extends readonly string[]> {
  /** The separator between parts. */
  readonly separator: string;
  /** Joins the parts in order, escaping the separator inside parts. */
  join(parts: { [K in keyof Names]: string | number } | Record<Names[number], string | number>): string;
  /** Splits a joined value back into named parts; a value with the wrong number of parts is a ValidationError. */
  split(value: string): Record<Names[number], string>;
}

/**
 * Makes a codec for composite keys: `compositeKey(['forum', 'subject'])` (separator `#`).
 * The escape character is a backslash.
 */
export function compositeKey<const Names extends readonly string[]>(names: Names, options: { separator?: string } = {}): CompositeKeyCodec<Names> {
  const separator = options.separator ?? '#';
  if (separator.length !== 1 || separator === '\\') throw new ValidationError('compositeKey', [{ path: 'separator', message: 'must be one character other than a backslash' }]);
  const escape = (part: string) => part.replace(/\\/g, '\\\\').split(separator).join(`\\${separator}`);
  return {
    separator,
    join(parts) {
      const values = Array.isArray(parts) ? parts : names.map((n) => (parts as Record<string, string | number>)[n]);
      if (values.length !== names.length || values.some((v) => v === undefined || v === null)) {
        throw new ValidationError('compositeKey', [{ path: names.join(separator), message: `needs ${names.length} parts (${names.join(', ')})` }]);
      }
      return values.map((v) => escape(String(v))).join(separator);
    },
    split(value) {
      const parts: string[] = [];
      let current = '';
      for (let i = 0; i < value.length; i++) {
        const c = value[i];
        if (c === '\\' && i + 1 < value.length) current += value[++i];
        else if (c === separator) {
          parts.push(current);
          current = '';
        } else current += c;
      }
      parts.push(current);
      if (parts.length !== names.length) {
        throw new ValidationError('compositeKey', [{ path: names.join(separator), message: `"${value}" has ${parts.length} parts, expected ${names.length}` }]);
      }
      const out: Record<string, string> = {};
      names.forEach((n, i) => (out[n] = parts[i]));
      return out as Record<Names[number], string>;
    },
  };
}
