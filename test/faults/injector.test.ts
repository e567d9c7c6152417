/**
 * The fault injector of `dynagraph/testing` itself, against DynamoDB Local: each kind does
 * what it says (and is counted), the SDK retries what it should, held-back batch entries
 * are really not read or written, a response lost after the request reached DynamoDB means
 * the write happened, and a seed fixes the sequence of faults.
 */
import { expect } from 'chai';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { Model, TransactionCanceledError, UnprocessedError, number, string } from '../../src/index.js';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Dynagraph } from '../../src/index.js';
import { fastRetryStrategy, injectFaults, localClientConfig, type FaultKind, type InjectedFault } from '../../src/testing/index.js';
import { testEndpoint } from '../harness/client.js';
import { testDb } from '../harness/db.js';

class Box extends Model({ table: 'boxes', key: { hash: 'id' }, attributes: { id: string(), n: number() } }) {}

const { db, counter, drop } = testDb('faults-inj-', { retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 2 }, client: { maxAttempts: 3 } });
const client = db.connection.client;

async function caught(p: Promise<unknown>): Promise<Error & Record<string, any>> {
  try {
    await p;
  } catch (err) {
    return err as Error & Record<string, any>;
  }
  expect.fail('expected a rejection');
}

const stored = async (id: string) => (await Box.get({ id }, { db, consistent: true }))?.n;

describe('fault injector (dynagraph/testing, DynamoDB Local)', () => {
  before(async () => {
    await db.createTables([Box]);
    await Box.putMany(Array.from({ length: 20 }, (_, i) => ({ id: `b${i}`, n: i })), { db });
  });
  after(() => drop([Box]));
  beforeEach(() => counter.reset());

  it('throttling: ProvisionedThroughputExceededException on every attempt, retried by the SDK, nothing written', async () => {
    const faults = injectFaults(client, { rate: 1, kinds: { throttle: 1 } });
    try {
      const err = await caught(Box.put({ id: 't1', n: 1 }, { db }));
      // A DynagraphError whose cause is the SDK's error.
      expect(err.code).to.equal('THROTTLED');
      expect((err.cause as Record<string, any>).name).to.equal('ProvisionedThroughputExceededException');
      expect((err.cause as Record<string, any>).$metadata.attempts).to.equal(3);
      expect(faults.counts).to.include({ throttle: 3, attempts: 3 });
    } finally {
      faults.remove();
    }
    expect(await stored('t1')).to.equal(undefined);
  });

  it('a fault on the first attempt only: the SDK retries and the command succeeds', async () => {
    let faults = injectFaults(client, { rate: 1, kinds: { serverError: 1 }, onFault: () => void (faults.enabled = false) });
    try {
      await Box.put({ id: 't2', n: 2 }, { db });
      expect(faults.counts.serverError).to.equal(1);
    } finally {
      faults.remove();
    }
    expect(await stored('t2')).to.equal(2);
  });

  it('500s and dropped connections before sending are retried by the SDK and never reach DynamoDB', async () => {
    for (const kind of ['serverError', 'resetBefore'] as const) {
      // Only the put: deciding its unknown outcome reads the item, and that read must get through.
      const faults = injectFaults(client, { rate: 1, kinds: { [kind]: { operations: ['PutItem'] } } });
      try {
        const err = await caught(Box.put({ id: `t-${kind}`, n: 1 }, { db }));
        // A 500 or a reset may follow a request DynamoDB applied: for a write, the outcome is unknown.
        expect(err.code).to.equal('OUTCOME_UNKNOWN');
        if (kind === 'serverError') expect((err.cause as Record<string, any>).name).to.equal('InternalServerError');
        else expect((err.cause as Record<string, any>).code).to.equal('ECONNRESET');
        expect(faults.counts[kind]).to.equal(3);
        expect(faults.total()).to.equal(3);
      } finally {
        faults.remove();
      }
      expect(await stored(`t-${kind}`)).to.equal(undefined);
    }
  });

  it('a connection dropped after DynamoDB executed the request: the write happened, and the SDK sent it again', async () => {
    await Box.put({ id: 't3', n: 0 }, { db });
    const faults = injectFaults(client, { rate: 1, kinds: { resetAfter: 1 } });
    try {
      const err = await caught(Box.update({ id: 't3' }, { add: { n: 1 } }, { db }));
      expect(err.code).to.equal('OUTCOME_UNKNOWN');
      expect((err.cause as Record<string, any>).code).to.equal('ECONNRESET');
      expect(faults.counts.resetAfter).to.equal(3);
    } finally {
      faults.remove();
    }
    // Three attempts, three increments: an ADD is not idempotent.
    expect(await stored('t3')).to.equal(3);
  });

  it('unprocessed keys: the held keys are really not read, and are named by UnprocessedError after the bound', async () => {
    const held: InjectedFault[] = [];
    const faults = injectFaults(client, { rate: 1, kinds: { unprocessed: 1 }, seed: 3, onFault: (f) => void held.push(f) });
    try {
      const keys = Array.from({ length: 20 }, (_, i) => ({ id: `b${i}` }));
      const err = (await caught(Box.getMany(keys, { db }))) as unknown as UnprocessedError;
      expect(err).to.be.instanceOf(UnprocessedError);
      const heldIds = held.flatMap((f) => Object.values(f.held!).flatMap((h) => (h as { Keys: any[] }).Keys.map((k) => unmarshall(k).id as string)));
      expect(heldIds.length).to.be.within(1, 19);
      expect(err.unprocessed.map((u) => u.key.id).sort()).to.deep.equal([...heldIds].sort());
      expect(faults.counts).to.include({ unprocessed: 1, unprocessedEntries: heldIds.length });
    } finally {
      faults.remove();
    }
  });

  it('unprocessed writes are really not written; with every entry held nothing is sent at all', async () => {
    for (const share of [0.5, 1]) {
      const held: InjectedFault[] = [];
      const faults = injectFaults(client, { rate: 1, kinds: { unprocessed: 1 }, unprocessedShare: share, onFault: (f) => void held.push(f) });
      const items = Array.from({ length: 10 }, (_, i) => ({ id: `w${share}-${i}`, n: i }));
      try {
        const err = (await caught(Box.putMany(items, { db }))) as unknown as UnprocessedError;
        expect(err).to.be.instanceOf(UnprocessedError);
        const heldIds = held.flatMap((f) => Object.values(f.held!).flatMap((h) => (h as any[]).map((w) => unmarshall(w.PutRequest.Item).id as string)));
        expect(err.unprocessed.map((u) => u.key.id).sort()).to.deep.equal([...heldIds].sort());
        if (share === 1) expect(heldIds).to.have.length(10);
      } finally {
        faults.remove();
      }
      const back = await Box.getMany(items.map(({ id }) => ({ id })), { db, consistent: true });
      const written = back.filter((b) => b !== null).map((b) => b!.id).sort();
      const heldIds = new Set(held.flatMap((f) => Object.values(f.held!).flatMap((h) => (h as any[]).map((w) => unmarshall(w.PutRequest.Item).id as string))));
      expect(written).to.deep.equal(items.map((i) => i.id).filter((id) => !heldIds.has(id)).sort());
    }
  });

  it('transaction conflicts: TransactionCanceledException with a TransactionConflict reason, nothing written', async () => {
    const faults = injectFaults(client, { rate: 1, kinds: { conflict: 1 } });
    try {
      const err = await caught(db.transactWrite((tx) => {
        tx.put(new Box({ id: 'x1', n: 1 }));
        tx.put(new Box({ id: 'x2', n: 2 }));
      }));
      expect(err).to.be.instanceOf(TransactionCanceledError);
      expect((err as unknown as TransactionCanceledError).conflict).to.equal(true);
      expect((err as unknown as TransactionCanceledError).reasons).to.have.length(1);
      expect(faults.counts.conflict).to.equal(1);
    } finally {
      faults.remove();
    }
    expect(await stored('x1')).to.equal(undefined);
    expect(await stored('x2')).to.equal(undefined);
  });

  it('latency delays the request by the configured time', async () => {
    const faults = injectFaults(client, { rate: 1, kinds: { latency: 1 }, latencyMs: 60 });
    try {
      const started = performance.now();
      expect(await stored('b1')).to.equal(1);
      expect(performance.now() - started).to.be.at.least(55);
      expect(faults.counts.latency).to.equal(1);
    } finally {
      faults.remove();
    }
  });

  it('as a user sets it up: a plain client with fastRetryStrategy() retries injected faults quickly, up to its attempts', async () => {
    const own = new DynamoDBClient({ ...localClientConfig(testEndpoint()), retryStrategy: fastRetryStrategy({ attempts: 4 }) });
    const mine = new Dynagraph({ client: own, tablePrefix: 'faults-inj-', default: false });
    const faults = injectFaults(own, { rate: 1, kinds: { throttle: 1, serverError: 1, resetBefore: 1 }, seed: 5 });
    try {
      const started = performance.now();
      const err = await caught(Box.get({ id: 'b3' }, { db: mine }));
      expect((err.cause as Record<string, any>).$metadata.attempts).to.equal(4);
      expect(faults.counts.attempts).to.equal(4);
      expect(performance.now() - started).to.be.below(1000);
      faults.enabled = false;
      expect((await Box.get({ id: 'b3' }, { db: mine }))?.n).to.equal(3);
    } finally {
      faults.remove();
      own.destroy();
    }
  });

  it('a seed fixes the sequence of faults; rate 0 and a removed injector inject nothing', async () => {
    const run = async (seed: number, rate = 0.5): Promise<(FaultKind | '-')[]> => {
      const seen: (FaultKind | '-')[] = [];
      const faults = injectFaults(client, { rate, seed, kinds: { throttle: 1, serverError: 1, resetBefore: 1, latency: 1 }, latencyMs: 1, onFault: (f) => void seen.push(f.kind) });
      try {
        for (let i = 0; i < 30; i++) {
          const before = seen.length;
          // Three faults in a row exhaust the SDK's attempts: the error is fine, the sequence is the point.
          await stored(`b${i % 20}`).catch(() => undefined);
          if (seen.length === before) seen.push('-');
        }
      } finally {
        faults.remove();
      }
      return seen;
    };
    const a = await run(11);
    expect(await run(11)).to.deep.equal(a);
    expect(await run(12)).to.not.deep.equal(a);
    expect(new Set(a).size).to.be.at.least(4);
    expect(await run(11, 0)).to.deep.equal(Array(30).fill('-'));
    counter.reset();
    const faults = injectFaults(client, { rate: 1, kinds: { throttle: 1 } });
    faults.remove();
    expect(await stored('b2')).to.equal(2);
    expect(faults.total()).to.equal(0);
  });
});
