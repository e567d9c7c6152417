/**
 * The many-to-many shape of the graph benchmark: the page forum's first 50 threads with
 * their tags (5 each, over 30 distinct tags, through the ThreadTag edge store), resolved by
 * dynagraph (a session and `include: { tags: true }`), by hand with the raw DocumentClient
 * in the fewest requests DynamoDB allows (the threads; every thread's links in parallel
 * Queries; every distinct tag in BatchGetItems of ≤ 100 keys), and naively (each thread's
 * links, then each tag, one request at a time). All return the same plain list.
 */
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Dynagraph } from '../../src/index.js';
import { Tag, Thread, ThreadTag } from '../../examples/forum/models.js';
import { PAGE_THREADS } from './forum-data.js';
import { batchGet } from './forum-resolvers.js';

/** What every resolver returns: each thread's subject and its tags' names, in link order. */
export type TaggedThreads = { subject: string; tags: string[] }[];

/** Physical tables of the shape. */
export interface TagTables {
  threads: string;
  tags: string;
  links: string;
}

type Item = Record<string, any>;
const store = ThreadTag.edgeStore;

const threadsQuery = (t: TagTables, forumName: string) => new QueryCommand({
  TableName: t.threads, KeyConditionExpression: '#f = :f', ExpressionAttributeNames: { '#f': 'forum_name' }, ExpressionAttributeValues: { ':f': forumName }, Limit: PAGE_THREADS,
});
const linksQuery = (t: TagTables, th: Item) => new QueryCommand({
  TableName: t.links, KeyConditionExpression: '#s = :s', ExpressionAttributeNames: { '#s': store.hash },
  ExpressionAttributeValues: { ':s': store.endId(Thread, { forum_name: th.forum_name, subject: th.subject }) },
});
const tagName = (link: Item): string => String(store.keyOf(Tag, link[store.range])!.name);

/** dynagraph: the threads, then one include level (adjacency Queries, then one BatchGetItem of the tags). */
export async function dynagraphTags(db: Dynagraph, forumName: string): Promise<TaggedThreads> {
  const s = db.session();
  const { items: threads } = await s.query(Thread, { forum_name: forumName }).page({ limit: PAGE_THREADS });
  const loaded = await s.load(threads, { tags: true });
  return loaded.map((t) => ({ subject: t.subject, tags: t.tags.get().map((tag) => tag.name) }));
}

/** Optimal by hand: the threads; all their links at once; all distinct tags at once. */
export async function optimalTags(doc: DynamoDBDocumentClient, t: TagTables, forumName: string): Promise<TaggedThreads> {
  const threads = (await doc.send(threadsQuery(t, forumName))).Items ?? [];
  const links = await Promise.all(threads.map(async (th) => (await doc.send(linksQuery(t, th))).Items ?? []));
  const tags = await batchGet(doc, t.tags, 'name', [...new Set(links.flat().map(tagName))]);
  return threads.map((th, i) => ({ subject: th.subject, tags: links[i].map(tagName).filter((n) => tags.has(n)) }));
}

/** Naive: each thread's links, then each tag, one request at a time. */
export async function naiveTags(doc: DynamoDBDocumentClient, t: TagTables, forumName: string): Promise<TaggedThreads> {
  const threads = (await doc.send(threadsQuery(t, forumName))).Items ?? [];
  const out: TaggedThreads = [];
  for (const th of threads) {
    const tags: string[] = [];
    for (const link of (await doc.send(linksQuery(t, th))).Items ?? []) {
      const tag = (await doc.send(new GetCommand({ TableName: t.tags, Key: { name: tagName(link) } }))).Item;
      if (tag) tags.push(tag.name);
    }
    out.push({ subject: th.subject, tags });
  }
  return out;
}
