/**
 * Compile-time tests of integrity and counts: compiled by `npm run typecheck`, never run.
 * Each `@ts-expect-error` line must fail to compile for the reason it states; everything
 * else must compile, and `expectType` pins inferred types exactly.
 */
import {
  DeleteRestrictedError, MissingTargetError, Model, manyToOne, number, oneToMany, oneToOne, recount, string,
  type CounterAttribute, type OnDelete, type RecountReport,
} from '../../src/index.js';
import { Thread } from '../../examples/forum/models.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** Compiles only when `T` is exactly `U`. */
declare function expectType<T>(): <U>(value: U, ...check: Equal<T, U> extends true ? [] : [never]) => void;

// A cycle with a counter, a restrict, a cascade and a guard: compiling at all is the cycle test.
class Crate extends Model({ table: 'crates', key: { hash: 'id' }, attributes: { id: string(), jarCount: number().default(0), label: string().optional(), big: number().optional() } }) {
  jars = oneToMany(() => Jar, { query: (c: Crate) => ({ crateId: c.id }), inverse: 'crate', onDelete: 'cascade', counter: 'jarCount' });
  lid = oneToOne(() => Lid, { query: (c: Crate) => ({ crateId: c.id }), onDelete: 'restrict' });
}
class Jar extends Model({ table: 'jars', key: { hash: 'crateId', range: 'n' }, attributes: { crateId: string(), n: number() } }) {
  crate = manyToOne(() => Crate, { query: (j: Jar) => ({ id: j.crateId }), requireTarget: true });
}
class Lid extends Model({ table: 'lids', key: { hash: 'crateId' }, attributes: { crateId: string() } }) {}

export async function valid(crates: Crate[], threads: Thread[]): Promise<void> {
  // The counters a declaration may name: the number attributes, optional ones too.
  expectType<'jarCount' | 'big'>()(null as unknown as CounterAttribute<Crate>);
  expectType<'views' | 'replyCount'>()(null as unknown as CounterAttribute<Thread>);
  expectType<Promise<RecountReport>>()(recount(crates, 'jars'));
  expectType<Promise<RecountReport>>()(recount(threads, 'replies'));
  const modes: OnDelete[] = ['restrict', 'cascade', 'detach'];
  void modes;
  const restricted = null as unknown as DeleteRestrictedError;
  expectType<string>()(restricted.edge);
  expectType<readonly unknown[]>()(restricted.blocking);
  const missing = null as unknown as MissingTargetError;
  expectType<Record<string, unknown>>()(missing.key);
}

export class Misuse extends Model({ table: 'misuse', key: { hash: 'id' }, attributes: { id: string(), total: number(), note: string() } }) {
  // @ts-expect-error a counter must be a number attribute of mine: `note` is a string
  a = oneToMany(() => Jar, { query: (m: Misuse) => ({ crateId: m.id }), inverse: 'crate', counter: 'note' });
  // @ts-expect-error a counter must be an attribute of mine: `jarCount` is the target's
  b = oneToMany(() => Jar, { query: (m: Misuse) => ({ crateId: m.id }), inverse: 'crate', counter: 'jarCount' });
  // @ts-expect-error a to-one edge has no detach: the attributes pointing at the target are mine
  c = manyToOne(() => Crate, { query: (m: Misuse) => ({ id: m.id }), onDelete: 'detach' });
  // @ts-expect-error onDelete takes restrict, cascade or detach
  d = oneToMany(() => Jar, { query: (m: Misuse) => ({ crateId: m.id }), onDelete: 'nullify' });
  // @ts-expect-error a counter is kept on the parent's to-many edge, not on a to-one
  e = manyToOne(() => Crate, { query: (m: Misuse) => ({ id: m.id }), counter: 'total' });
  // @ts-expect-error requireTarget belongs to to-one edges (a to-many has no single target)
  f = oneToMany(() => Jar, { query: (m: Misuse) => ({ crateId: m.id }), requireTarget: true });
  ok = oneToMany(() => Jar, { query: (m: Misuse) => ({ crateId: m.id }), inverse: 'crate', counter: 'total' });
}

export async function misuse(crates: Crate[]): Promise<void> {
  // @ts-expect-error recount takes a to-many edge of the parents: `lid` is a to-one
  await recount(crates, 'lid');
  // @ts-expect-error recount takes an edge name of the parents: `id` is an attribute
  await recount(crates, 'id');
}
