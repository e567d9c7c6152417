/**
 * Types of the typed write API, derived from a model's declaration: which attributes an
 * update may touch (not keys, templates or the version) and what each call returns.
 */
import type { Condition } from '../expressions/condition-ast.js';
import type { Database } from '../operations/context.js';
import type { ReturnValues } from '../operations/update.js';
import type { TemplateAttribute } from '../schema/template.js';
import type { AttributeMap, ValuesOf } from '../schema/types.js';
import type { AnyModel, INSTANCE_TYPES, MODEL_TYPES, ModelTypes, ValuesOfModel } from './model.js';
import type { AnyUpdateSpec, UpdateSpec } from './update-spec.js';
import type { VersionOptions } from './versioning.js';

type Computed<A extends AttributeMap> = { [K in keyof A]: A[K] extends TemplateAttribute<any> ? K : never }[keyof A];

/** Attributes of a model an update may write: everything but keys, templates and the version. */
export type WritableOf<T extends ModelTypes> = Exclude<keyof ValuesOf<T['attributes']> & string, T['hash'] | T['range'] | T['version'] | Computed<T['attributes']>>;

/** The declaration types of an instance type (from `Model()`), if it has them. */
type TypesOfInstance<T> = T extends { readonly [INSTANCE_TYPES]: infer MT extends ModelTypes } ? MT : never;

/** The attribute values of an instance type. */
export type ValuesOfInstance<T> = [TypesOfInstance<T>] extends [never] ? Record<string, any> : ValuesOf<TypesOfInstance<T>['attributes']>;

/** The typed update actions of an instance type. */
export type UpdateSpecOf<T> = [TypesOfInstance<T>] extends [never] ? AnyUpdateSpec : UpdateSpec<ValuesOf<TypesOfInstance<T>['attributes']>, WritableOf<TypesOfInstance<T>>>;

/** The typed update actions of a model class. */
export type UpdateSpecOfModel<M extends AnyModel> = UpdateSpec<ValuesOfModel<M>, WritableOf<M[typeof MODEL_TYPES]>>;

/** Options of `Model.update(key, actions, options)`. */
export interface ModelUpdateOptions<M extends AnyModel = AnyModel> extends VersionOptions {
  /** Database to write to. */
  db?: Database;
  /** Expected stored values, as for `save()`. */
  expect?: Condition<ValuesOfModel<M>>;
  /** Any condition guarding the update. */
  condition?: Condition<ValuesOfModel<M>>;
  /** What to return; default `'allNew'` (the item after the update, as an instance). */
  returnValues?: ReturnValues;
  /** Create the item when it does not exist (DynamoDB's own behaviour). Default `false`: it must exist. */
  upsert?: boolean;
  /** For a versioned model: require this stored version (VersionConflictError otherwise). */
  expectVersion?: number;
}

/** What `Model.update()` returns under options `O`. */
export type UpdateResult<M extends AnyModel, O> = O extends { returnValues: 'none' } ? undefined
  : O extends { returnValues: 'allOld' } ? InstanceType<M> | null
    : O extends { returnValues: 'updatedNew' | 'updatedOld' } ? Partial<ValuesOfModel<M>>
      : InstanceType<M>;
