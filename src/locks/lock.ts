/**
 * A lease lock over conditional writes, the way Amazon's DynamoDB lock client does it:
 * every acquire and heartbeat stores a fresh record version number (rvn), and every write
 * is conditional on the rvn last seen. An acquirer finding the lock held remembers its rvn
 * and, if that rvn is still unchanged after the holder's whole lease as timed by the
 * acquirer's own monotonic clock, takes the lock over. No two machines' clocks are ever
 * compared, so clock skew cannot break exclusion. A holder must heartbeat (or finish)
 * within its lease.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { attr, and } from '../expressions/condition-ast.js';
import { ConditionFailedError, LockLostError, LockNotAcquiredError } from '../errors.js';
import type { Database } from '../operations/context.js';
import { deleteItem, getItem, putItem } from '../operations/items.js';
import { updateItem, updateParams } from '../operations/update.js';
import { set } from '../expressions/update.js';
import { LockRecord } from './record.js';

/** Options of `db.lock()` and `db.withLock()`. */
export interface LockOptions {
  /** How long the lock is ours without a heartbeat, in ms. Default 10 000. */
  leaseMs?: number;
  /** Heartbeat period in ms (extends the lease); `0` or `false`: none. Default `leaseMs / 3`. */
  heartbeatMs?: number | false;
  /**
   * How long to wait for a held lock: `true` (default) until acquired, a number of ms, or
   * `false` to try once. Taking over an expired lease needs a wait of at least its lease.
   */
  wait?: boolean | number;
  /** Delay between attempts while waiting, in ms. Default `min(1000, max(10, leaseMs / 10))`. */
  pollMs?: number;
  /** Owner id stored in the record. Default: host, process and a random suffix. */
  owner?: string;
  /** Data stored with the lock. */
  data?: unknown;
}

const schema = LockRecord.schema;
const now = (): number => performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const isConditionFailure = (err: unknown) => err instanceof ConditionFailedError;

/** A held lease lock. Call `release()` when done; heartbeats run in the background meanwhile. */
export class LockHandle {
  /** The lock's name. */
  readonly name: string;
  /** This holder's owner id. */
  readonly owner: string;
  /** The lease, in ms. */
  readonly leaseMs: number;
  /** Aborted when the lock is lost (a heartbeat found it taken over); pass it to cancellable work. */
  readonly signal: AbortSignal;
  #rvn: string;
  #renewedAt: number;
  #state: 'held' | 'lost' | 'released' = 'held';
  #abort = new AbortController();
  #timer: ReturnType<typeof setInterval> | undefined;
  #chain: Promise<unknown> = Promise.resolve();

  /** @internal */
  constructor(private readonly db: Database, name: string, owner: string, leaseMs: number, rvn: string, renewedAt: number, heartbeatMs: number) {
    this.name = name;
    this.owner = owner;
    this.leaseMs = leaseMs;
    this.#rvn = rvn;
    this.#renewedAt = renewedAt;
    this.signal = this.#abort.signal;
    if (heartbeatMs > 0) {
      this.#timer = setInterval(() => void this.heartbeat().catch(() => {}), heartbeatMs);
      this.#timer.unref?.();
    }
  }

  /** `true` while the lock is ours: not lost, not released, and the lease (by our clock) not run out. */
  get held(): boolean {
    return this.#state === 'held' && now() - this.#renewedAt < this.leaseMs;
  }

  /** The record version number we hold. */
  get rvn(): string {
    return this.#rvn;
  }

  #lost(what: string, cause?: unknown): LockLostError {
    if (this.#state === 'held') {
      this.#state = 'lost';
      this.#stop();
      this.#abort.abort(new LockLostError(this.name, what, cause));
      this.db.connection.log({ channel: 'model', command: 'lock', message: `"${this.name}" lost by ${this.owner} (${what})` });
    }
    return new LockLostError(this.name, what, cause);
  }

  #stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Runs lock operations one at a time, so a release never races a heartbeat. */
  #serial<T>(op: () => Promise<T>): Promise<T> {
    const next = this.#chain.then(op, op);
    this.#chain = next.catch(() => {});
    return next;
  }

  /**
   * Extends the lease: stores a new rvn, conditional on ours. Throws LockLostError when the
   * record changed (taken over after our lease ran out, or released by someone else).
   */
  heartbeat(): Promise<void> {
    return this.#serial(async () => {
      if (this.#state !== 'held') throw new LockLostError(this.name, 'heartbeat');
      // Even after our lease ran out, the conditional write decides: it only succeeds if nobody took over.
      const started = now();
      const rvn = randomUUID();
      const table = this.db.tableName(schema);
      const params = updateParams(schema, table, {
        key: { name: this.name },
        actions: [set('rvn', rvn)],
        guards: { condition: and(attr('rvn').eq(this.#rvn), attr('owner').eq(this.owner)) },
      });
      try {
        await updateItem(this.db, schema, params, 'none');
      } catch (err) {
        if (isConditionFailure(err)) throw this.#lost('heartbeat', err);
        throw err;
      }
      this.#rvn = rvn;
      // Timed from before the request: the lease others wait out began no later than that.
      this.#renewedAt = started;
    });
  }

  /** Releases the lock (deletes its record, conditional on our rvn). LockLostError if it is not ours any more. */
  release(): Promise<void> {
    return this.#serial(async () => {
      if (this.#state === 'released') return;
      if (this.#state === 'lost') throw new LockLostError(this.name, 'release');
      this.#stop();
      const started = now();
      try {
        await deleteItem(this.db, schema, { name: this.name }, { condition: and(attr('rvn').eq(this.#rvn), attr('owner').eq(this.owner)) });
      } catch (err) {
        // No record at all while our lease was still running: nobody could have taken it over
        // (that takes a whole lease without a renewal), so this is our own delete, applied
        // and resent after its answer was lost.
        const ownDelete = err instanceof ConditionFailedError && err.item === undefined && started - this.#renewedAt < this.leaseMs;
        if (isConditionFailure(err) && !ownDelete) throw this.#lost('release', err);
        if (!ownDelete) throw err;
      }
      this.#state = 'released';
      this.db.connection.log({ channel: 'model', command: 'lock', message: `"${this.name}" released by ${this.owner}` });
    });
  }
}

/** A fresh record for `name`, written conditionally by the caller. */
function record(name: string, owner: string, rvn: string, leaseMs: number, data: unknown): Record<string, unknown> {
  return schema.encode({ name, owner, rvn, leaseMs, acquiredAt: new Date(), data });
}

/** Acquires the lease lock `name` (see {@link LockOptions}); throws LockNotAcquiredError when the wait runs out. */
export async function acquireLock(db: Database, name: string, options: LockOptions = {}): Promise<LockHandle> {
  const leaseMs = options.leaseMs ?? 10_000;
  const heartbeatMs = options.heartbeatMs === false ? 0 : options.heartbeatMs ?? Math.floor(leaseMs / 3);
  const waitMs = options.wait === false ? 0 : options.wait === true || options.wait === undefined ? Infinity : options.wait;
  const pollMs = options.pollMs ?? Math.min(1000, Math.max(10, leaseMs / 10));
  const owner = options.owner ?? `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`;
  const started = now();
  const log = (message: string) => db.connection.log({ channel: 'model', command: 'lock', message: `"${name}" ${message}` });
  // The rvn we are watching, since when (our clock), and the lease its holder declared.
  let watched: { rvn: string; since: number; leaseMs: number; owner: string } | undefined;
  for (;;) {
    const current = await getItem(db, schema, { name }, { consistent: true });
    const rvn = randomUUID();
    const at = now();
    try {
      if (!current) {
        await putItem(db, schema, record(name, owner, rvn, leaseMs, options.data), { overwrite: false });
        log(`acquired by ${owner}`);
        return new LockHandle(db, name, owner, leaseMs, rvn, at, heartbeatMs);
      }
      const seen = String(current.rvn);
      if (!watched || watched.rvn !== seen) {
        watched = { rvn: seen, since: at, leaseMs: Number(current.leaseMs), owner: String(current.owner) };
      } else if (at - watched.since >= watched.leaseMs) {
        await putItem(db, schema, record(name, owner, rvn, leaseMs, options.data), { condition: attr('rvn').eq(seen) });
        log(`taken over by ${owner} from ${watched.owner} (lease of ${watched.leaseMs} ms expired)`);
        return new LockHandle(db, name, owner, leaseMs, rvn, at, heartbeatMs);
      }
    } catch (err) {
      // Someone else wrote the record first: look again.
      if (!isConditionFailure(err)) throw err;
      watched = undefined;
      continue;
    }
    const waited = now() - started;
    if (waited >= waitMs) throw new LockNotAcquiredError(name, watched?.owner, waited);
    await sleep(Math.min(pollMs, Math.max(0, waitMs - waited)));
  }
}

/**
 * Runs `fn` holding the lock `name`, then releases it. If `fn` fails, its error is thrown
 * (after releasing). If `fn` succeeds but the lock was lost meanwhile, LockLostError is
 * thrown: the critical section may have overlapped another holder's.
 */
export async function withLock<T>(db: Database, name: string, fn: (lock: LockHandle) => Promise<T> | T, options: LockOptions = {}): Promise<T> {
  const lock = await acquireLock(db, name, options);
  let result: T;
  try {
    result = await fn(lock);
  } catch (err) {
    await lock.release().catch(() => {});
    throw err;
  }
  await lock.release();
  return result;
}
