/**
 * Table evolution, the pure half: compares a live table (DescribeTable and DescribeTimeToLive
 * answers) with its definition and lists the requests that bring it in line, in an order
 * DynamoDB accepts — one GSI create or delete per UpdateTable, each kind of change in its own
 * call — or the changes no request can make (key schema, LSIs, a GSI's key or projection
 * without `recreateIndexes`).
 */
import type {
  CreateTableCommandInput, GlobalSecondaryIndexUpdate, ProvisionedThroughput, TableDescription, TimeToLiveDescription,
  UpdateTableCommandInput, UpdateTimeToLiveCommandInput,
} from '@aws-sdk/client-dynamodb';
import type { IndexSchema } from '../schema/model-schema.js';
import { createTableInput, keySchema, projectionText, sdkProjection, type Billing, type TableDefinition } from './definition.js';

/** One request of a table plan, with the exact input it sends. */
export type TableStep =
  | { kind: 'create-table'; table: string; description: string; input: CreateTableCommandInput }
  | { kind: 'update-table'; table: string; description: string; input: UpdateTableCommandInput }
  | { kind: 'update-ttl'; table: string; description: string; input: UpdateTimeToLiveCommandInput };

/** A change the models need that no UpdateTable can make. */
export interface RefusedChange {
  table: string;
  change: string;
}

/** Options of table planning. */
export interface PlanTablesOptions {
  /** Wanted billing. When omitted, a live table keeps its billing mode; new tables are on-demand. */
  billing?: Billing | undefined;
  /** Plan a GSI whose key or projection changed as a delete then a create (the index is rebuilt). Default `false`: refused. */
  recreateIndexes?: boolean | undefined;
}

/** What the live tables need: the steps in order, and the changes refused. */
export class TablePlan {
  constructor(readonly steps: readonly TableStep[], readonly refused: readonly RefusedChange[]) {}

  /** Whether the live tables already agree with the models. */
  get empty(): boolean {
    return this.steps.length === 0 && this.refused.length === 0;
  }

  /** One line per step, grouped by table, then the refused changes. */
  toString(): string {
    if (this.empty) return 'tables are up to date';
    const lines: string[] = [];
    let table: string | undefined;
    this.steps.forEach((s, i) => {
      if (s.table !== table) lines.push(`table ${(table = s.table)}:`);
      const command = s.kind === 'create-table' ? 'CreateTable' : s.kind === 'update-table' ? 'UpdateTable' : 'UpdateTimeToLive';
      lines.push(`  ${i + 1}. ${command}: ${s.description}`);
    });
    if (this.refused.length) {
      lines.push('refused:');
      for (const r of this.refused) lines.push(`  ${r.table}: ${r.change}`);
    }
    return lines.join('\n');
  }
}

type Key = { AttributeName?: string; KeyType?: string }[] | undefined;

/** `name:HASH:S,name:RANGE:N` — key names, roles and types, so a type change is a key change. */
function keyText(keys: Key, types: ReadonlyMap<string | undefined, string | undefined>): string {
  return (keys ?? []).map((k) => `${k.AttributeName}:${k.KeyType}:${types.get(k.AttributeName)}`).join(',');
}

function throughput(t: { read: number; write: number }): ProvisionedThroughput {
  return { ReadCapacityUnits: t.read, WriteCapacityUnits: t.write };
}

function sameThroughput(live: { ReadCapacityUnits?: number; WriteCapacityUnits?: number } | undefined, want: ProvisionedThroughput): boolean {
  return live?.ReadCapacityUnits === want.ReadCapacityUnits && live?.WriteCapacityUnits === want.WriteCapacityUnits;
}

/** The steps that create a missing table: CreateTable, then TTL (which needs an ACTIVE table). */
export function createSteps(def: TableDefinition, billing?: Billing): TableStep[] {
  const steps: TableStep[] = [{ kind: 'create-table', table: def.name, description: `create table (${def.indexes.length} indexes)`, input: createTableInput(def, billing) }];
  if (def.ttl) steps.push(ttlStep(def.name, def.ttl, true));
  return steps;
}

function ttlStep(table: string, attribute: string, enabled: boolean): TableStep {
  return {
    kind: 'update-ttl', table, description: `${enabled ? 'enable' : 'disable'} TTL on "${attribute}"`,
    input: { TableName: table, TimeToLiveSpecification: { AttributeName: attribute, Enabled: enabled } },
  };
}

function update(table: string, description: string, input: Omit<UpdateTableCommandInput, 'TableName'>): TableStep {
  return { kind: 'update-table', table, description, input: { TableName: table, ...input } };
}

/** The live table's billing: on-demand, or its provisioned throughput. */
function liveBilling(live: TableDescription): Billing {
  if (live.BillingModeSummary?.BillingMode === 'PAY_PER_REQUEST') return 'on-demand';
  return { read: live.ProvisionedThroughput?.ReadCapacityUnits ?? 0, write: live.ProvisionedThroughput?.WriteCapacityUnits ?? 0 };
}

interface Diff {
  def: TableDefinition;
  live: TableDescription;
  steps: TableStep[];
  refused: string[];
}

/** Compares the primary key, LSIs and GSIs; returns the GSIs to delete and to create. */
function diffIndexes(d: Diff, recreate: boolean): { drop: string[]; add: IndexSchema[]; kept: IndexSchema[] } {
  const { def, live } = d;
  const liveTypes = new Map((live.AttributeDefinitions ?? []).map((a) => [a.AttributeName, a.AttributeType]));
  const wantTypes = new Map<string | undefined, string>(Object.entries(def.attributeTypes));
  const wantKey = keyText(keySchema(def.hash.name, def.range?.name), wantTypes);
  const liveKey = keyText(live.KeySchema, liveTypes);
  if (wantKey !== liveKey) d.refused.push(`primary key is ${liveKey}, models declare ${wantKey}`);
  const liveLsis = new Map((live.LocalSecondaryIndexes ?? []).map((i) => [i.IndexName!, i]));
  for (const idx of def.indexes.filter((i) => i.type === 'lsi')) {
    const got = liveLsis.get(idx.name);
    liveLsis.delete(idx.name);
    const want = keyText(keySchema(idx.hash, idx.range), wantTypes);
    if (!got) d.refused.push(`local index "${idx.name}" is missing (LSIs exist only from CreateTable)`);
    else if (keyText(got.KeySchema, liveTypes) !== want || projectionText(got.Projection) !== projectionText(sdkProjection(idx.projection))) {
      d.refused.push(`local index "${idx.name}" differs (LSIs cannot change)`);
    }
  }
  for (const extra of liveLsis.keys()) d.refused.push(`local index "${extra}" exists but no model declares it (LSIs cannot be removed)`);
  const liveGsis = new Map((live.GlobalSecondaryIndexes ?? []).map((i) => [i.IndexName!, i]));
  const drop: string[] = [];
  const add: IndexSchema[] = [];
  const kept: IndexSchema[] = [];
  for (const idx of def.indexes.filter((i) => i.type === 'gsi')) {
    const got = liveGsis.get(idx.name);
    liveGsis.delete(idx.name);
    if (!got) { add.push(idx); continue; }
    const changes: string[] = [];
    const want = keyText(keySchema(idx.hash, idx.range), wantTypes);
    const gotKey = keyText(got.KeySchema, liveTypes);
    if (gotKey !== want) changes.push(`key ${gotKey} → ${want}`);
    const wantProjection = projectionText(sdkProjection(idx.projection));
    if (projectionText(got.Projection) !== wantProjection) changes.push(`projection ${projectionText(got.Projection)} → ${wantProjection}`);
    if (!changes.length) kept.push(idx);
    else if (recreate) { drop.push(idx.name); add.push(idx); }
    else d.refused.push(`index "${idx.name}" changes ${changes.join(', ')}: it must be deleted and re-created (pass recreateIndexes: true)`);
  }
  drop.push(...liveGsis.keys());
  return { drop, add, kept };
}

/** Billing and throughput of the table and its kept GSIs, in one UpdateTable (a switch to provisioned needs them all at once). */
function billingStep(d: Diff, want: Billing | undefined, kept: IndexSchema[]): void {
  const { live, def } = d;
  const from = liveBilling(live);
  const target = want ?? from;
  if (target === 'on-demand') {
    if (from !== 'on-demand') d.steps.push(update(def.name, 'switch billing to on-demand', { BillingMode: 'PAY_PER_REQUEST' }));
    return;
  }
  const liveGsis = new Map((live.GlobalSecondaryIndexes ?? []).map((i) => [i.IndexName!, i]));
  const switching = from === 'on-demand';
  const tableThroughput = throughput(target);
  const gsiUpdates: GlobalSecondaryIndexUpdate[] = [];
  for (const idx of kept) {
    // Without a declared throughput an index follows the wanted table billing; with no wanted billing it keeps its own.
    const t = idx.throughput ? throughput(idx.throughput) : want || switching ? tableThroughput : undefined;
    if (t && (switching || !sameThroughput(liveGsis.get(idx.name)?.ProvisionedThroughput, t))) {
      gsiUpdates.push({ Update: { IndexName: idx.name, ProvisionedThroughput: t } });
    }
  }
  const tableChanges = switching || !sameThroughput(live.ProvisionedThroughput, tableThroughput);
  if (!tableChanges && !gsiUpdates.length) return;
  const what = [
    switching ? `switch billing to provisioned ${target.read}/${target.write}` : tableChanges ? `table throughput ${target.read}/${target.write}` : '',
    ...gsiUpdates.map((u) => `"${u.Update!.IndexName}" ${u.Update!.ProvisionedThroughput!.ReadCapacityUnits}/${u.Update!.ProvisionedThroughput!.WriteCapacityUnits}`),
  ].filter(Boolean).join(', ');
  d.steps.push(update(def.name, what, {
    ...(switching ? { BillingMode: 'PROVISIONED' } : {}),
    ...(tableChanges ? { ProvisionedThroughput: tableThroughput } : {}),
    ...(gsiUpdates.length ? { GlobalSecondaryIndexUpdates: gsiUpdates } : {}),
  }));
}

function createIndexStep(d: Diff, idx: IndexSchema, billing: Billing): TableStep {
  const keys = [idx.hash, ...(idx.range ? [idx.range] : [])];
  const t = billing === 'on-demand' ? undefined : throughput(idx.throughput ?? billing);
  const key = `${idx.hash}${idx.range ? `, ${idx.range}` : ''}`;
  return update(d.def.name, `create index "${idx.name}" (${key}; ${projectionText(sdkProjection(idx.projection))})`, {
    AttributeDefinitions: keys.map((k) => ({ AttributeName: k, AttributeType: d.def.attributeTypes[k] })),
    GlobalSecondaryIndexUpdates: [{
      Create: { IndexName: idx.name, KeySchema: keySchema(idx.hash, idx.range), Projection: sdkProjection(idx.projection), ...(t ? { ProvisionedThroughput: t } : {}) },
    }],
  });
}

/** A stream's view type cannot be changed in place: disable, then enable with the new type. */
function streamSteps(d: Diff): void {
  const { def, live } = d;
  const enabled = live.StreamSpecification?.StreamEnabled === true;
  const view = enabled ? live.StreamSpecification?.StreamViewType : undefined;
  if (view === def.stream) return;
  if (enabled) d.steps.push(update(def.name, `disable stream (${view})`, { StreamSpecification: { StreamEnabled: false } }));
  if (def.stream) d.steps.push(update(def.name, `enable stream (${def.stream})`, { StreamSpecification: { StreamEnabled: true, StreamViewType: def.stream } }));
}

function ttlSteps(d: Diff, ttl: TimeToLiveDescription | undefined): void {
  const on = /^ENABL/.test(ttl?.TimeToLiveStatus ?? '');
  const liveAttribute = on ? ttl?.AttributeName : undefined;
  if (liveAttribute === d.def.ttl) return;
  if (liveAttribute) d.steps.push(ttlStep(d.def.name, liveAttribute, false));
  if (d.def.ttl) d.steps.push(ttlStep(d.def.name, d.def.ttl, true));
}

/**
 * The steps that bring a live table in line with its definition, in order: GSI deletes, then
 * billing and throughput, then GSI creates (each waits for the index's backfill), streams, TTL.
 */
export function planTable(def: TableDefinition, live: TableDescription, ttl: TimeToLiveDescription | undefined, options: PlanTablesOptions = {}): { steps: TableStep[]; refused: RefusedChange[] } {
  const d: Diff = { def, live, steps: [], refused: [] };
  const { drop, add, kept } = diffIndexes(d, options.recreateIndexes ?? false);
  for (const name of drop) d.steps.push(update(def.name, `delete index "${name}"`, { GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: name } }] }));
  billingStep(d, options.billing, kept);
  const billing = options.billing ?? liveBilling(live);
  for (const idx of add) d.steps.push(createIndexStep(d, idx, billing));
  streamSteps(d);
  ttlSteps(d, ttl);
  return { steps: d.steps, refused: d.refused.map((change) => ({ table: def.name, change })) };
}
