/**
 * The types of a model's reads, derived from its declaration types: query key conditions
 * (table and indexes), typed query options and what a query or scan returns (instances, or
 * plain objects of a projection or of a keys-only / include index).
 */
import type { AttributeMap, KeyPart, ValueOf } from '../schema/types.js';
import type { GsiDeclaration, LsiDeclaration } from '../schema/indexes.js';
import type { TemplateAttribute, TemplateFields } from '../schema/template.js';
import type { RangeCondition } from '../expressions/key-condition.js';
import type { Condition } from '../expressions/condition-ast.js';
import type { ModelReadOptions } from './reads.js';
import type { IndexKeyNamesOf, IndexProjectionOf, ProjectedWithKeys, ProjectionPath } from './projection-types.js';
import type { AnyModel, MODEL_TYPES, ValuesOfModel } from './model.js';

/** The declaration types of model class `M`. */
export type TypesOf<M extends AnyModel> = M[typeof MODEL_TYPES];
/** Names of the secondary indexes of a model class. */
export type IndexNameOf<M extends AnyModel> = keyof TypesOf<M>['indexes'] & string;
type IndexKeys<H, R, D> = D extends GsiDeclaration<infer IH, infer IR, any> ? { hash: IH; range: IR }
  : D extends LsiDeclaration<infer IR, any> ? { hash: H; range: IR } : never;
type RangeFields<A extends AttributeMap, R> = R extends keyof A ? (A[R] extends TemplateAttribute<infer S> ? { [F in TemplateFields<S> & keyof A]?: NonNullable<ValueOf<A[F]>> } : {}) : {};
/** The range part of a query key: a value or condition on the range key, or (for a template range key) its fields. */
type RangePart<A extends AttributeMap, R> = [R] extends [never] ? {} : { [P in R & keyof A]?: NonNullable<ValueOf<A[P]>> | RangeCondition<NonNullable<ValueOf<A[P]>>> } & RangeFields<A, R>;
// Flattened, so a message shows the key's fields, not the attribute map.
type QueryKey<A extends AttributeMap, K extends { hash: string; range: string }> = Flat<KeyPart<A, K['hash']> & RangePart<A, K['range']>>;
type Flat<T> = { [P in keyof T]: T[P] } & {};
/** The key conditions of a model's queries: on the table under `''`, on each secondary index under its name. */
export type QueryKeys<A extends AttributeMap, H extends string, R extends string, I> = { '': QueryKey<A, { hash: H; range: R }> } & { [X in keyof I & string]: QueryKey<A, IndexKeys<H, R, I[X]>> };

/**
 * The key condition of a query on the table (or on index `X`): the partition key (or the
 * fields of its template) and optionally a condition on the range key.
 */
export type QueryKeyOf<M extends AnyModel, X = undefined> = QueryKeyIn<TypesOf<M>['queryKeys'], X>;
type QueryKeyIn<Q, X> = X extends keyof Q ? Q[X] : Q['' & keyof Q];

/** The paths a projection of model `M` may name: attributes, and nested paths below them. */
export type ProjectionPathOf<M extends AnyModel> = ProjectionPath<ValuesOfModel<M>>;

/** Options of a typed query or scan: the filter is typed by the model's attributes. */
export type QueryOptions<M extends AnyModel, X> = Omit<ModelReadOptions, 'index' | 'projection' | 'filter'> & {
  /** Query a secondary index by name. */
  index?: X | undefined;
  /** Return only these attributes or nested paths (plain objects narrowed to them, not instances). */
  projection?: readonly ProjectionPathOf<M>[] | undefined;
  /** Filter applied by DynamoDB after reading, typed by the model's attributes. */
  filter?: Condition<ValuesOfModel<M>> | undefined;
};

type KeyNamesOf<M extends AnyModel> = TypesOf<M>['hash'] | TypesOf<M>['range'];
type IndexOf<M extends AnyModel, X> = X extends keyof TypesOf<M>['indexes'] ? TypesOf<M>['indexes'][X] : never;

/**
 * Result of a query or scan under options `O` (`{ index, projection, hydrate }`): instances;
 * with a projection, plain objects of the projected paths and the keys; through a keys-only
 * or include index with `hydrate: false`, plain objects of what that index projects (its keys
 * and the table's required).
 */
export type QueryResult<M extends AnyModel, O> = O extends { projection: readonly (infer P)[] } ? ([P] extends [never] ? HydratedResult<M, O> : ProjectedWithKeys<ValuesOfModel<M>, P & string, KeyNamesOf<M> | IndexKeyNamesOf<IndexOf<M, O extends { index: infer X } ? X : undefined>>>)
  : HydratedResult<M, O>;
type HydratedResult<M extends AnyModel, O> = O extends { hydrate: false; index: infer X } ? ([IndexOf<M, X>] extends [never] ? InstanceType<M>
  : string extends IndexProjectionOf<IndexOf<M, X>> ? InstanceType<M>
    : ProjectedWithKeys<ValuesOfModel<M>, IndexProjectionOf<IndexOf<M, X>>, KeyNamesOf<M> | IndexKeyNamesOf<IndexOf<M, X>>>)
  : InstanceType<M>;
