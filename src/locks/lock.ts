/**
 * A lease lock over conditional writes, the way Amazon's DynamoDB lock client does it:
 * every acquire, heartbeat and release stores a fresh record version number (rvn), and every
 * write is conditional on the rvn last seen. An acquirer finding the lock held remembers its
 * rvn and, if that rvn is still unchanged after the holder's whole lease as timed by the
 * acquirer's own monotonic clock, takes the lock over. No two machines' clocks are ever
 * compared, so clock skew cannot break exclusion. A holder must heartbeat (or finish)
 * within its lease.
 *
 * Lost answers: the SDK resends a write whose answer was lost, and the resend of a write that
 * landed fails its own condition. Every rvn is random and written once, so a stored record
 * carrying the owner and the rvn this very call wrote is our own write: that condition
 * failure is a success. A write whose outcome stays unknown (the SDK gave up) is remembered,
 * and later writes accept its rvn as ours too.
 *
 * Fencing: each acquire or takeover writes `fence` = the token it read + 1, conditional on the
 * rvn it read (which pins the whole record), so tokens strictly increase per lock name.
 * Releases mark the record free instead of deleting it, so the token never goes back.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { attr, and, type Condition } from '../expressions/condition-ast.js';
import { ConditionFailedError } from '../errors.js';
import { LockLostError, LockNotAcquiredError } from './errors.js';
import type { Database } from '../operations/context.js';
import { getItem, putItem } from '../operations/items.js';
import { updateItem, updateParams } from '../operations/update.js';
import { set } from '../expressions/update.js';
import { LockRecord } from './record.js';

/** Options of `db.lock()` and `db.withLock()`. */
export interface LockOptions {
  /** How long the lock is ours without a heartbeat, in ms. Default 10 000. */
  leaseMs?: number | undefined;
  /** Heartbeat period in ms (extends the lease); `0` or `false`: none. Default `leaseMs / 3`. */
  heartbeatMs?: number | false | undefined;
  /**
   * How long to wait for a held lock: `true` (default) until acquired, a number of ms, or
   * `false` to try once. Taking over an expired lease needs a wait of at least its lease.
   */
  wait?: boolean | number | undefined;
  /** Delay between attempts while waiting, in ms. Default `min(1000, max(10, leaseMs / 10))`. */
  pollMs?: number | undefined;
  /** Owner id stored in the record. Default: host, process and a random suffix. */
  owner?: string | undefined;
  /** Data stored with the lock. */
  data?: unknown | undefined;
}

const schema = LockRecord.schema;
const now = (): number => performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** rvns of writes whose outcome is unknown that a handle keeps accepting as its own (DynamoDB's IN takes 100 operands). */
const MAX_PENDING = 50;

/** True when a stored record (decoded, from a condition failure or a read) is the one this owner wrote with `rvn`. */
const isOwn = (item: Record<string, unknown> | undefined, owner: string, rvn: string): boolean =>
  item !== undefined && item.owner === owner && item.rvn === rvn;

/** The fencing token stored in a (decoded) record; 0 for records from before tokens existed. */
const fenceOf = (item: Record<string, unknown>): number => (typeof item.fence === 'number' ? item.fence : Number(item.fence ?? 0));

/** A held lease lock. Call `release()` when done; heartbeats run in the background meanwhile. */
export class LockHandle {
  /** The lock's name. */
  readonly name: string;
  /** This holder's owner id. */
  readonly owner: string;
  /** The lease, in ms. */
  readonly leaseMs: number;
  /**
   * The fencing token of this hold: strictly greater than the token of every earlier hold of
   * the same lock name (every acquire and takeover increments it in the write that takes the
   * lock; releases keep it). Pass it to downstream writes and have them refuse a token lower
   * than the highest they have seen (`condition: attr('fence').le(token)` then store it): a
   * holder that lost the lock — paused past its lease, then resumed — can then no longer write
   * after a newer holder did. Counts from 1; a lock record deleted by hand starts it over.
   */
  readonly fencingToken: number;
  /**
   * Aborted (with a LockLostError) as soon as the lock stops being ours: when the lease has
   * run out by this holder's clock without a successful heartbeat (whatever made heartbeats
   * fail: network, throttling, endpoint gone), or when a write found the lock taken over.
   * Pass it to cancellable work.
   */
  readonly signal: AbortSignal;
  #rvn: string;
  /** rvns written by heartbeats or releases whose outcome is unknown: the record may hold any of them. */
  #pending: string[] = [];
  #renewedAt: number;
  #state: 'held' | 'expired' | 'lost' | 'released' = 'held';
  #abort = new AbortController();
  #heartbeatMs: number;
  #beat: ReturnType<typeof setTimeout> | undefined;
  #expiry: ReturnType<typeof setTimeout> | undefined;
  #chain: Promise<unknown> = Promise.resolve();

  /** @internal */
  constructor(private readonly db: Database, name: string, owner: string, leaseMs: number, rvn: string, renewedAt: number, heartbeatMs: number, fencingToken: number) {
    this.name = name;
    this.owner = owner;
    this.leaseMs = leaseMs;
    this.fencingToken = fencingToken;
    this.#rvn = rvn;
    this.#renewedAt = renewedAt;
    this.#heartbeatMs = heartbeatMs;
    this.signal = this.#abort.signal;
  }

  /**
   * @internal A handle for a record just written by acquire. When that write answered after
   * the lease had already run out by our clock (a slow answer), renew first: the conditional
   * write proves nobody took over meanwhile. `undefined`: somebody did.
   */
  static async open(db: Database, name: string, owner: string, leaseMs: number, rvn: string, at: number, heartbeatMs: number, fencingToken: number): Promise<LockHandle | undefined> {
    const handle = new LockHandle(db, name, owner, leaseMs, rvn, at, heartbeatMs, fencingToken);
    for (let tries = 0; tries < 3 && now() - handle.#renewedAt >= leaseMs; tries++) {
      try {
        await handle.#renew();
      } catch (err) {
        if (err instanceof LockLostError) return undefined;
        throw err;
      }
    }
    handle.#armExpiry();
    handle.#scheduleBeat(heartbeatMs);
    return handle;
  }

  /**
   * `true` while the lock is ours: not lost, not released, and the lease (by our clock) not
   * run out. Turns `false` exactly when `signal` aborts.
   */
  get held(): boolean {
    this.#checkExpiry();
    return this.#state === 'held';
  }

  /** The record version number we hold. */
  get rvn(): string {
    return this.#rvn;
  }

  #log(message: string): void {
    this.db.connection.log({ channel: 'model', command: 'lock', message: `"${this.name}" ${message}` });
  }

  /** The lease ran out by our clock: the handle is no longer held (the record may still be ours). */
  #checkExpiry(): void {
    if (this.#state !== 'held' || now() - this.#renewedAt < this.leaseMs) return;
    this.#state = 'expired';
    this.#stop();
    this.#abort.abort(new LockLostError(this.name, `lease of ${this.leaseMs} ms expired without a successful heartbeat`));
    this.#log(`lease expired for ${this.owner}`);
  }

  /** A write found the record written by someone else (taken over, or deleted). */
  #lost(what: string, cause?: unknown): LockLostError {
    const err = new LockLostError(this.name, what, cause);
    if (this.#state === 'held' || this.#state === 'expired') {
      this.#state = 'lost';
      this.#stop();
      if (!this.#abort.signal.aborted) this.#abort.abort(err);
      this.#log(`lost by ${this.owner} (${what})`);
    }
    return err;
  }

  /** A timer at the end of the lease by our clock; re-armed by every successful heartbeat. */
  #armExpiry(): void {
    if (this.#expiry) clearTimeout(this.#expiry);
    if (this.#state !== 'held') return;
    // +1: timers count whole ms and may fire a fraction early against performance.now().
    this.#expiry = setTimeout(() => {
      this.#expiry = undefined;
      this.#checkExpiry();
      if (this.#state === 'held') this.#armExpiry();
    }, Math.max(0, this.#renewedAt + this.leaseMs - now()) + 1);
    this.#expiry.unref?.();
  }

  #scheduleBeat(ms: number): void {
    if (this.#beat) clearTimeout(this.#beat);
    this.#beat = undefined;
    if (this.#heartbeatMs <= 0 || this.#state !== 'held') return;
    this.#beat = setTimeout(() => {
      this.#beat = undefined;
      const started = now();
      // Periods count from the start of the previous beat, so a slow answer does not eat the lease.
      this.heartbeat().then(
        () => this.#scheduleBeat(Math.max(0, this.#heartbeatMs - (now() - started))),
        // A transient failure: try again soon, for as long as the lease lasts.
        () => this.#scheduleBeat(Math.max(0, Math.min(this.#heartbeatMs, Math.max(20, this.leaseMs / 10)) - (now() - started))),
      );
    }, ms);
    this.#beat.unref?.();
  }

  #stop(): void {
    if (this.#beat) clearTimeout(this.#beat);
    if (this.#expiry) clearTimeout(this.#expiry);
    this.#beat = this.#expiry = undefined;
  }

  /** The record is still ours: our owner id and an rvn we wrote (the last known, or one of unknown outcome). */
  #ours(): Condition {
    const rvn = this.#pending.length ? attr('rvn').in(this.#rvn, ...this.#pending) : attr('rvn').eq(this.#rvn);
    return and(attr('owner').eq(this.owner), rvn);
  }

  #remember(rvn: string): void {
    this.#pending.push(rvn);
    if (this.#pending.length > MAX_PENDING) this.#pending.shift();
  }

  /**
   * A newer holder's record found by a resent release: our release landed, its answer was
   * lost, and someone acquired the freed lock before the resend. Told apart from a takeover
   * by time: the answer came within our lease by our clock, so no attempt was evaluated after
   * it, and a takeover needs our rvn unchanged for a whole lease. A higher token rules out a
   * forged or re-created record (those restart at 0 or 1).
   */
  #releasedThenAcquired(item: Record<string, unknown> | undefined): boolean {
    return item !== undefined && now() - this.#renewedAt < this.leaseMs && fenceOf(item) > this.fencingToken;
  }

  /** Runs lock operations one at a time, so a release never races a heartbeat. */
  #serial<T>(op: () => Promise<T>): Promise<T> {
    const next = this.#chain.then(op, op);
    this.#chain = next.catch(() => {});
    return next;
  }

  /**
   * Extends the lease: stores a new rvn, conditional on ours. Throws LockLostError when the
   * lease already ran out by our clock, or the record changed (taken over, or deleted); any
   * other error (network, throttling) leaves the handle held until its lease runs out.
   */
  heartbeat(): Promise<void> {
    return this.#serial(async () => {
      if (!this.held) throw new LockLostError(this.name, this.#state === 'released' ? 'heartbeat after release' : 'heartbeat');
      await this.#renew();
      if (this.#state !== 'held') throw new LockLostError(this.name, 'heartbeat answered after the lease ran out');
    });
  }

  /** Stores a new rvn, conditional on ours; the lease counts from before the request. */
  async #renew(): Promise<void> {
    const started = now();
    const rvn = randomUUID();
    const params = updateParams(schema, this.db.tableName(schema), { key: { name: this.name }, actions: [set('rvn', rvn)], guards: { condition: this.#ours() } });
    try {
      await updateItem(this.db, schema, params, 'none');
    } catch (err) {
      if (!(err instanceof ConditionFailedError)) {
        // Outcome unknown: the record may now hold `rvn`; keep accepting it as ours.
        this.#remember(rvn);
        throw err;
      }
      // Our own write, applied and resent after its answer was lost: a success.
      if (!isOwn(err.item, this.owner, rvn)) throw this.#lost(err.item ? 'heartbeat: taken over' : 'heartbeat: the lock record was deleted', err);
    }
    this.#rvn = rvn;
    this.#pending = [];
    if (this.#state !== 'held') return;
    // Timed from before the request: the lease others wait out began no later than that.
    this.#renewedAt = started;
    this.#armExpiry();
  }

  /**
   * Releases the lock: marks its record free (conditional on our rvn), keeping its fencing
   * token. After the lease ran out by our clock this still frees the record if nobody took it
   * over. LockLostError if the record is not ours any more.
   */
  release(): Promise<void> {
    return this.#serial(async () => {
      if (this.#state === 'released') return;
      if (this.#state === 'lost') throw new LockLostError(this.name, 'release');
      if (this.#beat) clearTimeout(this.#beat);
      this.#heartbeatMs = 0;
      const rvn = randomUUID();
      const params = updateParams(schema, this.db.tableName(schema), {
        key: { name: this.name },
        actions: [set('rvn', rvn), set('releasedAt', new Date())],
        guards: { condition: this.#ours() },
      });
      try {
        await updateItem(this.db, schema, params, 'none');
      } catch (err) {
        if (!(err instanceof ConditionFailedError)) {
          this.#remember(rvn);
          throw err;
        }
        if (!isOwn(err.item, this.owner, rvn) && !this.#releasedThenAcquired(err.item)) {
          // A release never deletes, so a missing record is someone else's doing: not ours any more.
          throw this.#lost(err.item ? 'release: taken over' : 'release: the lock record was deleted', err);
        }
      }
      this.#rvn = rvn;
      this.#pending = [];
      this.#state = 'released';
      this.#stop();
      this.#log(`released by ${this.owner}`);
    });
  }
}

/** A fresh record for `name`, written conditionally by the caller. */
function record(name: string, owner: string, rvn: string, leaseMs: number, fence: number, data: unknown): Record<string, unknown> {
  return schema.encode({ name, owner, rvn, leaseMs, acquiredAt: new Date(), fence, data });
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

  /**
   * Writes our record over `seen` (undefined: no record); true when it is ours. A condition
   * failure carrying our own rvn is our write, applied and resent after its answer was lost;
   * any other condition failure: someone else wrote first. When the outcome is unknown (the
   * SDK gave up), one consistent read decides.
   */
  const take = async (seen: string | undefined, rvn: string, fence: number): Promise<boolean> => {
    const item = record(name, owner, rvn, leaseMs, fence, options.data);
    try {
      await putItem(db, schema, item, seen === undefined ? { overwrite: false } : { condition: attr('rvn').eq(seen) });
      return true;
    } catch (err) {
      if (err instanceof ConditionFailedError) return isOwn(err.item, owner, rvn);
      const stored = await getItem(db, schema, { name }, { consistent: true }).catch(() => undefined);
      if (stored && isOwn(schema.decode(stored), owner, rvn)) return true;
      throw err;
    }
  };

  // The rvn we are watching, since when (our clock), and the lease its holder declared.
  let watched: { rvn: string; since: number; leaseMs: number; owner: string } | undefined;
  for (;;) {
    const stored = await getItem(db, schema, { name }, { consistent: true });
    const current = stored ? schema.decode(stored) : undefined;
    const rvn = randomUUID();
    const at = now();
    // Our token: one above the one stored. The write is conditional on the rvn we read, and
    // every write stores a fresh rvn, so the stored token cannot have changed in between.
    const fence = current ? fenceOf(current) + 1 : 1;
    let taken: boolean | undefined;
    let how = '';
    if (!current || current.releasedAt !== undefined) {
      taken = await take(current && String(current.rvn), rvn, fence);
      how = `acquired by ${owner}`;
    } else {
      const seen = String(current.rvn);
      if (!watched || watched.rvn !== seen) {
        watched = { rvn: seen, since: at, leaseMs: Number(current.leaseMs), owner: String(current.owner) };
      } else if (at - watched.since >= watched.leaseMs) {
        taken = await take(seen, rvn, fence);
        how = `taken over by ${owner} from ${watched.owner} (lease of ${watched.leaseMs} ms expired)`;
      }
    }
    const handle = taken ? await LockHandle.open(db, name, owner, leaseMs, rvn, at, heartbeatMs, fence) : undefined;
    if (handle) {
      log(`${how} (fencing token ${fence})`);
      return handle;
    }
    // Someone else wrote the record first (or took it over from under a slow answer): look again at once.
    if (taken !== undefined) {
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
