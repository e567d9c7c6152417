/**
 * The forum of DynamORM (itself AWS's forum sample): forums, threads, replies, users and
 * tags, with relationships both ways (threads ↔ tags many-to-many). Threads are keyed by forum and subject, replies by
 * thread and time, users by name. Two GSIs find a user's threads and replies; the
 * threads one is keys-only, so loading `user.threads` exercises the sparse-index
 * pattern (a Query of keys, then batched gets of the full items).
 *
 * Integrity and counts are declared on the edges and kept in the same transaction as the
 * write: a forum with threads cannot be deleted (restrict), deleting a thread deletes its
 * replies (cascade), a thread or reply is written only if its author (and thread) exist
 * (requireTarget), and `Thread.replyCount` counts the replies posted through dynagraph.
 */
import { compositeKey, date, edgeTable, gsi, manyToMany, manyToOne, Model, number, oneToMany, string } from '../../src/index.js';

/** A thread's id as stored on its replies: forum and subject, joined with an escaped `#`. */
export const threadId = compositeKey(['forum', 'subject']);

export class Forum extends Model({
  table: 'forums',
  key: { hash: 'name' },
  attributes: { name: string(), category: string().default('General'), description: string().optional() },
}) {
  threads = oneToMany(() => Thread, { query: (f: Forum) => ({ forum_name: f.name }), inverse: 'forum', onDelete: 'restrict' });
  /** The same threads in the order they were posted (`last: n` are the latest n). */
  recentThreads = oneToMany(() => Thread, { index: 'byPosted', query: (f: Forum) => ({ forum_name: f.name }), inverse: 'forum' });
}

export class User extends Model({
  table: 'users',
  key: { hash: 'name' },
  attributes: { name: string(), email: string().optional(), joined: date().default(() => new Date()) },
}) {
  threads = oneToMany(() => Thread, { index: 'byUser', query: (u: User) => ({ user_name: u.name }), inverse: 'user' });
  replies = oneToMany(() => Reply, { index: 'byUser', query: (u: User) => ({ user_name: u.name }), inverse: 'user' });
}

export class Thread extends Model({
  table: 'threads',
  key: { hash: 'forum_name', range: 'subject' },
  attributes: {
    forum_name: string(), subject: string(), user_name: string(), message: string().default(''),
    views: number().default(0), posted: date().default(() => new Date()),
    /** Kept by `replies` (its counter): +1 / -1 in the transaction of each reply's create / delete. */
    replyCount: number().default(0),
  },
  indexes: {
    byUser: gsi({ hash: 'user_name', range: 'subject', projection: 'keys' }),
    // A forum's threads by date: a GSI, so that it can be added to existing tables.
    byPosted: gsi({ hash: 'forum_name', range: 'posted', projection: 'all' }),
  },
}) {
  forum = manyToOne(() => Forum, {
    query: (t: Thread) => ({ name: t.forum_name }),
    backQuery: (f: Forum) => ({ forum_name: f.name }),
  });
  user = manyToOne(() => User, {
    query: (t: Thread) => ({ name: t.user_name }),
    backQuery: (u: User) => ({ user_name: u.name }),
    backIndex: 'byUser',
    requireTarget: true,
  });
  replies = oneToMany(() => Reply, {
    query: (t: Thread) => ({ thread_id: threadId.join([t.forum_name, t.subject]) }),
    inverse: 'thread',
    onDelete: 'cascade',
    counter: 'replyCount',
  });
  tags = manyToMany(() => Tag, { through: () => ThreadTag, inverse: 'threads', onDelete: 'detach' });
}

export class Reply extends Model({
  table: 'replies',
  key: { hash: 'thread_id', range: 'posted' },
  attributes: { thread_id: string(), posted: date(), user_name: string(), message: string() },
  indexes: { byUser: gsi({ hash: 'user_name', range: 'posted', projection: 'all' }) },
}) {
  thread = manyToOne(() => Thread, {
    query: (r: Reply) => {
      const { forum, subject } = threadId.split(r.thread_id);
      return { forum_name: forum, subject };
    },
    backQuery: (t: Thread) => ({ thread_id: threadId.join([t.forum_name, t.subject]) }),
    requireTarget: true,
  });
  user = manyToOne(() => User, {
    query: (r: Reply) => ({ name: r.user_name }),
    backQuery: (u: User) => ({ user_name: u.name }),
    backIndex: 'byUser',
    requireTarget: true,
  });
}

/** A topic threads are tagged with; thread ↔ tag is many-to-many through {@link ThreadTag}. */
export class Tag extends Model({ table: 'tags', key: { hash: 'name' }, attributes: { name: string() } }) {
  threads = manyToMany(() => Thread, { through: () => ThreadTag, inverse: 'tags', onDelete: 'detach' });
}

/** The links of threads to tags: one edge item per link, the inverse index answers tag → threads. */
export const ThreadTag = edgeTable({ name: 'ThreadTag', table: 'thread_tags', from: () => Thread, to: () => Tag });

/** Every model of the forum, for createTables and diagram. */
export const forumModels = [Forum, User, Thread, Reply, Tag, ThreadTag] as const;
