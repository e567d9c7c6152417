/**
 * Lease locks against DynamoDB Local: mutual exclusion under contention (critical-section
 * intervals recorded and checked), takeover of an expired lease, heartbeats that keep a
 * lease alive, and release by a non-owner failing. A release marks the record free (it keeps
 * the fencing token), it does not delete it. Lost answers, failing heartbeats and fencing
 * tokens under contention: test/faults/lock-faults.test.ts.
 */
import { expect } from 'chai';
import { LockLostError, LockNotAcquiredError, LockRecord, Model, number, string, type LogEntry } from '../../src/index.js';
import { testDb } from '../harness/db.js';
import { caught } from '../harness/caught.js';

const log: LogEntry[] = [];
const { db, drop } = testDb('locks-', { logger: (e) => log.push(e) });

class Tally extends Model({ table: 'tallies', key: { hash: 'id' }, attributes: { id: string(), n: number() } }) {}

const models = [LockRecord, Tally];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('lease locks (DynamoDB Local)', () => {
  before(() => db.createTables(models));
  after(() => drop(models));

  it('10 contenders incrementing a plain counter under the lock lose no update and never overlap', async function () {
    this.timeout(120_000);
    await Tally.put({ id: 'plain', n: 0 }, { db });
    const intervals: { who: number; start: number; end: number }[] = [];
    const perContender = 5;
    const started = performance.now();
    await Promise.all(Array.from({ length: 10 }, async (_, who) => {
      for (let i = 0; i < perContender; i++) {
        await db.withLock('counter', async (lock) => {
          const start = performance.now();
          // A deliberately non-atomic read-modify-write with a pause in the middle.
          const t = (await Tally.get({ id: 'plain' }, { db, consistent: true }))!;
          await sleep(2);
          t.n += 1;
          await t.save();
          expect(lock.held).to.equal(true);
          intervals.push({ who, start, end: performance.now() });
        }, { leaseMs: 2000, pollMs: 5 });
      }
    }));
    const elapsed = performance.now() - started;
    expect((await Tally.get({ id: 'plain' }, { db, consistent: true }))!.n).to.equal(10 * perContender);
    intervals.sort((a, b) => a.start - b.start);
    for (let i = 1; i < intervals.length; i++) {
      expect(intervals[i].start, `section ${i} starts before section ${i - 1} ends`).to.be.at.least(intervals[i - 1].end);
    }
    const busy = intervals.reduce((s, x) => s + (x.end - x.start), 0);
    console.log(`      10 contenders × ${perContender}: n=${10 * perContender}, ${intervals.length} sections, none overlapping; ${Math.round(busy)} ms inside of ${Math.round(elapsed)} ms`);
  });

  it('an expired lease is taken over by an acquirer that watched it for a whole lease; the old holder has lost it', async () => {
    log.length = 0;
    const crashed = await db.lock('expiring', { leaseMs: 300, heartbeatMs: false, owner: 'crashed' });
    const t0 = performance.now();
    const next = await db.lock('expiring', { leaseMs: 1000, pollMs: 20, owner: 'next' });
    const waited = performance.now() - t0;
    expect(waited).to.be.at.least(300);
    expect(next.held).to.equal(true);
    expect(log.some((e) => e.channel === 'model' && /"expiring" taken over by next from crashed/.test(e.message ?? ''))).to.equal(true);
    // The old holder finds out on its next heartbeat, and cannot release what is not its own.
    const lost = await caught<LockLostError>(crashed.heartbeat());
    expect(lost).to.be.instanceOf(LockLostError);
    expect(lost.code).to.equal('LOCK_LOST');
    expect(crashed.held).to.equal(false);
    expect(crashed.signal.aborted).to.equal(true);
    expect(await caught(crashed.release())).to.be.instanceOf(LockLostError);
    await next.release();
    const stored = (await LockRecord.get({ name: 'expiring' }, { db, consistent: true }))!;
    expect(stored.releasedAt).to.be.instanceOf(Date);
    expect([crashed.fencingToken, next.fencingToken, stored.fence]).to.deep.equal([1, 2, 2]);
  });

  it('heartbeats extend the lease: a waiter gives up while the holder is alive, and gets it once released', async () => {
    const holder = await db.lock('busy', { leaseMs: 300, heartbeatMs: 80, owner: 'holder' });
    const rvn = holder.rvn;
    const t0 = performance.now();
    const err = await caught<LockNotAcquiredError>(db.lock('busy', { leaseMs: 300, wait: 900, pollMs: 20, owner: 'waiter' }));
    expect(err).to.be.instanceOf(LockNotAcquiredError);
    expect(err.code).to.equal('LOCK_NOT_ACQUIRED');
    expect(err.owner).to.equal('holder');
    expect(performance.now() - t0).to.be.at.least(900);
    // Held three leases long: only the heartbeats kept it.
    expect(holder.held).to.equal(true);
    expect(holder.rvn).to.not.equal(rvn);
    await holder.release();
    const t1 = performance.now();
    const waiter = await db.lock('busy', { leaseMs: 300, wait: 900, owner: 'waiter' });
    expect(performance.now() - t1).to.be.below(250);
    await waiter.release();
  });

  it('wait: false fails at once on a held lock; release by a non-owner fails', async () => {
    const a = await db.lock('single', { leaseMs: 5000, owner: 'a' });
    const t0 = performance.now();
    expect(await caught(db.lock('single', { wait: false }))).to.be.instanceOf(LockNotAcquiredError);
    expect(performance.now() - t0).to.be.below(500);
    // Someone else's record under the same name: our handle is no longer the owner.
    await LockRecord.put({ name: 'single', owner: 'intruder', rvn: 'forged', leaseMs: 5000, acquiredAt: new Date() }, { db });
    const err = await caught<LockLostError>(a.release());
    expect(err).to.be.instanceOf(LockLostError);
    expect((await LockRecord.get({ name: 'single' }, { db }))!.owner).to.equal('intruder');
  });

  it('withLock releases after the function, also when it throws', async () => {
    const result = await db.withLock('scoped', async (lock) => {
      expect((await LockRecord.get({ name: 'scoped' }, { db, consistent: true }))!.owner).to.equal(lock.owner);
      return 42;
    }, { leaseMs: 1000 });
    expect(result).to.equal(42);
    expect((await LockRecord.get({ name: 'scoped' }, { db, consistent: true }))!.releasedAt).to.be.instanceOf(Date);
    const err = await caught<Error>(db.withLock('scoped', async () => {
      throw new Error('boom');
    }));
    expect(err.message).to.equal('boom');
    const stored = (await LockRecord.get({ name: 'scoped' }, { db, consistent: true }))!;
    expect(stored.releasedAt).to.be.instanceOf(Date);
    expect(stored.fence).to.equal(2);
  });
});
