/**
 * The lock table: an ordinary model, created like any other
 * (`db.createTables([LockRecord])`, table `locks` under the database's prefix).
 */
import { date, json, number, string } from '../schema/scalars.js';
import { Model } from '../model/model.js';

/**
 * One lease lock's record. `rvn` (record version number) changes on every write (acquire,
 * heartbeat, release); an acquirer that sees the same `rvn` for a whole `leaseMs`, timed by
 * its own clock, may take the lock over — so no two machines' clocks are ever compared.
 *
 * A release does not delete the record: it marks it free (`releasedAt`), so that `fence`, the
 * fencing token, is never reset. Records written before `fence` and `releasedAt` existed read
 * as held, with token 0.
 */
export class LockRecord extends Model({
  table: 'locks',
  key: { hash: 'name' },
  attributes: {
    /** The lock's name. */
    name: string(),
    /** Who holds it (the handle's owner id); after a release, who held it last. */
    owner: string(),
    /** Record version number: a fresh random id per acquire, heartbeat and release. */
    rvn: string(),
    /** The holder's lease: how long others must see `rvn` unchanged before taking over. */
    leaseMs: number(),
    /** When the holder acquired it, by the holder's clock (informational only). */
    acquiredAt: date(),
    /** Optional data the holder stored with the lock. */
    data: json<unknown>().optional(),
    /**
     * Fencing token: incremented by every acquire and takeover, in the same conditional
     * write that takes the lock; kept by heartbeats and releases. Absent (0) on old records.
     */
    fence: number().optional(),
    /** Set when the holder released the lock (by its clock, informational): the lock is free. */
    releasedAt: date().optional(),
  },
}) {}
