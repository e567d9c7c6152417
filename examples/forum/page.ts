/**
 * One forum page — its threads with their authors, tags, reply counts and latest replies
 * with their authors — resolved two ways: by dynagraph (a session, level-wise include, batched
 * loads) and naively, one item at a time with the raw SDK (what an ORM without batching
 * does). Both return the same page and what it cost.
 */
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Dynagraph, GraphTrace, ModelSchema, SessionStats } from '../../src/index.js';
import { Forum, Reply, Tag, Thread, threadId, ThreadTag, User } from './models.js';

/** A rendered forum page. */
export interface ForumPage {
  forum: string;
  threads: {
    subject: string;
    author: string | null;
    tags: string[];
    replyCount: number;
    latest: { author: string | null; message: string; posted: string }[];
  }[];
}

/** What resolving a page cost. */
export interface PageCost {
  requests: Record<string, number>;
  total: number;
  rounds: number;
}

/** Page size options. */
export interface PageOptions {
  threads?: number;
  latest?: number;
}

/** Resolves the page with dynagraph: a session and one include (authors, tags, latest replies); reply counts are the threads' counters (no request). */
export async function forumPage(db: Dynagraph, forumName: string, options: PageOptions = {}): Promise<{ page: ForumPage; cost: PageCost; stats: SessionStats; trace: GraphTrace }> {
  const { threads: threadCount = 20, latest = 3 } = options;
  const s = db.session();
  const forum = await s.get(Forum, { name: forumName });
  if (!forum) throw new Error(`no forum named ${forumName}`);
  const { items: threads } = await forum.threads.page({ limit: threadCount });
  const loaded = await s.load(threads, { user: true, tags: true, replies: { $limit: latest, $reverse: true, user: true } });
  const page: ForumPage = {
    forum: forum.name,
    threads: loaded.map((t) => ({
      subject: t.subject,
      author: t.user.get()?.name ?? null,
      tags: t.tags.get().map((tag) => tag.name),
      // Kept by Thread.replies in each reply's own transaction: no COUNT Query per thread.
      replyCount: t.replyCount,
      latest: t.replies.get().map((r) => ({ author: r.user.get()?.name ?? null, message: r.message, posted: r.posted.toISOString() })),
    })),
  };
  // The trace: per include round and edge, what was sent and what it cost.
  return { page, cost: { requests: { ...s.stats.requests }, total: s.stats.totalRequests, rounds: s.stats.rounds }, stats: s.stats, trace: s.trace };
}

/**
 * The same page resolved naively: every edge read one item at a time, in sequence,
 * with the raw DocumentClient (one GetItem per author and per tag, one Query per thread's
 * tag links and its replies; the reply count is the thread item's counter, as for dynagraph).
 */
export async function naiveForumPage(db: Dynagraph, forumName: string, options: PageOptions = {}): Promise<{ page: ForumPage; cost: PageCost }> {
  const { threads: threadCount = 20, latest = 3 } = options;
  const doc = DynamoDBDocumentClient.from(db.connection.client);
  const requests: Record<string, number> = {};
  const send = async <T>(command: GetCommand | QueryCommand): Promise<T> => {
    const name = command instanceof GetCommand ? 'GetItem' : 'Query';
    requests[name] = (requests[name] ?? 0) + 1;
    return (await doc.send(command as never)) as T;
  };
  const table = (m: { schema: ModelSchema }) => db.tableName(m.schema);
  const getUser = async (name: string) =>
    (await send<{ Item?: Record<string, unknown> }>(new GetCommand({ TableName: table(User), Key: { name } }))).Item;
  const forum = (await send<{ Item?: Record<string, unknown> }>(new GetCommand({ TableName: table(Forum), Key: { name: forumName } }))).Item;
  if (!forum) throw new Error(`no forum named ${forumName}`);
  const threads = (await send<{ Items: Record<string, any>[] }>(new QueryCommand({
    TableName: table(Thread), KeyConditionExpression: '#f = :f', ExpressionAttributeNames: { '#f': 'forum_name' }, ExpressionAttributeValues: { ':f': forumName }, Limit: threadCount,
  }))).Items;
  const page: ForumPage = { forum: forumName, threads: [] };
  for (const t of threads) {
    const author = await getUser(t.user_name);
    // The thread's links (its partition of the edge store), then each tag by key.
    const links = (await send<{ Items: Record<string, any>[] }>(new QueryCommand({
      TableName: table(ThreadTag), KeyConditionExpression: '#s = :s', ExpressionAttributeNames: { '#s': ThreadTag.edgeStore.hash },
      ExpressionAttributeValues: { ':s': ThreadTag.edgeStore.endId(Thread, { forum_name: t.forum_name, subject: t.subject }) },
    }))).Items;
    const tags: string[] = [];
    for (const link of links) {
      const key = ThreadTag.edgeStore.keyOf(Tag, link[ThreadTag.edgeStore.range]);
      const tag = key && (await send<{ Item?: Record<string, unknown> }>(new GetCommand({ TableName: table(Tag), Key: key }))).Item;
      if (tag) tags.push(tag.name as string);
    }
    const id = threadId.join([t.forum_name, t.subject]);
    const byThread = { TableName: table(Reply), KeyConditionExpression: '#t = :t', ExpressionAttributeNames: { '#t': 'thread_id' }, ExpressionAttributeValues: { ':t': id } };
    const replyCount = Number(t.replyCount ?? 0);
    const replies = (await send<{ Items: Record<string, any>[] }>(new QueryCommand({ ...byThread, ScanIndexForward: false, Limit: latest }))).Items;
    const latestReplies = [];
    for (const r of replies) {
      const replyAuthor = await getUser(r.user_name);
      latestReplies.push({ author: (replyAuthor?.name as string) ?? null, message: r.message, posted: r.posted });
    }
    page.threads.push({ subject: t.subject, author: (author?.name as string) ?? null, tags, replyCount, latest: latestReplies });
  }
  const total = Object.values(requests).reduce((a, b) => a + b, 0);
  return { page, cost: { requests, total, rounds: total } };
}

/** Renders a page as text. */
export function renderPage(page: ForumPage): string {
  const lines = [`# ${page.forum}`, ''];
  for (const t of page.threads) {
    lines.push(`* ${t.subject} — by ${t.author ?? '(unknown)'} · ${t.replyCount} repl${t.replyCount === 1 ? 'y' : 'ies'}${t.tags.length ? ` · [${t.tags.join(', ')}]` : ''}`);
    for (const r of t.latest) lines.push(`    ↳ ${r.author ?? '(unknown)'} at ${r.posted.slice(0, 16).replace('T', ' ')}: ${r.message}`);
  }
  return lines.join('\n');
}
