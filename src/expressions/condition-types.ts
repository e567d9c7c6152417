/**
 * Compile-time shape of the typed object form of conditions. Operand types
 * follow the item type so `{ price: { gt: 'x' } }` on a numeric price, or
 * `beginsWith` on a number, is a compile error rather than a failed request.
 */

/**
 * Marks an attribute that must not exist: `{ coupon: absent }` compiles to
 * `attribute_not_exists(coupon)`, as in the ancestors' expected-value saves
 * (`expect: { balance: 200, coupon: absent }`). Registered with `Symbol.for`
 * so two copies of the library agree on it.
 */
export const absent: unique symbol = Symbol.for('dynagraph.absent');

/** The type of {@link absent}. */
export type Absent = typeof absent;

/**
 * Brand of built condition nodes (internal). Registered with `Symbol.for` so
 * nodes built by another copy of the library are still recognised.
 */
export const CONDITION: unique symbol = Symbol.for('dynagraph.condition');

/** DynamoDB type descriptors accepted by `attribute_type`. */
export type AttributeTypeCode = 'S' | 'SS' | 'N' | 'NS' | 'B' | 'BS' | 'BOOL' | 'NULL' | 'L' | 'M';

/** Every attribute type code, for runtime validation. */
export const ATTRIBUTE_TYPE_CODES: readonly AttributeTypeCode[] = Object.freeze([
  'S', 'SS', 'N', 'NS', 'B', 'BS', 'BOOL', 'NULL', 'L', 'M',
]);

/** Comparisons of `size(path)`; the operands are lengths / element counts, never attribute values. */
export interface SizeOperators {
  /** `size(path) = n` */
  eq?: number;
  /** `size(path) <> n` */
  ne?: number;
  /** `size(path) < n` */
  lt?: number;
  /** `size(path) <= n` */
  le?: number;
  /** `size(path) > n` */
  gt?: number;
  /** `size(path) >= n` */
  ge?: number;
  /** `size(path) BETWEEN a AND b` (inclusive) */
  between?: readonly [number, number];
}

// Only these are ordered in DynamoDB (strings and binaries by bytes); Date is here because it is stored as one.
type Ordered<V> = V extends string | number | bigint | Date | Uint8Array ? V : never;
type Prefix<V> = V extends string ? string : V extends Uint8Array ? Uint8Array : 'beginsWith needs a string or binary attribute';
type ElementOf<V> = V extends string
  ? string
  : V extends ReadonlySet<infer E>
    ? E
    : V extends readonly (infer E)[]
      ? E
      : never;
// size() of a number or boolean is a runtime error in DynamoDB, so it is not offered.
type Sizable<V> = V extends number | bigint | boolean | Date ? never : SizeOperators;

/**
 * Operator object for one attribute whose values have type `V`. Several
 * operators in one object are ANDed: `{ gt: 1, lt: 10 }`.
 */
export interface Operators<V> {
  /** `path = v` */
  eq?: V;
  /** `path <> v` */
  ne?: V;
  /** `path < v` */
  lt?: Ordered<V>;
  /** `path <= v` */
  le?: Ordered<V>;
  /** `path > v` */
  gt?: Ordered<V>;
  /** `path >= v` */
  ge?: Ordered<V>;
  /** `path BETWEEN a AND b` (inclusive) */
  between?: readonly [Ordered<V>, Ordered<V>];
  /** `path IN (v1, ...)`, 1 to 100 candidates */
  in?: readonly V[];
  /** `begins_with(path, prefix)`; strings and binaries only */
  beginsWith?: Prefix<V>;
  /** `contains(path, x)`: a substring of a string, an element of a set or list */
  contains?: ElementOf<V>;
  /** `true`: `attribute_exists(path)`; `false`: `attribute_not_exists(path)` */
  exists?: boolean;
  /** `attribute_type(path, code)` */
  type?: AttributeTypeCode;
  /** Comparisons of `size(path)` */
  size?: Sizable<V>;
}

// `any` and `unknown` attribute types (untyped items, nested paths) accept every operator and operand.
type IsLoose<V> = 0 extends 1 & V ? true : unknown extends V ? true : false;

/**
 * What one key of a {@link ConditionObject} may hold: a bare value (equality),
 * {@link absent}, or an {@link Operators} object. An optional attribute's
 * `undefined` is not a value: say `absent` or `{ exists: false }`.
 */
export type FieldCondition<V> = IsLoose<V> extends true
  ? unknown
  : Exclude<V, undefined> | Absent | Operators<Exclude<V, undefined>>;

/** Untyped items: any key, any operand. */
export type AnyItem = Record<string, any>;

// Methods of an item class are not attributes; leaving them out keeps autocomplete honest.
type AttributeKeys<T> = {
  [K in keyof T & string]: T[K] extends (...args: any[]) => unknown ? never : K;
}[keyof T & string];

/**
 * The typed object form of a condition for items of type `T`: entries are
 * ANDed; top-level keys must be attributes of `T` (typos do not compile);
 * dotted or indexed keys (`'address.city'`, `'tags[0]'`) are nested paths and
 * are not type-checked.
 *
 * A plain object whose keys are all operator names is read as an operator
 * object; to compare a map attribute with such an object, write `{ eq: map }`.
 *
 * @example { price: { gt: 5 }, name: 'bob', coupon: absent, 'address.city': { beginsWith: 'Par' } }
 */
export type ConditionObject<T = AnyItem> = {
  [K in AttributeKeys<T>]?: FieldCondition<T[K]>;
} & {
  // A built node is not an object form; without this, one built for another item type would slip through here.
  readonly [CONDITION]?: never;
  [nested: `${string}.${string}`]: unknown;
  [indexed: `${string}[${string}`]: unknown;
};
