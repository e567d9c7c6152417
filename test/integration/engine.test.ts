/**
 * The retrying transaction engine against DynamoDB Local, with the seed's two use cases:
 * a bundle purchase that charges coins and grants three items, and a power-up purchase
 * that registers its grants as sub-transactions — all writes of an attempt in one
 * TransactWriteItems, "not enough coins" leaving everything unchanged.
 */
import { expect } from 'chai';
import {
  Model, Transaction, TransactionRecord, TargetNotFoundError, transactor, string, number, type LogEntry, type Transactor,
} from '../../src/index.js';
import { testDb } from '../harness/db.js';
import { caught } from '../harness/caught.js';

const log: LogEntry[] = [];
const { db, counter, drop } = testDb('engine-', { logger: (e) => log.push(e), retry: { baseDelayMs: 1, maxDelayMs: 5 } });

class Player extends Model({
  table: 'players',
  key: { hash: 'id' },
  attributes: { id: string(), coins: number(), version: number() },
  version: 'version',
}) {}

// Inventory has no version attribute: the engine guards it with the values it read.
class Inventory extends Model({
  table: 'inventory',
  key: { hash: 'player', range: 'item' },
  attributes: { player: string(), item: string(), count: number().default(0) },
}) {}

class NotEnoughCoins extends Error {}

const player = (id: string) => Player.get({ id }, { db, consistent: true });
const inventoryOf = async (id: string) => Object.fromEntries((await Inventory.query({ player: id }, { db, consistent: true }).all()).map((i) => [i.item, i.count]));

/** Charges a player: the step shared by both purchases. */
function charge(playerId: string, price: () => number): Transactor<Player> {
  return transactor(() => player(playerId), (p) => {
    if (p.coins < price()) throw new NotEnoughCoins(`${playerId} has ${p.coins} coins, needs ${price()}`);
    p.coins -= price();
  });
}

/** Grants one item: creates the inventory line when missing. */
function grant(playerId: string, item: string, count = 1): Transactor<Inventory> {
  return transactor(
    async () => (await Inventory.get({ player: playerId, item }, { db, consistent: true })) ?? new Inventory({ player: playerId, item }),
    (line) => void (line.count += count),
  );
}

/** Use case 1: a bundle purchase charges coins and grants three items. */
class BundlePurchase extends Transaction {
  price = 0;
  items: string[] = [];
  constructor(playerId: string, readonly bundle: string) {
    super(playerId);
  }
  // Runs once however many attempts: the catalogue does not change between attempts.
  protected override setup(): void {
    this.price = 30;
    this.items = ['sword', 'shield', 'potion'];
  }
  protected transactors(): Transactor[] {
    return [charge(this.requesterId, () => this.price), ...this.items.map((item) => grant(this.requesterId, item))];
  }
}

/** A grant as its own (sub-)transaction, with its own status record. */
class GrantPowerUp extends Transaction {
  constructor(playerId: string, readonly powerUp: string) {
    super(playerId);
  }
  protected transactors(): Transactor[] {
    return [grant(this.requesterId, this.powerUp)];
  }
}

/** Use case 2: a power-up purchase charges coins and registers its grants as sub-transactions. */
class PowerUpPurchase extends Transaction {
  constructor(playerId: string, readonly powerUps: string[], readonly price: number) {
    super(playerId);
  }
  protected transactors(): Transactor[] {
    return [transactor(() => player(this.requesterId), (p) => {
      if (p.coins < this.price) throw new NotEnoughCoins();
      p.coins -= this.price;
      // Registered by the setter, so re-registered (not duplicated) on every attempt.
      for (const up of this.powerUps) this.subTransactions.push(new GrantPowerUp(this.requesterId, up));
    })];
  }
}

const models = [Player, Inventory, TransactionRecord];

describe('transaction engine (DynamoDB Local)', () => {
  before(() => db.createTables(models));
  after(() => drop(models));
  beforeEach(() => {
    counter.reset();
    log.length = 0;
  });

  it('a bundle purchase charges coins and grants three items in one TransactWriteItems, with its status record', async () => {
    await new Player({ id: 'ann', coins: 100 }).save({ db });
    await Inventory.put({ player: 'ann', item: 'potion', count: 2 }, { db });
    counter.reset();
    const tx = await new BundlePurchase('ann', 'starter').commit({ db });
    expect(tx.status).to.equal('done');
    expect(tx.attempts).to.equal(1);
    expect(tx.datetime).to.be.instanceOf(Date);
    expect(counter.counts()).to.deep.include({ TransactWriteItemsCommand: 1 });
    expect(counter.counts()).to.not.have.any.keys('PutItemCommand', 'UpdateItemCommand');
    expect(await player('ann')).to.deep.include({ coins: 70, version: 2 });
    expect(await inventoryOf('ann')).to.deep.equal({ potion: 3, shield: 1, sword: 1 });
    const records = await TransactionRecord.query({ requesterId: 'ann' }, { db }).all();
    expect(records.map((r) => [r.name, r.status, r.attempts])).to.deep.equal([['BundlePurchase', 'done', 1]]);
    expect(records[0].datetime.getTime()).to.equal(tx.datetime!.getTime());
    expect(log.some((e) => e.channel === 'transactions' && e.command === 'Transaction' && /BundlePurchase \(ann\) done in 1/.test(e.message ?? ''))).to.equal(true);
  });

  it('"not enough coins" leaves everything unchanged and stores no record', async () => {
    await new Player({ id: 'bob', coins: 10 }).save({ db });
    counter.reset();
    const err = await caught<Error>(new BundlePurchase('bob', 'starter').commit({ db }));
    expect(err).to.be.instanceOf(NotEnoughCoins);
    expect(counter.counts()).to.not.have.any.keys('TransactWriteItemsCommand', 'PutItemCommand', 'UpdateItemCommand');
    expect(await player('bob')).to.deep.include({ coins: 10, version: 1 });
    expect(await inventoryOf('bob')).to.deep.equal({});
    expect(await TransactionRecord.query({ requesterId: 'bob' }, { db }).count()).to.equal(0);
  });

  it('a power-up purchase commits its sub-transactions in the same TransactWriteItems, each with a record', async () => {
    await new Player({ id: 'cy', coins: 50 }).save({ db });
    counter.reset();
    const tx = await new PowerUpPurchase('cy', ['speed', 'shield'], 20).commit({ db });
    expect(counter.counts()).to.deep.include({ TransactWriteItemsCommand: 1 });
    expect(tx.subTransactions).to.have.length(2);
    expect(tx.subTransactions.every((s) => s.status === 'done')).to.equal(true);
    expect(await player('cy')).to.deep.include({ coins: 30 });
    expect(await inventoryOf('cy')).to.deep.equal({ shield: 1, speed: 1 });
    const records = await TransactionRecord.query({ requesterId: 'cy' }, { db }).all();
    expect(records.map((r) => r.name)).to.deep.equal(['PowerUpPurchase', 'GrantPowerUp', 'GrantPowerUp']);
    const parentId = `cy#${records[0].datetime.toISOString()}`;
    expect(records.slice(1).map((r) => r.parent)).to.deep.equal([parentId, parentId]);

    const poor = await caught<Error>(new PowerUpPurchase('cy', ['speed'], 1000).commit({ db }));
    expect(poor).to.be.instanceOf(NotEnoughCoins);
    expect(await inventoryOf('cy')).to.deep.equal({ shield: 1, speed: 1 });
    expect(await TransactionRecord.query({ requesterId: 'cy' }, { db }).count()).to.equal(3);
  });

  it('concurrent purchases conflict, re-run from fresh reads, and lose nothing', async function () {
    this.timeout(60_000);
    await new Player({ id: 'dee', coins: 1000 }).save({ db });
    const done = await Promise.all(Array.from({ length: 8 }, () => new BundlePurchase('dee', 'starter').commit({ db })));
    expect(await player('dee')).to.deep.include({ coins: 1000 - 8 * 30 });
    expect(await inventoryOf('dee')).to.deep.equal({ potion: 8, shield: 8, sword: 8 });
    expect(await TransactionRecord.query({ requesterId: 'dee' }, { db }).count()).to.equal(8);
    const attempts = done.map((t) => t.attempts);
    expect(Math.max(...attempts)).to.be.greaterThan(1);
    console.log(`      8 concurrent bundle purchases: attempts ${attempts.join(', ')}`);
  });

  it('two transactors on one item share the target: the later setter sees the earlier change', async () => {
    await new Player({ id: 'eve', coins: 10 }).save({ db });
    class Twice extends Transaction {
      override transient = true;
      protected transactors(): Transactor[] {
        return [transactor(() => player('eve'), (p) => void (p.coins += 1)), transactor(() => player('eve'), (p) => void (p.coins *= 2))];
      }
    }
    await new Twice('eve').commit({ db });
    expect(await player('eve')).to.deep.include({ coins: 22, version: 2 });
    // Transient: no record.
    expect(await TransactionRecord.query({ requesterId: 'eve' }, { db }).count()).to.equal(0);
  });

  it('a getter that finds nothing raises TargetNotFoundError and nothing is written', async () => {
    const err = await caught<TargetNotFoundError>(new BundlePurchase('nobody', 'starter').commit({ db }));
    expect(err).to.be.instanceOf(TargetNotFoundError);
    expect(err.code).to.equal('TARGET_NOT_FOUND');
    expect(err.transactor).to.equal(0);
    expect(await inventoryOf('nobody')).to.deep.equal({});
  });
});
