/**
 * Computed string attributes for single-table design: `template('CUSTOMER#{login}')`
 * fills its value from other attributes on every write and is never set by hand.
 */
import { Attribute, type IssueSink, type ScalarType } from './attribute.js';
import { SchemaError } from '../errors.js';

/** Field names referenced by a template string literal: `'A#{x}#{y}'` → `'x' | 'y'`. */
export type TemplateFields<S extends string> = S extends `${string}{${infer F}}${infer Rest}` ? F | TemplateFields<Rest> : never;

/** One piece of a parsed template: literal text or a field reference. */
type Piece = { text: string } | { field: string };

/** Parses `'CUSTOMER#{login}'` into pieces; rejects unbalanced braces. */
function parseTemplate(template: string): Piece[] {
  const pieces: Piece[] = [];
  const re = /\{([^{}]*)\}/g;
  let last = 0;
  for (let m = re.exec(template); m; m = re.exec(template)) {
    if (m.index > last) pieces.push({ text: template.slice(last, m.index) });
    if (m[1] === '') throw new SchemaError(`template "${template}" has an empty field reference {}`);
    pieces.push({ field: m[1] });
    last = m.index + m[0].length;
  }
  if (last < template.length) pieces.push({ text: template.slice(last) });
  if (pieces.some((p) => 'text' in p && /[{}]/.test(p.text))) throw new SchemaError(`template "${template}" has an unbalanced brace`);
  pieces.forEach((p, i) => {
    const next = pieces[i + 1];
    if ('text' in p) {
      // A lone surrogate could pair up with a neighbouring field's text and hide a boundary.
      if (/[\uD800-\uDFFF]/u.test(p.text)) throw new SchemaError(`template "${template}" has a lone surrogate in its text`);
      return;
    }
    if (next && 'field' in next) throw new SchemaError(`template "${template}" puts {${p.field}} and {${next.field}} side by side; put text between them so a key can be read back`);
    if (next && next.text.startsWith('\\')) throw new SchemaError(`template "${template}" has a backslash right after {${p.field}}; the backslash is the escape character of field values`);
  });
  return pieces;
}

/**
 * The separator that ends each field when read back: the first character of the literal
 * text after it, for every field but the last (which runs to the fixed suffix, so it needs
 * no escaping). `'LINE#{a}#{b}'` → `['#', undefined]`.
 */
function separatorsOf(pieces: readonly Piece[]): (string | undefined)[] {
  const out: (string | undefined)[] = [];
  const lastField = pieces.map((p) => 'field' in p).lastIndexOf(true);
  pieces.forEach((p, i) => {
    if (!('field' in p)) return;
    const next = pieces[i + 1];
    out.push(i < lastField && next && 'text' in next ? String.fromCodePoint(next.text.codePointAt(0)!) : undefined);
  });
  return out;
}

/**
 * A string computed from other attributes. Values of date fields are written in ISO
 * form, numbers as decimal text; a missing field makes the write fail validation. Field
 * values are escaped so that distinct fields always make distinct strings, and
 * {@link TemplateAttribute.parse} reads them back exactly (see {@link template}).
 */
export class TemplateAttribute<S extends string = string> extends Attribute<string, false, false> {
  readonly kind = 'template' as const;
  /** @internal The parsed template. */
  readonly pieces: readonly Piece[];
  /**
   * Per field, in order: the character escaped (with a backslash, as is the backslash
   * itself) inside its values — the first character of the text after it — or `undefined`
   * for the last field, whose values are stored as they are.
   */
  readonly separators: readonly (string | undefined)[];
  constructor(readonly template: S) {
    super();
    this.pieces = parseTemplate(template);
    this.separators = separatorsOf(this.pieces);
  }
  override get scalarType(): ScalarType { return 'S'; }
  /** Names of the attributes the template reads. */
  get fields(): string[] {
    return this.pieces.flatMap((p) => ('field' in p ? [p.field] : []));
  }
  /** The text of the `index`-th field's value as stored: its separator and backslashes escaped. */
  private escape(value: unknown, index: number): string {
    const text = value instanceof Date ? value.toISOString() : String(value);
    const separator = this.separators[index];
    // The last field runs to the fixed suffix: nothing in it can be mistaken for a boundary.
    if (separator === undefined) return text;
    let out = '';
    for (const c of text) out += c === '\\' || c === separator ? `\\${c}` : c;
    return out;
  }
  /** @internal Builds the value from `values`; a missing field is an issue at `path`. */
  compute(values: Record<string, unknown>, path: string, issues: IssueSink): string | undefined {
    let out = '';
    let field = 0;
    for (const p of this.pieces) {
      if ('text' in p) { out += p.text; continue; }
      const v = values[p.field];
      if (v === undefined || v === null || v === '') {
        issues.push({ path, message: `needs "${p.field}" to build "${this.template}"` });
        return undefined;
      }
      out += this.escape(v, field++);
    }
    return out;
  }
  /**
   * The stored string up to the first field missing from `values` (the whole string when
   * none is missing), escaped like a full value: a `beginsWith` prefix that matches exactly
   * the values whose leading fields are these. `prefix({ a: '1#2' })` of `'LINE#{a}#{b}'`
   * is `'LINE#1\#2#'`.
   */
  prefix(values: Record<string, unknown>): string {
    let out = '';
    let field = 0;
    for (const p of this.pieces) {
      if ('text' in p) { out += p.text; continue; }
      const v = values[p.field];
      if (v === undefined || v === null || v === '') return out;
      out += this.escape(v, field++);
    }
    return out;
  }
  /**
   * The key condition a query's `values` put on this template as a range key: every field
   * given → `eq` the full value; leading fields given → `beginsWith` their prefix; none →
   * `undefined` (the whole partition); a field given after a missing one → `{ missing }`
   * naming the first missing field (a key condition can only fix leading fields).
   */
  rangeCondition(values: Record<string, unknown>): { eq: string } | { beginsWith: string } | { missing: string } | undefined {
    // A constant template ('PROFILE') is no condition: a collection query reads the whole partition.
    if (this.fields.length === 0) return undefined;
    const given = this.fields.map((f) => values[f] !== undefined && values[f] !== null && values[f] !== '');
    const firstMissing = given.indexOf(false);
    if (firstMissing === -1) return { eq: this.compute(values, '', [])! };
    if (firstMissing === 0 && !given.includes(true)) return undefined;
    if (given.slice(firstMissing).includes(true)) return { missing: this.fields[firstMissing] };
    return { beginsWith: this.prefix(values) };
  }
  /**
   * Reads the field values back from a stored string, as text (a date field as its ISO
   * form, a number as its decimal text): `parse('LINE#1\#2#3')` of `'LINE#{a}#{b}'` is
   * `{ a: '1#2', b: '3' }`. `undefined` when `value` is not a string this template builds.
   */
  parse(value: string): Record<string, string> | undefined {
    if (typeof value !== 'string') return undefined;
    const out: Record<string, string> = Object.create(null);
    let i = 0;
    let field = 0;
    for (const [n, p] of this.pieces.entries()) {
      if ('text' in p) {
        if (!value.startsWith(p.text, i)) return undefined;
        i += p.text.length;
        continue;
      }
      const separator = this.separators[field++];
      let text = '';
      if (separator === undefined) {
        // The last field: everything up to the fixed text after it.
        const suffix = this.pieces.slice(n + 1).map((q) => ('text' in q ? q.text : '')).join('');
        if (value.length - suffix.length < i) return undefined;
        text = value.slice(i, value.length - suffix.length);
        i += text.length;
      } else {
        while (i < value.length) {
          const c = String.fromCodePoint(value.codePointAt(i)!);
          if (c === '\\') {
            const e = i + 1 < value.length ? String.fromCodePoint(value.codePointAt(i + 1)!) : '';
            // Only a backslash or the separator is ever escaped: anything else is not our string.
            if (e !== '\\' && e !== separator) return undefined;
            text += e;
            i += 1 + e.length;
            continue;
          }
          if (c === separator) break;
          text += c;
          i += c.length;
        }
      }
      // compute() refuses an empty field, and a field named twice holds one value.
      if (text === '' || (p.field in out && out[p.field] !== text)) return undefined;
      out[p.field] = text;
    }
    if (i !== value.length) return undefined;
    return { ...out };
  }
  protected encodeValue(value: unknown): unknown { return value; }
  protected decodeValue(stored: unknown): string { return stored as string; }
}

/**
 * A computed string attribute: `template('ORDER#{date}')`. Usable as a table or index key.
 *
 * Keys built from a template never collide: inside the value of every field but the last,
 * a backslash and the separator (the first character of the text after the field: `#` in
 * `'LINE#{a}#{b}'`) are preceded by a backslash; a field ends at its first unescaped
 * separator and the last field runs to the end. So `{ a: '1#2', b: '3' }` is stored as
 * `LINE#1\#2#3` and `{ a: '1', b: '2#3' }` as `LINE#1#2#3`. Values without those
 * characters, and every value of a template with one field, are stored as they are.
 * `parse()` reads the fields back exactly and `prefix()` builds a `beginsWith` prefix
 * from leading fields. Two fields side by side (`'{a}{b}'`) cannot be told apart and are
 * refused, as is a backslash right after a field.
 */
export const template = <const S extends string>(text: S): TemplateAttribute<S> => new TemplateAttribute(text);
