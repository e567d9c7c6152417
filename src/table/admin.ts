/**
 * Table administration: create (and wait), ensure (idempotent, reports drift as a
 * typed error), delete. Every request goes through the connection's send point.
 */
import {
  CreateTableCommand, DeleteTableCommand, DescribeTableCommand, DescribeTimeToLiveCommand, UpdateTimeToLiveCommand,
  type TableDescription, type TimeToLiveDescription,
} from '@aws-sdk/client-dynamodb';
import type { Connection } from '../client.js';
import { sdkErrorName, TableMismatchError } from '../errors.js';
import { createTableInput, projectionText, sdkProjection as createTableProjection, type Billing, type TableDefinition } from './definition.js';

/** Options of table creation. */
export interface CreateTableOptions {
  /** `'on-demand'` (default) or provisioned `{ read, write }` capacity. */
  billing?: Billing | undefined;
  /** Wait until the table (and its indexes) are ACTIVE. Default `true`. */
  wait?: boolean | undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function isNamed(err: unknown, name: string): boolean {
  return sdkErrorName(err) === name;
}

/** Describes a table; `undefined` when it does not exist. */
export async function describeTable(conn: Connection, name: string): Promise<TableDescription | undefined> {
  try {
    const out = await conn.send<{ Table?: TableDescription }>(new DescribeTableCommand({ TableName: name }), { channel: 'database-access', table: name });
    return out.Table;
  } catch (err) {
    if (isNamed(err, 'ResourceNotFoundException')) return undefined;
    throw err;
  }
}

/** The table's TTL setting. */
export async function describeTtl(conn: Connection, name: string): Promise<TimeToLiveDescription | undefined> {
  const out = await conn.send<{ TimeToLiveDescription?: TimeToLiveDescription }>(new DescribeTimeToLiveCommand({ TableName: name }), { channel: 'database-access', table: name });
  return out.TimeToLiveDescription;
}

/**
 * Polls until the table and all its GSIs are ACTIVE, no index is backfilling and deleted
 * indexes are gone (DescribeTable lists a deleting one until then).
 */
export async function waitUntilActive(conn: Connection, name: string, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 50; ; delay = Math.min(delay * 2, 2000)) {
    const t = await describeTable(conn, name);
    if (t?.TableStatus === 'ACTIVE' && (t.GlobalSecondaryIndexes ?? []).every((g) => g.IndexStatus === 'ACTIVE' && !g.Backfilling)) return;
    if (Date.now() > deadline) throw new Error(`table "${name}" did not become ACTIVE within ${timeoutMs} ms`);
    await sleep(delay);
  }
}

/** Sends a table command, retrying while DynamoDB's account-wide limit on concurrent table operations is hit. */
export async function sendTableCommand(conn: Connection, command: Parameters<Connection['send']>[0], table: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await conn.send(command, { channel: 'database-access', table });
      return;
    } catch (err) {
      if (!isNamed(err, 'LimitExceededException') || attempt > 30) throw err;
      await sleep(Math.min(100 * 2 ** attempt, 5000));
    }
  }
}

/** Creates one table (retrying while DynamoDB's limit on concurrent table operations is hit), then TTL. */
export async function createTable(conn: Connection, def: TableDefinition, options: CreateTableOptions = {}): Promise<void> {
  await sendTableCommand(conn, new CreateTableCommand(createTableInput(def, options.billing)), def.name);
  const wait = options.wait ?? true;
  if (wait || def.ttl) await waitUntilActive(conn, def.name);
  if (def.ttl) {
    await conn.send(new UpdateTimeToLiveCommand({ TableName: def.name, TimeToLiveSpecification: { AttributeName: def.ttl, Enabled: true } }), { channel: 'database-access', table: def.name });
  }
}

/** Differences between a live table and its definition (keys, indexes, TTL); empty when they agree. */
export async function tableDrift(conn: Connection, def: TableDefinition, live: TableDescription): Promise<string[]> {
  const diffs: string[] = [];
  const keyText = (ks?: { AttributeName?: string; KeyType?: string }[]) => (ks ?? []).map((k) => `${k.AttributeName}:${k.KeyType}`).join(',');
  const types = new Map((live.AttributeDefinitions ?? []).map((a) => [a.AttributeName, a.AttributeType]));
  const wantKeys = `${def.hash.name}:HASH${def.range ? `,${def.range.name}:RANGE` : ''}`;
  if (keyText(live.KeySchema) !== wantKeys) diffs.push(`primary key is ${keyText(live.KeySchema)}, models declare ${wantKeys}`);
  for (const [name, type] of Object.entries(def.attributeTypes)) {
    if (types.has(name) && types.get(name) !== type) diffs.push(`attribute "${name}" is ${types.get(name)}, models declare ${type}`);
  }
  const liveIndexes = new Map<string, { key: string; projection: string }>();
  for (const i of [...(live.GlobalSecondaryIndexes ?? []), ...(live.LocalSecondaryIndexes ?? [])]) {
    liveIndexes.set(i.IndexName!, { key: keyText(i.KeySchema), projection: projectionText(i.Projection) });
  }
  for (const idx of def.indexes) {
    const want = `${idx.hash}:HASH${idx.range ? `,${idx.range}:RANGE` : ''}`;
    const got = liveIndexes.get(idx.name);
    if (got === undefined) diffs.push(`index "${idx.name}" is missing`);
    else if (got.key !== want) diffs.push(`index "${idx.name}" has key ${got.key}, models declare ${want}`);
    else {
      // A keys-only index where the model reads whole items would silently return partial ones.
      const wantProjection = projectionText(createTableProjection(idx.projection));
      if (got.projection !== wantProjection) diffs.push(`index "${idx.name}" projects ${got.projection}, models declare ${wantProjection}`);
    }
    liveIndexes.delete(idx.name);
  }
  for (const extra of liveIndexes.keys()) diffs.push(`index "${extra}" exists but no model declares it`);
  if (def.ttl) {
    const d = await describeTtl(conn, def.name);
    if (d?.AttributeName !== def.ttl || !/ENABL/.test(d?.TimeToLiveStatus ?? '')) diffs.push(`TTL is not enabled on "${def.ttl}"`);
  }
  return diffs;
}

/** Creates the table if missing; if it exists, throws TableMismatchError where it differs. */
export async function ensureTable(conn: Connection, def: TableDefinition, options: CreateTableOptions = {}): Promise<'created' | 'exists'> {
  const live = await describeTable(conn, def.name);
  if (!live) {
    try {
      await createTable(conn, def, options);
      return 'created';
    } catch (err) {
      // Another process created it meanwhile: fall through and compare.
      if (!isNamed(err, 'ResourceInUseException')) throw err;
    }
  }
  if (options.wait ?? true) await waitUntilActive(conn, def.name);
  const current = live ?? (await describeTable(conn, def.name))!;
  const diffs = await tableDrift(conn, def, current);
  if (diffs.length) throw new TableMismatchError(def.name, diffs);
  return 'exists';
}

/** Deletes a table; a missing table is not an error. Waits until it is gone when `wait`. */
export async function deleteTable(conn: Connection, name: string, options: { wait?: boolean } = {}): Promise<void> {
  try {
    await conn.send(new DeleteTableCommand({ TableName: name }), { channel: 'database-access', table: name });
  } catch (err) {
    if (isNamed(err, 'ResourceNotFoundException')) return;
    throw err;
  }
  if (options.wait ?? true) {
    for (let delay = 50; await describeTable(conn, name); delay = Math.min(delay * 2, 2000)) await sleep(delay);
  }
}
