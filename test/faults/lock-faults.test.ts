/**
 * Lease locks under faults injected below the real SDK (src/testing/faults.ts): answers lost
 * after DynamoDB applied acquire, heartbeat and release (the SDK resends; the resend fails its
 * own condition); outcomes left unknown when the SDK gives up; heartbeats failing for network
 * reasons (resets, 500s, throttling, the endpoint gone), after which the handle's signal must
 * fire by the holder's own clock at the end of its lease; fencing tokens strictly increasing
 * over acquire / release / takeover and under contention; a stale holder's fenced write
 * refused downstream.
 */
import { createServer } from 'node:net';
import { expect } from 'chai';
import {
  ConditionFailedError, Dynagraph, LockLostError, LockRecord, Model, attr, number, or, string, type LockHandle,
} from '../../src/index.js';
import { injectFaults, type FaultKind } from '../../src/testing/index.js';
import { testDb } from '../harness/db.js';
import { testClient, testEndpoint } from '../harness/client.js';
import { caught } from '../harness/caught.js';
import { loseAnswers } from '../harness/lost-answers.js';

const PREFIX = 'lockf-';
// SDK retries run out after 2 attempts, 1 ms apart: a fault at rate 1 fails a command fast.
const { db, drop } = testDb(PREFIX, { client: { maxAttempts: 2 } });
const client = db.connection.client;

/** A downstream store that accepts a write only with a token at least the highest it has seen. */
class Report extends Model({ table: 'reports', key: { hash: 'id' }, attributes: { id: string(), body: string(), fence: number() } }) {}

const models = [LockRecord, Report];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const stored = async (name: string) => (await LockRecord.get({ name }, { db, consistent: true }))!;

/** Injects exactly one fault of `kind` on the next request of one of `operations`. */
function once(kind: FaultKind, operations: string[]) {
  const faults = injectFaults(client, { rate: 1, kinds: { [kind]: { operations } }, onFault: () => void (faults.enabled = false) });
  return faults;
}

/** Injects `kind` on every attempt of `operations` until removed. */
function always(kind: FaultKind, operations: string[]) {
  return injectFaults(client, { rate: 1, kinds: { [kind]: { operations } } });
}

/** When (performance.now()) the handle's signal aborted, and whether `held` was already false then; rejects after `limitMs`. */
function watchAbort(lock: LockHandle, limitMs: number) {
  return new Promise<{ at: number; held: boolean; reason: unknown }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`signal not aborted within ${limitMs} ms`)), limitMs);
    lock.signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve({ at: performance.now(), held: lock.held, reason: lock.signal.reason });
    }, { once: true });
  });
}

function fencedWrite(token: number, body: string) {
  return Report.update({ id: 'daily' }, { set: { body, fence: token } }, { db, condition: or(attr('fence').notExists(), attr('fence').le(token)) });
}

describe('lease locks under faults', function () {
  this.timeout(20_000);
  before(() => db.createTables(models));
  after(() => drop(models));

  describe('lost answers: the caller recognises its own record', () => {
    it('acquire of a free name returns at once with the lock, not after waiting out its own lease', async () => {
      const faults = once('resetAfter', ['PutItem']);
      const t0 = performance.now();
      let lock: LockHandle;
      try {
        lock = await db.lock('acq', { leaseMs: 3000, pollMs: 20 });
      } finally {
        faults.remove();
      }
      const took = performance.now() - t0;
      expect(faults.counts.resetAfter).to.equal(1);
      expect(took, 'acquire took a lease').to.be.below(1000);
      expect(lock.held).to.equal(true);
      expect(lock.fencingToken).to.equal(1);
      const record = await stored('acq');
      expect([record.owner, record.rvn, record.fence]).to.deep.equal([lock.owner, lock.rvn, 1]);
      await lock.release();
    });

    it('acquire of a released record (conditional on its rvn) returns at once, with the next token', async () => {
      const first = await db.lock('reacq', { leaseMs: 3000 });
      await first.release();
      const faults = once('resetAfter', ['PutItem']);
      const t0 = performance.now();
      let lock: LockHandle;
      try {
        lock = await db.lock('reacq', { leaseMs: 3000, pollMs: 20 });
      } finally {
        faults.remove();
      }
      expect(faults.counts.resetAfter).to.equal(1);
      expect(performance.now() - t0).to.be.below(1000);
      expect(lock.held).to.equal(true);
      expect([first.fencingToken, lock.fencingToken]).to.deep.equal([1, 2]);
      await lock.release();
    });

    it('acquire whose answers were all lost (the SDK gave up) reads the record and finds it holds the lock', async () => {
      const faults = always('resetAfter', ['PutItem']);
      let lock: LockHandle;
      try {
        lock = await db.lock('acq-unknown', { leaseMs: 3000, wait: false });
      } finally {
        faults.remove();
      }
      expect(faults.counts.resetAfter).to.equal(2);
      expect(lock.held).to.equal(true);
      expect((await stored('acq-unknown')).rvn).to.equal(lock.rvn);
      await lock.release();
    });

    it('a heartbeat whose answer was lost is not reported as LockLostError; the handle stays held', async () => {
      const lock = await db.lock('beat', { leaseMs: 3000, heartbeatMs: false });
      const before = lock.rvn;
      const faults = once('resetAfter', ['UpdateItem']);
      try {
        await lock.heartbeat();
      } finally {
        faults.remove();
      }
      expect(faults.counts.resetAfter).to.equal(1);
      expect(lock.held).to.equal(true);
      expect(lock.signal.aborted).to.equal(false);
      expect(lock.rvn).to.not.equal(before);
      expect((await stored('beat')).rvn).to.equal(lock.rvn);
      await lock.heartbeat();
      await lock.release();
    });

    it('a heartbeat of unknown outcome (landed, every answer lost) is still accepted as ours by the next heartbeat and by release', async () => {
      const lock = await db.lock('beat-unknown', { leaseMs: 3000, heartbeatMs: false });
      const faults = always('resetAfter', ['UpdateItem']);
      let err: unknown;
      try {
        err = await caught(lock.heartbeat());
      } finally {
        faults.remove();
      }
      expect(faults.counts.resetAfter).to.equal(2);
      expect(err).to.not.be.instanceOf(LockLostError);
      expect((await stored('beat-unknown')).rvn, 'the heartbeat landed').to.not.equal(lock.rvn);
      expect(lock.held).to.equal(true);
      await lock.heartbeat();
      expect((await stored('beat-unknown')).rvn).to.equal(lock.rvn);
      // Once more unknown, then a release: it accepts the unknown heartbeat's rvn as ours too.
      const again = always('resetAfter', ['UpdateItem']);
      try {
        expect(await caught(lock.heartbeat())).to.not.be.instanceOf(LockLostError);
      } finally {
        again.remove();
      }
      await lock.release();
      expect((await stored('beat-unknown')).releasedAt).to.be.instanceOf(Date);
    });

    it('a release whose answer was lost is released: the record is marked free and keeps its token', async () => {
      const lock = await db.lock('rel', { leaseMs: 3000, heartbeatMs: false });
      const faults = once('resetAfter', ['UpdateItem', 'DeleteItem']);
      try {
        await lock.release();
      } finally {
        faults.remove();
      }
      expect(faults.counts.resetAfter).to.equal(1);
      expect(lock.held).to.equal(false);
      const record = await stored('rel');
      expect(record.releasedAt).to.be.instanceOf(Date);
      expect(record.fence).to.equal(lock.fencingToken);
      // Free at once for the next acquirer, with the next token.
      const t0 = performance.now();
      const next = await db.lock('rel', { leaseMs: 3000, wait: false });
      expect(performance.now() - t0).to.be.below(500);
      expect(next.fencingToken).to.equal(lock.fencingToken + 1);
      await next.release();
    });

    it('a release whose answer was lost, the freed lock acquired by another before the resend: released, not lost', async () => {
      // Our SDK waits 300 ms before resending; meanwhile another client acquires the freed lock.
      const slow = testClient({ maxAttempts: 2, retryDelayMs: 300 });
      const mine = new Dynagraph({ client: slow, tablePrefix: PREFIX, default: false });
      let contender: Promise<LockHandle> | undefined;
      try {
        const lock = await mine.lock('rel-race', { leaseMs: 3000, heartbeatMs: false });
        const faults = injectFaults(slow, {
          rate: 1,
          kinds: { resetAfter: { operations: ['UpdateItem', 'DeleteItem'] } },
          onFault: () => {
            faults.enabled = false;
            contender = db.lock('rel-race', { leaseMs: 3000, wait: 250, pollMs: 10 });
          },
        });
        await lock.release();
        expect(faults.counts.resetAfter).to.equal(1);
        const next = await contender!;
        expect(next.fencingToken).to.equal(lock.fencingToken + 1);
        expect(next.held).to.equal(true);
        await next.release();
      } finally {
        slow.destroy();
      }
    });

    it('a release whose answer was lost after our lease ran out (nobody took over) still frees the record', async () => {
      const lock = await db.lock('rel-late', { leaseMs: 150, heartbeatMs: false });
      await sleep(250);
      expect(lock.held).to.equal(false);
      const faults = once('resetAfter', ['UpdateItem', 'DeleteItem']);
      try {
        await lock.release();
      } finally {
        faults.remove();
      }
      expect(faults.counts.resetAfter).to.equal(1);
      expect((await stored('rel-late')).releasedAt).to.be.instanceOf(Date);
    });
  });

  describe('heartbeats failing for any reason: the signal fires by the holder\'s clock', () => {
    for (const kind of ['resetBefore', 'serverError', 'throttle'] as const) {
      it(`${kind} on every heartbeat: signal aborts with LockLostError at the end of the lease, held false; heartbeats kept trying`, async () => {
        const leaseMs = 500;
        const lock = await db.lock(`fail-${kind}`, { leaseMs, heartbeatMs: 100 });
        const aborted = watchAbort(lock, 3 * leaseMs);
        await sleep(120); // one heartbeat succeeds
        const failingSince = performance.now();
        const faults = always(kind, ['UpdateItem']);
        let result: Awaited<typeof aborted>;
        try {
          result = await aborted;
        } finally {
          faults.remove();
        }
        const after = result.at - failingSince;
        // By the holder's clock: the last successful heartbeat (or the acquire) started shortly before the faults began.
        expect(after).to.be.within(leaseMs - 250, leaseMs + 150);
        expect(result.held).to.equal(false);
        expect(result.reason).to.be.instanceOf(LockLostError);
        expect(faults.counts[kind], 'heartbeats kept trying after failures').to.be.at.least(4);
        // Nobody took it over: release still frees the record.
        await lock.release();
        expect((await stored(`fail-${kind}`)).releasedAt).to.be.instanceOf(Date);
      });
    }

    it('the endpoint gone (connection refused): signal aborts by the holder\'s clock', async () => {
      const closed = await new Promise<number>((resolve) => {
        const server = createServer().listen(0, '127.0.0.1', () => {
          const { port } = server.address() as { port: number };
          server.close(() => resolve(port));
        });
      });
      let gone = false;
      const real = new URL(testEndpoint());
      const flaky = testClient({
        maxAttempts: 2,
        endpoint: async () => ({ protocol: 'http:', hostname: gone ? '127.0.0.1' : real.hostname, port: gone ? closed : Number(real.port), path: '/' }),
      });
      const other = new Dynagraph({ client: flaky, tablePrefix: PREFIX, default: false });
      const leaseMs = 400;
      const lock = await other.lock('gone', { leaseMs, heartbeatMs: 80 });
      const aborted = watchAbort(lock, 3 * leaseMs);
      await sleep(100);
      gone = true;
      const since = performance.now();
      const result = await aborted;
      expect(result.at - since).to.be.within(leaseMs - 210, leaseMs + 150);
      expect(result.held).to.equal(false);
      expect(await caught(lock.heartbeat())).to.be.instanceOf(LockLostError);
      gone = false;
      await lock.release();
      flaky.destroy();
    });

    it('a transient failure shorter than the lease: heartbeats resume and the lock stays held', async () => {
      const lock = await db.lock('transient', { leaseMs: 600, heartbeatMs: 100 });
      const faults = always('resetBefore', ['UpdateItem']);
      await sleep(350);
      faults.remove();
      await sleep(650); // longer than a lease after the faults began: only resumed heartbeats keep it
      expect(lock.held).to.equal(true);
      expect(lock.signal.aborted).to.equal(false);
      expect(faults.counts.resetBefore).to.be.at.least(2);
      await lock.release();
    });
  });

  describe('fencing tokens', () => {
    it('strictly increase over acquire, release, takeover; a stale holder\'s fenced write is refused', async () => {
      await Report.put({ id: 'daily', body: '', fence: 0 }, { db });
      const tokens: number[] = [];
      const a = await db.lock('fence', { leaseMs: 3000 });
      tokens.push(a.fencingToken);
      await a.release();
      const b = await db.lock('fence', { leaseMs: 150, heartbeatMs: false, owner: 'paused' });
      tokens.push(b.fencingToken);
      await fencedWrite(b.fencingToken, 'by b');
      // b pauses past its lease; c watches the rvn unchanged for a lease and takes over.
      const c = await db.lock('fence', { leaseMs: 3000, pollMs: 20 });
      tokens.push(c.fencingToken);
      expect(b.signal.aborted).to.equal(true);
      await fencedWrite(c.fencingToken, 'by c');
      await fencedWrite(c.fencingToken, 'by c again'); // the same holder may write again
      const err = await caught<ConditionFailedError>(fencedWrite(b.fencingToken, 'by b, stale'));
      expect(err).to.be.instanceOf(ConditionFailedError);
      expect((await Report.get({ id: 'daily' }, { db, consistent: true }))!.body).to.equal('by c again');
      await c.release();
      const d = await db.lock('fence', { wait: false });
      tokens.push(d.fencingToken);
      await d.release();
      expect(tokens).to.deep.equal([1, 2, 3, 4]);
      expect((await stored('fence')).fence).to.equal(4);
    });

    it('a record without a token (written before tokens existed) is taken over with token 1, and withLock works on it', async () => {
      await LockRecord.put({ name: 'legacy', owner: 'old-client', rvn: 'old-rvn', leaseMs: 100, acquiredAt: new Date() }, { db });
      const record = await stored('legacy');
      expect(record.fence).to.equal(undefined);
      expect(record.releasedAt).to.equal(undefined);
      const token = await db.withLock('legacy', (lock) => lock.fencingToken, { leaseMs: 2000, pollMs: 10 });
      expect(token).to.equal(1);
      expect(await db.withLock('legacy', (lock) => lock.fencingToken, { leaseMs: 2000, wait: false })).to.equal(2);
    });

    it('10 contenders with lost answers on every lock write: sections never overlap, tokens strictly increase in section order', async () => {
      // SDK retries (8 attempts) absorb the resets and 500s; resets after the request make
      // every lock write's resend meet its own earlier success. Random faults come on top of
      // a counted loss of every fifth lock write's answer: how many writes the contenders
      // send depends on timing, so a random draw alone may lose only a few.
      const sturdy = testClient({ maxAttempts: 8 });
      const many = new Dynagraph({ client: sturdy, tablePrefix: PREFIX, default: false });
      const losing = loseAnswers(sturdy, { operation: ['PutItem', 'UpdateItem'], every: 5, times: Infinity });
      const faults = injectFaults(sturdy, { rate: 0.15, seed: 7, kinds: { resetAfter: { weight: 2, operations: ['PutItem', 'UpdateItem'] }, resetBefore: 1, serverError: 1 } });
      const sections: { start: number; end: number; token: number }[] = [];
      try {
        await Promise.all(Array.from({ length: 10 }, async () => {
          for (let i = 0; i < 3; i++) {
            await many.withLock('contended', async (lock) => {
              const start = performance.now();
              await sleep(2);
              sections.push({ start, end: performance.now(), token: lock.fencingToken });
            }, { leaseMs: 2000, pollMs: 5 });
          }
        }));
      } finally {
        faults.remove();
        losing.remove();
        sturdy.destroy();
      }
      // 30 acquires and 30 releases at the least: 60 lock writes, every fifth answer lost.
      expect(losing.lost()).to.be.at.least(12);
      expect(sections.length).to.equal(30);
      sections.sort((x, y) => x.start - y.start);
      for (let i = 1; i < sections.length; i++) {
        expect(sections[i].start, `section ${i} overlaps`).to.be.at.least(sections[i - 1].end);
        expect(sections[i].token, `token of section ${i}`).to.be.greaterThan(sections[i - 1].token);
      }
      console.log(`      ${sections.length} sections, tokens ${sections[0].token}..${sections.at(-1)!.token}, ${faults.total()} random faults, ${faults.counts.resetAfter + losing.lost()} lost answers`);
    });
  });
});
