/**
 * The retrying transaction engine of dynamodb-mapper, made atomic. A Transaction has a
 * `setup()` run once, and transactors: a getter that reads a fresh target and a setter that
 * changes it in memory. Each attempt runs every getter and setter (the main transactors,
 * then those of the sub-transactions) and commits all the changed targets — each guarded by
 * its version or by the values it was read with — plus the status records, in ONE
 * TransactWriteItems. When another writer got in between, the attempt is canceled as a
 * whole and re-run from fresh reads, with backoff, up to `maxRetries` attempts.
 */
import { TransactionCanceledError, MaxRetriesExceededError, TargetNotFoundError, ValidationError } from '../errors.js';
import { MissingTargetError } from '../model/effect-errors.js';
import { effectError, expandTransaction } from '../model/effect-writes.js';
import { databaseOf } from '../model/binding.js';
import { ModelBase, STATE, type ModelClassRuntime } from '../model/instance.js';
import { TransactionWriter } from '../model/transact.js';
import type { Database } from '../operations/context.js';
import { backoff, type RetryPolicy } from '../operations/retry.js';
import { keyId } from '../operations/key-id.js';
import { sendTransactWrite } from '../operations/transactions.js';
import { TransactionRecord } from './record.js';

/**
 * One step of a transaction. `get` must read the target afresh from the database (a
 * consistent read) because it runs again after a conflict; returning `null` raises
 * TargetNotFoundError. A getter may return a new, unsaved instance to create the item.
 * `set` changes the target in place and must not save it; throwing aborts the whole
 * transaction with nothing written.
 */
export interface Transactor<T extends ModelBase = any> {
  get(): Promise<T | null | undefined> | T | null | undefined;
  set(target: T): void | Promise<void>;
}

/** Builds a transactor with the target type inferred from the getter. */
export function transactor<T extends ModelBase>(get: () => Promise<T | null | undefined> | T | null | undefined, set: (target: T) => void | Promise<void>): Transactor<T> {
  return { get, set };
}

/** Options of `commit()`. */
export interface CommitOptions {
  /** Database to run against (default: the database TransactionRecord is bound to, or the default one). */
  db?: Database | undefined;
}

type Target = { instance: ModelBase; id: string };
/** What one attempt collects: the targets to write, the status records, the transactions run. */
type Attempt = { targets: Target[]; records: [Transaction, TransactionRecord][]; ran: Transaction[]; attempt: number; now: number };

/**
 * Base class of retrying transactions. Subclass it, give `transactors()` (and optionally
 * `setup()`, sub-transactions, `transient = true`), then `await new MyTx(userId).commit()`.
 */
export abstract class Transaction {
  /**
   * The name stored in this class's status records (and used in log lines and errors). When
   * unset, the class name — which minifying bundlers rename (esbuild without `keepNames`,
   * terser), so a bundled application that reads its records back should set it:
   * `static override transactionName = 'BundlePurchase'`.
   */
  static readonly transactionName?: string;
  /** Transient transactions store no status record (the original's write-only transactions). */
  transient = false;
  /** Attempts before MaxRetriesExceededError (the original's MAX_RETRIES). */
  maxRetries = 100;
  /** Backoff between attempts (full jitter); defaults to the database's retry policy. */
  backoff: Partial<RetryPolicy> = {};
  /** `pending` until committed, then `done` (a failed transaction wrote nothing and stays `pending`). */
  status: 'pending' | 'running' | 'done' = 'pending';
  /** When it committed (its status record's range key). */
  datetime: Date | undefined;
  /** Attempts the commit took. */
  attempts = 0;
  /**
   * Sub-transactions: committed after the main transactors, in the same TransactWriteItems.
   * Register them in `setup()` (kept across attempts) or in a setter (re-registered on
   * each attempt, as setters re-run).
   */
  subTransactions: Transaction[] = [];
  #setUp = false;
  #afterSetup: Transaction[] = [];
  #transactors: Transactor[] | undefined;

  /** @param requesterId who asks for the transaction; stored in the status record. */
  constructor(readonly requesterId: string) {}

  /** Prepares what does not change between attempts (prices, the contents of a bundle). Runs once. */
  protected setup(): void | Promise<void> {}

  /** The steps of the transaction, walked in order on every attempt. */
  protected abstract transactors(): Transactor[];

  /** The model of the status record; override to store records elsewhere. */
  protected get recordModel(): typeof TransactionRecord {
    return TransactionRecord;
  }

  /**
   * The name stored in the status record: the class's static `transactionName`, else its
   * class name (renamed by minifiers; see {@link Transaction.transactionName}). Override for
   * a name that depends on the instance.
   */
  protected get transactionName(): string {
    return (this.constructor as typeof Transaction).transactionName ?? this.constructor.name;
  }

  /**
   * Runs the transaction: setup (once), then attempts until one commits. Throws
   * TargetNotFoundError, MaxRetriesExceededError, or whatever a setter throws — and in every
   * failure case nothing was written.
   */
  async commit(options: CommitOptions = {}): Promise<this> {
    const db = options.db ?? databaseOf(this.recordModel, this.recordModel.name);
    const policy = { ...db.retry, ...this.backoff };
    let last: unknown;
    for (let attempt = 1; attempt <= this.maxRetries; attempt++) {
      const targets: Target[] = [];
      const records: [Transaction, TransactionRecord][] = [];
      const ran: Transaction[] = [];
      await this.#run({ targets, records, ran, attempt, now: Date.now() }, undefined);
      const tx = new TransactionWriter(db);
      for (const { instance } of targets) {
        const versioned = (instance.constructor as ModelClassRuntime).schema.version !== undefined;
        tx.put(instance as never, { partial: true, expectUnchanged: !versioned });
      }
      for (const [, record] of records) tx.put(record, { overwrite: false });
      // Edges acting on created targets (requireTarget, counters) join the same transaction.
      const roles = await expandTransaction(db, tx);
      try {
        if (tx.size > 0) await sendTransactWrite(db, tx.actions, { retryConflicts: false });
        tx.committed();
        for (const t of ran) t.#done(records.find(([r]) => r === t)?.[1].datetime, attempt);
        db.connection.log({ channel: 'transactions', command: 'Transaction', message: `${this.transactionName} (${this.requesterId}) done in ${attempt} attempt(s), ${tx.size} actions` });
        return this;
      } catch (err) {
        // A missing target is no conflict: re-running would find it missing again.
        const mapped = roles ? effectError(err, roles) : err;
        if (mapped instanceof MissingTargetError) throw mapped;
        if (!isConflict(err)) throw err;
        last = err;
        db.connection.retried('TransactWriteItems', db.scope);
        db.connection.log({ channel: 'transactions', command: 'Transaction', message: `${this.transactionName} (${this.requesterId}) attempt ${attempt} conflicted: ${(err as Error).message}` });
        if (attempt < this.maxRetries) await backoff(policy, Math.min(attempt, 16));
      }
    }
    throw new MaxRetriesExceededError(this.transactionName, this.maxRetries, last);
  }

  #done(datetime: Date | undefined, attempts: number): void {
    this.status = 'done';
    this.datetime = datetime;
    this.attempts = attempts;
  }

  /** One attempt of this transaction and its sub-transactions: reads, changes, collects. */
  async #run(run: Attempt, parent: string | undefined): Promise<void> {
    const { targets, records, attempt, now } = run;
    run.ran.push(this);
    if (!this.#setUp) {
      await this.setup();
      this.#setUp = true;
      this.#afterSetup = [...this.subTransactions];
    }
    this.subTransactions = [...this.#afterSetup];
    this.#transactors ??= this.transactors();
    for (const [i, step] of this.#transactors.entries()) {
      let target = await step.get();
      if (!target) throw new TargetNotFoundError(this.transactionName, i);
      if (!(target instanceof ModelBase)) throw new ValidationError(this.transactionName, [{ path: `transactor ${i}`, message: 'the getter must return a model instance' }]);
      const id = identity(target);
      // Two steps on one item: the later setter sees the earlier one's change (one action per item).
      const earlier = targets.find((t) => t.id === id);
      if (earlier) target = earlier.instance;
      else targets.push({ instance: target, id });
      await step.set(target);
    }
    const record = this.transient ? undefined : new this.recordModel({
      requesterId: this.requesterId,
      // Records of one attempt get distinct instants, so a transaction and its subs never share a key.
      datetime: new Date(now + records.length),
      status: 'done',
      name: this.transactionName,
      attempts: attempt,
      parent,
    });
    if (record) records.push([this, record]);
    const me = record ? `${this.requesterId}#${record.datetime.toISOString()}` : parent;
    for (const sub of this.subTransactions) await sub.#run(run, me);
  }
}

/**
 * Identity of a target item: its table and its stored key, by the injective {@link keyId}.
 * Every target of one commit is written through the commit's database, whose physical
 * name of a table is its prefix plus the model's table, so the model's table names the
 * physical table exactly here (an instance's own database may be another, or none yet).
 */
function identity(instance: ModelBase): string {
  const schema = (instance.constructor as ModelClassRuntime).schema;
  const stored = instance[STATE].stored;
  const key = stored ? schema.keyOfItem(stored) : schema.key(instance as unknown as Record<string, unknown>);
  return keyId(schema.table, schema.keyNames, key);
}

/** A canceled attempt that another writer caused: a changed target, a taken record key, a conflict. */
function isConflict(err: unknown): boolean {
  return err instanceof TransactionCanceledError && err.reasons.length > 0
    && err.reasons.every((r) => r.code === 'ConditionalCheckFailed' || r.code === 'TransactionConflict');
}
