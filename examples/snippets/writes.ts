/**
 * Runnable README snippets for writes with guarantees: the virtual-coins lost update and
 * optimistic versions, partial saves, typed updates, transactions, the retrying
 * transaction engine, lease locks and autoincrement keys. `run(db)` creates its tables on
 * `db` and checks every claim with `assert`; test/integration/writes-snippets.test.ts runs
 * it against DynamoDB Local. Each `#region` is one README snippet; in the README, import
 * from 'dynagraph'.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  Dynagraph, LockRecord, Model, Transaction, TransactionCanceledError, TransactionRecord, VersionConflictError,
  list, number, string, stringSet, transactor, type Transactor,
} from '../../src/index.js';

// #region models
// A wallet of virtual coins. `version` makes every write conditional on the version read.
export class Wallet extends Model({
  table: 'wallets',
  key: { hash: 'player' },
  attributes: { player: string(), coins: number(), badges: stringSet(), version: number() },
  version: 'version',
}) {}

// The same table seen without versions: what a mapper without them does.
export class UnsafeWallet extends Model({
  table: 'wallets',
  key: { hash: 'player' },
  attributes: { player: string(), coins: number() },
}) {}

export class Inventory extends Model({
  table: 'inventory',
  key: { hash: 'player', range: 'item' },
  attributes: { player: string(), item: string(), count: number().default(0), log: list(string()) },
}) {}

// Autoincrement keys: a number hash key, no range key.
export class Ticket extends Model({
  table: 'tickets',
  key: { hash: 'id' },
  autoincrement: true,
  attributes: { id: number(), title: string() },
}) {}
// #endregion

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function run(db: Dynagraph, log: (...args: unknown[]) => void = () => {}): Promise<void> {
  await db.createTables([Wallet, Inventory, Ticket, LockRecord, TransactionRecord]);
  db.bind(UnsafeWallet); // shares the wallets table

  // #region lost-update
  // Two purchases read the same wallet, then both write: without versions the second
  // write silently undoes the first (the ancestors' "lost update").
  await UnsafeWallet.put({ player: 'ann', coins: 100 });
  const buy = async (price: number) => {
    const w = (await UnsafeWallet.get({ player: 'ann' }, { consistent: true }))!;
    await sleep(10); // ... the game does its thing ...
    w.coins -= price;
    await w.save();
  };
  await Promise.all([buy(30), buy(50)]);
  const unsafe = (await UnsafeWallet.get({ player: 'ann' }, { consistent: true }))!;
  assert.notEqual(unsafe.coins, 20); // 70 or 50: one purchase was never charged

  // With a version attribute the second write fails with VersionConflictError, carrying the
  // item as stored: redo the change on it and save again.
  await new Wallet({ player: 'bob', coins: 100, badges: new Set(['rookie']) }).save(); // first save: must not exist, version 1
  const safeBuy = async (price: number) => {
    let w = (await Wallet.get({ player: 'bob' }, { consistent: true }))!;
    for (;;) {
      if (w.coins < price) throw new Error('not enough coins');
      w.coins -= price;
      try {
        return await w.save(); // conditional on the version read, stores version + 1
      } catch (err) {
        if (!(err instanceof VersionConflictError)) throw err;
        w = err.current as Wallet; // the stored item: retry on it
      }
    }
  };
  await Promise.all([safeBuy(30), safeBuy(50)]);
  const bob = (await Wallet.get({ player: 'bob' }, { consistent: true }))!;
  assert.equal(bob.coins, 20);
  assert.equal(bob.version, 3);
  // #endregion

  // #region partial-save
  // save({ partial: true }) sends one UpdateItem with only what changed since the read,
  // in-place changes of sets, lists and maps included: here `ADD badges {"gold"}` and
  // `SET coins = :v`, guarded by the version.
  const w = (await Wallet.get({ player: 'bob' }))!;
  w.badges.add('gold');
  w.coins += 5;
  assert.deepEqual(w.changes(), [{ path: 'coins', action: 'SET' }, { path: 'badges', action: 'ADD' }]);
  await w.save({ partial: true });
  assert.equal(w.isDirty(), false);
  assert.equal(w.version, 4);
  // #endregion

  // #region update
  // update() applies typed actions in one UpdateItem: set, remove, add (atomic counters,
  // set elements), delete (set elements), append / prepend (lists), setIfNotExists —
  // with conditions and return values. Keys, unknown attributes and wrong types do not compile.
  await Inventory.put({ player: 'bob', item: 'potion' });
  const potions = await Inventory.update(
    { player: 'bob', item: 'potion' },
    { add: { count: 3 }, append: { log: ['+3 from chest'] } },
    { condition: { count: { lt: 99 } } }, // returnValues: 'allNew' by default: an instance
  );
  assert.equal(potions.count, 3);
  // On a loaded instance, the update is also conditional on its version.
  await w.update({ add: { coins: -5 }, delete: { badges: ['gold'] } }, { condition: { coins: { ge: 5 } } });
  assert.equal(w.coins, 20);
  assert.deepEqual([...w.badges], ['rookie']);
  // Opt out of the version check for one call (an admin fix); the version still advances.
  const stale = (await Wallet.get({ player: 'bob' }))!;
  await Wallet.update({ player: 'bob' }, { add: { coins: 1 } });
  stale.coins = 1000;
  await stale.save({ ignoreVersion: true });
  assert.equal((await Wallet.get({ player: 'bob' }, { consistent: true }))!.coins, 1000);
  // #endregion

  // #region transactions
  // Up to 100 actions in one TransactWriteItems, all or nothing, versions checked.
  const giftId = randomUUID(); // your request's id, say
  const payer = (await Wallet.get({ player: 'bob' }, { consistent: true }))!;
  await new Wallet({ player: 'cy', coins: 0 }).save();
  payer.coins -= 100;
  await db.transactWrite((tx) => {
    tx.put(payer); // conditional on payer's version
    tx.update([Wallet, { player: 'cy' }], { add: { coins: 100 } });
    tx.put(new Inventory({ player: 'cy', item: 'gift' }), { overwrite: false });
  }, { token: giftId }); // idempotency: sent again with this token (1-36 chars), nothing more is applied
  assert.equal((await Wallet.get({ player: 'cy' }, { consistent: true }))!.coins, 100);

  // A failed condition cancels everything; the reasons name the action and the instance.
  try {
    await db.transactWrite((tx) => {
      tx.update(payer, { add: { coins: -10_000 } }, { condition: { coins: { ge: 10_000 } } });
      tx.update([Wallet, { player: 'cy' }], { add: { coins: 10_000 } });
    });
    assert.fail('committed');
  } catch (err) {
    assert.ok(err instanceof TransactionCanceledError);
    const [reason] = err.reasons;
    assert.equal(reason.index, 0);
    assert.equal(reason.instance, payer);
    assert.equal((reason.item as { coins: number }).coins, 900); // the stored item, decoded
  }
  // transactGet: one consistent snapshot of several items, as instances.
  const [bobNow, cyNow] = await db.transactGet([[Wallet, { player: 'bob' }], [Wallet, { player: 'cy' }]]);
  assert.equal(bobNow!.coins + cyNow!.coins, 1000);
  // #endregion

  // #region engine
  // dynamodb-mapper's retrying transactions, made atomic: setup() once; each transactor's
  // getter reads a fresh target and its setter changes it; on a conflict the whole attempt
  // re-runs (up to maxRetries = 100, with backoff). All writes of an attempt, and a status
  // record per (sub-)transaction, commit in ONE TransactWriteItems.
  class BundlePurchase extends Transaction {
    price = 0;
    items: string[] = [];
    protected override setup() {
      this.price = 40;
      this.items = ['sword', 'shield', 'potion'];
    }
    protected transactors(): Transactor[] {
      return [
        transactor(() => Wallet.get({ player: this.requesterId }, { consistent: true }), (wallet) => {
          if (wallet.coins < this.price) throw new Error('not enough coins'); // nothing is written
          wallet.coins -= this.price;
        }),
        ...this.items.map((item) => transactor(
          async () => (await Inventory.get({ player: this.requesterId, item }, { consistent: true }))
            ?? new Inventory({ player: this.requesterId, item }), // a new item is created
          (line) => void (line.count += 1),
        )),
      ];
    }
  }
  await Promise.all([new BundlePurchase('cy').commit(), new BundlePurchase('cy').commit()]);
  assert.equal((await Wallet.get({ player: 'cy' }, { consistent: true }))!.coins, 100 - 2 * 40);
  await assert.rejects(new BundlePurchase('cy').commit(), /not enough coins/);
  const lines = await Inventory.query({ player: 'cy' }).all();
  assert.deepEqual(lines.map((l) => [l.item, l.count]), [['gift', 0], ['potion', 2], ['shield', 2], ['sword', 2]]);
  assert.equal(await TransactionRecord.query({ requesterId: 'cy' }).count(), 2);
  // #endregion

  // #region locks
  // A lease lock over conditional writes (the record-version-number scheme of Amazon's lock
  // client: an expired lease is taken over only by someone who watched it unchanged for a
  // whole lease, by their own clock). Heartbeats extend it while you work.
  await UnsafeWallet.put({ player: 'dee', coins: 0 });
  await Promise.all(Array.from({ length: 5 }, () => db.withLock('wallet:dee', async () => {
    const wallet = (await UnsafeWallet.get({ player: 'dee' }, { consistent: true }))!;
    wallet.coins += 10; // a plain read-modify-write, safe under the lock
    await wallet.save();
  }, { leaseMs: 5000, pollMs: 10 })));
  assert.equal((await UnsafeWallet.get({ player: 'dee' }, { consistent: true }))!.coins, 50);
  const lock = await db.lock('nightly-report', { leaseMs: 10_000, wait: false });
  log(`holding ${lock.name} as ${lock.owner}`); // lock.signal aborts if the lock is lost
  await lock.release();
  // #endregion

  // #region autoincrement
  // A new item saved without a key takes the next id of a counter item (key -1) in the same
  // table: two writes per first save, and one hot counter item — prefer random ids unless
  // you need small sequential numbers.
  const tickets = await Promise.all(['a', 'b', 'c'].map((title) => new Ticket({ title }).save()));
  assert.deepEqual(tickets.map((t) => t.id).sort(), [1, 2, 3]);
  assert.equal((await new Ticket({ id: 100, title: 'explicit' }).save()).id, 100);
  // #endregion
}
