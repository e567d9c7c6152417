/**
 * The status record of a persisted (non-transient) transaction of the retrying engine:
 * an ordinary model, created like any other (`db.createTables([TransactionRecord])`).
 */
import { Model } from '../model/model.js';
import { date, literal, number, string } from '../schema/scalars.js';

/**
 * One committed transaction: who asked (`requesterId`), when (`datetime`, the range key),
 * its status and name. It is written in the same TransactWriteItems as the transaction's
 * own writes, so a record exists exactly when the writes happened.
 */
export class TransactionRecord extends Model({
  table: 'transactions',
  key: { hash: 'requesterId', range: 'datetime' },
  attributes: {
    /** Who asked for the transaction (a user id, say). */
    requesterId: string(),
    /** When it committed. */
    datetime: date(),
    /** Always `done` once stored: the record commits with the writes or not at all. */
    status: literal('pending', 'running', 'done'),
    /** The transaction's name: its class's static `transactionName`, else its class name. */
    name: string(),
    /** Attempts it took (1 when no conflict was met). */
    attempts: number(),
    /** The requester of the transaction this one is a sub-transaction of, if any. */
    parent: string().optional(),
  },
}) {}
