/**
 * Derives one table's CreateTable input from the models stored in it: key schema,
 * attribute definitions (only key and index attributes), GSIs and LSIs with their
 * projections, streams. Models sharing a table must agree on keys and indexes.
 */
import type { AttributeDefinition, CreateTableCommandInput, GlobalSecondaryIndex, LocalSecondaryIndex, Projection as SdkProjection } from '@aws-sdk/client-dynamodb';
import { SchemaError } from '../errors.js';
import type { IndexSchema, ModelSchema } from '../schema/model-schema.js';
import type { Projection } from '../schema/indexes.js';

/** Billing of a new table: on-demand, or provisioned capacity units. */
export type Billing = 'on-demand' | { read: number; write: number };

/** Everything about one physical table, merged from its models. */
export interface TableDefinition {
  name: string;
  hash: { name: string; type: 'S' | 'N' | 'B' };
  range?: { name: string; type: 'S' | 'N' | 'B' } | undefined;
  indexes: IndexSchema[];
  attributeTypes: Record<string, 'S' | 'N' | 'B'>;
  ttl?: string | undefined;
  stream?: ModelSchema['stream'] | undefined;
  models: ModelSchema[];
}

function scalar(schema: ModelSchema, name: string): 'S' | 'N' | 'B' {
  return schema.attributes[name].scalarType!;
}

/** Merges the schemas of the models stored in one table; conflicts are SchemaErrors. */
export function tableDefinition(name: string, schemas: readonly ModelSchema[]): TableDefinition {
  const [first] = schemas;
  const def: TableDefinition = {
    name,
    hash: { name: first.hash, type: scalar(first, first.hash) },
    range: first.range === undefined ? undefined : { name: first.range, type: scalar(first, first.range) },
    indexes: [],
    attributeTypes: {},
    models: [...schemas],
  };
  const indexes = new Map<string, IndexSchema>();
  for (const s of schemas) {
    if (s.hash !== def.hash.name || s.range !== def.range?.name) {
      throw new SchemaError(`table "${name}": models disagree on the primary key (${first.name}: ${first.keyNames.join(', ')}; ${s.name}: ${s.keyNames.join(', ')})`);
    }
    if (schemas.length > 1 && s.entity === undefined) {
      throw new SchemaError(`table "${name}" is shared by several models; ${s.name} needs an \`entity\` name`);
    }
    const keyNames = [s.hash, ...(s.range ? [s.range] : []), ...Object.values(s.indexes).flatMap((i) => [i.hash, ...(i.range ? [i.range] : [])])];
    for (const k of keyNames) {
      const t = scalar(s, k);
      if (def.attributeTypes[k] && def.attributeTypes[k] !== t) throw new SchemaError(`table "${name}": attribute "${k}" is ${def.attributeTypes[k]} in one model and ${t} in ${s.name}`);
      def.attributeTypes[k] = t;
    }
    for (const idx of Object.values(s.indexes)) {
      const seen = indexes.get(idx.name);
      if (seen && (seen.hash !== idx.hash || seen.range !== idx.range || seen.type !== idx.type)) {
        throw new SchemaError(`table "${name}": index "${idx.name}" is declared differently by two models`);
      }
      if (!seen) indexes.set(idx.name, idx);
    }
    if (s.ttl) def.ttl ??= s.ttl;
    if (s.stream) def.stream ??= s.stream;
  }
  def.indexes = [...indexes.values()];
  return def;
}

/** The SDK form of an index projection. */
export function sdkProjection(p: Projection): SdkProjection {
  if (p === 'all') return { ProjectionType: 'ALL' };
  if (p === 'keys') return { ProjectionType: 'KEYS_ONLY' };
  return { ProjectionType: 'INCLUDE', NonKeyAttributes: [...p] };
}

/** The KeySchema of a hash and optional range key. */
export function keySchema(hash: string, range?: string) {
  return [{ AttributeName: hash, KeyType: 'HASH' as const }, ...(range ? [{ AttributeName: range, KeyType: 'RANGE' as const }] : [])];
}

/** A projection as comparable text: `ALL`, `KEYS_ONLY`, `INCLUDE(a,b)` (names sorted). */
export function projectionText(p?: { ProjectionType?: string; NonKeyAttributes?: string[] }): string {
  const type = p?.ProjectionType ?? 'ALL';
  return type === 'INCLUDE' ? `INCLUDE(${[...(p?.NonKeyAttributes ?? [])].sort().join(',')})` : type;
}

/** The CreateTable input for a table definition. */
export function createTableInput(def: TableDefinition, billing: Billing = 'on-demand'): CreateTableCommandInput {
  const provisioned = billing !== 'on-demand' ? { ReadCapacityUnits: billing.read, WriteCapacityUnits: billing.write } : undefined;
  const attributeDefinitions: AttributeDefinition[] = Object.entries(def.attributeTypes).map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType }));
  const gsis: GlobalSecondaryIndex[] = def.indexes.filter((i) => i.type === 'gsi').map((i) => ({
    IndexName: i.name,
    KeySchema: keySchema(i.hash, i.range),
    Projection: sdkProjection(i.projection),
    ...(provisioned ? { ProvisionedThroughput: i.throughput ? { ReadCapacityUnits: i.throughput.read, WriteCapacityUnits: i.throughput.write } : provisioned } : {}),
  }));
  const lsis: LocalSecondaryIndex[] = def.indexes.filter((i) => i.type === 'lsi').map((i) => ({
    IndexName: i.name,
    KeySchema: keySchema(i.hash, i.range),
    Projection: sdkProjection(i.projection),
  }));
  return {
    TableName: def.name,
    KeySchema: keySchema(def.hash.name, def.range?.name),
    AttributeDefinitions: attributeDefinitions,
    ...(gsis.length ? { GlobalSecondaryIndexes: gsis } : {}),
    ...(lsis.length ? { LocalSecondaryIndexes: lsis } : {}),
    ...(provisioned ? { BillingMode: 'PROVISIONED', ProvisionedThroughput: provisioned } : { BillingMode: 'PAY_PER_REQUEST' }),
    ...(def.stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: def.stream } } : {}),
  };
}
