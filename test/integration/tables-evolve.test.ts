/**
 * Tables that evolve, against DynamoDB Local: planTables lists the exact requests a live
 * table needs in the order DynamoDB accepts, ensureTables({ apply: true }) sends them one at a
 * time and settles between them, and changes no request can make are refused before any.
 */
import { expect } from 'chai';
import { DescribeTableCommand, DescribeTimeToLiveCommand, type TableDescription } from '@aws-sdk/client-dynamodb';
import {
  Model, TableChangeRefusedError, TableMismatchError, TablePlan, date, gsi, lsi, number, string, type TableProgress,
} from '../../src/index.js';
import { testDb } from '../harness/db.js';

const { db, counter, drop } = testDb('evolve-');
const client = db.connection.client;

const attributes = { id: string(), at: number(), owner: string(), kind: string(), expires: date({ format: 'epoch' }).optional(), gone: date({ format: 'epoch' }).optional() };

class V1 extends Model({ table: 'docs', key: { hash: 'id' }, attributes, indexes: { byOwner: gsi({ hash: 'owner' }) } }) {}
class V2 extends Model({
  table: 'docs', key: { hash: 'id' }, attributes,
  indexes: { byKind: gsi({ hash: 'kind', range: 'at', projection: 'keys' }), byAt: gsi({ hash: 'at' }) },
  stream: 'NEW_IMAGE', ttl: 'expires',
}) {}
class V3 extends Model({
  table: 'docs', key: { hash: 'id' }, attributes,
  indexes: { byKind: gsi({ hash: 'kind', range: 'at', projection: 'keys' }), byAt: gsi({ hash: 'at' }) },
  stream: 'NEW_AND_OLD_IMAGES', ttl: 'gone',
}) {}
class V4 extends Model({ table: 'docs', key: { hash: 'id' }, attributes, indexes: { byKind: gsi({ hash: 'kind', range: 'at', projection: 'all' }) } }) {}

async function describeLive(name: string): Promise<TableDescription> {
  return (await client.send(new DescribeTableCommand({ TableName: name }))).Table!;
}
const gsiNames = (t: TableDescription) => (t.GlobalSecondaryIndexes ?? []).map((g) => g.IndexName).sort();
const changeCommands = () => counter.commands().filter((c) => !/^Describe/.test(c));

async function refused(run: Promise<unknown>): Promise<TableChangeRefusedError> {
  try {
    await run;
  } catch (err) {
    expect(err).to.be.instanceOf(TableChangeRefusedError);
    expect((err as TableChangeRefusedError).code).to.equal('TABLE_CHANGE_REFUSED');
    return err as TableChangeRefusedError;
  }
  expect.fail('expected a TableChangeRefusedError');
}

describe('tables that evolve (DynamoDB Local)', () => {
  after(() => drop([V1]));

  it('plans a missing table as CreateTable then TTL, and apply creates it', async () => {
    const plan = await db.planTables([V2]);
    expect(plan).to.be.instanceOf(TablePlan);
    expect(plan.steps.map((s) => s.kind)).to.deep.equal(['create-table', 'update-ttl']);
    expect(plan.steps[0].input).to.deep.include({ TableName: 'evolve-docs', BillingMode: 'PAY_PER_REQUEST' });
    expect(plan.steps[1].input).to.deep.equal({ TableName: 'evolve-docs', TimeToLiveSpecification: { AttributeName: 'expires', Enabled: true } });
    expect(plan.toString()).to.equal([
      'table evolve-docs:',
      '  1. CreateTable: create table (2 indexes)',
      '  2. UpdateTimeToLive: enable TTL on "expires"',
    ].join('\n'));
    await db.ensureTables([V2], { apply: true });
    expect((await db.planTables([V2])).empty).to.equal(true);
    expect((await db.planTables([V2])).toString()).to.equal('tables are up to date');
    await db.deleteTables([V2]);
  });

  it('adds and removes GSIs one per UpdateTable, then stream and TTL, waiting for backfill', async () => {
    await db.createTables([V1]);
    for (let i = 0; i < 30; i++) await new V1({ id: `d${i}`, at: i, owner: 'ann', kind: i % 2 ? 'odd' : 'even' }).save();
    counter.reset();
    const plan = await db.planTables([V2]);
    expect(changeCommands()).to.deep.equal([]);
    expect(plan.refused).to.deep.equal([]);
    expect(plan.toString()).to.equal([
      'table evolve-docs:',
      '  1. UpdateTable: delete index "byOwner"',
      '  2. UpdateTable: create index "byKind" (kind, at; KEYS_ONLY)',
      '  3. UpdateTable: create index "byAt" (at; ALL)',
      '  4. UpdateTable: enable stream (NEW_IMAGE)',
      '  5. UpdateTimeToLive: enable TTL on "expires"',
    ].join('\n'));
    expect(plan.steps.map((s) => s.input)).to.deep.equal([
      { TableName: 'evolve-docs', GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: 'byOwner' } }] },
      {
        TableName: 'evolve-docs',
        AttributeDefinitions: [{ AttributeName: 'kind', AttributeType: 'S' }, { AttributeName: 'at', AttributeType: 'N' }],
        GlobalSecondaryIndexUpdates: [{
          Create: {
            IndexName: 'byKind', Projection: { ProjectionType: 'KEYS_ONLY' },
            KeySchema: [{ AttributeName: 'kind', KeyType: 'HASH' }, { AttributeName: 'at', KeyType: 'RANGE' }],
          },
        }],
      },
      {
        TableName: 'evolve-docs',
        AttributeDefinitions: [{ AttributeName: 'at', AttributeType: 'N' }],
        GlobalSecondaryIndexUpdates: [{ Create: { IndexName: 'byAt', Projection: { ProjectionType: 'ALL' }, KeySchema: [{ AttributeName: 'at', KeyType: 'HASH' }] } }],
      },
      { TableName: 'evolve-docs', StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' } },
      { TableName: 'evolve-docs', TimeToLiveSpecification: { AttributeName: 'expires', Enabled: true } },
    ]);

    const progress: TableProgress[] = [];
    counter.reset();
    await db.ensureTables([V2], { apply: true, onProgress: (p) => progress.push(p) });
    expect(changeCommands()).to.deep.equal(['UpdateTableCommand', 'UpdateTableCommand', 'UpdateTableCommand', 'UpdateTableCommand', 'UpdateTimeToLiveCommand']);
    expect(progress.map((p) => `${p.phase} ${p.index}/${p.total}`)).to.deep.equal([
      'start 1/5', 'done 1/5', 'start 2/5', 'done 2/5', 'start 3/5', 'done 3/5', 'start 4/5', 'done 4/5', 'start 5/5', 'done 5/5',
    ]);
    expect(progress[1].step).to.deep.equal(plan.steps[0]);

    const t = await describeLive('evolve-docs');
    expect(gsiNames(t)).to.deep.equal(['byAt', 'byKind']);
    expect(t.GlobalSecondaryIndexes!.every((g) => g.IndexStatus === 'ACTIVE')).to.equal(true);
    expect(t.StreamSpecification).to.deep.equal({ StreamEnabled: true, StreamViewType: 'NEW_IMAGE' });
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: 'evolve-docs' }));
    expect(ttl.TimeToLiveDescription).to.deep.include({ AttributeName: 'expires', TimeToLiveStatus: 'ENABLED' });
    // The new index was backfilled with the items written before it existed.
    const odd = await V2.query({ kind: 'odd' }, { index: 'byKind' }).all();
    expect(odd).to.have.length(15);
    expect((await db.planTables([V2])).empty).to.equal(true);
  });

  it('changes a stream view type and a TTL attribute by disabling then enabling', async () => {
    const plan = await db.planTables([V3]);
    expect(plan.toString()).to.equal([
      'table evolve-docs:',
      '  1. UpdateTable: disable stream (NEW_IMAGE)',
      '  2. UpdateTable: enable stream (NEW_AND_OLD_IMAGES)',
      '  3. UpdateTimeToLive: disable TTL on "expires"',
      '  4. UpdateTimeToLive: enable TTL on "gone"',
    ].join('\n'));
    expect(plan.steps[0].input).to.deep.equal({ TableName: 'evolve-docs', StreamSpecification: { StreamEnabled: false } });
    await db.ensureTables([V3], { apply: true });
    const t = await describeLive('evolve-docs');
    expect(t.StreamSpecification).to.deep.equal({ StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' });
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: 'evolve-docs' }));
    expect(ttl.TimeToLiveDescription).to.deep.include({ AttributeName: 'gone', TimeToLiveStatus: 'ENABLED' });
    expect((await db.planTables([V3])).empty).to.equal(true);
  });

  it('switches billing with the table and every GSI throughput in one UpdateTable, and back', async () => {
    const plan = await db.planTables([V3], { billing: { read: 4, write: 3 } });
    expect(plan.steps.map((s) => s.input)).to.deep.equal([{
      TableName: 'evolve-docs', BillingMode: 'PROVISIONED', ProvisionedThroughput: { ReadCapacityUnits: 4, WriteCapacityUnits: 3 },
      GlobalSecondaryIndexUpdates: [
        { Update: { IndexName: 'byKind', ProvisionedThroughput: { ReadCapacityUnits: 4, WriteCapacityUnits: 3 } } },
        { Update: { IndexName: 'byAt', ProvisionedThroughput: { ReadCapacityUnits: 4, WriteCapacityUnits: 3 } } },
      ],
    }]);
    expect(plan.toString()).to.equal('table evolve-docs:\n  1. UpdateTable: switch billing to provisioned 4/3, "byKind" 4/3, "byAt" 4/3');
    await db.ensureTables([V3], { apply: true, billing: { read: 4, write: 3 } });
    const t = await describeLive('evolve-docs');
    expect(t.ProvisionedThroughput).to.deep.include({ ReadCapacityUnits: 4, WriteCapacityUnits: 3 });
    expect(t.GlobalSecondaryIndexes!.map((g) => g.ProvisionedThroughput?.ReadCapacityUnits)).to.deep.equal([4, 4]);
    expect((await db.planTables([V3])).empty, 'without billing a table keeps its own').to.equal(true);

    const more = await db.planTables([V3], { billing: { read: 6, write: 3 } });
    expect(more.toString()).to.equal('table evolve-docs:\n  1. UpdateTable: table throughput 6/3, "byKind" 6/3, "byAt" 6/3');
    expect(more.steps[0].input).to.not.have.property('BillingMode');
    await db.ensureTables([V3], { apply: true, billing: { read: 6, write: 3 } });
    expect((await describeLive('evolve-docs')).ProvisionedThroughput).to.deep.include({ ReadCapacityUnits: 6 });

    const back = await db.planTables([V3], { billing: 'on-demand' });
    expect(back.steps.map((s) => s.input)).to.deep.equal([{ TableName: 'evolve-docs', BillingMode: 'PAY_PER_REQUEST' }]);
    await db.ensureTables([V3], { apply: true, billing: 'on-demand' });
    expect((await describeLive('evolve-docs')).BillingModeSummary?.BillingMode).to.equal('PAY_PER_REQUEST');
  });

  it('refuses a GSI projection change before any request unless recreateIndexes, then deletes and re-creates it', async () => {
    counter.reset();
    const err = await refused(db.ensureTables([V4], { apply: true }));
    expect(err.refused).to.deep.equal([{
      table: 'evolve-docs',
      change: 'index "byKind" changes projection KEYS_ONLY → ALL: it must be deleted and re-created (pass recreateIndexes: true)',
    }]);
    expect(changeCommands()).to.deep.equal([]);

    const plan = await db.planTables([V4], { recreateIndexes: true });
    expect(plan.toString()).to.equal([
      'table evolve-docs:',
      '  1. UpdateTable: delete index "byKind"',
      '  2. UpdateTable: delete index "byAt"',
      '  3. UpdateTable: create index "byKind" (kind, at; ALL)',
      '  4. UpdateTable: disable stream (NEW_AND_OLD_IMAGES)',
      '  5. UpdateTimeToLive: disable TTL on "gone"',
    ].join('\n'));
    await db.ensureTables([V4], { apply: true, recreateIndexes: true });
    const t = await describeLive('evolve-docs');
    expect(gsiNames(t)).to.deep.equal(['byKind']);
    expect(t.GlobalSecondaryIndexes![0].Projection).to.deep.equal({ ProjectionType: 'ALL' });
    expect((await V4.query({ kind: 'even' }, { index: 'byKind' }).all()).map((d) => d.owner)).to.have.length(15).and.satisfy((o: string[]) => o.every((x) => x === 'ann'));
  });

  it('refuses key schema and LSI changes, naming them, and sends nothing', async () => {
    class Rekeyed extends Model({ table: 'docs', key: { hash: 'id', range: 'at' }, attributes, indexes: { byLocal: lsi({ range: 'kind' }) } }) {}
    counter.reset();
    const plan = await db.planTables([Rekeyed]);
    expect(plan.refused.map((r) => r.change)).to.deep.equal([
      'primary key is id:HASH:S, models declare id:HASH:S,at:RANGE:N',
      'local index "byLocal" is missing (LSIs exist only from CreateTable)',
    ]);
    expect(plan.toString()).to.contain('refused:\n  evolve-docs: primary key is id:HASH:S, models declare id:HASH:S,at:RANGE:N');
    const err = await refused(db.ensureTables([Rekeyed], { apply: true }));
    expect(err.message).to.match(/^cannot apply table changes: evolve-docs: primary key is/);
    expect(changeCommands()).to.deep.equal([]);
  });

  it('without apply, ensureTables still reports drift as TableMismatchError', async () => {
    try {
      await db.ensureTables([V1]);
      expect.fail('expected a TableMismatchError');
    } catch (err) {
      expect(err).to.be.instanceOf(TableMismatchError);
      expect((err as TableMismatchError).differences).to.include('index "byOwner" is missing');
    }
  });
});
