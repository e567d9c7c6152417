/**
 * The pure table planner: a live DescribeTable answer and a definition in, the steps and
 * refusals out — the cases DynamoDB Local cannot set up or is lenient about.
 */
import { expect } from 'chai';
import type { TableDescription } from '@aws-sdk/client-dynamodb';
import { Model, gsi, lsi, number, string } from '../../src/index.js';
import { tableDefinition } from '../../src/table/definition.js';
import { planTable } from '../../src/table/plan.js';

class Item extends Model({
  table: 'items', key: { hash: 'id', range: 'at' },
  attributes: { id: string(), at: number(), owner: string(), kind: string() },
  indexes: { byOwner: gsi({ hash: 'owner', throughput: { read: 7, write: 2 } }), byKind: lsi({ range: 'kind', projection: 'keys' }) },
}) {}
const def = tableDefinition('items', [Item.schema]);

function live(patch: Partial<TableDescription> = {}): TableDescription {
  return {
    TableName: 'items', TableStatus: 'ACTIVE',
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }, { AttributeName: 'at', KeyType: 'RANGE' }],
    AttributeDefinitions: [
      { AttributeName: 'id', AttributeType: 'S' }, { AttributeName: 'at', AttributeType: 'N' },
      { AttributeName: 'owner', AttributeType: 'S' }, { AttributeName: 'kind', AttributeType: 'S' },
    ],
    ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
    GlobalSecondaryIndexes: [{
      IndexName: 'byOwner', KeySchema: [{ AttributeName: 'owner', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' },
      IndexStatus: 'ACTIVE', ProvisionedThroughput: { ReadCapacityUnits: 7, WriteCapacityUnits: 2 },
    }],
    LocalSecondaryIndexes: [{
      IndexName: 'byKind', KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }, { AttributeName: 'kind', KeyType: 'RANGE' }], Projection: { ProjectionType: 'KEYS_ONLY' },
    }],
    ...patch,
  };
}

describe('table plan (pure)', () => {
  it('a provisioned table that matches needs nothing, and keeps its throughput without `billing`', () => {
    expect(planTable(def, live(), undefined)).to.deep.equal({ steps: [], refused: [] });
  });

  it('a changed provisioned throughput updates only what differs; a declared GSI throughput wins', () => {
    const { steps } = planTable(def, live(), undefined, { billing: { read: 5, write: 9 } });
    expect(steps.map((s) => s.input)).to.deep.equal([{ TableName: 'items', ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 9 } }]);
    const gsiOnly = live({ GlobalSecondaryIndexes: [{ ...live().GlobalSecondaryIndexes![0], ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 } }] });
    expect(planTable(def, gsiOnly, undefined).steps.map((s) => s.input)).to.deep.equal([{
      TableName: 'items', GlobalSecondaryIndexUpdates: [{ Update: { IndexName: 'byOwner', ProvisionedThroughput: { ReadCapacityUnits: 7, WriteCapacityUnits: 2 } } }],
    }]);
  });

  it('a GSI created on a provisioned table carries its throughput', () => {
    const { steps } = planTable(def, live({ GlobalSecondaryIndexes: [] }), undefined);
    expect(steps.map((s) => s.input)).to.deep.equal([{
      TableName: 'items', AttributeDefinitions: [{ AttributeName: 'owner', AttributeType: 'S' }],
      GlobalSecondaryIndexUpdates: [{
        Create: {
          IndexName: 'byOwner', KeySchema: [{ AttributeName: 'owner', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' },
          ProvisionedThroughput: { ReadCapacityUnits: 7, WriteCapacityUnits: 2 },
        },
      }],
    }]);
  });

  it('refuses a key attribute type change, a removed and a changed LSI, a re-keyed GSI', () => {
    const { steps, refused } = planTable(def, live({
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'N' }, { AttributeName: 'at', AttributeType: 'N' }, { AttributeName: 'owner', AttributeType: 'S' }, { AttributeName: 'kind', AttributeType: 'S' }],
      GlobalSecondaryIndexes: [{ IndexName: 'byOwner', KeySchema: [{ AttributeName: 'owner', KeyType: 'HASH' }, { AttributeName: 'at', KeyType: 'RANGE' }], Projection: { ProjectionType: 'ALL' } }],
      LocalSecondaryIndexes: [
        { IndexName: 'byKind', KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }, { AttributeName: 'kind', KeyType: 'RANGE' }], Projection: { ProjectionType: 'ALL' } },
        { IndexName: 'old', KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }, { AttributeName: 'owner', KeyType: 'RANGE' }], Projection: { ProjectionType: 'ALL' } },
      ],
    }), undefined);
    expect(steps).to.deep.equal([]);
    expect(refused.map((r) => r.change)).to.deep.equal([
      'primary key is id:HASH:N,at:RANGE:N, models declare id:HASH:S,at:RANGE:N',
      'local index "byKind" differs (LSIs cannot change)',
      'local index "old" exists but no model declares it (LSIs cannot be removed)',
      'index "byOwner" changes key owner:HASH:S,at:RANGE:N → owner:HASH:S: it must be deleted and re-created (pass recreateIndexes: true)',
    ]);
  });

  it('TTL while disabling or on another attribute, and a stream nobody declares', () => {
    const { steps } = planTable(def, live({ StreamSpecification: { StreamEnabled: true, StreamViewType: 'KEYS_ONLY' } }), { AttributeName: 'exp', TimeToLiveStatus: 'ENABLED' });
    expect(steps.map((s) => s.description)).to.deep.equal(['disable stream (KEYS_ONLY)', 'disable TTL on "exp"']);
    expect(planTable(def, live(), { AttributeName: 'exp', TimeToLiveStatus: 'DISABLING' }).steps).to.deep.equal([]);
  });
});
