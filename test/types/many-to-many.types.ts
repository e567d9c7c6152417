/**
 * Compile-time tests of many-to-many edges: compiled by `npm run typecheck`, never run.
 * Each `@ts-expect-error` line must fail to compile; `expectType` pins inferred types
 * exactly. Post and Tag refer to each other (and to their store) in a cycle, so their
 * compiling at all is the cycle test.
 */
import { edgeTable, manyToMany, Model, string, type LinkResult, type Page, type Session } from '../../src/index.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** Compiles only when `T` is exactly `U`. */
declare function expectType<T>(): <U>(value: U, ...check: Equal<T, U> extends true ? [] : [never]) => void;

class Post extends Model({ table: 'posts', key: { hash: 'id' }, attributes: { id: string(), title: string() } }) {
  tags = manyToMany(() => Tag, { through: () => PostTag, inverse: 'posts' });
}
class Tag extends Model({ table: 'tags', key: { hash: 'name' }, attributes: { name: string() } }) {
  posts = manyToMany(() => Post, { through: () => PostTag, inverse: 'tags' });
}
const PostTag = edgeTable({ name: 'PostTag', table: 'post_tags', from: () => Post, to: () => Tag });

export async function valid(s: Session, p: Post, t: Tag): Promise<void> {
  // ---- both directions ----
  expectType<Promise<Tag[]>>()(p.tags.load());
  expectType<Promise<Post[]>>()(t.posts.load());
  // @ts-expect-error get() on a many-to-many edge the type does not know to be loaded
  p.tags.get();
  expectType<Promise<Page<Tag>>>()(p.tags.page({ limit: 10, cursor: undefined, reverse: true }));
  expectType<Promise<number>>()(t.posts.count());
  expectType<string | undefined>()(p.tags.cursor);
  for await (const tag of p.tags) expectType<Tag>()(tag);

  // ---- linking ----
  expectType<Promise<void>>()(p.tags.link(t));
  expectType<Promise<void>>()(t.posts.unlink(p));
  expectType<Promise<LinkResult>>()(p.tags.linkMany([t]));
  expectType<Promise<LinkResult>>()(p.tags.unlinkMany([t]));
  // @ts-expect-error a post's tags are Tags, not Posts
  await p.tags.link(p);
  // @ts-expect-error a tag's posts are Posts
  await t.posts.linkMany([t]);

  // ---- includes ----
  const [loaded] = await s.load(p, { tags: { posts: { tags: true } } });
  expectType<true>()(loaded.tags.isLoaded);
  expectType<string>()(loaded.tags.get()[0].posts.get()[0].title);
  expectType<Tag[]>()(loaded.tags.get()[0].posts.get()[0].tags.get());
  const [paged] = await s.load([t], { posts: { $limit: 5, $reverse: true } });
  expectType<string>()(paged.posts.get()[0].id);
  // @ts-expect-error an unknown relation below a many-to-many edge does not compile
  await s.load(p, { tags: { nope: true } });
  // @ts-expect-error an attribute of the target is not a relation
  await s.load(p, { tags: { name: true } });

  // ---- declarations ----
  // @ts-expect-error through needs a thunk of a store
  manyToMany(() => Tag, { through: PostTag });
  // @ts-expect-error through must be an edge store, not a model
  manyToMany(() => Tag, { through: () => Tag });
  // @ts-expect-error the store needs its two ends
  edgeTable({ name: 'X', table: 'x', from: () => Post });
}
