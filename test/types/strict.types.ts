/**
 * Compile-time tests of issue 12 (types that match the runtime): compiled by `npm run
 * typecheck`, never run. Each `@ts-expect-error` line must fail to compile, for the reason
 * its comment gives; everything else must compile, and `expectType` pins inferred types.
 */
import {
  Model, absent, and, attr, date, gsi, list, manyToOne, map, number, oneToMany, oneToOne, string, stringSet, template,
  type Dynagraph, type Loaded, type Session,
} from '../../src/index.js';
import { Forum, Reply, Thread, User } from '../../examples/forum/models.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** Compiles only when `T` is exactly `U`. */
declare function expectType<T>(): <U>(value: U, ...check: Equal<T, U> extends true ? [] : [never]) => void;

class Account extends Model({
  table: 'accounts',
  key: { hash: 'id' },
  attributes: { id: string(), coins: number(), nick: string().optional(), tags: stringSet(), address: map({ city: string(), zip: number().optional() }), version: number() },
  version: 'version',
}) {}

class Note extends Model({
  table: 'notes',
  key: { hash: 'pk', range: 'sk' },
  attributes: {
    pk: template('NOTE#{owner}'), sk: string(), owner: string(), title: string(), body: string().optional(), stars: number(),
    meta: map({ lang: string(), words: number() }), lines: list(string()),
  },
  indexes: { byOwner: gsi({ hash: 'owner', range: 'sk', projection: 'keys' }), byTitle: gsi({ hash: 'title', projection: ['stars'] }) },
}) {}

declare function render(t: Thread): string;

// ---- loaded results are models ----
export async function loadedAreModels(db: Dynagraph, s: Session): Promise<void> {
  const [t] = await s.query(Thread, { forum_name: 'AWS' }).include({ user: true }).all();
  render(t);
  await t.update({ set: { message: 'hi' } });
  await t.save();
  await db.transactWrite((tx) => { tx.put(t); });
  const page = await s.load(await s.query(Thread, { forum_name: 'AWS' }).all(), { user: true, replies: { $limit: 2 } });
  await db.putMany(page);
  const t2: Thread = page[0];
  render(t2);
  expectType<User | null>()(t.user.get());
  expectType<Reply[]>()(page[0].replies.get());
  const deep = await s.load(page[0], { replies: { user: { threads: true } } });
  expectType<Thread[]>()(deep[0].replies.get()[0].user.get()!.threads.get());
  const typed: Loaded<Thread, { user: true }> = t;
  expectType<true>()(typed.user.isLoaded);

  // @ts-expect-error get() on an edge the type does not know to be loaded
  t.replies.get();
  // @ts-expect-error a nested edge that was not included is not known to be loaded
  deep[0].replies.get()[0].thread.get();
  // @ts-expect-error $limit pages a to-many edge; user is to-one
  await s.load(page, { user: { $limit: 3 } });
  // @ts-expect-error $reverse pages a to-many edge; user is to-one
  s.query(Thread, { forum_name: 'AWS' }).include({ user: { $reverse: true } });
}

// ---- write conditions ----
export async function writeConditions(a: Account, n: Note): Promise<void> {
  await a.save({ expect: { coins: 3, nick: absent }, condition: { coins: { ge: 1 } } });
  await a.save({ condition: and({ coins: { gt: 1 } }, { 'address.city': 'Oslo' }) });
  await a.delete({ expect: { coins: 0 } });
  await Account.delete({ id: 'a' }, { condition: { coins: 0 }, expectVersion: 3 });
  await Account.update({ id: 'a' }, { add: { coins: 1 } }, { condition: { coins: { ge: 1 } }, expect: { nick: 'x' }, expectVersion: 2 });
  expectType<Account>()(await Account.update({ id: 'a' }, { add: { coins: 1 } }));
  expectType<undefined>()(await Account.update({ id: 'a' }, { add: { coins: 1 } }, { returnValues: 'none' }));
  expectType<Account | null>()(await Account.update({ id: 'a' }, { add: { coins: 1 } }, { returnValues: 'allOld' }));
  await n.save({ expect: { title: 'x' } });

  // @ts-expect-error save expect: coins is a number
  await a.save({ expect: { coins: 'three' } });
  // @ts-expect-error save condition: unknown attribute
  await a.save({ condition: { coinz: 1 } });
  // @ts-expect-error delete expect: unknown attribute
  await a.delete({ expect: { nope: 1 } });
  // @ts-expect-error delete condition: nick is a string
  await a.delete({ condition: { nick: 3 } });
  // @ts-expect-error Model.delete condition: unknown attribute
  await Account.delete({ id: 'a' }, { condition: { coinz: 0 } });
  // @ts-expect-error Model.update condition: coins is a number
  await Account.update({ id: 'a' }, { add: { coins: 1 } }, { condition: { coins: 'x' } });
  // @ts-expect-error Model.update expect: unknown attribute
  await Account.update({ id: 'a' }, { add: { coins: 1 } }, { expect: { coinz: 1 } });
  // @ts-expect-error Model.update options: unknown option (excess-property check)
  await Account.update({ id: 'a' }, { add: { coins: 1 } }, { conditon: { coins: 1 } });
  // @ts-expect-error expectVersion needs a model declared with a version attribute
  await Note.update({ owner: 'o', sk: 's' }, { set: { title: 't' } }, { expectVersion: 1 });
  // @ts-expect-error expectVersion needs a model declared with a version attribute
  await Note.delete({ owner: 'o', sk: 's' }, { expectVersion: 1 });
  // @ts-expect-error a condition of another model's attributes
  await n.save({ condition: { coins: 1 } });
}

// ---- typed filters and attr() ----
export async function filters(s: Session, a: Account): Promise<void> {
  await Account.query({ id: 'a' }).filter({ coins: { gt: 1 } }).all();
  await Account.scan().filter(attr('coins').gt(1)).all();
  await Account.scan({ filter: { nick: absent } }).all();
  await s.query(Thread, { forum_name: 'AWS' }).filter(and({ views: { gt: 1 } }, attr('message').beginsWith('x'))).include({ user: true }).all();
  await a.save({ condition: attr('address.city').eq('Oslo') });
  await a.save({ condition: attr('coins').lt(attr('version')) });
  await a.save({ condition: attr('tags').contains('x') });
  await a.save({ condition: attr('nick').exists() });

  // @ts-expect-error filter: unknown attribute
  Account.query({ id: 'a' }).filter({ coinz: 1 });
  // @ts-expect-error filter: coins is a number
  Account.scan().filter({ coins: 'x' });
  // @ts-expect-error filter option: unknown attribute
  Account.scan({ filter: { coinz: 1 } });
  // @ts-expect-error session query filter: views is a number
  s.query(Thread, { forum_name: 'AWS' }).filter({ views: 'many' });
  // @ts-expect-error attr(): unknown attribute
  Account.scan().filter(attr('coinz').gt(1));
  // @ts-expect-error attr(): coins is a number, not a string
  await a.save({ condition: attr('coins').eq('x') });
  // @ts-expect-error attr(): beginsWith on a number attribute
  await a.save({ condition: attr('coins').beginsWith('1') });
  // @ts-expect-error attr(): nested path with a wrong value type
  await a.save({ condition: attr('address.city').eq(3) });
  // @ts-expect-error attr(): nested path under an unknown root
  await a.save({ condition: attr('adress.city').eq('Oslo') });
}

// ---- projections ----
export async function projections(s: Session, db: Dynagraph): Promise<void> {
  expectType<{ title?: string } | null>()(await Note.get({ owner: 'o', sk: 's' }, { projection: ['title'] }));
  expectType<{ title?: string; meta?: { lang?: string } } | null>()(await Note.get({ owner: 'o', sk: 's' }, { projection: ['title', 'meta.lang'] }));
  expectType<{ lines?: string[] } | null>()(await Note.get({ owner: 'o', sk: 's' }, { projection: ['lines[0]'] }));
  const [q] = await Note.query({ owner: 'o' }, { projection: ['stars'] }).all();
  expectType<{ pk: string; sk: string; stars?: number }>()(q);
  const [k] = await Note.query({ owner: 'o' }, { index: 'byOwner', hydrate: false }).all();
  expectType<{ pk: string; sk: string; owner: string }>()(k);
  const [i] = await Note.query({ title: 't' }, { index: 'byTitle', hydrate: false }).all();
  expectType<{ pk: string; sk: string; title: string; stars?: number }>()(i);
  const [h] = await Note.query({ owner: 'o' }, { index: 'byOwner' }).all();
  expectType<Note>()(h);
  const [sp] = await s.query(Thread, { forum_name: 'AWS' }, { projection: ['views'] }).all();
  expectType<{ forum_name: string; subject: string; views?: number }>()(sp);
  const [dp] = await db.scan(Note, { projection: ['body'] }).all();
  expectType<{ pk: string; sk: string; body?: string | undefined }>()(dp);

  // @ts-expect-error projection: unknown attribute
  await Note.get({ owner: 'o', sk: 's' }, { projection: ['titel'] });
  // @ts-expect-error projection: unknown nested path
  await Note.get({ owner: 'o', sk: 's' }, { projection: ['meta.nope'] });
  // @ts-expect-error a projected read holds only what it projected
  void (await Note.get({ owner: 'o', sk: 's' }, { projection: ['title'] }))?.stars;
  // @ts-expect-error a keys-only index read without hydration has no title
  void k.title;
}

// A destructured result infers the spec from the call, not from the binding pattern.
export async function destructured(s: Session, f: Forum): Promise<void> {
  const [l] = await s.load([f], { threads: { user: true } });
  expectType<User | null>()(l.threads.get()[0].user.get());
  // @ts-expect-error threads.replies was not included
  l.threads.get()[0].replies.get();
}

// ---- batch writes of versioned models, declaration errors ----
export async function batchesAndDeclarations(db: Dynagraph, a: Account, n: Note): Promise<void> {
  await Note.putMany([n]);
  await Note.deleteMany([{ owner: 'o', sk: 's' }]);
  await db.putMany([n]);
  await db.deleteMany(Note, [{ owner: 'o', sk: 's' }]);
  // @ts-expect-error batch writes cannot check versions (Account is versioned)
  await Account.putMany([a]);
  // @ts-expect-error batch writes cannot check versions (Account is versioned)
  await Account.deleteMany([{ id: 'a' }]);
  // @ts-expect-error batch writes cannot check versions (Account is versioned)
  await db.putMany([a]);
  // @ts-expect-error batch writes cannot check versions (Account is versioned)
  await db.deleteMany(Account, [{ id: 'a' }]);
  await db.writeMany([{ put: n }, { delete: [Note, { owner: 'o', sk: 's' }] }]);
  // @ts-expect-error batch writes cannot check versions (Account is versioned)
  await db.writeMany([{ put: n }, { put: a }]);
  // @ts-expect-error batch writes cannot check versions (Account is versioned)
  await db.writeMany([{ delete: [Note, { owner: 'o', sk: 's' }] }, { delete: [Account, { id: 'a' }] }]);
  // @ts-expect-error batch writes cannot check versions (Account is versioned)
  db.writeManyParams([{ put: a }]);

  // @ts-expect-error the version attribute must be a number() attribute
  Model({ table: 't', key: { hash: 'id' }, attributes: { id: string(), v: string() }, version: 'v' });
  // @ts-expect-error a key attribute cannot be optional
  Model({ table: 't', key: { hash: 'id' }, attributes: { id: string().optional() } });
  // @ts-expect-error a range key attribute cannot be optional
  Model({ table: 't', key: { hash: 'id', range: 'at' }, attributes: { id: string(), at: number().optional() } });
  // @ts-expect-error ttl must be a date() or number() attribute
  Model({ table: 't', key: { hash: 'id' }, attributes: { id: string(), exp: string() }, ttl: 'exp' });
  Model({ table: 't', key: { hash: 'id' }, attributes: { id: string(), exp: date({ format: 'epoch' }), v: number() }, ttl: 'exp', version: 'v' });
}

// ---- readable messages ----
class Event extends Model({ table: 'events', key: { hash: 'id', range: 'at' }, attributes: { id: string(), at: number(), kind: string() } }) {}
export function messages(): void {
  Event.query({ id: 'a', at: { between: [1, 2] } });
  // @ts-expect-error beginsWith needs a string or binary attribute (at is a number)
  Event.query({ id: 'a', at: { beginsWith: '1' } });
  // @ts-expect-error a sort-key condition takes exactly one operator
  Event.query({ id: 'a', at: { gt: 1, lt: 5 } });
  // @ts-expect-error beginsWith needs a string or binary attribute (in a filter too)
  Event.scan().filter({ at: { beginsWith: '1' } });
}

// ---- batchGet keys ----
export async function batchGetKeys(db: Dynagraph): Promise<void> {
  const got = await db.batchGet({ accounts: [Account, [{ id: 'a' }]], notes: [Note, [{ owner: 'o', sk: 's' }]] });
  expectType<(Account | null)[]>()(got.accounts);
  // @ts-expect-error batchGet keys are typed by the model (Account is keyed by id)
  await db.batchGet({ accounts: [Account, [{ name: 'a' }]] });
  // @ts-expect-error batchGet keys are typed by the model (a Note key needs sk)
  db.batchGetParams({ notes: [Note, [{ owner: 'o' }]] });
}

// ---- inverse and backIndex name what exists ----
export function edgeOptions(): void {
  oneToMany(() => Thread, { index: 'byUser', query: (u: User) => ({ user_name: u.name }), inverse: 'user' });
  manyToOne(() => User, { query: (t: Thread) => ({ name: t.user_name }), backIndex: 'byUser' });
  // @ts-expect-error inverse names an edge Thread does not have (a typo)
  oneToMany(() => Thread, { index: 'byUser', query: (u: User) => ({ user_name: u.name }), inverse: 'usr' });
  // @ts-expect-error inverse must be an edge, not an attribute
  oneToMany(() => Thread, { index: 'byUser', query: (u: User) => ({ user_name: u.name }), inverse: 'subject' });
  // @ts-expect-error backIndex names an index Thread does not declare
  manyToOne(() => User, { query: (t: Thread) => ({ name: t.user_name }), backIndex: 'byNobody' });
  // @ts-expect-error inverse of a to-one: an edge the target does not have
  oneToOne(() => Forum, { query: (t: Thread) => ({ name: t.forum_name }), inverse: 'thread' });
}

// ---- nested update paths and computed attributes ----
export async function updates(a: Account, n: Note): Promise<void> {
  await a.update({ set: { 'address.city': 'Oslo', 'address.zip': 1 }, remove: ['address.zip'] });
  await Note.update({ owner: 'o', sk: 's' }, { set: { 'meta.words': 3, 'lines[0]': 'x' } });
  // @ts-expect-error nested update path under an unknown root
  await a.update({ set: { 'adress.city': 'Oslo' } });
  // @ts-expect-error nested update path: address.city is a string
  await a.update({ set: { 'address.city': 5 } });
  // @ts-expect-error nested update path: an unknown map key
  await Note.update({ owner: 'o', sk: 's' }, { set: { 'meta.nope': 1 } });
  // @ts-expect-error remove: a nested path under an unknown root
  await a.update({ remove: ['adress.zip'] });
  // @ts-expect-error a computed (template) attribute cannot be set by an update
  await Note.update({ owner: 'o', sk: 's' }, { set: { pk: 'NOTE#x' } });
  // @ts-expect-error a computed (template) attribute cannot be given on construction
  void new Note({ pk: 'NOTE#x', owner: 'o', sk: 's', title: 't', stars: 1, meta: { lang: 'en', words: 1 } });
  void n;
}
