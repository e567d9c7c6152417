/**
 * What every compiler shares: the request's placeholder allocator plus the
 * caller's hooks. The hooks are how the schema layer plugs in (unknown
 * attributes, Date → stored form) without this layer importing it.
 */
import { formatPath, resolvePath, type Path, type PathInput } from './path.js';
import { checkValue, type ExpressionAttributes } from './placeholders.js';

/**
 * The operation an operand is used in, passed to {@link MapValue} so a
 * converter knows whether it got a whole attribute value or a part of one:
 * `contains` gets an element (or substring), `in` one candidate per call,
 * `between` each bound, `append`/`prepend` a list, `add` a number or set,
 * `delete` a set, `increment` a number.
 */
export type ValueOperator =
  | 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge' | 'between' | 'in' | 'beginsWith' | 'contains'
  | 'set' | 'setIfNotExists' | 'add' | 'delete' | 'append' | 'prepend' | 'increment';

/**
 * Converts a JS operand to its stored form (e.g. a `Date` to an ISO string).
 * Called once per operand with the path the operand is compared to or written at.
 */
export type MapValue = (path: Path, value: unknown, operator: ValueOperator) => unknown;

/** Hooks a caller (normally the model layer) passes to every compiler. */
export interface ExpressionOptions {
  /** Called with the top-level attribute name of every path; throws for an unknown attribute. */
  resolveName?: (topLevel: string) => void;
  /** Converts operands to stored form; see {@link MapValue}. */
  mapValue?: MapValue;
  /**
   * True when a string is a declared attribute name, so `'a.b'` is kept as the
   * literal attribute `a.b` instead of being parsed as key `b` of map `a`.
   */
  isAttribute?: (name: string) => boolean;
  /**
   * Called by `compileProjection` with every path it projects; throws for a path whose
   * projected value the caller could not read back faithfully.
   */
  checkProjection?: (path: Path) => void;
}

/** A placeholder allocator bound to one caller's hooks; internal to the compilers. */
export class ExpressionContext {
  constructor(
    /** The request's shared allocator. */
    readonly attrs: ExpressionAttributes,
    /** The caller's hooks. */
    readonly options: ExpressionOptions = {},
  ) {}

  /** Resolves a path as written, after letting `resolveName` vet its attribute. */
  resolve(input: PathInput): Path {
    const p = resolvePath(input, this.options.isAttribute);
    this.options.resolveName?.(p[0] as string);
    return p;
  }

  /** Expression text of a resolved path. */
  pathText(p: Path): string {
    return this.attrs.path(p);
  }

  /** Maps, checks and allocates one operand; errors name the path and operator. */
  value(p: Path, raw: unknown, operator: ValueOperator): string {
    const where = `${formatPath(p)} (${operator})`;
    // `undefined` is a mistake in the expression; any other value is for the attribute's converter
    // to judge first, so a bad value (NaN, a 39-digit number) is a ValidationError naming the field.
    if (raw === undefined || !this.options.mapValue) checkValue(raw, where);
    const mapped = this.options.mapValue ? this.options.mapValue(p, raw, operator) : raw;
    checkValue(mapped, where);
    return this.attrs.value(mapped);
  }
}
