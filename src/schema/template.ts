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
  return pieces;
}

/**
 * A string computed from other attributes. Values of date fields are written in ISO
 * form, numbers as decimal text; a missing field makes the write fail validation.
 */
export class TemplateAttribute<S extends string = string> extends Attribute<string, false, false> {
  readonly kind = 'template' as const;
  /** The parsed template. */
  readonly pieces: readonly Piece[];
  constructor(readonly template: S) {
    super();
    this.pieces = parseTemplate(template);
  }
  override get scalarType(): ScalarType { return 'S'; }
  /** Names of the attributes the template reads. */
  get fields(): string[] {
    return this.pieces.flatMap((p) => ('field' in p ? [p.field] : []));
  }
  /** @internal Builds the value from `values`; a missing field is an issue at `path`. */
  compute(values: Record<string, unknown>, path: string, issues: IssueSink): string | undefined {
    let out = '';
    for (const p of this.pieces) {
      if ('text' in p) { out += p.text; continue; }
      const v = values[p.field];
      if (v === undefined || v === null || v === '') {
        issues.push({ path, message: `needs "${p.field}" to build "${this.template}"` });
        return undefined;
      }
      out += v instanceof Date ? v.toISOString() : String(v);
    }
    return out;
  }
  protected encodeValue(value: unknown): unknown { return value; }
  protected decodeValue(stored: unknown): string { return stored as string; }
}

/** A computed string attribute: `template('ORDER#{date}')`. Usable as a table or index key. */
export const template = <const S extends string>(text: S): TemplateAttribute<S> => new TemplateAttribute(text);
