/**
 * Type inference from one declaration: instance values, constructor input and key input
 * are all derived from the attribute map, never hand-written.
 */
import type { Attribute } from './attribute.js';
import type { TemplateAttribute, TemplateFields } from './template.js';

/** A record of attribute builders, as given to `Model({ attributes })`. */
export type AttributeMap = Record<string, Attribute<any, any, any>>;

/** JS type of one attribute's value on an instance. */
export type ValueOf<A> = A extends { readonly __type: infer T; readonly __optional: infer O } ? (O extends true ? T | undefined : T) : never;

type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** A type rebuilt property by property (what {@link Settled} holds: the attribute types, nothing of the literal). */
export type Rebuilt<F> = { [K in keyof F]: F[K] };
/**
 * An attribute map (or index map) as declared, rebuilt key by key into a type of its own: the
 * same keys and attribute types, but no longer the object literal of the declaration. A
 * literal written in `class X extends Model({ … })` belongs to the class (its `this` type
 * is in scope there), so TypeScript instantiates it afresh — and every type derived from it
 * (values, keys, inputs) — each time it instantiates the class with another `this`, as it
 * does for every intersection such as `Loaded<X, S>`; the rebuilt type refers only to the
 * attribute types, so those instantiations find the types already derived.
 */
export type Settled<A> = ({ [P in keyof A]-?: Record<P, A[P]> }[keyof A] extends infer U ? (U extends unknown ? (x: U) => void : never) : never) extends (x: infer F) => void
  ? Rebuilt<F> : never;

// How one attribute type appears in values and input. Aliases of the attribute type alone, so
// TypeScript computes them once per distinct attribute type (shared by every model), not once
// per model and key; `true extends X` keeps `boolean` (and `any`) meaning "may be".
type MaybeAbsent<X extends Attribute<any, any, any>> = true extends X['__optional'] ? true : false;
type InputRole<X extends Attribute<any, any, any>> = X extends TemplateAttribute<any> ? 'computed' : true extends X['__required'] ? 'required' : 'optional';

type RequiredKeys<A extends AttributeMap> = { [K in keyof A]: InputRole<A[K]> extends 'required' ? K : never }[keyof A];
/**
 * The attributes of a map that are not computed from a template: what constructor input may
 * give, and (less keys and the version) what an update may write. One alias for both, so a
 * model's map is walked for it once.
 */
export type InputKeys<A extends AttributeMap> = { [K in keyof A]: InputRole<A[K]> extends 'computed' ? never : K }[keyof A];
type MaybeKeys<A extends AttributeMap> = { [K in keyof A]: MaybeAbsent<A[K]> extends true ? K : never }[keyof A];

/** The values of an instance: every attribute; optional ones are optional properties. */
export type ValuesOf<A extends AttributeMap> = Simplify<
  { -readonly [K in Exclude<keyof A, MaybeKeys<A>>]: ValueOf<A[K]> } & { -readonly [K in MaybeKeys<A>]?: ValueOf<A[K]> }
>;

/**
 * Constructor / put input: attributes without a default or empty container are required;
 * computed (template) attributes cannot be given.
 */
export type InputOf<A extends AttributeMap> = Simplify<
  { [K in RequiredKeys<A>]: ValueOf<A[K]> } & { [K in Exclude<InputKeys<A>, RequiredKeys<A>>]?: ValueOf<A[K]> }
>;

/** What identifies one key attribute: its own value, or the fields its template reads. */
export type KeyPart<A extends AttributeMap, K> = K extends keyof A
  ? A[K] extends TemplateAttribute<infer S>
    ? { [F in TemplateFields<S> & keyof A]: NonNullable<ValueOf<A[F]>> }
    : { [P in K]: NonNullable<ValueOf<A[K]>> }
  : {};

/** The primary key input of a model: hash (and range) values, or their template fields. */
export type KeyInput<A extends AttributeMap, H extends keyof A, R extends keyof A> = Simplify<
  KeyPart<A, H> & ([R] extends [never] ? {} : KeyPart<A, R>)
>;
