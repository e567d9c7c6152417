/**
 * Compile-time tests of the write API: compiled by `npm run typecheck`, never run. Each
 * `@ts-expect-error` line must fail to compile; everything else must compile.
 * Update actions are typed against the model: an unknown attribute, a key, the version,
 * or a value of the wrong type is a compile error.
 */
import {
  Model, Transaction, transactor, string, number, date, stringSet, numberSet, list, map, template, type Dynagraph, type Transactor,
} from '../../src/index.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** Compiles only when the two type arguments are the same. */
declare function assertEqual<A, B>(...check: Equal<A, B> extends true ? [] : [never]): void;
declare const db: Dynagraph;

class Account extends Model({
  table: 'accounts',
  key: { hash: 'id' },
  attributes: {
    id: string(),
    coins: number(),
    nick: string().optional(),
    tags: stringSet(),
    lucky: numberSet(),
    history: list(date()),
    address: map({ city: string() }),
    version: number(),
  },
  version: 'version',
}) {
  // Subclass members are not attributes and are not offered to updates.
  greet(): string {
    return this.id;
  }
}

class Ticket extends Model({ table: 'tickets', key: { hash: 'id' }, autoincrement: true, attributes: { id: number(), title: string() } }) {}

class Line extends Model({
  table: 'lines',
  key: { hash: 'pk', range: 'no' },
  attributes: { pk: template('ORDER#{order}'), order: string(), no: number(), qty: number() },
}) {}

async function updates(a: Account): Promise<void> {
  // ---- valid ----
  await a.update({ set: { coins: 5, nick: 'n', 'address.city': 'Oslo' }, remove: ['nick', 'tags'] });
  await a.update({ add: { coins: -1, tags: new Set(['x']), lucky: [7] }, delete: { tags: ['y'] } });
  await a.update({ append: { history: [new Date()] }, prepend: { history: [new Date()] }, setIfNotExists: { nick: 'first' } });
  await a.update({ set: { nick: undefined } }, { condition: { coins: { ge: 5 } }, ignoreVersion: true });
  const same: Account = await a.update({ add: { coins: 1 } });
  void same;
  const after = await Account.update({ id: 'a' }, { add: { coins: 1 } }, { db });
  assertEqual<typeof after, Account>();
  const old = await Account.update({ id: 'a' }, { add: { coins: 1 } }, { db, returnValues: 'allOld' });
  assertEqual<typeof old, Account | null>();
  const none = await Account.update({ id: 'a' }, { add: { coins: 1 } }, { returnValues: 'none', expectVersion: 3 });
  assertEqual<typeof none, undefined>();
  const partial = await Account.update({ id: 'a' }, { add: { coins: 1 } }, { returnValues: 'updatedNew' });
  partial.coins?.toFixed();
  await Line.update({ order: 'o1', no: 1 }, { add: { qty: 1 } });

  // ---- unknown attributes and wrong value types ----
  // @ts-expect-error unknown attribute
  await a.update({ set: { coin: 5 } });
  // @ts-expect-error wrong value type
  await a.update({ set: { coins: '5' } });
  // @ts-expect-error add needs a number for a number attribute
  await a.update({ add: { coins: '1' } });
  // @ts-expect-error add is for numbers and sets, not strings
  await a.update({ add: { nick: 'x' } });
  // @ts-expect-error wrong set element type
  await a.update({ add: { lucky: ['7'] } });
  // @ts-expect-error delete is for sets only
  await a.update({ delete: { coins: 1 } });
  // @ts-expect-error append is for lists only
  await a.update({ append: { tags: ['x'] } });
  // @ts-expect-error wrong list element type
  await a.update({ append: { history: ['2024-01-01'] } });
  // @ts-expect-error a required number cannot be removed
  await a.update({ remove: ['coins'] });
  // @ts-expect-error key attributes cannot be updated
  await a.update({ set: { id: 'other' } });
  // @ts-expect-error the version is managed by dynagraph
  await a.update({ set: { version: 9 } });
  // @ts-expect-error methods are not attributes
  await a.update({ set: { greet: 'x' } });
  // @ts-expect-error unknown action kind
  await a.update({ increment: { coins: 1 } });
  // @ts-expect-error the condition is typed too
  await a.update({ add: { coins: 1 } }, { condition: { coins: { gt: 'x' } } });
  // @ts-expect-error static update: unknown attribute
  await Account.update({ id: 'a' }, { set: { nope: 1 } });
  // @ts-expect-error static update: wrong key type
  await Account.update({ id: 1 }, { add: { coins: 1 } });
  // @ts-expect-error template attributes are computed, not set
  await Line.update({ order: 'o1', no: 1 }, { set: { pk: 'x' } });
}

function construction(): void {
  // The version and an autoincrement key may be left out on construction.
  new Account({ id: 'a', coins: 0, address: { city: 'x' } });
  new Ticket({ title: 't' });
  new Ticket({ id: 5, title: 't' });
  // @ts-expect-error other required attributes still are required
  new Account({ id: 'a', address: { city: 'x' } });
}

async function transactions(a: Account, t: Ticket): Promise<void> {
  await db.transactWrite((tx) => {
    tx.put(a, { partial: true });
    tx.update(a, { add: { coins: -1 } }, { condition: { coins: { ge: 1 } } });
    tx.update([Ticket, { id: 1 }], { set: { title: 'x' } });
    tx.delete([Account, { id: 'b' }], { expectVersion: 2 });
    tx.check(t, { title: { beginsWith: 'x' } });
    // @ts-expect-error typed by instance
    tx.update(a, { set: { title: 'x' } });
    // @ts-expect-error typed by model
    tx.update([Ticket, { id: 1 }], { set: { coins: 1 } });
    // @ts-expect-error key typed by model
    tx.delete([Ticket, { id: 'one' }]);
  }, { token: 'purchase-42' });
  const [acct, ticket] = await db.transactGet([[Account, { id: 'a' }], [Ticket, { id: 1 }]]);
  assertEqual<typeof acct, Account | null>();
  assertEqual<typeof ticket, Ticket | null>();
  // @ts-expect-error key typed by model
  await db.transactGet([[Account, { id: 1 }]]);
}

class Spend extends Transaction {
  protected transactors(): Transactor[] {
    return [transactor(() => Account.get({ id: this.requesterId }), (acct) => {
      acct.coins -= 1;
      // @ts-expect-error the setter's target is typed from the getter
      acct.coins = 'x';
    })];
  }
}

void updates;
void construction;
void transactions;
void Spend;
