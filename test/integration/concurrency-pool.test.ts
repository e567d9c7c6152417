/**
 * The default bound on parallel requests is the client's socket pool: one include level of
 * 101 reply Queries, counted in flight by a requestHandler below the SDK (a NodeHttpHandler
 * that holds every request 25 ms before sending it), goes out in waves of the agent's
 * `maxSockets` — all at once when the pool allows more than the level, or is unbounded,
 * or the handler is not a socket pool — and an explicit `concurrency` still wins.
 */
import { Agent } from 'node:http';
import { expect } from 'chai';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Dynagraph, type DynagraphOptions } from '../../src/index.js';
import { Forum, Thread, forumModels } from '../../examples/forum/models.js';
import { testDb } from '../harness/db.js';
import { testClient } from '../harness/client.js';

const PREFIX = 'concurrency-pool-';
const { db, drop } = testDb(PREFIX);
const THREADS = 101;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Counts the requests in flight (and the most at once) while holding each one 25 ms. */
class Counting {
  inFlight = 0;
  peak = 0;
  add(): void {
    this.peak = Math.max(this.peak, ++this.inFlight);
  }
}

class CountingHandler extends NodeHttpHandler {
  constructor(readonly count: Counting, options?: ConstructorParameters<typeof NodeHttpHandler>[0]) {
    super(options);
  }
  override async handle(...args: Parameters<NodeHttpHandler['handle']>): ReturnType<NodeHttpHandler['handle']> {
    this.count.add();
    try {
      await sleep(25);
      return await super.handle(...args);
    } finally {
      this.count.inFlight--;
    }
  }
}

/** A Dynagraph over a client with `requestHandler`, on this file's tables. */
function over(requestHandler: object, options: Partial<DynagraphOptions> = {}): Dynagraph {
  return new Dynagraph({ client: testClient({ requestHandler: requestHandler as never }), tablePrefix: PREFIX, default: false, ...options });
}

/** The peak of requests in flight while one session loads every thread's replies (one level of 101 Queries). */
async function peakOfLevel(d: Dynagraph, count: Counting): Promise<number> {
  const s = d.session();
  const threads = await s.query(Thread, { forum_name: 'Pool' }).all();
  expect(threads).to.have.length(THREADS);
  count.peak = 0;
  await s.load(threads, { replies: true });
  expect(s.stats.requests).to.deep.include({ Query: THREADS + 1 });
  return count.peak;
}

describe('concurrency: the default bound is the socket pool (DynamoDB Local)', function () {
  this.timeout(60_000);
  before(async function () {
    this.timeout(120_000);
    await db.createTables(forumModels);
    await Forum.put({ name: 'Pool' }, { db });
    await Thread.putMany(Array.from({ length: THREADS }, (_, i) => ({ forum_name: 'Pool', subject: `t${String(i).padStart(3, '0')}`, user_name: 'u' })), { db });
  });
  after(() => drop(forumModels));

  it('the SDK default pool (50 sockets): 50 at once, and the bound reads 50', async () => {
    const count = new Counting();
    const d = over(new CountingHandler(count));
    expect(await peakOfLevel(d, count)).to.equal(50);
    expect(d.concurrency).to.equal(50);
  });

  it('an agent of 256 sockets: the whole level at once, in one wave', async () => {
    const count = new Counting();
    const d = over(new CountingHandler(count, { httpAgent: new Agent({ keepAlive: true, maxSockets: 256 }) }));
    expect(await peakOfLevel(d, count)).to.equal(THREADS);
    expect(d.concurrency).to.equal(256);
    expect(d.session().concurrency).to.equal(256);
  });

  it('agent options with maxSockets Infinity: unbounded', async () => {
    const count = new Counting();
    const d = over(new CountingHandler(count, { httpAgent: { maxSockets: Infinity } }));
    expect(await peakOfLevel(d, count)).to.equal(THREADS);
    expect(d.concurrency).to.equal(Infinity);
  });

  it('an agent of 20 sockets: 20 at once', async () => {
    const count = new Counting();
    const d = over(new CountingHandler(count, { httpAgent: new Agent({ keepAlive: true, maxSockets: 20 }) }));
    expect(await peakOfLevel(d, count)).to.equal(20);
  });

  it('an explicit `concurrency` wins over the pool', async () => {
    const count = new Counting();
    const d = over(new CountingHandler(count, { httpAgent: new Agent({ keepAlive: true, maxSockets: 256 }) }), { concurrency: 10 });
    expect(await peakOfLevel(d, count)).to.equal(10);
    expect(d.concurrency).to.equal(10);
  });

  it('a wrapping handler that shows its inner pool (httpHandlerConfigs): the inner pool, once it has sent', async () => {
    const count = new Counting();
    const inner = new CountingHandler(count, { httpAgent: new Agent({ keepAlive: true, maxSockets: 30 }) });
    const wrapper = { handle: (r: never, o: never) => inner.handle(r, o), httpHandlerConfigs: () => inner.httpHandlerConfigs(), updateHttpClientConfig() {}, destroy: () => inner.destroy() };
    const d = over(wrapper);
    expect(d.concurrency).to.equal(50); // nothing sent yet: the inner config is not resolved
    expect(await peakOfLevel(d, count)).to.equal(30);
    expect(d.concurrency).to.equal(30);
  });

  it('a handler that is not a socket pool: unbounded', async () => {
    const count = new Counting();
    const inner = new CountingHandler(count, { httpAgent: new Agent({ keepAlive: true, maxSockets: 256 }) });
    const d = over({ handle: (r: never, o: never) => inner.handle(r, o) });
    expect(d.concurrency).to.equal(Infinity);
    expect(await peakOfLevel(d, count)).to.equal(THREADS);
  });
});
