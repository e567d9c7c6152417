/**
 * What DynamoDB Local never does on its own, injected through SDK middleware so the real
 * SDK stack and the real database still run: transaction conflicts (TransactionCanceled
 * with TransactionConflict reasons), a response lost after the commit, and a concurrent
 * writer slipping in between the engine's read and its commit.
 */
import { expect } from 'chai';
import { TransactionCanceledException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  Model, Transaction, TransactionCanceledError, MaxRetriesExceededError, transactor, string, number, type Transactor,
} from '../../src/index.js';
import { testDb } from '../harness/db.js';
import { recordInputs } from '../harness/faults.js';

type Stack = Pick<DynamoDBClient, 'middlewareStack'>;
let names = 0;

/**
 * Cancels the next `times` TransactWriteItems with a TransactionConflict on the first action,
 * before they reach DynamoDB — what a real conflict with another transaction looks like.
 */
function conflicts(client: Stack, times: number): { injected(): number; remove(): void } {
  let injected = 0;
  const name = `conflicts${++names}`;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'TransactWriteItemsCommand' || injected >= times) return next(args);
      injected++;
      const items = (args.input as { TransactItems: unknown[] }).TransactItems;
      throw new TransactionCanceledException({
        message: 'Transaction cancelled, please refer cancellation reasons for specific reasons [TransactionConflict]',
        $metadata: { httpStatusCode: 400 },
        CancellationReasons: items.map((_, i) => (i === 0 ? { Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' } : { Code: 'None' })),
      });
    },
    { step: 'initialize', name },
  );
  return { injected: () => injected, remove: () => void client.middlewareStack.remove(name) };
}

/** Lets the next TransactWriteItems commit, then loses its response (inside the SDK's retry loop). */
function loseResponseOnce(client: Stack): { attempts(): number; remove(): void } {
  let attempts = 0;
  const name = `loseResponse${++names}`;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'TransactWriteItemsCommand') return next(args);
      const result = await next(args);
      if (attempts++ === 0) throw Object.assign(new Error('socket hang up after the commit'), { name: 'TimeoutError', $metadata: {} });
      return result;
    },
    { step: 'finalizeRequest', priority: 'low', name },
  );
  return { attempts: () => attempts, remove: () => void client.middlewareStack.remove(name) };
}

class Wallet extends Model({
  table: 'wallets',
  key: { hash: 'id' },
  attributes: { id: string(), coins: number(), version: number() },
  version: 'version',
}) {}

class Tally extends Model({ table: 'tallies', key: { hash: 'id' }, attributes: { id: string(), n: number() } }) {}

class Spend extends Transaction {
  override transient = true;
  constructor(id: string, readonly amount: number, private readonly db: import('../../src/index.js').Database) {
    super(id);
  }
  protected transactors(): Transactor[] {
    return [transactor(() => Wallet.get({ id: this.requesterId }, { db: this.db, consistent: true }), (w) => void (w.coins -= this.amount))];
  }
}

const { db, counter, drop } = testDb('faults-tx-', { retry: { baseDelayMs: 1, maxDelayMs: 4 }, client: { maxAttempts: 3 } });
const models = [Wallet, Tally];
const coins = async (id: string) => (await Wallet.get({ id }, { db, consistent: true }))!.coins;

describe('transactions under injected faults (DynamoDB Local + SDK middleware)', () => {
  const retried: string[] = [];
  let unobserve: () => void;
  before(async () => {
    await db.createTables(models);
    unobserve = db.connection.observe({ retried: (command) => void retried.push(command) });
  });
  after(async () => {
    unobserve();
    await drop(models);
  });
  beforeEach(() => {
    counter.reset();
    retried.length = 0;
  });

  it('the engine re-runs on injected TransactionConflict cancellations and then commits once', async () => {
    await new Wallet({ id: 'w1', coins: 100 }).save({ db });
    const fault = conflicts(db.connection.client, 3);
    try {
      const tx = await new Spend('w1', 10, db).commit({ db });
      expect(tx.attempts).to.equal(4);
      expect(fault.injected()).to.equal(3);
      // Every attempt re-read its target: 4 reads, 4 transaction attempts.
      expect(counter.counts()).to.deep.include({ GetItemCommand: 4, TransactWriteItemsCommand: 4 });
      expect(retried).to.deep.equal(['TransactWriteItems', 'TransactWriteItems', 'TransactWriteItems']);
      expect(await coins('w1')).to.equal(90);
    } finally {
      fault.remove();
    }
  });

  it('gives up with MaxRetriesExceededError after its bound, having written nothing', async () => {
    await new Wallet({ id: 'w2', coins: 100 }).save({ db });
    const fault = conflicts(db.connection.client, 1000);
    try {
      const tx = new Spend('w2', 10, db);
      tx.maxRetries = 5;
      const err = await tx.commit({ db }).then(() => expect.fail('committed'), (e: unknown) => e as MaxRetriesExceededError);
      expect(err).to.be.instanceOf(MaxRetriesExceededError);
      expect(err.code).to.equal('MAX_RETRIES_EXCEEDED');
      expect(err.attempts).to.equal(5);
      expect((err.cause as TransactionCanceledError).conflict).to.equal(true);
      expect(fault.injected()).to.equal(5);
      expect(tx.status).to.equal('pending');
    } finally {
      fault.remove();
    }
    expect(await coins('w2')).to.equal(100);
  });

  it('a concurrent writer between the read and the commit makes the attempt fail its guard; the retry sees its change', async () => {
    await new Wallet({ id: 'w3', coins: 100 }).save({ db });
    const other = testDb('faults-tx-', { default: false }).db;
    let interfered = false;
    const name = `interfere${++names}`;
    db.connection.client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'TransactWriteItemsCommand' && !interfered) {
          interfered = true;
          await Wallet.update({ id: 'w3' }, { add: { coins: 5 } }, { db: other });
        }
        return next(args);
      },
      { step: 'initialize', name },
    );
    try {
      const tx = await new Spend('w3', 10, db).commit({ db });
      expect(tx.attempts).to.equal(2);
    } finally {
      db.connection.client.middlewareStack.remove(name);
    }
    expect(await coins('w3')).to.equal(95);
  });

  it('db.transactWrite retries a conflict-only cancellation with the same token, applying once', async () => {
    await Tally.put({ id: 't1', n: 0 }, { db });
    const spy = recordInputs(db.connection.client);
    const fault = conflicts(db.connection.client, 2);
    try {
      const { token } = await db.transactWrite((tx) => {
        tx.update([Tally, { id: 't1' }], { add: { n: 1 } });
      });
      const tokens = spy.sent.filter((s) => s.command === 'TransactWriteItemsCommand').map((s) => s.input.ClientRequestToken);
      expect(tokens).to.deep.equal([token, token, token]);
      expect(retried).to.deep.equal(['TransactWriteItems', 'TransactWriteItems']);
    } finally {
      fault.remove();
      spy.remove();
    }
    expect((await Tally.get({ id: 't1' }, { db, consistent: true }))!.n).to.equal(1);
  });

  it('a response lost after the commit is retried by the SDK with the same token and applied once', async () => {
    await Tally.put({ id: 't2', n: 0 }, { db });
    const lost = loseResponseOnce(db.connection.client);
    try {
      await db.transactWrite((tx) => {
        tx.update([Tally, { id: 't2' }], { add: { n: 1 } });
      });
      expect(lost.attempts()).to.equal(2);
    } finally {
      lost.remove();
    }
    expect((await Tally.get({ id: 't2' }, { db, consistent: true }))!.n).to.equal(1);
  });

  it('a cancellation that is not a conflict is not retried', async () => {
    await Tally.put({ id: 't3', n: 0 }, { db });
    counter.reset();
    const err = await db.transactWrite((tx) => {
      tx.update([Tally, { id: 't3' }], { add: { n: 1 } }, { condition: { n: { gt: 5 } } });
    }).then(() => expect.fail('committed'), (e: unknown) => e as TransactionCanceledError);
    expect(err).to.be.instanceOf(TransactionCanceledError);
    expect(err.conflict).to.equal(false);
    expect(counter.counts()).to.deep.equal({ TransactWriteItemsCommand: 1 });
    expect(retried).to.deep.equal([]);
  });
});
