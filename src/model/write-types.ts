/**
 * Types of the typed write API, derived from a model's declaration: which attributes an
 * update may touch (not keys, templates or the version) and what each call returns.
 */
import type { Condition } from '../expressions/condition-ast.js';
import type { Database } from '../operations/context.js';
import type { ReturnValues } from '../operations/update.js';
import type { AttributeMap, InputKeys, ValuesOf } from '../schema/types.js';
import type { AnyModel, AnyModelTypes, INSTANCE_TYPES, MODEL_TYPES, ValuesOfModel } from './model.js';
import type { AnyUpdateSpec, UpdateSpec } from './update-spec.js';
import type { VersionOptions } from './versioning.js';
import type { DeleteOptions } from './writes.js';

/** Attributes of a model an update may write: everything but keys, templates and the version. */
export type WritableOf<T extends AnyModelTypes> = Exclude<InputKeys<T['attributes']> & string, T['hash'] | T['range'] | T['version']>;

/** The declaration types of an instance type (from `Model()`), if it has them. */
type TypesOfInstance<T> = T extends { readonly [INSTANCE_TYPES]: infer MT extends AnyModelTypes } ? MT : never;

/** The attribute values of an instance type. */
export type ValuesOfInstance<T> = [TypesOfInstance<T>] extends [never] ? Record<string, any> : TypesOfInstance<T>['values'];

/** The typed update actions of an instance type. */
export type UpdateSpecOf<T> = [TypesOfInstance<T>] extends [never] ? AnyUpdateSpec : UpdateSpec<TypesOfInstance<T>['values'], WritableOf<TypesOfInstance<T>>>;

/** The typed update actions of a model class. */
export type UpdateSpecOfModel<M extends AnyModel> = UpdateSpec<ValuesOfModel<M>, WritableOf<M[typeof MODEL_TYPES]>>;

/** What `expectVersion` is told on a model declared without a `version` attribute. */
export type NoVersionAttribute = 'expectVersion needs a model declared with a version attribute';

/** The type of `expectVersion` for model `M`: a number, or (without a version attribute) nothing that compiles. */
export type ExpectVersionOf<M extends AnyModel> = [M[typeof MODEL_TYPES]['version']] extends [never] ? NoVersionAttribute : number;

/** Options of `Model.update(key, actions, options)`. */
export interface ModelUpdateOptions<M extends AnyModel = AnyModel> extends VersionOptions {
  /** Database to write to. */
  db?: Database | undefined;
  /** Expected stored values, as for `save()`. */
  expect?: Condition<ValuesOfModel<M>> | undefined;
  /** Any condition guarding the update. */
  condition?: Condition<ValuesOfModel<M>> | undefined;
  /** What to return; default `'allNew'` (the item after the update, as an instance). */
  returnValues?: ReturnValues | undefined;
  /** Create the item when it does not exist (DynamoDB's own behaviour). Default `false`: it must exist. */
  upsert?: boolean | undefined;
  /** For a versioned model: require this stored version (VersionConflictError otherwise). */
  expectVersion?: ExpectVersionOf<M> | undefined;
}

/** Options of `Model.delete(key, options)`. */
export type ModelDeleteOptions<M extends AnyModel> = DeleteOptions<ValuesOfModel<M>> & {
  /** For a versioned model: require this stored version (VersionConflictError otherwise). */
  expectVersion?: ExpectVersionOf<M> | undefined;
};

/** What `Model.update()` returns for `returnValues: R` (`O`, an options type, is accepted too). */
export type UpdateResult<M extends AnyModel, O> = O extends ReturnValues | undefined ? ResultFor<M, O>
  : O extends { returnValues: infer R } ? ResultFor<M, R> : InstanceType<M>;
type ResultFor<M extends AnyModel, R> = R extends 'none' ? undefined
  : R extends 'allOld' ? InstanceType<M> | null
    : R extends 'updatedNew' | 'updatedOld' ? Partial<ValuesOfModel<M>>
      : InstanceType<M>;
