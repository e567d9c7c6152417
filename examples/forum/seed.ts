/**
 * A deterministic forum dataset (fixed seed): forums, users, threads, replies, tags —
 * loaded with the batch writer, with a progress bar when stdout is a terminal; then each
 * thread linked to its tags (many-to-many: one transaction per thread, both ends checked).
 */
import type { Dynagraph } from '../../src/index.js';
import { seededRandom } from '../../src/testing/index.js';
import { Forum, Reply, Tag, Thread, User } from './models.js';

/** How big a forum to make. */
export interface SeedOptions {
  forums?: number;
  users?: number;
  threads?: number;
  replies?: number;
  /** PRNG seed; the same seed gives the same data. */
  seed?: number;
  /** Show a progress bar (default: when stdout is a TTY). */
  progress?: boolean;
}

/** The default dataset: about 5 forums, 100 users, 200 threads, 2,000 replies. */
export const DEFAULT_SEED: Required<Omit<SeedOptions, 'progress'>> = { forums: 5, users: 100, threads: 200, replies: 2000, seed: 42 };

const FORUMS = ['Amazon DynamoDB', 'Amazon S3', 'AWS Lambda', 'Amazon EC2', 'Amazon SQS', 'Amazon SNS', 'AWS IAM', 'Amazon RDS'];
const TOPICS = ['throttling', 'hot partitions', 'GSI backfill', 'cold starts', 'pagination', 'TTL', 'streams', 'transactions', 'batch writes', 'IAM policies', 'cost', 'latency'];
const VERBS = ['How do I handle', 'Question about', 'Best practice for', 'Unexpected', 'Help with', 'Trouble with'];
const NAMES = ['ada', 'alan', 'grace', 'linus', 'barbara', 'edsger', 'donald', 'margaret', 'ken', 'dennis', 'radia', 'leslie', 'john', 'frances', 'tim'];

/** The dataset: the items of each model, and each thread's tags. */
export interface ForumDataset {
  forums: Forum[];
  users: User[];
  threads: Thread[];
  replies: Reply[];
  tags: Tag[];
  /** Per thread (in `threads` order), its tags (one to two topics). */
  threadTags: Tag[][];
}

/** Builds the dataset in memory (deterministic for a given seed). */
export function forumDataset(options: SeedOptions = {}): ForumDataset {
  const o = { ...DEFAULT_SEED, ...options };
  const rnd = seededRandom(o.seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)];
  const base = Date.UTC(2024, 0, 1);
  const forums = Array.from({ length: o.forums }, (_, i) => new Forum({ name: FORUMS[i % FORUMS.length] + (i >= FORUMS.length ? ` ${i}` : ''), category: 'AWS' }));
  const users = Array.from({ length: o.users }, (_, i) => new User({ name: `${NAMES[i % NAMES.length]}${i}`, email: `${NAMES[i % NAMES.length]}${i}@example.com`, joined: new Date(base - i * 86_400_000) }));
  const tags = TOPICS.map((name) => new Tag({ name }));
  const byName = new Map(tags.map((t) => [t.name, t]));
  const threadTags: Tag[][] = [];
  const threads = Array.from({ length: o.threads }, (_, i) => {
    const forum_name = forums[i % forums.length].name;
    const subject = `${pick(VERBS)} ${pick(TOPICS)} #${i}`;
    const user_name = pick(users).name;
    // Two picks, as many as the dataset always drew here (the same seed keeps giving the same forum).
    threadTags.push([...new Set([pick(TOPICS), pick(TOPICS)])].sort().map((t) => byName.get(t)!));
    return new Thread({ forum_name, subject, user_name, message: `Details of question ${i}.`, views: Math.floor(rnd() * 1000), posted: new Date(base + i * 3_600_000) });
  });
  const replies = Array.from({ length: o.replies }, (_, i) => {
    const thread = threads[Math.floor(rnd() * threads.length)];
    const reply = new Reply({
      thread_id: '', user_name: pick(users).name, message: `Reply ${i}: have you tried ${pick(TOPICS)}?`,
      posted: new Date(thread.posted.getTime() + (i + 1) * 60_000),
    });
    thread.replies.add(reply);
    // A bulk load (BatchWriteItem) moves no counters: the dataset carries its counts.
    thread.replyCount++;
    return reply;
  });
  return { forums, users, threads, replies, tags, threadTags };
}

function progressBar(label: string, enabled: boolean): (p: { done: number; total: number }) => void {
  if (!enabled) return () => {};
  return ({ done, total }) => {
    const width = 30;
    const filled = Math.round((done / total) * width);
    process.stdout.write(`\r${label.padEnd(8)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`);
    if (done === total) process.stdout.write('\n');
  };
}

/** Writes the dataset with the batch writer. Returns the item counts written. */
export async function seedForum(db: Dynagraph, options: SeedOptions = {}): Promise<Record<string, number>> {
  const { threadTags, ...data } = forumDataset(options);
  const show = options.progress ?? Boolean(process.stdout.isTTY);
  for (const [label, items] of Object.entries(data)) {
    await db.putMany(items, { onProgress: progressBar(label, show) });
  }
  // Links are transactions conditional on both ends, so they follow the items; a few at a time.
  const bar = progressBar('links', show);
  let done = 0;
  const queue = data.threads.map((t, i) => [t, threadTags[i]] as const);
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      done += (await next[0].tags.linkMany(next[1], { db })).links;
      bar({ done: data.threads.length - queue.length, total: data.threads.length });
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return { ...Object.fromEntries(Object.entries(data).map(([k, v]) => [k, v.length])), links: done };
}
