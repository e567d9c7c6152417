/**
 * One forum page — the forum, its first 50 threads with their authors, each thread's
 * first 10 replies with their authors — resolved four ways over the same tables:
 * dynagraph, a naive one-item-at-a-time resolver, a hand-written optimal resolver on the
 * raw DocumentClient, and Dynamoose's populate(). All return the same plain page.
 */
import { DynamoDB } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import dynamoose from 'dynamoose';
import type { Dynagraph } from '../../src/index.js';
import { Forum, Thread, threadId } from '../../examples/forum/models.js';
import { PAGE_REPLIES, PAGE_THREADS } from './forum-data.js';

type Person = { name: string; email: string | null } | null;
/** The page every resolver returns. */
export interface PlainPage {
  forum: string;
  threads: { subject: string; author: Person; replies: { posted: string; message: string; author: Person }[] }[];
}

const person = (u: { name?: unknown; email?: unknown } | null | undefined): Person =>
  u ? { name: String(u.name), email: u.email === undefined ? null : String(u.email) } : null;

/** dynagraph: a session, the forum and its threads in one round, then one include (two more rounds). */
export async function dynagraphPage(db: Dynagraph, forumName: string): Promise<{ page: PlainPage; stats: { requests: number; rounds: number } }> {
  const s = db.session();
  const [forum, { items: threads }] = await Promise.all([
    s.get(Forum, { name: forumName }),
    s.query(Thread, { forum_name: forumName }).page({ limit: PAGE_THREADS }),
  ]);
  if (!forum) throw new Error(`no forum ${forumName}`);
  const loaded = await s.load(threads, { user: true, replies: { $limit: PAGE_REPLIES, user: true } });
  const page: PlainPage = {
    forum: forum.name,
    threads: loaded.map((t) => ({
      subject: t.subject,
      author: person(t.user.get()),
      replies: t.replies.get().map((r) => ({ posted: r.posted.toISOString(), message: r.message, author: person(r.user.get()) })),
    })),
  };
  return { page, stats: { requests: s.stats.totalRequests, rounds: s.stats.rounds } };
}

/** Names of the physical tables. */
export interface Tables {
  forums: string;
  users: string;
  threads: string;
  replies: string;
}

type Item = Record<string, any>;

/** Naive: every edge read one item at a time, in sequence (what DynamORM's relations did). */
export async function naivePage(doc: DynamoDBDocumentClient, t: Tables, forumName: string): Promise<PlainPage> {
  const forum = (await doc.send(new GetCommand({ TableName: t.forums, Key: { name: forumName } }))).Item;
  if (!forum) throw new Error(`no forum ${forumName}`);
  const threads = (await doc.send(new QueryCommand({
    TableName: t.threads, KeyConditionExpression: '#f = :f', ExpressionAttributeNames: { '#f': 'forum_name' }, ExpressionAttributeValues: { ':f': forumName }, Limit: PAGE_THREADS,
  }))).Items ?? [];
  const page: PlainPage = { forum: forum.name, threads: [] };
  const user = async (name: string) => (await doc.send(new GetCommand({ TableName: t.users, Key: { name } }))).Item;
  for (const thread of threads) {
    const author = await user(thread.user_name);
    const replies = (await doc.send(new QueryCommand(repliesQuery(t, thread)))).Items ?? [];
    const out = [];
    for (const r of replies) out.push({ posted: r.posted, message: r.message, author: person(await user(r.user_name)) });
    page.threads.push({ subject: thread.subject, author: person(author), replies: out });
  }
  return page;
}

function repliesQuery(t: Tables, thread: Item) {
  return {
    TableName: t.replies, KeyConditionExpression: '#t = :t', ExpressionAttributeNames: { '#t': 'thread_id' },
    ExpressionAttributeValues: { ':t': threadId.join([thread.forum_name, thread.subject]) }, Limit: PAGE_REPLIES,
  };
}

/** BatchGetItem of distinct keys, 100 per request, all requests at once, leftovers retried. */
export async function batchGet(doc: DynamoDBDocumentClient, table: string, hash: string, values: string[]): Promise<Map<string, Item>> {
  const found = new Map<string, Item>();
  const chunks: string[][] = [];
  for (let i = 0; i < values.length; i += 100) chunks.push(values.slice(i, i + 100));
  await Promise.all(chunks.map(async (chunk) => {
    let request: Record<string, { Keys: Item[] }> | undefined = { [table]: { Keys: chunk.map((v) => ({ [hash]: v })) } };
    for (let attempt = 0; request && Object.keys(request).length; attempt++) {
      if (attempt) await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * 2 ** attempt));
      const out = await doc.send(new BatchGetCommand({ RequestItems: request }));
      for (const item of out.Responses?.[table] ?? []) found.set(item[hash], item);
      request = out.UnprocessedKeys as typeof request;
    }
  }));
  return found;
}

/** Optimal, by hand: the forum and its threads at once; then every author in BatchGetItems and every thread's replies in parallel Queries; then the reply authors not yet known. */
export async function optimalPage(doc: DynamoDBDocumentClient, t: Tables, forumName: string): Promise<PlainPage> {
  const [forumOut, threadsOut] = await Promise.all([
    doc.send(new GetCommand({ TableName: t.forums, Key: { name: forumName } })),
    doc.send(new QueryCommand({
      TableName: t.threads, KeyConditionExpression: '#f = :f', ExpressionAttributeNames: { '#f': 'forum_name' }, ExpressionAttributeValues: { ':f': forumName }, Limit: PAGE_THREADS,
    })),
  ]);
  if (!forumOut.Item) throw new Error(`no forum ${forumName}`);
  const threads = threadsOut.Items ?? [];
  const [users, replyLists] = await Promise.all([
    batchGet(doc, t.users, 'name', [...new Set(threads.map((th) => th.user_name as string))]),
    Promise.all(threads.map(async (th) => (await doc.send(new QueryCommand(repliesQuery(t, th)))).Items ?? [])),
  ]);
  const missing = [...new Set(replyLists.flat().map((r) => r.user_name as string))].filter((n) => !users.has(n));
  for (const [k, v] of await batchGet(doc, t.users, 'name', missing)) users.set(k, v);
  return {
    forum: forumOut.Item.name,
    threads: threads.map((th, i) => ({
      subject: th.subject,
      author: person(users.get(th.user_name)),
      replies: replyLists[i].map((r) => ({ posted: r.posted, message: r.message, author: person(users.get(r.user_name)) })),
    })),
  };
}

/** Dynamoose models on the same tables; `user_name` holds a reference to a User, resolved by populate(). */
export function dynamooseModels(ddb: DynamoDB, t: Tables) {
  dynamoose.aws.ddb.set(ddb);
  const options = { create: false, waitForActive: false, update: false } as const;
  const UserModel = dynamoose.model(t.users, new dynamoose.Schema({ name: { type: String, hashKey: true }, email: String, joined: String }), options);
  const ForumModel = dynamoose.model(t.forums, new dynamoose.Schema({ name: { type: String, hashKey: true }, category: String, description: String }), options);
  const ThreadModel = dynamoose.model(t.threads, new dynamoose.Schema({
    forum_name: { type: String, hashKey: true }, subject: { type: String, rangeKey: true }, user_name: UserModel,
    message: String, views: Number, posted: String,
  }), options);
  const ReplyModel = dynamoose.model(t.replies, new dynamoose.Schema({
    thread_id: { type: String, hashKey: true }, posted: { type: String, rangeKey: true }, user_name: UserModel, message: String,
  }), options);
  return { UserModel, ForumModel, ThreadModel, ReplyModel };
}

/** Dynamoose, idiomatically: populate() every thread's and every reply's user (one GetItem each, in parallel). */
export async function dynamoosePage(models: ReturnType<typeof dynamooseModels>, forumName: string): Promise<PlainPage> {
  const { ForumModel, ThreadModel, ReplyModel } = models;
  const [forum, threads] = await Promise.all([
    ForumModel.get(forumName),
    ThreadModel.query('forum_name').eq(forumName).limit(PAGE_THREADS).exec(),
  ]);
  if (!forum) throw new Error(`no forum ${forumName}`);
  const [populated, replyLists] = await Promise.all([
    threads.populate(),
    Promise.all(threads.map((th) => ReplyModel.query('thread_id').eq(threadId.join([String(th.forum_name), String(th.subject)])).limit(PAGE_REPLIES).exec())),
  ]);
  const replies = await Promise.all(replyLists.map((list) => list.populate()));
  return {
    forum: String(forum.name),
    threads: populated.map((th: Item, i: number) => ({
      subject: th.subject,
      author: person(th.user_name),
      replies: replies[i].map((r: Item) => ({ posted: r.posted, message: r.message, author: person(r.user_name) })),
    })),
  };
}
