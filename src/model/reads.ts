/**
 * Model-level reads at scale: queries (table, GSI, LSI, and shared-table item
 * collections), scans, and batched gets — turned into instances of the right model.
 */
import { ExpressionAttributes } from '../expressions/placeholders.js';
import { compileCondition } from '../expressions/condition.js';
import { and, attr, type Condition } from '../expressions/condition-ast.js';
import type { AnyItem } from '../expressions/condition-types.js';
import { compileKeyCondition, rangeBound, type RangeCondition } from '../expressions/key-condition.js';
import type { MapValue } from '../expressions/context.js';
import { resolvePath, type Path, type PathInput } from '../expressions/path.js';
import { compileProjection } from '../expressions/projection.js';
import { ExpressionError, SchemaError, ValidationError, type FieldIssue } from '../errors.js';
import type { Database } from '../operations/context.js';
import { expressionHooks, keyTypesOf, readRefusals } from '../operations/expression-hooks.js';
import { batchGetItems, type BatchGetOptions } from '../operations/batch-get.js';
import { ReadStream, type ReadOptions, type ReadSpec } from '../operations/read-stream.js';
import { TemplateAttribute } from '../schema/template.js';
import { COUNTER_KEY } from './autoincrement.js';
import { instanceFromItem, type ModelClassRuntime } from './instance.js';
import type { ModelSchema } from '../schema/model-schema.js';

/** Options of a model query or scan. */
export interface ModelReadOptions extends ReadOptions {
  /** Query a secondary index by name. */
  index?: string | undefined;
  /** Return only these attributes (plain partial objects, not instances). */
  projection?: readonly string[] | undefined;
  /**
   * For an index that does not project every attribute (keys-only or include): fetch
   * the full items with batched gets, in index order. Default `true`; `false` returns
   * the projected attributes as plain partial objects.
   */
  hydrate?: boolean | undefined;
}

const RANGE_OPERATORS = new Set(['eq', 'lt', 'le', 'gt', 'ge', 'between', 'beginsWith']);

/** `true` when `v` is a range-key operator object such as `{ beginsWith: "A" }`. */
export function isRangeCondition(v: unknown): v is RangeCondition {
  if (!v || typeof v !== 'object' || v instanceof Date || v instanceof Uint8Array) return false;
  const keys = Object.keys(v);
  return keys.length === 1 && RANGE_OPERATORS.has(keys[0]);
}

/** Hash / range attribute names of the table or of an index. */
function keysOf(schema: ModelSchema, index?: string): { hash: string; range?: string } {
  if (!index) return { hash: schema.hash, range: schema.range };
  const idx = schema.indexes[index];
  if (!idx) throw new ExpressionError(`${schema.name}: no index named "${index}" (declared: ${Object.keys(schema.indexes).join(', ') || 'none'})`);
  return { hash: idx.hash, range: idx.range };
}

/** Encodes one key value through its attribute (template keys may be built from their fields). */
function keyValue(schema: ModelSchema, name: string, input: Record<string, unknown>, issues: FieldIssue[]): unknown {
  const attr = schema.attributes[name];
  let value = input[name];
  if (value === undefined && attr instanceof TemplateAttribute) value = attr.compute(input, name, issues);
  if (value === undefined) {
    if (!(attr instanceof TemplateAttribute)) issues.push({ path: name, message: 'is required: a query needs the partition key' });
    return undefined;
  }
  return attr.encode(value, name, issues, true);
}

/** Builds the ReadSpec of a query over `models` (several only when they share a table). */
export function querySpec(db: Database, models: readonly ModelClassRuntime[], condition: Record<string, unknown>, options: ModelReadOptions): ReadSpec {
  const schema = models[0].schema;
  const { hash, range } = keysOf(schema, options.index);
  const issues: FieldIssue[] = [];
  const hashValue = keyValue(schema, hash, condition, issues);
  const templateFields = new Set([hash, range].flatMap((k) => {
    const a = k ? schema.attributes[k] : undefined;
    return a instanceof TemplateAttribute ? a.fields : [];
  }));
  let rangeCond: [string, RangeCondition] | undefined;
  if (range !== undefined && condition[range] !== undefined) {
    const r = condition[range];
    rangeCond = [range, isRangeCondition(r) ? r : { eq: r } as RangeCondition];
  } else if (range !== undefined && schema.attributes[range] instanceof TemplateAttribute) {
    // Leading fields of a range template narrow the query to their prefix; never silently to nothing.
    const given = (schema.attributes[range] as TemplateAttribute).rangeCondition(condition);
    if (given && 'missing' in given) issues.push({ path: given.missing, message: `is needed before the later fields of "${range}": a key condition can only fix a template's leading fields` });
    else if (given) rangeCond = [range, given as RangeCondition];
  }
  for (const k of Object.keys(condition)) {
    if (k !== hash && k !== range && !templateFields.has(k)) issues.push({ path: k, message: `is not a key of ${options.index ? `index "${options.index}"` : 'the table'}; use a filter` });
  }
  if (issues.length) throw new ValidationError(schema.name, issues);
  return readSpec(db, models, 'query', options, { hash, value: hashValue, range: rangeCond });
}

/** Builds the ReadSpec of a scan. */
export function scanSpec(db: Database, models: readonly ModelClassRuntime[], options: ModelReadOptions): ReadSpec {
  return readSpec(db, models, 'scan', options);
}

function readSpec(
  db: Database,
  models: readonly ModelClassRuntime[],
  kind: 'query' | 'scan',
  options: ModelReadOptions,
  key?: { hash: string; value: unknown; range?: [string, RangeCondition] },
): ReadSpec {
  const schema = models[0].schema;
  const table = db.tableName(schema);
  for (const m of models) {
    if (db.tableName(m.schema) !== table) throw new SchemaError(`${m.schema.name} is not stored in table "${table}"; a collection read needs models of one table`);
  }
  const hooks = expressionHooks(schema);
  const index = options.index ? schema.indexes[options.index] : undefined;
  if (options.index && !index) keysOf(schema, options.index);
  const keyNames = [...new Set([schema.hash, ...(schema.range ? [schema.range] : []), ...(index ? [index.hash, ...(index.range ? [index.range] : [])] : [])])];
  const partial = options.projection !== undefined || (index !== undefined && index.projection !== 'all' && options.hydrate === false);
  const hydrate = !partial && index !== undefined && index.projection !== 'all';
  // Other models' items of a shared table stay out. An index that does not project the
  // entity field cannot filter on it; hydration checks the full items instead.
  const entityOnly = index === undefined || index.projection === 'all' ? entityCondition(models) : undefined;
  // An autoincrement model's counter item shares the table; a scan must not return it.
  const counterFilter = kind === 'scan' && schema.autoincrement ? attr([schema.hash]).ne(COUNTER_KEY) : undefined;
  const entityFilter = entityOnly && counterFilter ? and(entityOnly, counterFilter) : entityOnly ?? counterFilter;
  const mapKey: MapValue = (path, value, op) => (op === 'beginsWith' || schema.attributes[path[0] as string] instanceof TemplateAttribute ? value : hooks.mapValue!(path, value, op));
  const wanted = options.projection && [...options.projection, ...keyNames, ...(models.length > 1 ? [schema.entityField] : [])];
  const decodeOne = partial
    // A projection's items hold what it named; an index's, whole attributes.
    ? (item: Record<string, unknown>) => decodePartialOf(models, item, wanted ?? Object.keys(item).map((k) => [k]))
    : (item: Record<string, unknown>) => materialize(db, modelOf(models, item), item);
  const decode: ReadSpec['decode'] = hydrate ? (items) => hydrateItems(db, models, items) : (items) => items.map(decodeOne);
  return {
    kind,
    table,
    index: options.index,
    keyNames,
    partition: key ? { name: key.hash, value: key.value } : undefined,
    keyTypes: keyTypesOf(schema, keyNames),
    cursorRange: key?.range ? () => rangeBound(key.range!, { mapValue: mapKey }) : undefined,
    checkOptions: readRefusals(schema, kind, options.index, hooks),
    filtered: entityFilter !== undefined,
    params(read, count) {
      const attrs = new ExpressionAttributes();
      const params: Record<string, unknown> = {};
      if (key) {
        params.KeyConditionExpression = compileKeyCondition({ hash: [key.hash, key.value], range: key.range }, attrs, { mapValue: mapKey });
      }
      const filter = entityFilter && read.filter ? and(entityFilter, read.filter) : entityFilter ?? read.filter;
      if (filter) params.FilterExpression = compileCondition(filter, attrs, { ...hooks, parameter: 'FilterExpression' });
      if (!count && wanted) {
        params.ProjectionExpression = compileProjection(wanted, attrs, { ...hooks, resolveName: (n) => (n === schema.entityField ? undefined : hooks.resolveName!(n)) });
      }
      return Object.assign(params, attrs.toParams());
    },
    decode,
    decodeEach: hydrate ? undefined : { of: decode, item: decodeOne },
  };
}

/** `entityField = entity` (or IN the entities) when every model names its entity; else nothing to filter on. */
function entityCondition(models: readonly ModelClassRuntime[]): Condition<any> | undefined {
  const entities = models.map((m) => m.schema.entity);
  if (entities.some((e) => e === undefined)) return undefined;
  const field = attr([models[0].schema.entityField]);
  return entities.length === 1 ? field.eq(entities[0]) : field.in(...new Set(entities));
}

/** True when a stored item belongs to `model` (its entity-type attribute matches, if the model has one). */
export function isOf(model: ModelClassRuntime, item: Record<string, unknown>): boolean {
  return model.schema.entity === undefined || item[model.schema.entityField] === model.schema.entity;
}

/** The model of a stored item: by its entity-type attribute when several models share the table. */
export function modelOf(models: readonly ModelClassRuntime[], item: Record<string, unknown>): ModelClassRuntime {
  if (models.length === 1) return models[0];
  const field = models[0].schema.entityField;
  const found = models.find((m) => m.schema.entity === item[field]);
  if (!found) throw new SchemaError(`item with ${field}=${JSON.stringify(item[field])} matches none of the models ${models.map((m) => m.name).join(', ')}`);
  return found;
}

/**
 * A projected item of one of `models`. A keys-only index entry of a shared table has no
 * entity field: each attribute is decoded by a model that declares it.
 */
function decodePartialOf(models: readonly ModelClassRuntime[], item: Record<string, unknown>, projection: readonly PathInput[]): Record<string, unknown> {
  if (models.length === 1 || item[models[0].schema.entityField] !== undefined) return decodePartial(modelOf(models, item).schema, item, projection);
  const out: Record<string, unknown> = {};
  for (const [n, v] of Object.entries(item)) {
    const model = models.find((m) => Object.hasOwn(m.schema.attributes, n));
    if (model && v !== undefined) out[n] = model.schema.attributes[n].decode(v);
  }
  return out;
}

/**
 * Decodes a projected item: only what it holds, nothing filled in. Given the projection, an
 * attribute projected whole decodes as a full read does (absent strings of a map as `''`); one
 * read through nested paths (`address.city`), or any attribute when the projection is not
 * given, holds only the parts the read returned.
 */
export function decodePartial(schema: ModelSchema, item: Record<string, unknown>, projection?: readonly PathInput[]): Record<string, unknown> {
  const isAttribute = (n: string) => Object.hasOwn(schema.attributes, n);
  const paths: Path[] | undefined = projection?.map((p) => resolvePath(p, isAttribute));
  const out: Record<string, unknown> = {};
  for (const n of schema.names) {
    if (!Object.hasOwn(item, n) || item[n] === undefined) continue;
    const below = paths?.filter((p) => p[0] === n).map((p) => p.slice(1));
    const v = schema.attributes[n].decodeProjected(item[n], below?.length ? below : undefined);
    if (v !== undefined) out[n] = v;
  }
  return out;
}

/** How {@link hydrateItems} reads full items and turns them into instances. */
export interface Hydration {
  load(requests: readonly { table: string; keyNames: readonly string[]; key: Record<string, unknown>; model: ModelClassRuntime }[]): Promise<(Record<string, unknown> | undefined)[]>;
  make(model: ModelClassRuntime, item: Record<string, unknown>): unknown;
}

/**
 * The sparse-index pattern (the one implementation: model queries and graph loads): fetch
 * full items for index entries, in index order; entries deleted since, or now of another
 * entity, are skipped. By default through the database (a session serves these from its
 * cache and batches them with every other load of the tick).
 */
export async function hydrateItems(db: Database, models: readonly ModelClassRuntime[], items: readonly Record<string, unknown>[], via?: Hydration): Promise<unknown[]> {
  // Index entries may not carry the entity field: the full item tells the model (models of one table share its key).
  const schema = models[0].schema;
  const table = db.tableName(schema);
  const requests = items.map((item) => ({ table, keyNames: schema.keyNames, key: schema.keyOfItem(item), model: models[0] }));
  const full = via ? await via.load(requests) : db.loadItems ? await db.loadItems(requests) : await batchGetItems(db, requests);
  return full.flatMap((item) => {
    const model = item && models.find((m) => isOf(m, item));
    return model ? [via ? via.make(model, item!) : materialize(db, model, item!)] : [];
  });
}

/** Reads many items of one model by key input; `null` where none exists, in input order. */
export async function getMany<I>(db: Database, model: ModelClassRuntime, keys: readonly Record<string, unknown>[], options: BatchGetOptions = {}): Promise<(I | null)[]> {
  const schema = model.schema;
  const table = db.tableName(schema);
  const requests = keys.map((k) => ({ table, keyNames: schema.keyNames, key: schema.key(k) }));
  const items = await batchGetItems(db, requests, options);
  return items.map((item) => (item && isOf(model, item) ? (materialize(db, model, item) as I) : null));
}

/** An instance for a stored item: the database's own (a session's identity map) or a new one. */
export function materialize(db: Database, model: ModelClassRuntime, item: Record<string, unknown>): unknown {
  return db.materialize ? db.materialize(model, item) : instanceFromItem(model, item, db);
}

/** A stream of model results; `V` (the model's attribute values) types `filter()`. */
export class Query<T, V = AnyItem> extends ReadStream<T> {
  /** Adds a filter, typed by the model's attributes, ANDed with any earlier one. */
  override filter(condition: Condition<V>): this {
    return super.filter(condition);
  }
}
