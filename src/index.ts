/**
 * dynagraph: a TypeScript object mapper for Amazon DynamoDB whose models know their
 * relationships. This file holds the public exports only.
 * @module dynagraph
 */
export { Dynagraph, type DynagraphOptions } from './dynagraph.js';
export {
  Model, PersistentModel, type AnyModel, type KeyOf, type InputOfModel, type ValuesOfModel, type ModelClass,
  type ModelInstance, type SaveOptions, type DeleteOptions, type KeyChangePolicy,
} from './model/model.js';
export { ModelSchema, type ModelDefinition, type ModelOptions, type StreamView, type IndexSchema, type TimestampsOptions, type TimestampNames, type WithTimestamps } from './schema/model-schema.js';
export type { AttributeMap, InputOf, KeyInput, Rebuilt, Settled, ValueOf, ValuesOf } from './schema/types.js';
export { Attribute, NumberValue, type AttributeKind, type Validator, type ScalarType } from './schema/attribute.js';
export {
  string, number, bigint, decimal, boolean, date, binary, literal, json,
  StringAttribute, NumberAttribute, BigIntAttribute, DecimalAttribute, BooleanAttribute, DateAttribute,
  BinaryAttribute, LiteralAttribute, JsonAttribute, type DateOptions,
} from './schema/scalars.js';
export { stringSet, numberSet, binarySet, list, map, SetAttribute, ListAttribute, MapAttribute } from './schema/collections.js';
export { template, TemplateAttribute, type TemplateFields } from './schema/template.js';
export { MAX_ITEM_BYTES, itemSize } from './schema/size.js';
export { gsi, lsi, type GsiDeclaration, type LsiDeclaration, type IndexDeclaration, type Projection } from './schema/indexes.js';
export type { Billing, TableDefinition } from './table/definition.js';
export type { CreateTableOptions } from './table/admin.js';
export { TablePlan, type TableStep, type RefusedChange, type PlanTablesOptions } from './table/plan.js';
export type { TableProgress, ApplyTablesOptions } from './table/evolve.js';
export type { EnsureTablesOptions } from './dynagraph.js';
export type { GetOptions, WriteConditions } from './operations/items.js';
export type { Database } from './operations/context.js';
export type { ModelBase, ModelClassRuntime } from './model/instance.js';
export type { GraphDatabase } from './graph/graph-context.js';
export type { Logger, LogEntry, LogChannel, LogLevel, RequestObserver, Connection, ConnectionOptions } from './client.js';
export {
  absent, and, or, not, attr, path,
  type Condition, type ConditionObject, type Absent, type Path,
} from './expressions/index.js';
export type { AttributeBuilder, SizeBuilder, PathItem } from './expressions/condition-ast.js';
export type { OneOperator, PrefixOfStringsOnly } from './expressions/key-condition.js';
export type { AnyItem, AttributeTypeCode } from './expressions/condition-types.js';
export type { PathInput } from './expressions/path.js';
export { manyToOne, oneToMany, oneToOne, ToOne, ToMany, EdgeNotLoadedError, type KnownLoaded, type EdgeNameOf, type IndexOfInstance, type Relation, type RelationKind, type ToOneOptions, type ToManyOptions } from './graph/relations.js';
export type { OnDelete, CounterAttribute, NumberKeys } from './graph/integrity.js';
export { recount, type RecountOptions, type RecountReport, type RecountChange, type CountedEdgeOf } from './graph/counters.js';
export { Session, SessionQuery, type SessionOptions } from './graph/session.js';
export { RequestBudgetExceededError, type SessionStats } from './graph/stats.js';
export { renderPlan, showCount, type GraphPlan, type PlanCount, type PlanEdge, type PlanEdgeKind, type PlanRound, type PlanStep } from './graph/explain.js';
export { renderTrace, type GraphTrace, type TraceRow } from './graph/trace.js';
export type { IncludeSpec, Loaded, LoadedToOne, LoadedToMany, LoadedManyToMany, ExactInclude } from './graph/include.js';
export { manyToMany, ManyToMany, type ManyToManyOptions } from './graph/many-to-many.js';
export { ListEdge } from './graph/list-edge.js';
export type { LinkOnDelete } from './graph/link-integrity.js';
export { edgeTable, type EdgeStore, type EdgeStoreInfo, type EdgeTableOptions, type ManyToManyRelation } from './graph/edge-store.js';
export type { LinkResult, LinkingEdge, LinkOptions } from './graph/links.js';
export { type Edge, type EdgeShape, type EdgeDeclaration, type IncludeLoadOptions, EDGE } from './graph/edge.js';
export { compositeKey, type CompositeKeyCodec } from './graph/codec.js';
export { diagram, relationsOf } from './graph/diagram.js';
export { Query } from './model/reads.js';
export type { DryRunRequest, DryRunInputs } from './operations/dry-run.js';
export type { ReadParamsOptions } from './operations/read-stream.js';
export { batchGetParams, writeManyRequests as writeManyParams, type SaveParamsOptions } from './model/dry-runs.js';
export { transactWriteRequests as transactWriteParams, transactGetRequests as transactGetParams } from './model/transact.js';
export type { ModelReadOptions } from './model/reads.js';
export type { QueryKeyOf, QueryOptions, QueryResult, IndexNameOf, ProjectionPathOf, Unversioned, UnversionedInstance, UnversionedModel, UnversionedBatchWrite, VersionedBatchRefusal } from './model/model.js';
export type { Projected, ProjectedWithKeys, ProjectionPath, IndexProjectionOf, IndexKeyNamesOf } from './model/projection-types.js';
export type { Page, ReadOptions } from './operations/read-stream.js';
export type { BatchGetOptions } from './operations/batch-get.js';
export type { BatchWriteOptions, BatchProgress } from './operations/batch-write.js';
export type { BatchWrite } from './model/batches.js';
export type { RetryPolicy } from './operations/retry.js';
export type { BatchGetRequest, BatchGetResult, BatchGetKeys } from './dynagraph.js';
export {
  DynagraphError, ValidationError, SchemaError, ExpressionError, NoDatabaseError, ConditionFailedError, EntityMismatchError,
  ItemExistsError, KeyChangedError, TableMismatchError, TableChangeRefusedError, InvalidCursorError, DuplicateKeyError,
  VersionConflictError, TransactionCanceledError, TransactionTooLargeError, TargetNotFoundError, MaxRetriesExceededError,
  DynamoDBError, OutcomeUnknownError, sdkErrorName, rawSdkError, type ErrorCode, type FieldIssue, type CancellationReason,
} from './errors.js';
export * from './locks/errors.js';
export * from './operations/batch-errors.js';
export * from './model/effect-errors.js';
export type { InstanceUpdateOptions, ModelUpdateOptions, ModelDeleteOptions, ExpectVersionOf, NoVersionAttribute, UpdateResult, UpdateSpecOf, UpdateSpecOfModel } from './model/model.js';
export type { UpdateSpec, AnyUpdateSpec } from './model/update-spec.js';
export type { Change } from './model/changes.js';
export type { ValuesOfInstance } from './model/write-types.js';
export type { VersionOptions } from './model/versioning.js';
export type { ReturnValues } from './operations/update.js';
export {
  TransactionWriter, type TransactPutOptions, type TransactItemOptions, type TransactWriteOptions, type TransactWriteResult,
  type TransactGetTargets, type TransactGetResult, type CheckedTargets,
} from './model/transact.js';
export { MAX_TRANSACTION_ACTIONS } from './operations/transactions.js';
export { Transaction, transactor, type Transactor, type CommitOptions } from './transactions/engine.js';
export { TransactionRecord } from './transactions/record.js';
export { deleteInSteps, type DeleteInStepsOptions, type DeleteInStepsResult } from './transactions/steps.js';
export { LockRecord } from './locks/record.js';
export { LockHandle, type LockOptions } from './locks/lock.js';
export { COUNTER_KEY as AUTOINCREMENT_COUNTER_KEY } from './model/autoincrement.js';
