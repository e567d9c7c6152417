/**
 * The models of the multi-process soak, shared by the test (which checks the end state)
 * and its worker processes (which write under faults).
 */
import { Model, Transaction, transactor, number, string, type Database, type Transactor } from '../../../src/index.js';

/** A versioned counter incremented by read-modify-write (full save, partial save or update()). */
export class Counter extends Model({
  table: 'counters',
  key: { hash: 'id' },
  attributes: { id: string(), n: number(), version: number() },
  version: 'version',
}) {}

/** One autoincrement save per label: one item, one id, whatever answers are lost. */
export class Ticket extends Model({
  table: 'tickets',
  key: { hash: 'id' },
  attributes: { id: number(), label: string() },
  autoincrement: true,
}) {}

/** A versioned item created then deleted by one worker. */
export class Note extends Model({
  table: 'notes',
  key: { hash: 'id' },
  attributes: { id: string(), text: string(), version: number() },
  version: 'version',
}) {}

/** Balances moved by the retrying engine. */
export class Account extends Model({
  table: 'accounts',
  key: { hash: 'id' },
  attributes: { id: string(), balance: number(), version: number() },
  version: 'version',
}) {}

/** The highest fencing token a lock holder wrote with. */
export class Fence extends Model({
  table: 'fences',
  key: { hash: 'id' },
  attributes: { id: string(), token: number() },
}) {}

export const COUNTERS = 3;
export const ACCOUNTS = 6;
export const INITIAL = 1000;

/** A transfer through the retrying engine, with a status record (its requester id is unique). */
export class Transfer extends Transaction {
  constructor(requesterId: string, readonly db: Database, readonly from: string, readonly to: string, readonly amount: number) {
    super(requesterId);
  }
  protected transactors(): Transactor[] {
    const get = (id: string) => () => Account.get({ id }, { db: this.db, consistent: true });
    return [
      transactor(get(this.from), (a) => void (a.balance -= this.amount)),
      transactor(get(this.to), (a) => void (a.balance += this.amount)),
    ];
  }
}
