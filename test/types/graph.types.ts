/**
 * Compile-time tests of relationships: compiled by `npm run typecheck`, never run. Each
 * `@ts-expect-error` line must fail to compile; everything else must compile, and
 * `expectType` pins inferred types exactly. The forum models refer to each other in
 * cycles (Thread → User → Thread), so their compiling at all is the cycle test.
 */
import {
  Model, gsi, type Dynagraph, manyToOne, oneToMany, oneToOne, string, number, compositeKey, type Page, type Session,
} from '../../src/index.js';
import { Forum, Reply, Thread, User } from '../../examples/forum/models.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** Compiles only when `T` is exactly `U`. */
declare function expectType<T>(): <U>(value: U, ...check: Equal<T, U> extends true ? [] : [never]) => void;

// A two-model cycle declared here, with a to-one through an index and a oneToOne.
class Author extends Model({ table: 'authors', key: { hash: 'id' }, attributes: { id: string(), bestId: string().optional() } }) {
  books = oneToMany(() => Book, { index: 'byAuthor', query: (a: Author) => ({ authorId: a.id }), inverse: 'author' });
  best = oneToOne(() => Book, { query: (a: Author) => (a.bestId ? { isbn: a.bestId } : null) });
}
class Book extends Model({
  table: 'books', key: { hash: 'isbn' }, attributes: { isbn: string(), authorId: string(), pages: number() },
  indexes: { byAuthor: gsi({ hash: 'authorId' }) },
}) {
  author = manyToOne(() => Author, { query: (b: Book) => ({ id: b.authorId }), backQuery: (a: Author) => ({ authorId: a.id }) });
}

export async function valid(db: Dynagraph, s: Session, t: Thread, u: User, r: Reply, f: Forum): Promise<void> {
  // ---- edge types ----
  expectType<Promise<User | null>>()(t.user.load());
  expectType<Promise<Thread[]>>()(u.threads.load());
  expectType<Promise<Reply[]>>()(t.replies.load());
  expectType<Promise<Thread | null>>()(r.thread.load());
  expectType<Promise<Forum | null>>()(t.forum.load());
  // @ts-expect-error get() on an edge the type does not know to be loaded (load() it, or include it)
  t.user.get();
  // @ts-expect-error get() on a to-many edge the type does not know to be loaded
  t.replies.get();
  expectType<boolean>()(t.user.isLoaded);
  expectType<Promise<Page<Reply>>>()(t.replies.page({ limit: 10, cursor: undefined }));
  expectType<Promise<number>>()(t.replies.count());
  for await (const reply of t.replies) expectType<Reply>()(reply);
  expectType<Promise<Author | null>>()(new Book({ isbn: '1', authorId: 'a', pages: 1 }).author.load());
  expectType<Promise<Book[]>>()(new Author({ id: 'a' }).books.load());
  expectType<Promise<Book | null>>()(new Author({ id: 'a' }).best.load());

  // ---- assignment ----
  t.user.set(u);
  t.user.set(null);
  t.replies.add(r);
  // @ts-expect-error a Thread is not a User
  t.user.set(t);
  // @ts-expect-error replies are Replies
  t.replies.add(u);

  // ---- sessions and include ----
  const threads = await s.query(Thread, { forum_name: 'AWS' }).all();
  expectType<Thread[]>()(threads);
  const loaded = await s.load(threads, { user: true });
  expectType<User | null>()(loaded[0].user.get());
  expectType<true>()(loaded[0].user.isLoaded);
  const deep = await s.load(f, { threads: { user: true, replies: { $limit: 5, user: true } } });
  expectType<User | null>()(deep[0].threads.get()[0].user.get());
  expectType<User | null>()(deep[0].threads.get()[0].replies.get()[0].user.get());
  const [q] = await s.query(Thread, { forum_name: 'AWS' }).include({ replies: { thread: true } }).all();
  expectType<Thread | null>()(q.replies.get()[0].thread.get());
  expectType<string>()(q.replies.get()[0].message);
  expectType<Promise<User | null>>()(s.get(User, { name: 'ann' }));
  expectType<Promise<(User | null)[]>>()(s.getMany(User, [{ name: 'ann' }]));
  expectType<number>()(s.stats.rounds);
  expectType<Record<string, number>>()(s.stats.requests);
  db.session({ maxRequests: 10 });

  // @ts-expect-error an unknown relation does not compile
  await s.load(threads, { author: true });
  // @ts-expect-error an attribute is not a relation
  await s.load(threads, { subject: true });
  // @ts-expect-error an unknown nested relation does not compile
  await s.load(threads, { replies: { nope: true } });
  // @ts-expect-error a nested attribute is not a relation
  await s.load(f, { threads: { replies: { message: true } } });
  // @ts-expect-error unknown relation in a query include
  s.query(Thread, { forum_name: 'AWS' }).include({ authors: true });

  // ---- declarations ----
  // @ts-expect-error query must return the target's key (User is keyed by name)
  manyToOne(() => User, { query: (x: Thread) => ({ user_name: x.user_name }) });
  // @ts-expect-error an index the target does not have
  oneToMany(() => Thread, { index: 'byNobody', query: (x: User) => ({ user_name: x.name }) });

  // ---- composite keys ----
  const id = compositeKey(['forum', 'subject']);
  expectType<string>()(id.join(['a', 'b']));
  expectType<Record<'forum' | 'subject', string>>()(id.split('a#b'));
}
