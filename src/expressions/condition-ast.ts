/**
 * The condition AST and its builders (DynamORM's Q objects): `attr(...)`
 * comparisons composed with `and`, `or`, `not`, freely mixed with the typed
 * object form. Nodes are frozen, so one node (say, a model's version guard)
 * can be reused across requests.
 */
import { ExpressionError } from '../errors.js';
import { CONDITION, type AnyItem, type AttributeTypeCode, type ConditionObject } from './condition-types.js';
import type { PathInput } from './path.js';

// Brands attr() builders so they can stand as operands (attribute vs attribute) without instanceof across copies.
const REF: unique symbol = Symbol.for('dynagraph.attributeRef');
// Type-only marker carrying the item type, so `and(...)` can infer it from where its result goes.
declare const ITEM: unique symbol;

/** The comparators written infix: `=`, `<>`, `<`, `<=`, `>`, `>=`. */
export type Comparator = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';

/** A comparison operand: a value, or another attribute (`attr('a').lt(attr('b'))`). */
export type Operand = unknown;

/** The plain data of a condition node. */
export type ConditionAst =
  | { readonly kind: 'compare'; readonly path: PathInput; readonly op: Comparator; readonly value: Operand }
  | { readonly kind: 'between'; readonly path: PathInput; readonly low: Operand; readonly high: Operand }
  | { readonly kind: 'in'; readonly path: PathInput; readonly values: readonly Operand[] }
  | { readonly kind: 'beginsWith'; readonly path: PathInput; readonly prefix: unknown }
  | { readonly kind: 'contains'; readonly path: PathInput; readonly operand: unknown }
  | { readonly kind: 'exists'; readonly path: PathInput; readonly exists: boolean }
  | { readonly kind: 'type'; readonly path: PathInput; readonly type: AttributeTypeCode }
  | { readonly kind: 'sizeCompare'; readonly path: PathInput; readonly op: Comparator; readonly value: number }
  | { readonly kind: 'sizeBetween'; readonly path: PathInput; readonly low: number; readonly high: number }
  | { readonly kind: 'and' | 'or'; readonly conditions: readonly Condition[] }
  | { readonly kind: 'not'; readonly condition: Condition };

/** A built condition node; `T` is the item type it was built for (phantom, compile-time only). */
export type ConditionNode<T = AnyItem> = ConditionAst & {
  readonly [CONDITION]: true;
  // Method-shaped so it is bivariant: typed and untyped nodes mix, nodes of unrelated items do not.
  readonly [ITEM]?: { check(item: T): void }['check'];
};

/** Any condition: a built node or a typed object form (entries ANDed). */
export type Condition<T = AnyItem> = ConditionNode<T> | ConditionObject<T>;

/** True for nodes made by the builders (as opposed to object-form conditions). */
export function isConditionNode(c: unknown): c is ConditionNode<any> {
  return typeof c === 'object' && c !== null && (c as { [CONDITION]?: unknown })[CONDITION] === true;
}

function node<T>(ast: ConditionAst): ConditionNode<T> {
  return Object.freeze({ ...ast, [CONDITION]: true as const }) as ConditionNode<T>;
}

/** Builds `size(path)` comparisons. */
export class SizeBuilder {
  constructor(/** The path whose size is compared. */ readonly path: PathInput) {}
  /** `size(path) = n` */
  eq(n: number): ConditionNode<any> { return this.#cmp('eq', n); }
  /** `size(path) <> n` */
  ne(n: number): ConditionNode<any> { return this.#cmp('ne', n); }
  /** `size(path) < n` */
  lt(n: number): ConditionNode<any> { return this.#cmp('lt', n); }
  /** `size(path) <= n` */
  le(n: number): ConditionNode<any> { return this.#cmp('le', n); }
  /** `size(path) > n` */
  gt(n: number): ConditionNode<any> { return this.#cmp('gt', n); }
  /** `size(path) >= n` */
  ge(n: number): ConditionNode<any> { return this.#cmp('ge', n); }
  /** `size(path) BETWEEN low AND high` (inclusive) */
  between(low: number, high: number): ConditionNode<any> {
    return node({ kind: 'sizeBetween', path: this.path, low, high });
  }
  #cmp(op: Comparator, value: number): ConditionNode<any> {
    return node({ kind: 'sizeCompare', path: this.path, op, value });
  }
}

/**
 * Builds conditions on one attribute path. Also usable as an operand to
 * compare two attributes: `attr('stock').lt(attr('reserved'))`.
 */
export class AttributeBuilder {
  /** Marks instances as attribute references when used as operands. */
  readonly [REF] = true;
  constructor(/** The path conditions are built on. */ readonly path: PathInput) {}
  /** `path = v` */
  eq(v: Operand): ConditionNode<any> { return this.#cmp('eq', v); }
  /** `path <> v` */
  ne(v: Operand): ConditionNode<any> { return this.#cmp('ne', v); }
  /** `path < v` */
  lt(v: Operand): ConditionNode<any> { return this.#cmp('lt', v); }
  /** `path <= v` */
  le(v: Operand): ConditionNode<any> { return this.#cmp('le', v); }
  /** `path > v` */
  gt(v: Operand): ConditionNode<any> { return this.#cmp('gt', v); }
  /** `path >= v` */
  ge(v: Operand): ConditionNode<any> { return this.#cmp('ge', v); }
  /** `path BETWEEN low AND high` (inclusive) */
  between(low: Operand, high: Operand): ConditionNode<any> {
    return node({ kind: 'between', path: this.path, low, high });
  }
  /** `path IN (v1, ...)`; 1 to 100 candidates. */
  in(...values: Operand[]): ConditionNode<any> {
    return node({ kind: 'in', path: this.path, values: Object.freeze([...values]) });
  }
  /** `begins_with(path, prefix)` */
  beginsWith(prefix: string | Uint8Array): ConditionNode<any> {
    return node({ kind: 'beginsWith', path: this.path, prefix });
  }
  /** `contains(path, x)`: substring of a string, element of a set or list. */
  contains(x: unknown): ConditionNode<any> {
    return node({ kind: 'contains', path: this.path, operand: x });
  }
  /** `attribute_exists(path)` */
  exists(): ConditionNode<any> { return node({ kind: 'exists', path: this.path, exists: true }); }
  /** `attribute_not_exists(path)` */
  notExists(): ConditionNode<any> { return node({ kind: 'exists', path: this.path, exists: false }); }
  /** `attribute_type(path, code)` */
  type(code: AttributeTypeCode): ConditionNode<any> {
    return node({ kind: 'type', path: this.path, type: code });
  }
  /** Comparisons of `size(path)`. */
  size(): SizeBuilder { return new SizeBuilder(this.path); }
  #cmp(op: Comparator, value: Operand): ConditionNode<any> {
    return node({ kind: 'compare', path: this.path, op, value });
  }
}

/** Starts a condition on a path: a dotted string (`'a.b[2]'`) or literal segments (`path(...)`/array). */
export function attr(path: PathInput): AttributeBuilder {
  return new AttributeBuilder(path);
}

/** True when an operand is an attribute reference rather than a value. */
export function isAttributeRef(v: unknown): v is AttributeBuilder {
  return typeof v === 'object' && v !== null && (v as { [REF]?: unknown })[REF] === true;
}

function compose<T>(kind: 'and' | 'or', conditions: readonly Condition<T>[]): ConditionNode<T> {
  if (conditions.length === 0) {
    // An empty AND would vacuously pass and an empty OR never would; neither is what a caller meant.
    throw new ExpressionError(`${kind}() needs at least one condition`);
  }
  return node({ kind, conditions: Object.freeze([...conditions]) as readonly Condition[] });
}

/** All conditions hold. `T` is inferred from where the result is used, so object forms stay typed. */
export function and<T = AnyItem>(...conditions: Condition<NoInfer<T>>[]): ConditionNode<T> {
  return compose<T>('and', conditions as Condition<T>[]);
}

/** At least one condition holds. */
export function or<T = AnyItem>(...conditions: Condition<NoInfer<T>>[]): ConditionNode<T> {
  return compose<T>('or', conditions as Condition<T>[]);
}

/** The condition does not hold. */
export function not<T = AnyItem>(condition: Condition<NoInfer<T>>): ConditionNode<T> {
  return node({ kind: 'not', condition: condition as Condition });
}
