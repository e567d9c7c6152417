/**
 * Table administration against DynamoDB Local: what createTables derives from models,
 * ensureTables' idempotence and drift reports, deleteTable.
 */
import { expect } from 'chai';
import {
  CreateTableCommand, DescribeTableCommand, DescribeTimeToLiveCommand, UpdateTimeToLiveCommand, type CreateTableCommandInput, type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { Model, SchemaError, TableMismatchError, gsi, lsi, string, number, date, stringSet, template, type AnyModel } from '../../src/index.js';
import { testDb } from '../harness/db.js';

const { db, counter, drop } = testDb('tables-');
const client = db.connection.client;

class Thread extends Model({
  table: 'threads',
  key: { hash: 'forum', range: 'subject' },
  attributes: {
    forum: string(), subject: string(), author: string(), posted: date(), views: number(), title: string().optional(),
    tags: stringSet(), expires: date({ format: 'epoch' }).optional(),
  },
  indexes: {
    byAuthor: gsi({ hash: 'author', range: 'posted', projection: 'keys' }),
    byViews: gsi({ hash: 'views' }),
    byTitle: gsi({ hash: 'author', range: 'title', projection: ['views', 'tags'] }),
    byPosted: lsi({ range: 'posted', projection: 'all' }),
  },
  ttl: 'expires',
  stream: 'NEW_AND_OLD_IMAGES',
}) {}

class Counter extends Model({ table: 'counters', key: { hash: 'id' }, attributes: { id: number(), n: number() } }) {}

class Person extends Model({
  table: 'single', key: { hash: 'pk', range: 'sk' }, entity: 'Person',
  attributes: { pk: template('P#{name}'), sk: template('META'), name: string(), email: string() },
  indexes: { byEmail: gsi({ hash: 'email' }) },
}) {}
class Pet extends Model({
  table: 'single', key: { hash: 'pk', range: 'sk' }, entity: 'Pet',
  attributes: { pk: template('P#{owner}'), sk: template('PET#{petName}'), owner: string(), petName: string() },
}) {}

class Plain extends Model({ table: 'plain', key: { hash: 'id' }, attributes: { id: string(), g: string() }, indexes: { byG: gsi({ hash: 'g' }) } }) {}

async function describeLive(name: string): Promise<TableDescription> {
  return (await client.send(new DescribeTableCommand({ TableName: name }))).Table!;
}

async function mismatch(models: AnyModel[]): Promise<TableMismatchError> {
  try {
    await db.ensureTables(models);
  } catch (err) {
    expect(err).to.be.instanceOf(TableMismatchError);
    expect((err as TableMismatchError).code).to.equal('TABLE_MISMATCH');
    return err as TableMismatchError;
  }
  expect.fail('expected a TableMismatchError');
}

const byName = <T extends { IndexName?: string }>(list: T[] | undefined) => Object.fromEntries((list ?? []).map((i) => [i.IndexName, i]));

describe('tables (DynamoDB Local)', () => {
  after(() => drop([Thread, Counter, Person, Plain]));

  it('createTables derives keys, attribute definitions, indexes, TTL and stream', async () => {
    await db.createTables([Thread]);
    const t = await describeLive('tables-threads');
    expect(t.TableStatus).to.equal('ACTIVE');
    expect(t.KeySchema).to.deep.equal([{ AttributeName: 'forum', KeyType: 'HASH' }, { AttributeName: 'subject', KeyType: 'RANGE' }]);
    // Only key and index attributes are defined; title is an index key, tags and expires are not keys.
    const defs = Object.fromEntries(t.AttributeDefinitions!.map((a) => [a.AttributeName, a.AttributeType]));
    expect(defs).to.deep.equal({ forum: 'S', subject: 'S', author: 'S', posted: 'S', views: 'N', title: 'S' });
    const gsis = byName(t.GlobalSecondaryIndexes);
    expect(Object.keys(gsis).sort()).to.deep.equal(['byAuthor', 'byTitle', 'byViews']);
    expect(gsis.byAuthor.KeySchema).to.deep.equal([{ AttributeName: 'author', KeyType: 'HASH' }, { AttributeName: 'posted', KeyType: 'RANGE' }]);
    expect(gsis.byAuthor.Projection).to.deep.equal({ ProjectionType: 'KEYS_ONLY' });
    expect(gsis.byViews.KeySchema).to.deep.equal([{ AttributeName: 'views', KeyType: 'HASH' }]);
    expect(gsis.byViews.Projection).to.deep.equal({ ProjectionType: 'ALL' });
    expect(gsis.byTitle.Projection!.ProjectionType).to.equal('INCLUDE');
    expect([...gsis.byTitle.Projection!.NonKeyAttributes!].sort()).to.deep.equal(['tags', 'views']);
    const lsis = byName(t.LocalSecondaryIndexes);
    expect(lsis.byPosted.KeySchema).to.deep.equal([{ AttributeName: 'forum', KeyType: 'HASH' }, { AttributeName: 'posted', KeyType: 'RANGE' }]);
    expect(lsis.byPosted.Projection).to.deep.equal({ ProjectionType: 'ALL' });
    expect(t.StreamSpecification).to.deep.equal({ StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' });
    expect(t.BillingModeSummary?.BillingMode).to.equal('PAY_PER_REQUEST');
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: 'tables-threads' }));
    expect(ttl.TimeToLiveDescription).to.deep.include({ AttributeName: 'expires', TimeToLiveStatus: 'ENABLED' });
  });

  it('provisioned billing sets the table and index throughput', async () => {
    await db.createTable(Counter, { billing: { read: 3, write: 2 } });
    await db.createTable(Plain, { billing: { read: 3, write: 2 }, wait: true });
    const c = await describeLive('tables-counters');
    expect(c.ProvisionedThroughput).to.deep.include({ ReadCapacityUnits: 3, WriteCapacityUnits: 2 });
    expect(c.BillingModeSummary?.BillingMode).to.not.equal('PAY_PER_REQUEST');
    expect(c.AttributeDefinitions).to.deep.equal([{ AttributeName: 'id', AttributeType: 'N' }]);
    const p = await describeLive('tables-plain');
    expect(p.GlobalSecondaryIndexes![0].ProvisionedThroughput).to.deep.include({ ReadCapacityUnits: 3, WriteCapacityUnits: 2 });
    await db.deleteTables([Counter, Plain]);
  });

  it('two models on one table make one table with the union of their indexes', async () => {
    counter.reset();
    await db.createTables([Person, Pet]);
    expect(counter.counts().CreateTableCommand).to.equal(1);
    const t = await describeLive('tables-single');
    expect(t.KeySchema!.map((k) => k.AttributeName)).to.deep.equal(['pk', 'sk']);
    expect(Object.keys(byName(t.GlobalSecondaryIndexes))).to.deep.equal(['byEmail']);
    await new Pet({ owner: 'ann', petName: 'rex' }).save();
    expect((await Pet.get({ owner: 'ann', petName: 'rex' }))!.sk).to.equal('PET#rex');
  });

  it('models that cannot share a table are SchemaErrors', () => {
    class NoEntity extends Model({ table: 'single', key: { hash: 'pk', range: 'sk' }, attributes: { pk: string(), sk: string() } }) {}
    expect(() => db.tables([Person, NoEntity])).to.throw(SchemaError, /needs an `entity` name/);
    class OtherKey extends Model({ table: 'single', key: { hash: 'pk' }, entity: 'X', attributes: { pk: string() } }) {}
    expect(() => db.tables([Person, OtherKey])).to.throw(SchemaError, /disagree on the primary key/);
    class NumericPk extends Model({ table: 'single', key: { hash: 'pk', range: 'sk' }, entity: 'Y', attributes: { pk: number(), sk: string() } }) {}
    expect(() => db.tables([Person, NumericPk])).to.throw(SchemaError, /"pk" is S in one model and N/);
    class SameIndex extends Model({
      table: 'single', key: { hash: 'pk', range: 'sk' }, entity: 'Z',
      attributes: { pk: string(), sk: string(), phone: string() }, indexes: { byEmail: gsi({ hash: 'phone' }) },
    }) {}
    expect(() => db.tables([Person, SameIndex])).to.throw(SchemaError, /index "byEmail" is declared differently/);
  });

  it('ensureTables creates what is missing and is idempotent', async () => {
    await db.deleteTables([Plain]);
    await db.ensureTables([Plain, Thread]);
    expect((await describeLive('tables-plain')).TableStatus).to.equal('ACTIVE');
    counter.reset();
    await db.ensureTables([Plain, Thread, Person, Pet]);
    await db.ensureTables([Plain, Thread, Person, Pet]);
    const counts = counter.counts();
    expect(counts.CreateTableCommand ?? 0).to.equal(0);
    expect(counts.UpdateTimeToLiveCommand ?? 0).to.equal(0);
  });

  describe('drift', () => {
    const raw = async (input: Omit<CreateTableCommandInput, 'BillingMode'>) => {
      await client.send(new CreateTableCommand({ BillingMode: 'PAY_PER_REQUEST', ...input }));
    };
    class Drift extends Model({
      table: 'drift', key: { hash: 'id', range: 'at' },
      attributes: { id: string(), at: number(), owner: string(), kind: string(), exp: date({ format: 'epoch' }) },
      indexes: { byOwner: gsi({ hash: 'owner', range: 'at' }), byKind: gsi({ hash: 'kind', projection: 'keys' }) },
      ttl: 'exp',
    }) {}
    afterEach(() => db.deleteTables([Drift]));

    it('reports a different primary key, attribute type, missing, extra and re-keyed indexes and TTL, all at once', async () => {
      await raw({
        TableName: 'tables-drift',
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }, { AttributeName: 'created', KeyType: 'RANGE' }],
        AttributeDefinitions: [
          { AttributeName: 'id', AttributeType: 'N' }, { AttributeName: 'created', AttributeType: 'S' },
          { AttributeName: 'owner', AttributeType: 'S' }, { AttributeName: 'other', AttributeType: 'S' },
        ],
        GlobalSecondaryIndexes: [
          { IndexName: 'byOwner', KeySchema: [{ AttributeName: 'owner', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } },
          { IndexName: 'legacy', KeySchema: [{ AttributeName: 'other', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } },
        ],
      });
      const err = await mismatch([Drift]);
      expect(err.differences).to.have.members([
        'primary key is id:HASH,created:RANGE, models declare id:HASH,at:RANGE',
        'attribute "id" is N, models declare S',
        'index "byOwner" has key owner:HASH, models declare owner:HASH,at:RANGE',
        'index "byKind" is missing',
        'index "legacy" exists but no model declares it',
        'TTL is not enabled on "exp"',
      ]);
      expect(err.message).to.match(/^table "tables-drift" differs from its models: /);
    });

    it('reports an index whose projection differs', async () => {
      await raw({
        TableName: 'tables-drift',
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }, { AttributeName: 'at', KeyType: 'RANGE' }],
        AttributeDefinitions: [
          { AttributeName: 'id', AttributeType: 'S' }, { AttributeName: 'at', AttributeType: 'N' },
          { AttributeName: 'owner', AttributeType: 'S' }, { AttributeName: 'kind', AttributeType: 'S' },
        ],
        GlobalSecondaryIndexes: [
          { IndexName: 'byOwner', KeySchema: [{ AttributeName: 'owner', KeyType: 'HASH' }, { AttributeName: 'at', KeyType: 'RANGE' }], Projection: { ProjectionType: 'KEYS_ONLY' } },
          { IndexName: 'byKind', KeySchema: [{ AttributeName: 'kind', KeyType: 'HASH' }], Projection: { ProjectionType: 'KEYS_ONLY' } },
        ],
      });
      await client.send(new UpdateTimeToLiveCommand({ TableName: 'tables-drift', TimeToLiveSpecification: { AttributeName: 'exp', Enabled: true } }));
      const err = await mismatch([Drift]);
      expect(err.differences).to.deep.equal(['index "byOwner" projects KEYS_ONLY, models declare ALL']);
    });
  });

  it('deleteTable removes the table; deleting a missing table is fine', async () => {
    await db.deleteTable(Plain);
    let name: string | undefined;
    try {
      await describeLive('tables-plain');
    } catch (err) {
      name = (err as Error).name;
    }
    expect(name).to.equal('ResourceNotFoundException');
    await db.deleteTable(Plain);
  });
});
