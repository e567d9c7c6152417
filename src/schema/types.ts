/**
 * Type inference from one declaration: instance values, constructor input and key input
 * are all derived from the attribute map, never hand-written.
 */
import type { Attribute } from './attribute.js';
import type { TemplateAttribute, TemplateFields } from './template.js';

/** A record of attribute builders, as given to `Model({ attributes })`. */
export type AttributeMap = Record<string, Attribute<any, any, any>>;

/** JS type of one attribute's value on an instance. */
export type ValueOf<A> = A extends Attribute<infer T, any, infer O> ? (O extends true ? T | undefined : T) : never;

type Simplify<T> = { [K in keyof T]: T[K] } & {};

type RequiredKeys<A extends AttributeMap> = { [K in keyof A]: A[K] extends Attribute<any, infer R, any> ? (R extends true ? K : never) : never }[keyof A];
type OptionalKeys<A extends AttributeMap> = Exclude<keyof A, RequiredKeys<A>>;
type ComputedKeys<A extends AttributeMap> = { [K in keyof A]: A[K] extends TemplateAttribute<any> ? K : never }[keyof A];

type MaybeKeys<A extends AttributeMap> = { [K in keyof A]: A[K] extends Attribute<any, any, infer O> ? (O extends true ? K : never) : never }[keyof A];

/** The values of an instance: every attribute; optional ones are optional properties. */
export type ValuesOf<A extends AttributeMap> = Simplify<
  { -readonly [K in Exclude<keyof A, MaybeKeys<A>>]: ValueOf<A[K]> } & { -readonly [K in MaybeKeys<A>]?: ValueOf<A[K]> }
>;

/**
 * Constructor / put input: attributes without a default or empty container are required;
 * computed (template) attributes cannot be given.
 */
export type InputOf<A extends AttributeMap> = Simplify<
  { [K in Exclude<RequiredKeys<A>, ComputedKeys<A>>]: ValueOf<A[K]> } & {
    [K in Exclude<OptionalKeys<A>, ComputedKeys<A>>]?: ValueOf<A[K]>;
  }
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
