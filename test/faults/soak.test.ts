/**
 * Concurrency soak under injected faults: workers mixing versioned read-modify-writes,
 * transfers between accounts in `db.transactWrite`, and lease-locked critical sections,
 * bounded in time (DYNAGRAPH_SOAK_SECONDS, default 10) and in operations. Invariants at the
 * end: total balance unchanged and every balance explained by the committed transfer
 * records, versioned counters exact, lock sections never overlapping and their tally exact.
 *
 * Connections dropped after the request reached DynamoDB are injected only where a resend is
 * harmless (reads, and transactions, which carry an idempotency token): a plain conditional
 * write resent by the SDK fails on its own success (see the last tests of this file).
 */
import { expect } from 'chai';
import {
  LockRecord, Model, TransactionCanceledError, VersionConflictError, number, string,
} from '../../src/index.js';
import { injectFaults, seededRandom, type FaultOptions } from '../../src/testing/index.js';
import { testDb } from '../harness/db.js';
import { addFaults, addOperations, setSoak, SDK_ATTEMPTS } from './figures.js';

class Account extends Model({ table: 'accounts', key: { hash: 'id' }, attributes: { id: string(), balance: number() } }) {}
class Transfer extends Model({ table: 'transfers', key: { hash: 'id' }, attributes: { id: string(), from: string(), to: string(), amount: number() } }) {}
class Counter extends Model({ table: 'counters', key: { hash: 'id' }, attributes: { id: string(), count: number(), version: number() }, version: 'version' }) {}
class Tally extends Model({ table: 'tallies', key: { hash: 'id' }, attributes: { id: string(), n: number() } }) {}

const models = [Account, Transfer, Counter, Tally, LockRecord];
const { db, drop } = testDb('faults-soak-', { retry: { attempts: 8, baseDelayMs: 1, maxDelayMs: 10 }, client: { maxAttempts: SDK_ATTEMPTS } });

const SECONDS = Number(process.env.DYNAGRAPH_SOAK_SECONDS ?? 10);
const WORKERS = 8;
const MAX_OPS_PER_WORKER = 50_000;
const ACCOUNTS = 10;
const INITIAL = 100;
const COUNTERS = 4;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Faults of the soak: a resent plain write is not harmless, so `resetAfter` only hits reads and transactions. */
const SOAK_FAULTS: FaultOptions = {
  rate: 0.2,
  seed: 2024,
  kinds: {
    throttle: 1, resetBefore: 1, serverError: 1, latency: 1, conflict: 2,
    resetAfter: { operations: ['GetItem', 'Query', 'Scan', 'BatchGetItem', 'TransactGetItems', 'TransactWriteItems'] },
  },
  latencyMs: [1, 5],
};

describe('concurrency soak under faults (DynamoDB Local)', function () {
  this.timeout((SECONDS + 60) * 1000);
  before(async () => {
    await db.createTables(models);
    await db.putMany([
      ...Array.from({ length: ACCOUNTS }, (_, i) => new Account({ id: `a${i}`, balance: INITIAL })),
      new Tally({ id: 'sections', n: 0 }),
    ]);
    for (let c = 0; c < COUNTERS; c++) await new Counter({ id: `c${c}`, count: 0 }).save({ db });
  });
  after(() => drop(models));

  it(`${WORKERS} workers for ${SECONDS} s: balances, counters and lock sections stay exact`, async () => {
    const faults = injectFaults(db.connection.client, SOAK_FAULTS);
    const ops = { transfers: 0, declined: 0, gaveUp: 0, increments: 0, versionConflicts: 0, sections: 0 };
    const increments = Array<number>(COUNTERS).fill(0);
    const intervals: [number, number][] = [];
    const unexpected: unknown[] = [];
    const started = performance.now();
    const deadline = started + SECONDS * 1000;

    const transfer = async (random: () => number, worker: number, i: number) => {
      const from = Math.floor(random() * ACCOUNTS);
      const to = (from + 1 + Math.floor(random() * (ACCOUNTS - 1))) % ACCOUNTS;
      const amount = 1 + Math.floor(random() * 50);
      try {
        await db.transactWrite((tx) => {
          tx.update([Account, { id: `a${from}` }], { add: { balance: -amount } }, { condition: { balance: { ge: amount } } });
          tx.update([Account, { id: `a${to}` }], { add: { balance: amount } });
          tx.put(new Transfer({ id: `t${worker}-${i}`, from: `a${from}`, to: `a${to}`, amount }), { overwrite: false });
        });
        ops.transfers++;
      } catch (err) {
        if (!(err instanceof TransactionCanceledError)) throw err;
        // Insufficient funds is a declined transfer; conflicts past the retry bound a transfer not made. Either way: nothing written.
        if (err.conflict) ops.gaveUp++;
        else if (err.reasons.every((r) => r.code === 'ConditionalCheckFailed' && r.index === 0)) ops.declined++;
        else throw err;
      }
    };

    const increment = async (random: () => number) => {
      const c = Math.floor(random() * COUNTERS);
      for (let attempt = 0; attempt < 200; attempt++) {
        const counter = (await Counter.get({ id: `c${c}` }, { db, consistent: true }))!;
        try {
          if (random() < 0.5) {
            counter.count += 1;
            await counter.save({ db });
          } else {
            await counter.update({ add: { count: 1 } }, { db });
          }
          increments[c]++;
          ops.increments++;
          return;
        } catch (err) {
          if (!(err instanceof VersionConflictError)) throw err;
          ops.versionConflicts++;
        }
      }
      throw new Error('increment: 200 version conflicts in a row');
    };

    const section = async (random: () => number) => {
      await db.withLock('soak', async () => {
        const start = performance.now();
        // A read-modify-write with no condition: only mutual exclusion keeps it exact.
        const tally = (await Tally.get({ id: 'sections' }, { db, consistent: true }))!;
        await sleep(Math.floor(random() * 3));
        await Tally.put({ id: 'sections', n: tally.n + 1 }, { db });
        ops.sections++;
        intervals.push([start, performance.now()]);
      }, { leaseMs: 5000, pollMs: 15, wait: 20_000 });
    };

    try {
      await Promise.all(Array.from({ length: WORKERS }, async (_, worker) => {
        const random = seededRandom(1000 + worker);
        for (let i = 0; i < MAX_OPS_PER_WORKER && performance.now() < deadline; i++) {
          const u = random();
          try {
            if (u < 0.5) await transfer(random, worker, i);
            else if (u < 0.9) await increment(random);
            else await section(random);
          } catch (err) {
            unexpected.push(err);
            if (unexpected.length > 5) return;
          }
        }
      }));
    } finally {
      faults.remove();
      addFaults(faults);
    }
    const elapsed = (performance.now() - started) / 1000;
    expect(unexpected.map((e) => String((e as Error)?.stack ?? e)).slice(0, 3)).to.deep.equal([]);

    // Transfers: the total is unchanged, and every balance is what the committed records say.
    const accounts = await db.scan(Account, { consistent: true }).all();
    const records = await db.scan(Transfer, { consistent: true }).all();
    expect(accounts.reduce((n, a) => n + a.balance, 0)).to.equal(ACCOUNTS * INITIAL);
    expect(accounts.every((a) => a.balance >= 0)).to.equal(true);
    for (const a of accounts) {
      const delta = records.reduce((n, t) => n + (t.to === a.id ? t.amount : 0) - (t.from === a.id ? t.amount : 0), 0);
      expect(a.balance, a.id).to.equal(INITIAL + delta);
    }
    expect(records.length).to.equal(ops.transfers);
    // Versioned counters: exactly one stored increment per increment that reported success.
    for (let c = 0; c < COUNTERS; c++) {
      const stored = (await Counter.get({ id: `c${c}` }, { db, consistent: true }))!;
      expect(stored.count, `c${c}`).to.equal(increments[c]);
      expect(stored.version, `c${c} version`).to.equal(increments[c] + 1);
    }
    // Lock sections: never overlapping, and the unguarded tally lost nothing.
    intervals.sort((x, y) => x[0] - y[0]);
    const overlaps = intervals.filter((iv, k) => k > 0 && iv[0] < intervals[k - 1][1]);
    expect(overlaps).to.deep.equal([]);
    expect((await Tally.get({ id: 'sections' }, { db, consistent: true }))!.n).to.equal(ops.sections);

    const total = ops.transfers + ops.declined + ops.gaveUp + ops.increments + ops.sections;
    addOperations('soak operations', total);
    setSoak({ seconds: Math.round(elapsed * 10) / 10, workers: WORKERS, operations: total, ...ops, faults: faults.total(), lost: 0 });

    // Every kind of work and fault happened.
    expect(ops.transfers).to.be.greaterThan(0);
    expect(ops.increments).to.be.greaterThan(0);
    expect(ops.sections).to.be.greaterThan(0);
    expect(ops.versionConflicts, 'contention on the counters').to.be.greaterThan(0);
    for (const kind of ['throttle', 'resetBefore', 'resetAfter', 'serverError', 'conflict', 'latency'] as const) expect(faults.counts[kind], kind).to.be.greaterThan(0);
  });

  describe('a write applied by DynamoDB whose response was lost (the SDK resends it)', () => {
    // A versioned write leaves its mark in the slot of the version it writes: the SDK's resend
    // fails its version check, finds the mark on the stored item, and save() reports success.
    it('a versioned save is not reported as a version conflict when its own write landed', async () => {
      const counter = (await Counter.get({ id: 'c0' }, { db, consistent: true }))!;
      const before = counter.count;
      const faults = injectFaults(db.connection.client, { rate: 1, kinds: { resetAfter: { operations: ['PutItem'] } }, onFault: () => void (faults.enabled = false) });
      try {
        counter.count += 1;
        await counter.save({ db });
      } finally {
        faults.remove();
      }
      expect(faults.counts.resetAfter).to.equal(1);
      expect((await Counter.get({ id: 'c0' }, { db, consistent: true }))!.count).to.equal(before + 1);
    });

    // A release whose write landed but whose answer was lost finds its own record version in
    // the resend's condition failure: it was our own release.
    it('releasing a lock whose release landed but whose answer was lost does not report the lock lost', async () => {
      // A release is an UpdateItem that marks the record free.
      const faults = injectFaults(db.connection.client, { rate: 1, kinds: { resetAfter: { operations: ['UpdateItem'] } }, onFault: () => void (faults.enabled = false) });
      faults.enabled = false;
      try {
        await db.withLock('lost-answer', async () => {
          faults.enabled = true;
        }, { leaseMs: 2000 });
      } finally {
        faults.remove();
      }
      expect(faults.counts.resetAfter).to.equal(1);
      // A release marks the record free (its fencing token must never go back), it does not delete it.
      expect((await LockRecord.get({ name: 'lost-answer' }, { db, consistent: true }))?.releasedAt).to.be.instanceOf(Date);
    });

    it('a transaction is applied once: its idempotency token makes the resend harmless', async () => {
      const [b0, b1] = await db.getMany(Account, [{ id: 'a0' }, { id: 'a1' }], { consistent: true });
      const faults = injectFaults(db.connection.client, { rate: 1, kinds: { resetAfter: { operations: ['TransactWriteItems'] } }, onFault: () => void (faults.enabled = false) });
      try {
        await db.transactWrite((tx) => {
          tx.update([Account, { id: 'a0' }], { add: { balance: -1 } });
          tx.update([Account, { id: 'a1' }], { add: { balance: 1 } });
        });
      } finally {
        faults.remove();
      }
      expect(faults.counts.resetAfter).to.equal(1);
      const [a0, a1] = await db.getMany(Account, [{ id: 'a0' }, { id: 'a1' }], { consistent: true });
      expect([a0!.balance, a1!.balance]).to.deep.equal([b0!.balance - 1, b1!.balance + 1]);
    });
  });
});
