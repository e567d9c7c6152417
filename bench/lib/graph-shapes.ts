/**
 * The graph benchmark's other shapes (issue 17), each resolved by dynagraph, by hand with
 * the raw DocumentClient in the fewest requests and rounds DynamoDB allows, and naively
 * (one request at a time), all returning the same plain data:
 *
 * - depth 3: 100 threads → their 10 replies each → the replies' 300 distinct users;
 * - fan-in: 1,000 thread → user to-one loads over 250 users (threads read before timing);
 * - keys-only: a user's 500 threads through the keys-only `byUser` GSI, hydrated;
 * - GraphQL: the forum page as one GraphQL query (`examples/forum/graphql.ts`).
 */
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Dynagraph } from '../../src/index.js';
import { Thread, User, threadId } from '../../examples/forum/models.js';
import { buildSchema, graphql, type GraphQLSchema } from 'graphql';
import { forumApi } from '../../examples/forum/graphql.js';
import { batchGet, optimalPage, type PlainPage, type Tables } from './forum-resolvers.js';
import { PAGE_REPLIES, PAGE_THREADS } from './forum-data.js';

type Item = Record<string, any>;
type Person = { name: string; email: string | null } | null;
const person = (u: { name?: unknown; email?: unknown } | null | undefined): Person =>
  u ? { name: String(u.name), email: u.email === undefined || u.email === null ? null : String(u.email) } : null;

/** The forums and the user of the shapes (seeded by forum-data.ts's `shapeData`). */
export const DEPTH_FORUM = 'Depth';
export const FAN_FORUM = 'Fan-in';
export const KEYS_OWNER = 'keys-owner';

/** Every item of a Query (all pages). */
async function queryAll(doc: DynamoDBDocumentClient, input: QueryCommandInput): Promise<Item[]> {
  const out: Item[] = [];
  let start: Item | undefined;
  do {
    const page = await doc.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
    out.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return out;
}

const threadsOf = (t: Tables, forum: string): QueryCommandInput => ({
  TableName: t.threads, KeyConditionExpression: '#f = :f', ExpressionAttributeNames: { '#f': 'forum_name' }, ExpressionAttributeValues: { ':f': forum },
});
const repliesOf = (t: Tables, th: Item): QueryCommandInput => ({
  TableName: t.replies, KeyConditionExpression: '#t = :t', ExpressionAttributeNames: { '#t': 'thread_id' },
  ExpressionAttributeValues: { ':t': threadId.join([th.forum_name, th.subject]) },
});
const getUser = async (doc: DynamoDBDocumentClient, t: Tables, name: string) => (await doc.send(new GetCommand({ TableName: t.users, Key: { name } }))).Item;

// ---------------------------------------------------------------- depth 3

/** What the depth-3 resolvers return: each thread's replies and their authors. */
export type DepthResult = { subject: string; replies: { message: string; author: Person }[] }[];

export async function dynagraphDepth(db: Dynagraph): Promise<DepthResult> {
  const s = db.session();
  const threads = await s.query(Thread, { forum_name: DEPTH_FORUM }).include({ replies: { user: true } }).all();
  return threads.map((t) => ({ subject: t.subject, replies: t.replies.get().map((r) => ({ message: r.message, author: person(r.user.get()) })) }));
}

export async function optimalDepth(doc: DynamoDBDocumentClient, t: Tables): Promise<DepthResult> {
  const threads = await queryAll(doc, threadsOf(t, DEPTH_FORUM));
  const replies = await Promise.all(threads.map((th) => queryAll(doc, repliesOf(t, th))));
  const users = await batchGet(doc, t.users, 'name', [...new Set(replies.flat().map((r) => r.user_name as string))]);
  return threads.map((th, i) => ({ subject: th.subject, replies: replies[i].map((r) => ({ message: r.message, author: person(users.get(r.user_name)) })) }));
}

export async function naiveDepth(doc: DynamoDBDocumentClient, t: Tables): Promise<DepthResult> {
  const out: DepthResult = [];
  for (const th of await queryAll(doc, threadsOf(t, DEPTH_FORUM))) {
    const replies = [];
    for (const r of await queryAll(doc, repliesOf(t, th))) replies.push({ message: r.message, author: person(await getUser(doc, t, r.user_name)) });
    out.push({ subject: th.subject, replies });
  }
  return out;
}

// ---------------------------------------------------------------- fan-in

/** Each thread's author, in thread order. */
export type FanResult = Person[];

/** Reads the fan-in threads in a new session (untimed); the returned function loads every `thread.user` (timed). */
export async function dynagraphFan(db: Dynagraph, session: boolean): Promise<() => Promise<FanResult>> {
  const threads = session ? await db.session().query(Thread, { forum_name: FAN_FORUM }).all() : await db.query(Thread, { forum_name: FAN_FORUM }).all();
  return async () => (await Promise.all(threads.map((th) => th.user.load()))).map(person);
}

export async function optimalFan(doc: DynamoDBDocumentClient, t: Tables): Promise<() => Promise<FanResult>> {
  const threads = await queryAll(doc, threadsOf(t, FAN_FORUM));
  return async () => {
    const users = await batchGet(doc, t.users, 'name', [...new Set(threads.map((th) => th.user_name as string))]);
    return threads.map((th) => person(users.get(th.user_name)));
  };
}

export async function naiveFan(doc: DynamoDBDocumentClient, t: Tables): Promise<() => Promise<FanResult>> {
  const threads = await queryAll(doc, threadsOf(t, FAN_FORUM));
  return async () => {
    const out: FanResult = [];
    for (const th of threads) out.push(person(await getUser(doc, t, th.user_name)));
    return out;
  };
}

// ---------------------------------------------------------------- keys-only GSI

/** The owner's threads in index order (subject order). */
export type KeysResult = { subject: string; message: string }[];

/** Reads the owner in a new session (untimed); the returned function loads `user.threads` through the keys-only index (timed). */
export async function dynagraphKeys(db: Dynagraph): Promise<() => Promise<KeysResult>> {
  const owner = await db.session().get(User, { name: KEYS_OWNER });
  if (!owner) throw new Error(`no user ${KEYS_OWNER}`);
  return async () => (await owner.threads.load()).map((th) => ({ subject: th.subject, message: th.message }));
}

const keysQuery = (t: Tables): QueryCommandInput => ({
  TableName: t.threads, IndexName: 'byUser', KeyConditionExpression: '#u = :u', ExpressionAttributeNames: { '#u': 'user_name' }, ExpressionAttributeValues: { ':u': KEYS_OWNER },
});

/** The index's keys, then every full item in parallel BatchGetItems of 100, leftovers retried; index order kept. */
export async function optimalKeys(doc: DynamoDBDocumentClient, t: Tables): Promise<KeysResult> {
  const entries = await queryAll(doc, keysQuery(t));
  const id = (k: Item) => `${k.forum_name}\u0000${k.subject}`;
  const found = new Map<string, Item>();
  const chunks: Item[][] = [];
  for (let i = 0; i < entries.length; i += 100) chunks.push(entries.slice(i, i + 100).map((e) => ({ forum_name: e.forum_name, subject: e.subject })));
  await Promise.all(chunks.map(async (chunk) => {
    let request: Record<string, { Keys: Item[] }> | undefined = { [t.threads]: { Keys: chunk } };
    for (let attempt = 0; request && Object.keys(request).length; attempt++) {
      if (attempt) await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * 2 ** attempt));
      const out = await doc.send(new BatchGetCommand({ RequestItems: request }));
      for (const item of out.Responses?.[t.threads] ?? []) found.set(id(item), item);
      request = out.UnprocessedKeys as typeof request;
    }
  }));
  return entries.map((e) => found.get(id(e))).filter((x): x is Item => !!x).map((th) => ({ subject: th.subject, message: th.message }));
}

export async function naiveKeys(doc: DynamoDBDocumentClient, t: Tables): Promise<KeysResult> {
  const out: KeysResult = [];
  for (const e of await queryAll(doc, keysQuery(t))) {
    const th = (await doc.send(new GetCommand({ TableName: t.threads, Key: { forum_name: e.forum_name, subject: e.subject } }))).Item;
    if (th) out.push({ subject: th.subject, message: th.message });
  }
  return out;
}

// ---------------------------------------------------------------- GraphQL

/** The forum page as one GraphQL query: the forum, its first 50 threads and authors, each thread's first 10 replies and authors. */
export const PAGE_QUERY = `query Page($name: String!) { forum(name: $name) { name threads(first: ${PAGE_THREADS}) { edges { node {
  subject user { name email } replies(first: ${PAGE_REPLIES}) { edges { node { posted message user { name email } } } } } } } } }`;

type GqlPage = { forum: { name: string; threads: { edges: { node: { subject: string; user: Person; replies: { edges: { node: { posted: string; message: string; user: Person } }[] } } }[] } } };

/** A GraphQL result as the plain page every forum resolver returns. */
function pageOfGraphql(data: GqlPage): PlainPage {
  return {
    forum: data.forum.name,
    threads: data.forum.threads.edges.map(({ node: th }) => ({
      subject: th.subject, author: person(th.user),
      replies: th.replies.edges.map(({ node: r }) => ({ posted: new Date(r.posted).toISOString(), message: r.message, author: person(r.user) })),
    })),
  };
}

/** dynagraph/graphql: the generated forum API executes the query in a session of its own. */
export async function dynagraphGraphql(db: Dynagraph, forum: string): Promise<PlainPage> {
  const r = await forumApi.run(db, PAGE_QUERY, { name: forum });
  if (r.errors?.length) throw new Error(`GraphQL errors: ${r.errors.map((e) => e.message).join('; ')}`);
  return pageOfGraphql(r.data as unknown as GqlPage);
}

/** The same result by hand on the raw DocumentClient: the optimal page resolver, its output in the query's shape. */
export async function optimalGraphql(doc: DynamoDBDocumentClient, t: Tables, forum: string): Promise<PlainPage> {
  const page = await optimalPage(doc, t, forum);
  const data: GqlPage = {
    forum: {
      name: page.forum,
      threads: { edges: page.threads.map((th) => ({ node: { subject: th.subject, user: th.author, replies: { edges: th.replies.map((r) => ({ node: { posted: r.posted, message: r.message, user: r.author } })) } } })) },
    },
  };
  return pageOfGraphql(data);
}

/**
 * The same query through graphql-js (parse, validate, execute) on a hand-written schema of
 * the same shape, whose root resolver fetches the whole page as the optimal resolver does
 * (forum and threads at once, then authors and replies, then the reply authors): the best a
 * hand-written GraphQL server does, graphql-js's own cost included.
 */
let handSchema: GraphQLSchema | undefined;
export async function optimalGraphqlJs(doc: DynamoDBDocumentClient, t: Tables, forum: string): Promise<PlainPage> {
  handSchema ??= buildSchema(`
    type Query { forum(name: String!): Forum }
    type Forum { name: String! threads(first: Int): ThreadConnection! }
    type ThreadConnection { edges: [ThreadEdge!]! }
    type ThreadEdge { node: Thread! }
    type Thread { subject: String! user: User replies(first: Int): ReplyConnection! }
    type ReplyConnection { edges: [ReplyEdge!]! }
    type ReplyEdge { node: Reply! }
    type Reply { posted: String! message: String user: User }
    type User { name: String! email: String }
  `);
  const rootValue = {
    forum: async ({ name }: { name: string }) => {
      const page = await optimalPage(doc, t, name);
      return {
        name: page.forum,
        threads: { edges: page.threads.map((th) => ({ node: { subject: th.subject, user: th.author, replies: { edges: th.replies.map((r) => ({ node: { posted: r.posted, message: r.message, user: r.author } })) } } })) },
      };
    },
  };
  const r = await graphql({ schema: handSchema, source: PAGE_QUERY, rootValue, variableValues: { name: forum } });
  if (r.errors?.length) throw new Error(`GraphQL errors: ${r.errors.map((e) => e.message).join('; ')}`);
  return pageOfGraphql(r.data as unknown as GqlPage);
}
