/**
 * Compile-time tests of models: compiled by `npm run typecheck`, never run. Each
 * `@ts-expect-error` line must fail to compile; everything else must compile, and
 * `expectType` pins inferred types exactly.
 */
import {
  Model, gsi, string, number, bigint, decimal, boolean, date, binary, literal, json, template,
  stringSet, numberSet, list, map, type KeyOf, type InputOfModel,
} from '../../src/index.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** Compiles only when `T` is exactly `U`. */
declare function expectType<T>(): <U>(value: U, ...check: Equal<T, U> extends true ? [] : [never]) => void;
/** Compiles only when the two type arguments are the same. */
declare function assertEqual<A, B>(...check: Equal<A, B> extends true ? [] : [never]): void;

class User extends Model({
  table: 'users',
  key: { hash: 'name' },
  attributes: {
    name: string(),
    email: string().optional(),
    age: number(),
    joined: date().default(() => new Date()),
    tags: stringSet(),
    scores: numberSet(),
    big: bigint().optional(),
    money: decimal().optional(),
    admin: boolean().default(false),
    avatar: binary().optional(),
    role: literal('admin', 'member'),
    visits: list(date()),
    address: map({ city: string(), zip: string().optional() }).optional(),
    prefs: json<{ theme: 'dark' | 'light' }>().optional(),
  },
  indexes: { byAge: gsi({ hash: 'age' }) },
}) {}

class Order extends Model({
  table: 'shop',
  key: { hash: 'pk', range: 'sk' },
  entity: 'Order',
  attributes: { pk: template('CUSTOMER#{login}'), sk: template('ORDER#{placed}#{no}'), login: string(), placed: date(), no: number() },
}) {}

class Thread extends Model({
  table: 'threads',
  key: { hash: 'forum', range: 'subject' },
  attributes: { forum: string(), subject: string(), views: number().default(0) },
}) {}

export async function valid(): Promise<void> {
  // ---- construction: required, optional, defaulted ----
  const u = new User({ name: 'ann', age: 30, role: 'member' });
  new User({
    name: 'bob', age: 1, role: 'admin', email: 'b@x', joined: new Date(), tags: new Set(['a']), scores: new Set([1]),
    big: 2n ** 64n, money: '1.50', admin: true, avatar: new Uint8Array(1), visits: [new Date()],
    address: { city: 'Oslo' }, prefs: { theme: 'dark' },
  });

  // ---- instance value types ----
  expectType<string>()(u.name);
  expectType<string | undefined>()(u.email);
  expectType<number>()(u.age);
  expectType<Date>()(u.joined);
  expectType<Set<string>>()(u.tags);
  expectType<Set<number>>()(u.scores);
  expectType<bigint | undefined>()(u.big);
  expectType<string | undefined>()(u.money);
  expectType<boolean>()(u.admin);
  expectType<Uint8Array | undefined>()(u.avatar);
  expectType<'admin' | 'member'>()(u.role);
  expectType<Date[]>()(u.visits);
  expectType<{ theme: 'dark' | 'light' } | undefined>()(u.prefs);
  expectType<string | undefined>()(u.address?.zip);
  expectType<string | undefined>()(u.address?.city);

  // ---- reads ----
  const got = await User.get({ name: 'x' });
  expectType<User | null>()(got);
  expectType<Set<string> | undefined>()(got?.tags);
  const t = await Thread.get({ forum: 'f', subject: 's' }, { consistent: true });
  expectType<number | undefined>()(t?.views);
  const o = await Order.get({ login: 'ann', placed: new Date(), no: 1 });
  expectType<Order | null>()(o);
  expectType<string | undefined>()(o?.pk);

  // ---- key and input types ----
  assertEqual<KeyOf<typeof User>, { name: string }>();
  assertEqual<KeyOf<typeof Thread>, { forum: string; subject: string }>();
  assertEqual<KeyOf<typeof Order>, { login: string; placed: Date; no: number }>();
  assertEqual<InputOfModel<typeof Thread>, { forum: string; subject: string; views?: number }>();
  // Template attributes are computed, never part of the input.
  assertEqual<InputOfModel<typeof Order>, { login: string; placed: Date; no: number }>();

  // ---- writes ----
  const saved = await User.put({ name: 'c', age: 2, role: 'member' });
  expectType<User>()(saved);
  const again = await saved.save({ overwrite: false, onKeyChange: 'move' });
  expectType<User>()(again);
  await saved.delete();
  await User.delete({ name: 'c' });
  await new Order({ login: 'ann', placed: new Date(), no: 1 }).save();
  const json: Record<string, unknown> = u.toJSON();
  void json;
}

export async function invalid(): Promise<void> {
  // @ts-expect-error unknown attribute in constructor input
  new User({ name: 'a', age: 1, role: 'member', colour: 'red' });
  // @ts-expect-error wrong value type
  new User({ name: 'a', age: '1', role: 'member' });
  // @ts-expect-error a literal outside its values
  new User({ name: 'a', age: 1, role: 'owner' });
  // @ts-expect-error a set given as an array
  new User({ name: 'a', age: 1, role: 'member', tags: ['x'] });
  // @ts-expect-error a date given as a string
  new User({ name: 'a', age: 1, role: 'member', joined: '2024-01-01' });
  // @ts-expect-error missing required attribute (age)
  new User({ name: 'a', role: 'member' });
  // @ts-expect-error no input at all when some attributes are required
  new User();
  // @ts-expect-error nested map member of the wrong type
  new User({ name: 'a', age: 1, role: 'member', address: { city: 5 } });
  // @ts-expect-error setting a template (computed) attribute
  new Order({ login: 'a', placed: new Date(), no: 1, pk: 'CUSTOMER#a' });
  // @ts-expect-error template fields of the wrong type
  new Order({ login: 'a', placed: 'today', no: 1 });

  // @ts-expect-error wrong key attribute
  await User.get({ email: 'x' });
  // @ts-expect-error wrong key value type
  await User.get({ name: 1 });
  // @ts-expect-error missing range key
  await Thread.get({ forum: 'f' });
  // @ts-expect-error extra attribute in the key
  await Thread.get({ forum: 'f', subject: 's', views: 1 });
  // @ts-expect-error template key by its stored attributes instead of its fields
  await Order.get({ pk: 'CUSTOMER#a', sk: 'ORDER#1' });
  // @ts-expect-error template key missing a field
  await Order.get({ login: 'a', no: 1 });
  // @ts-expect-error wrong key shape for delete
  await User.delete({ age: 1 });
  // @ts-expect-error Model.put validates its input type too
  await User.put({ name: 'a', age: 1, role: 'member', nope: true });

  const u = new User({ name: 'a', age: 1, role: 'member' });
  // @ts-expect-error assigning a wrong type to an instance attribute
  u.age = 'old';
  // @ts-expect-error unknown key-change policy
  await u.save({ onKeyChange: 'rename' });
  // @ts-expect-error attribute not declared
  void u.colour;

  // @ts-expect-error key names must be attributes
  Model({ table: 't', key: { hash: 'nope' }, attributes: { id: string() } });
  // @ts-expect-error index keys must be attributes
  Model({ table: 't', key: { hash: 'id' }, attributes: { id: string() }, indexes: { byX: gsi({ hash: 'x' }) } });
}
