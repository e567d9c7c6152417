/**
 * The lock table: an ordinary model, created like any other
 * (`db.createTables([LockRecord])`, table `locks` under the database's prefix).
 */
import { date, json, number, string } from '../schema/scalars.js';
import { Model } from '../model/model.js';

/**
 * One lease lock's record. `rvn` (record version number) changes on every acquire and
 * heartbeat; an acquirer that sees the same `rvn` for a whole `leaseMs`, timed by its own
 * clock, may take the lock over — so no two machines' clocks are ever compared.
 */
export class LockRecord extends Model({
  table: 'locks',
  key: { hash: 'name' },
  attributes: {
    /** The lock's name. */
    name: string(),
    /** Who holds it (the handle's owner id). */
    owner: string(),
    /** Record version number: a fresh random id per acquire and heartbeat. */
    rvn: string(),
    /** The holder's lease: how long others must see `rvn` unchanged before taking over. */
    leaseMs: number(),
    /** When the holder acquired it, by the holder's clock (informational only). */
    acquiredAt: date(),
    /** Optional data the holder stored with the lock. */
    data: json<unknown>().optional(),
  },
}) {}
