import { createServer, type AddressInfo } from 'node:net';
import { expect } from 'chai';
import {
  CreateTableCommand,
  DeleteTableCommand,
  ListTablesCommand,
  waitUntilTableExists,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { startDynamoDBLocal } from '../../src/testing/index.js';
import { DynagraphError } from '../../src/errors.js';
import { countCommands, testClient } from '../harness/client.js';

describe('test harness (DynamoDB Local)', () => {
  let client: DynamoDBClient;
  const table = `harness-${process.pid}-${Date.now()}`;

  before(() => {
    client = testClient();
  });
  after(() => client.destroy());

  it('creates, lists and deletes a table, counting the commands', async () => {
    const counter = countCommands(client);
    await client.send(
      new CreateTableCommand({
        TableName: table,
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    await waitUntilTableExists({ client, maxWaitTime: 10, minDelay: 1 }, { TableName: table });
    const listed = await client.send(new ListTablesCommand({}));
    expect(listed.TableNames).to.include(table);
    await client.send(new DeleteTableCommand({ TableName: table }));
    const after = await client.send(new ListTablesCommand({}));
    expect(after.TableNames ?? []).not.to.include(table);

    const counts = counter.counts();
    expect(counts).to.include({ CreateTableCommand: 1, ListTablesCommand: 2, DeleteTableCommand: 1 });
    expect(counter.total()).to.equal(4 + (counts.DescribeTableCommand ?? 0));
    counter.reset();
    expect(counter.total()).to.equal(0);
    counter.remove();
    await client.send(new ListTablesCommand({}));
    expect(counter.total()).to.equal(0);
  });

  it('retries throttling quickly, counting one command per send', async () => {
    const fast = testClient({ maxAttempts: 3 });
    const counter = countCommands(fast);
    let throttled = 0;
    // Inside the retry loop: the first attempt is throttled the way the SDK classifies it.
    fast.middlewareStack.add(
      (next) => async (args) => {
        if (throttled++ === 0) throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: {} });
        return next(args);
      },
      { step: 'finalizeRequest', priority: 'low', name: 'throttleOnce' },
    );
    const started = Date.now();
    const out = await fast.send(new ListTablesCommand({}));
    expect(out.$metadata.attempts).to.equal(2);
    expect(Date.now() - started).to.be.below(1000);
    expect(counter.total()).to.equal(1);
    fast.destroy();
  });

  it('rejects at once with DYNAMODB_LOCAL when DynamoDB Local exits early (port taken)', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const err = await startDynamoDBLocal({ port }).then(
        () => expect.fail('started on a taken port'),
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(DynagraphError).with.property('code', 'DYNAMODB_LOCAL');
      expect((err as Error).message).to.match(/exited before answering[\s\S]*Address already in use/);
    } finally {
      server.close();
    }
  });
});
