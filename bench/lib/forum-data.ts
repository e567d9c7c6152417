/**
 * The forum of the graph benchmark, deterministic: 200 users; the page's forum has 60
 * threads by 20 distinct users (the page shows the first 50); each thread has 15 replies
 * (the page shows the first 10) by users drawn from all 200. Another forum exists too.
 */
import { Forum, Reply, Tag, Thread, User } from '../../examples/forum/models.js';
import { prng } from './stats.js';

export const PAGE_FORUM = 'Amazon DynamoDB';
export const PAGE_THREADS = 50;
export const PAGE_REPLIES = 10;
/** Tags of the many-to-many shape: every thread has 5, over 30 distinct tags. */
export const TAGS = 30;
export const TAGS_PER_THREAD = 5;

/** The tags, and each thread's (thread i of a forum: tags 3i … 3i + 4, modulo 30). */
export function tagData(threads: readonly Thread[]): { tags: Tag[]; links: [Thread, Tag[]][] } {
  const tags = Array.from({ length: TAGS }, (_, i) => new Tag({ name: `tag${String(i).padStart(2, '0')}` }));
  const index = new Map<string, number>();
  const links = threads.map((t): [Thread, Tag[]] => {
    const i = index.get(t.forum_name) ?? 0;
    index.set(t.forum_name, i + 1);
    return [t, Array.from({ length: TAGS_PER_THREAD }, (_, j) => tags[(i * 3 + j) % TAGS])];
  });
  return { tags, links };
}

export function forumData(): { forums: Forum[]; users: User[]; threads: Thread[]; replies: Reply[] } {
  const random = prng(2024);
  const base = Date.UTC(2024, 0, 1);
  const forums = [new Forum({ name: PAGE_FORUM, category: 'AWS' }), new Forum({ name: 'Amazon S3', category: 'AWS' })];
  const users = Array.from({ length: 200 }, (_, i) => new User({ name: `user${String(i).padStart(3, '0')}`, email: `user${i}@example.com`, joined: new Date(base - i * 86_400_000) }));
  const threads: Thread[] = [];
  const replies: Reply[] = [];
  forums.forEach((forum, f) => {
    const count = f === 0 ? 60 : 10;
    for (let i = 0; i < count; i++) {
      const thread = new Thread({
        forum_name: forum.name, subject: `Question ${String(i).padStart(2, '0')} about ${forum.name}`,
        user_name: users[i % 20].name, message: `Details of question ${i}.`, views: i,
        posted: new Date(base + i * 3_600_000),
      });
      threads.push(thread);
      for (let r = 0; r < 15; r++) {
        const reply = new Reply({
          thread_id: '', user_name: users[Math.floor(random() * users.length)].name,
          message: `Reply ${r} to question ${i}`, posted: new Date(thread.posted.getTime() + (r + 1) * 60_000),
        });
        thread.replies.add(reply);
        replies.push(reply);
      }
    }
  });
  return { forums, users, threads, replies };
}

/** Users of the depth-3 and fan-in shapes. */
export const SHAPE_USERS = 300;
/** Threads of the depth-3 forum, each with this many replies; fan-in threads and users; the keys-only user's threads. */
export const DEPTH_THREADS = 100;
export const DEPTH_REPLIES = 10;
export const FAN_THREADS = 1000;
export const FAN_USERS = 250;
export const KEYS_THREADS = 500;

/**
 * The data of the other shapes (lib/graph-shapes.ts): 300 users; forum "Depth" with 100
 * threads of 10 replies each whose authors cover all 300 users; forum "Fan-in" with 1,000
 * threads by 250 of them; and the user "keys-owner" with 500 threads in forum "Keys".
 */
export function shapeData(): { forums: Forum[]; users: User[]; threads: Thread[]; replies: Reply[] } {
  const base = Date.UTC(2024, 6, 1);
  const pad = (i: number) => String(i).padStart(3, '0');
  const users = Array.from({ length: SHAPE_USERS }, (_, i) => new User({ name: `su${pad(i)}`, email: `su${i}@example.com`, joined: new Date(base) }));
  users.push(new User({ name: 'keys-owner', joined: new Date(base) }));
  const forums = ['Depth', 'Fan-in', 'Keys'].map((name) => new Forum({ name, category: 'Bench' }));
  const threads: Thread[] = [];
  const replies: Reply[] = [];
  for (let i = 0; i < DEPTH_THREADS; i++) {
    const thread = new Thread({ forum_name: 'Depth', subject: `d${pad(i)}`, user_name: users[i % SHAPE_USERS].name, message: `depth ${i}`, posted: new Date(base + i * 60_000) });
    threads.push(thread);
    for (let r = 0; r < DEPTH_REPLIES; r++) {
      const reply = new Reply({ thread_id: '', user_name: users[(i * DEPTH_REPLIES + r) % SHAPE_USERS].name, message: `reply ${r} to d${pad(i)}`, posted: new Date(base + i * 60_000 + (r + 1) * 1000) });
      thread.replies.add(reply);
      replies.push(reply);
    }
  }
  for (let i = 0; i < FAN_THREADS; i++) {
    threads.push(new Thread({ forum_name: 'Fan-in', subject: `f${String(i).padStart(4, '0')}`, user_name: users[i % FAN_USERS].name, message: `fan ${i}`, posted: new Date(base) }));
  }
  for (let i = 0; i < KEYS_THREADS; i++) {
    threads.push(new Thread({ forum_name: 'Keys', subject: `k${pad(i)}`, user_name: 'keys-owner', message: `keys ${i}`, posted: new Date(base) }));
  }
  return { forums, users, threads, replies };
}
