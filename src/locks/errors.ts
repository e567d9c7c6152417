/**
 * The errors of lease locks: one not acquired in time, one no longer held.
 */
import { DynagraphError } from '../errors.js';

/** A lease lock could not be acquired within the wait allowed. */
export class LockNotAcquiredError extends DynagraphError {
  static { this.prototype.name = 'LockNotAcquiredError'; }
  /** The lock's name. */
  readonly lock: string;
  /** Owner of the lock when we gave up, if known. */
  readonly owner: string | undefined;
  constructor(lock: string, owner: string | undefined, waitedMs: number) {
    super('LOCK_NOT_ACQUIRED', `lock "${lock}" not acquired after ${Math.round(waitedMs)} ms${owner ? `; held by ${owner}` : ''}`);
    this.lock = lock;
    this.owner = owner;
  }
}

/**
 * A lease lock is no longer ours: its record changed (it expired and was taken over, or was
 * released by someone else). Raised by heartbeats and by `release()` from a non-owner.
 */
export class LockLostError extends DynagraphError {
  static { this.prototype.name = 'LockLostError'; }
  /** The lock's name. */
  readonly lock: string;
  constructor(lock: string, what: string, cause?: unknown) {
    super('LOCK_LOST', `lock "${lock}": ${what}: the lock is no longer held by this owner`, { cause });
    this.lock = lock;
  }
}
