/**
 * Compile-time tests of the `timestamps` option: the maintained attributes are `Date` on
 * instances, optional on construction, renamed or left out as declared.
 */
import { Model, date, string, number } from '../../src/index.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
declare function assertEqual<A, B>(...check: Equal<A, B> extends true ? [] : [never]): void;

class Post extends Model({ table: 'posts', key: { hash: 'id' }, attributes: { id: string(), n: number() }, timestamps: true }) {}
class Renamed extends Model({ table: 'r', key: { hash: 'id' }, attributes: { id: string() }, timestamps: { createdAt: 'created', updatedAt: false } }) {}
class Epoch extends Model({ table: 'e', key: { hash: 'id' }, attributes: { id: string(), updatedAt: date({ format: 'epoch' }).optional() }, timestamps: true }) {}
class Plain extends Model({ table: 'p', key: { hash: 'id' }, attributes: { id: string() } }) {}

export async function valid(): Promise<void> {
  const p = new Post({ id: 'a', n: 1 });
  assertEqual<typeof p.createdAt, Date>();
  assertEqual<typeof p.updatedAt, Date>();
  new Post({ id: 'b', n: 1, createdAt: new Date('2020-01-01') });
  await Post.update({ id: 'a' }, { set: { n: 2, updatedAt: new Date() } });
  const r = new Renamed({ id: 'a' });
  assertEqual<typeof r.created, Date>();
  // @ts-expect-error updatedAt: false leaves it out
  r.updatedAt;
  // @ts-expect-error the default name is not added when renamed
  r.createdAt;
  const e = new Epoch({ id: 'a' });
  assertEqual<typeof e.updatedAt, Date | undefined>();
  assertEqual<typeof e.createdAt, Date>();
  const q = new Plain({ id: 'a' });
  // @ts-expect-error no timestamps without the option
  q.createdAt;
  // @ts-expect-error a timestamp is a Date
  new Post({ id: 'c', n: 1, createdAt: '2020-01-01' });
}
