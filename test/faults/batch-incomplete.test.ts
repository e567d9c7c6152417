/**
 * Batches that cannot finish say exactly where every entry stands. Faults injected below the
 * real SDK (resets after DynamoDB applied the request, 500s, throttling that outlasts the
 * SDK's retries) make a putMany / getMany fail part-way; the BatchIncompleteError's `done`,
 * `notDone` and `unknown` lists are then checked against the table itself. Last, a separate
 * DynamoDB Local is killed by its pid in the middle of a putMany of 5,000: a typed error with
 * an exact partition of the 5,000, in bounded time, and no handle left behind.
 */
import { expect } from 'chai';
import { Agent } from 'node:http';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import {
  BatchIncompleteError, Dynagraph, DynagraphError, Model, UnprocessedError, number, string,
  type BatchEntry, type RequestObserver,
} from '../../src/index.js';
import { injectFaults, startDynamoDBLocal, type FaultInjector, type FaultKind, type LocalDynamoDB } from '../../src/testing/index.js';
import { caught } from '../harness/caught.js';
import { countCommands, testClient } from '../harness/client.js';
import { testDb } from '../harness/db.js';
import { unprocessedItems } from '../harness/faults.js';

class Row extends Model({ table: 'rows', key: { hash: 'id' }, attributes: { id: string(), n: number() } }) {}

const fast = { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 };
// One request at a time: which requests succeed and which fail is then exact.
const serial = testDb('batchinc-', { concurrency: 1, retry: fast, client: { maxAttempts: 2 } });
const parallel = testDb('batchinc-', { concurrency: 4, retry: fast, client: { maxAttempts: 2 } });

const id = (i: number) => `r${String(i).padStart(4, '0')}`;
const rows = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => ({ id: `${prefix}${id(i)}`, n: i }));
const idsOf = (list: readonly BatchEntry[]) => list.map((e) => e.key.id as string);
const range = (prefix: string, from: number, to: number) => Array.from({ length: to - from }, (_, k) => `${prefix}${id(from + k)}`);

/** Turns `faults` on from the (n+1)-th `command` sent through the client on. */
function afterRequests(db: Dynagraph, command: string, n: number, faults: FaultInjector): () => void {
  faults.enabled = false;
  const name = `batchincAfter${Math.random()}`;
  let seen = 0;
  db.connection.client.middlewareStack.add(
    (next, context) => (args) => {
      if (context.commandName === command && ++seen > n) faults.enabled = true;
      return next(args);
    },
    { step: 'initialize', name },
  );
  return () => void db.connection.client.middlewareStack.remove(name);
}

/** Which of `ids` are stored (consistent reads, on a client without faults). */
async function storedIds(ids: readonly string[]): Promise<Set<string>> {
  const back = await Row.getMany(ids.map((i) => ({ id: i })), { db: serial.db, consistent: true });
  return new Set(back.flatMap((r) => (r ? [r.id] : [])));
}

/** The three lists are disjoint and cover `all` exactly. */
function expectPartition(err: BatchIncompleteError, all: readonly string[]): void {
  const listed = [...idsOf(err.done), ...idsOf(err.notDone), ...idsOf(err.unknown)];
  expect(listed.length, 'entries listed').to.equal(all.length);
  expect(new Set(listed).size, 'entries listed once').to.equal(all.length);
  expect([...listed].sort()).to.deep.equal([...all].sort());
}

/** Writes sent through a client, and how many had been sent when the first one failed. */
function watchFailures(db: Dynagraph): { sent: () => number; atFirstFailure: () => number | undefined; remove: () => void } {
  let sent = 0;
  let atFailure: number | undefined;
  const observer: RequestObserver = {
    before: (command) => void (command === 'BatchWriteItem' && sent++),
    failed: (command) => void (command === 'BatchWriteItem' && (atFailure ??= sent)),
  };
  const remove = db.connection.observe(observer);
  return { sent: () => sent, atFirstFailure: () => atFailure, remove };
}

describe('batches that cannot finish: done / not done / unknown (faults below the SDK)', function () {
  this.timeout(60_000);

  before(() => serial.db.createTables([Row]));
  after(() => serial.drop([Row]));
  beforeEach(() => {
    serial.counter.reset();
    parallel.counter.reset();
  });

  /** putMany of 500 on `serial` with `kind` on every BatchWriteItem attempt after the 4th request. */
  async function failFifth(prefix: string, kind: FaultKind) {
    const items = rows(prefix, 500);
    const faults = injectFaults(serial.db.connection.client, { rate: 1, kinds: { [kind]: 1 }, operations: ['BatchWriteItem'] });
    const stop = afterRequests(serial.db, 'BatchWriteItemCommand', 4, faults);
    const progress: number[] = [];
    let err: BatchIncompleteError;
    try {
      err = await caught<BatchIncompleteError>(Row.putMany(items, { db: serial.db, onProgress: (p) => void progress.push(p.done) }));
    } finally {
      stop();
      faults.remove();
    }
    expect(err).to.be.instanceOf(BatchIncompleteError).and.instanceOf(DynagraphError).and.not.instanceOf(UnprocessedError);
    expect(err.code).to.equal('BATCH_INCOMPLETE');
    expect(err.operation).to.equal('batch write');
    expectPartition(err, items.map((r) => r.id));
    // 4 requests answered, the 5th failed after the SDK's 2 attempts, none started after it.
    expect(serial.counter.counts()).to.deep.equal({ BatchWriteItemCommand: 5 });
    expect(faults.counts[kind]).to.equal(2);
    expect(progress).to.deep.equal([25, 50, 75, 100]);
    expect(idsOf(err.done)).to.deep.equal(range(prefix, 0, 100));
    expect(err.done.every((e) => e.op === 'put' && e.table === serial.db.tableName(Row.schema) && (e.item as { n: number }).n === Number((e.key.id as string).slice(-4)))).to.equal(true);
    const stored = await storedIds(items.map((r) => r.id));
    expect(idsOf(err.done).filter((i) => !stored.has(i)), 'done but absent').to.deep.equal([]);
    expect(idsOf(err.notDone).filter((i) => stored.has(i)), 'not done but present').to.deep.equal([]);
    return { err, stored };
  }

  it('a connection reset after DynamoDB applied the request: its 25 writes are unknown, the rest not done, and none sent after', async () => {
    const { err, stored } = await failFifth('ra-', 'resetAfter');
    expect(idsOf(err.unknown)).to.deep.equal(range('ra-', 100, 125));
    expect(idsOf(err.notDone)).to.deep.equal(range('ra-', 125, 500));
    expect((err.cause as DynagraphError).code).to.equal('OUTCOME_UNKNOWN');
    // What "unknown" hides here: the writes were applied.
    expect(range('ra-', 100, 125).every((i) => stored.has(i))).to.equal(true);
    expect(err.message).to.match(/^batch write incomplete: 100 of 500 done, 375 not done, 25 unknown — a request failed: /);
  });

  it('HTTP 500 on every attempt: unknown too (a 500 may follow an applied write), here not applied', async () => {
    const { err, stored } = await failFifth('se-', 'serverError');
    expect(idsOf(err.unknown)).to.deep.equal(range('se-', 100, 125));
    expect(range('se-', 100, 125).some((i) => stored.has(i))).to.equal(false);
  });

  it('throttling that outlasts the SDK retries: surely not applied, so not done', async () => {
    const { err } = await failFifth('th-', 'throttle');
    expect(err.unknown).to.deep.equal([]);
    expect(idsOf(err.notDone)).to.deep.equal(range('th-', 100, 500));
    expect((err.cause as DynagraphError).code).to.equal('THROTTLED');
  });

  it('in parallel, mixed faults plus writes never processed: an exact partition, checked against the table; no request started after the first failure', async () => {
    const items = rows('mx-', 1000);
    const held = (item: Record<string, unknown>) => (item.id as string).endsWith('7');
    const leftovers = unprocessedItems(parallel.db.connection.client, (_t, item) => held(item));
    const faults = injectFaults(parallel.db.connection.client, {
      rate: 0.6, seed: 11, operations: ['BatchWriteItem'],
      kinds: { resetAfter: 1, resetBefore: 1, serverError: 1, throttle: 1 },
    });
    const stop = afterRequests(parallel.db, 'BatchWriteItemCommand', 12, faults);
    const watch = watchFailures(parallel.db);
    let last = 0;
    let err: BatchIncompleteError;
    try {
      err = await caught<BatchIncompleteError>(Row.putMany(items, { db: parallel.db, onProgress: (p) => void (last = p.done) }));
    } finally {
      stop();
      faults.remove();
      leftovers.remove();
      watch.remove();
    }
    expect(err).to.be.instanceOf(BatchIncompleteError).with.property('code', 'BATCH_INCOMPLETE');
    expect(err.cause).to.be.instanceOf(DynagraphError);
    expectPartition(err, items.map((r) => r.id));
    expect(err.done.length).to.equal(last);
    expect(idsOf(err.done).filter((i) => held({ id: i })), 'held writes reported done').to.deep.equal([]);
    // Requests in flight when the first failed were let finish; none was started after it.
    expect(watch.atFirstFailure()).to.be.a('number');
    expect(watch.sent() - watch.atFirstFailure()!).to.be.at.most(3);
    expect(err.notDone.length).to.be.above(0);
    const stored = await storedIds(items.map((r) => r.id));
    expect(idsOf(err.done).filter((i) => !stored.has(i)), 'done but absent').to.deep.equal([]);
    expect(idsOf(err.notDone).filter((i) => stored.has(i)), 'not done but present').to.deep.equal([]);
  });

  it('only the retry bound on leftovers was hit: an UnprocessedError (a BatchIncompleteError) with nothing unknown; every other request still ran', async () => {
    const items = rows('up-', 100);
    const leftovers = unprocessedItems(serial.db.connection.client, (_t, item) => item.id === 'up-r0007' || item.id === 'up-r0033');
    let err: UnprocessedError;
    try {
      err = await caught<UnprocessedError>(Row.putMany(items, { db: serial.db }));
    } finally {
      leftovers.remove();
    }
    expect(err).to.be.instanceOf(UnprocessedError).and.instanceOf(BatchIncompleteError);
    expect(err.code).to.equal('UNPROCESSED');
    expect(err.cause).to.equal(undefined);
    expect(err.unknown).to.deep.equal([]);
    expect(idsOf(err.notDone)).to.deep.equal(['up-r0007', 'up-r0033']);
    expect(err.unprocessed).to.deep.equal(err.notDone.map((e) => ({ table: e.table, key: e.key })));
    expect(err.done.length).to.equal(98);
    expectPartition(err, items.map((r) => r.id));
    const stored = await storedIds(items.map((r) => r.id));
    expect(stored.size).to.equal(98);
  });

  it('through a session: done writes refresh what it holds, unknown ones are forgotten and read again, so it serves what is stored', async () => {
    const items = rows('ss-', 50);
    await Row.putMany(items.map((r) => ({ ...r, n: 0 })), { db: serial.db });
    const s = serial.db.session();
    const held = await s.getMany(Row, items.map((r) => ({ id: r.id })));
    expect(held.map((r) => r?.n)).to.deep.equal(items.map(() => 0));
    const faults = injectFaults(serial.db.connection.client, { rate: 1, kinds: { resetAfter: 1 }, operations: ['BatchWriteItem'] });
    const stop = afterRequests(serial.db, 'BatchWriteItemCommand', 1, faults);
    let err: BatchIncompleteError;
    let put: Row[] = [];
    try {
      put = items.map((r) => new Row({ ...r, n: 1 }));
      err = await caught<BatchIncompleteError>(Row.putMany(put, { db: s }));
    } finally {
      stop();
      faults.remove();
    }
    expect([err.done.length, err.unknown.length, err.notDone.length]).to.deep.equal([25, 25, 0]);
    serial.counter.reset();
    const again = await s.getMany(Row, items.map((r) => ({ id: r.id })));
    // Every write landed (a reset after the request): the session must show n = 1 everywhere.
    expect(again.map((r) => r?.n)).to.deep.equal(items.map(() => 1));
    // The 25 done were known; only the 25 unknown were read again.
    expect(serial.counter.counts()).to.deep.equal({ BatchGetItemCommand: 1 });
  });

  it('getMany whose 2nd request fails: the keys read are done and carry their items (partial results), the rest not done, nothing unknown', async () => {
    const present = rows('gm-', 250);
    await Row.putMany(present, { db: serial.db });
    serial.counter.reset();
    // 300 distinct keys (the last 50 absent), each asked twice.
    const keys = [...range('gm-', 0, 300), ...range('gm-', 0, 300)].map((i) => ({ id: i }));
    const faults = injectFaults(serial.db.connection.client, { rate: 1, kinds: { serverError: 1 }, operations: ['BatchGetItem'] });
    const stop = afterRequests(serial.db, 'BatchGetItemCommand', 1, faults);
    let err: BatchIncompleteError;
    try {
      err = await caught<BatchIncompleteError>(Row.getMany(keys, { db: serial.db }));
    } finally {
      stop();
      faults.remove();
    }
    expect(err).to.be.instanceOf(BatchIncompleteError).and.not.instanceOf(UnprocessedError);
    expect(err.code).to.equal('BATCH_INCOMPLETE');
    expect(err.operation).to.equal('batch get');
    expect(err.cause).to.be.instanceOf(DynagraphError);
    expect(serial.counter.counts()).to.deep.equal({ BatchGetItemCommand: 2 });
    expect(idsOf(err.done)).to.deep.equal(range('gm-', 0, 100));
    expect(idsOf(err.notDone)).to.deep.equal(range('gm-', 100, 300));
    expect(err.unknown).to.deep.equal([]);
    expect(err.done.map((e) => (e.item ? Row.fromItem(e.item).n : null))).to.deep.equal(range('gm-', 0, 100).map((_, i) => i));
    expect(err.done.every((e) => e.op === 'get')).to.equal(true);
  });

  it('getMany: a missing key among those read is done without an item', async () => {
    const faults = injectFaults(serial.db.connection.client, { rate: 1, kinds: { throttle: 1 }, operations: ['BatchGetItem'] });
    const stop = afterRequests(serial.db, 'BatchGetItemCommand', 1, faults);
    let err: BatchIncompleteError;
    try {
      err = await caught<BatchIncompleteError>(Row.getMany([...range('gm-', 240, 340), ...range('gm-', 0, 10)].map((i) => ({ id: i })), { db: serial.db }));
    } finally {
      stop();
      faults.remove();
    }
    expect(idsOf(err.done)).to.deep.equal(range('gm-', 240, 340));
    expect(err.done.filter((e) => e.item).length).to.equal(10);
    expect(idsOf(err.notDone)).to.deep.equal(range('gm-', 0, 10));
    expect((err.cause as DynagraphError).code).to.equal('THROTTLED');
  });
});

describe('DynamoDB Local killed by its pid in the middle of a putMany of 5,000', function () {
  this.timeout(60_000);
  let local: LocalDynamoDB | undefined;

  before(async function () {
    // Starting a JVM on a busy 2-core machine can be slow; the test itself is not.
    this.timeout(120_000);
    local = await startDynamoDBLocal({ timeoutMs: 90_000 });
    // Table and a warm JVM first, on a patient client: the test's client times out fast.
    const setup = testClient({ endpoint: local.endpoint });
    try {
      const db = new Dynagraph({ client: setup, tablePrefix: 'batchinc-kill-', default: false });
      await db.createTables([Row]);
      await Row.putMany(rows('warm-', 1000), { db });
    } finally {
      setup.destroy();
    }
  });
  after(async () => {
    await local?.stop();
  });

  it('rejects in bounded time with an exact done / not done / unknown partition, and leaves no handle behind', async () => {
    const resources = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'Timeout');
    // Sampled from an immediate, after mocha has armed this test's own timer: a timer counts
    // as active until its callback has returned.
    const settle = async () => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      await new Promise((resolve) => setImmediate(resolve));
    };
    await settle();
    const baseline = resources().length;
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    const client = testClient({
      endpoint: local!.endpoint, maxAttempts: 2,
      requestHandler: new NodeHttpHandler({ httpAgent: agent, connectionTimeout: 1000, requestTimeout: 5000, throwOnRequestTimeout: true }),
    });
    const counter = countCommands(client);
    const db = new Dynagraph({ client, tablePrefix: 'batchinc-kill-', default: false, concurrency: 8, retry: fast });
    let killedAt: { done: number; time: number } | undefined;
    let last = 0;
    const items = rows('k-', 5000);
    let err: BatchIncompleteError;
    try {
      const pid = local!.pid;
      const put = Row.putMany(items, {
        db,
        onProgress: (p) => {
          last = p.done;
          if (!killedAt && p.done >= 1000) {
            killedAt = { done: p.done, time: performance.now() };
            process.kill(pid, 'SIGKILL');
          }
        },
      });
      err = await caught<BatchIncompleteError>(put);
      if (!killedAt) expect.fail(`putMany failed before the kill, at ${last} done: ${err.message}`);
      const settledMs = performance.now() - killedAt!.time;
      expect(settledMs, 'ms from the kill to the rejection').to.be.below(10_000);
    } finally {
      client.destroy();
      agent.destroy();
    }
    expect(killedAt, 'killed part-way').to.not.equal(undefined);
    expect(killedAt!.done).to.be.within(1000, 2000);
    expect(err).to.be.instanceOf(BatchIncompleteError).and.not.instanceOf(UnprocessedError);
    expect(err.code).to.equal('BATCH_INCOMPLETE');
    expect(err.cause).to.be.instanceOf(DynagraphError);
    expectPartition(err, items.map((r) => r.id));
    expect(err.done.length).to.be.at.least(killedAt!.done);
    expect(err.done.length).to.equal(last);
    expect(err.notDone.length, 'never sent').to.be.above(0);
    // No more than one request per slot of the pool was in flight after the kill.
    expect(counter.total()).to.be.below(5000 / 25);
    expect(err.message).to.match(new RegExp(`^batch write incomplete: ${err.done.length} of 5000 done, ${err.notDone.length} not done, ${err.unknown.length} unknown`));

    // The process is gone, and nothing of the client lingers: sockets closed, timers cleared.
    await local!.stop();
    expect(() => process.kill(local!.pid, 0)).to.throw();
    for (let i = 0; i < 20 && resources().length > baseline; i++) await settle();
    expect(resources().length, `active sockets and timers: ${resources().join(', ')}`).to.be.at.most(baseline);
    expect(Object.keys(agent.sockets).length + Object.keys(agent.freeSockets).length).to.equal(0);
  });
});
