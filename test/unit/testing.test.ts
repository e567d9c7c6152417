import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { localClientConfig, startDynamoDBLocal } from '../../src/testing/index.js';
import { DynagraphError } from '../../src/errors.js';

describe('dynagraph/testing', () => {
  it('localClientConfig gives a local region, dummy credentials and the endpoint', () => {
    expect(localClientConfig('http://127.0.0.1:8000')).to.deep.equal({
      region: 'local',
      endpoint: 'http://127.0.0.1:8000',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  });

  it('rejects at once with DYNAMODB_LOCAL and install advice when java is not on PATH', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'dynagraph-no-java-'));
    const path = process.env.PATH;
    process.env.PATH = empty; // a real PATH lookup that finds no java
    try {
      const started = Date.now();
      const err = await startDynamoDBLocal().then(
        () => expect.fail('started without java'),
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(DynagraphError).with.property('code', 'DYNAMODB_LOCAL');
      expect((err as Error).message).to.include('openjdk-17-jre-headless').and.include('new Dynagraph({ endpoint })');
      expect(Date.now() - started).to.be.below(2000);
    } finally {
      process.env.PATH = path;
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
