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

/**
 * The item type a condition on path `P` with operand type `V` asks for: `{ coins?: V }`, or
 * for a dotted path `{ address?: { city?: V } }` (a list index checks the attribute only).
 * A built node carries it, so where the node is used — a model's `condition`, `expect` or
 * `filter` — an unknown attribute or a wrong operand type does not compile. Paths that are
 * not string literals (literal segments, computed names) are untyped.
 */
export type PathItem<P, V> = P extends string ? (string extends P ? AnyItem : DottedItem<P, V, [0, 0, 0, 0]>) : AnyItem;
// Depth is capped (4 levels typed, deeper paths accept anything below) to keep checks cheap.
type DottedItem<P extends string, V, D extends unknown[]> = D extends [unknown, ...infer Rest]
  ? P extends `${infer Head}.${infer Tail}` ? (Head extends `${infer Root}[${string}` ? { [K in Root]?: unknown } : { [K in Head]?: DottedItem<Tail, V, Rest> })
    : P extends `${infer Root}[${string}` ? { [K in Root]?: unknown } : { [K in P]?: V }
  : unknown;

/** The operand type a comparison asks of the attribute: a value, or any type for another attribute (checked on its own path). */
type OperandItem<P, V> = V extends AttributeBuilder<infer Q> ? PathItem<P, unknown> & PathItem<Q, unknown> : PathItem<P, V>;

/** Builds `size(path)` comparisons. */
export class SizeBuilder<P extends PathInput = PathInput> {
  constructor(/** The path whose size is compared. */ readonly path: P) {}
  /** `size(path) = n` */
  eq(n: number): ConditionNode<PathItem<P, unknown>> { return this.#cmp('eq', n); }
  /** `size(path) <> n` */
  ne(n: number): ConditionNode<PathItem<P, unknown>> { return this.#cmp('ne', n); }
  /** `size(path) < n` */
  lt(n: number): ConditionNode<PathItem<P, unknown>> { return this.#cmp('lt', n); }
  /** `size(path) <= n` */
  le(n: number): ConditionNode<PathItem<P, unknown>> { return this.#cmp('le', n); }
  /** `size(path) > n` */
  gt(n: number): ConditionNode<PathItem<P, unknown>> { return this.#cmp('gt', n); }
  /** `size(path) >= n` */
  ge(n: number): ConditionNode<PathItem<P, unknown>> { return this.#cmp('ge', n); }
  /** `size(path) BETWEEN low AND high` (inclusive) */
  between(low: number, high: number): ConditionNode<PathItem<P, unknown>> {
    return node({ kind: 'sizeBetween', path: this.path, low, high });
  }
  #cmp(op: Comparator, value: number): ConditionNode<PathItem<P, unknown>> {
    return node({ kind: 'sizeCompare', path: this.path, op, value });
  }
}

/**
 * Builds conditions on one attribute path. Also usable as an operand to
 * compare two attributes: `attr('stock').lt(attr('reserved'))`. The nodes it builds are
 * typed by the path and operand (see {@link PathItem}), so they compile only where the
 * item has that attribute with that type.
 */
export class AttributeBuilder<P extends PathInput = PathInput> {
  /** Marks instances as attribute references when used as operands. */
  readonly [REF] = true;
  constructor(/** The path conditions are built on. */ readonly path: P) {}
  /** `path = v` */
  eq<V>(v: V): ConditionNode<OperandItem<P, V>> { return this.#cmp('eq', v); }
  /** `path <> v` */
  ne<V>(v: V): ConditionNode<OperandItem<P, V>> { return this.#cmp('ne', v); }
  /** `path < v` */
  lt<V>(v: V): ConditionNode<OperandItem<P, V>> { return this.#cmp('lt', v); }
  /** `path <= v` */
  le<V>(v: V): ConditionNode<OperandItem<P, V>> { return this.#cmp('le', v); }
  /** `path > v` */
  gt<V>(v: V): ConditionNode<OperandItem<P, V>> { return this.#cmp('gt', v); }
  /** `path >= v` */
  ge<V>(v: V): ConditionNode<OperandItem<P, V>> { return this.#cmp('ge', v); }
  /** `path BETWEEN low AND high` (inclusive) */
  between<L, H>(low: L, high: H): ConditionNode<OperandItem<P, L> & OperandItem<P, H>> {
    return node({ kind: 'between', path: this.path, low, high });
  }
  /** `path IN (v1, ...)`; 1 to 100 candidates. */
  in<V>(...values: V[]): ConditionNode<OperandItem<P, V>> {
    return node({ kind: 'in', path: this.path, values: Object.freeze([...values]) });
  }
  /** `begins_with(path, prefix)`; strings and binaries only. */
  beginsWith<V extends string | Uint8Array>(prefix: V): ConditionNode<PathItem<P, V extends string ? string : Uint8Array>> {
    return node({ kind: 'beginsWith', path: this.path, prefix });
  }
  /** `contains(path, x)`: substring of a string, element of a set or list. */
  contains<V>(x: V): ConditionNode<PathItem<P, (V extends string ? string : never) | ReadonlySet<V> | readonly V[]>> {
    return node({ kind: 'contains', path: this.path, operand: x });
  }
  /** `attribute_exists(path)` */
  exists(): ConditionNode<PathItem<P, unknown>> { return node({ kind: 'exists', path: this.path, exists: true }); }
  /** `attribute_not_exists(path)` */
  notExists(): ConditionNode<PathItem<P, unknown>> { return node({ kind: 'exists', path: this.path, exists: false }); }
  /** `attribute_type(path, code)` */
  type(code: AttributeTypeCode): ConditionNode<PathItem<P, unknown>> {
    return node({ kind: 'type', path: this.path, type: code });
  }
  /** Comparisons of `size(path)`. */
  size(): SizeBuilder<P> { return new SizeBuilder(this.path); }
  #cmp<V>(op: Comparator, value: V): ConditionNode<OperandItem<P, V>> {
    return node({ kind: 'compare', path: this.path, op, value });
  }
}

/**
 * Starts a condition on a path: a dotted string (`'a.b[2]'`) or literal segments (`path(...)`/array).
 * A string path types the nodes built on it: `attr('coins').gt(1)` compiles only as a
 * condition of items with a number `coins`.
 */
export function attr<const P extends PathInput>(path: P): AttributeBuilder<P> {
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
