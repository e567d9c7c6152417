/**
 * dynagraph/graphql through a real HTTP server (graphql-http on node:http) and a real client
 * (fetch POST), on DynamoDB Local: Relay paging both ways through every page of a to-many
 * edge (keyed cursors) and of a connection edge of another kind (position cursors: how a
 * many-to-many edge plugs in), request counts per query level, errors with codes and no
 * internals, the request budget refusing before anything is sent, and a mutation.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { createHandler } from 'graphql-http/lib/use/http';
import { testDb } from '../harness/db.js';
import { graphqlSchema, edgeKindOf, type DynagraphGraphQL, type GraphQLContext } from '../../src/graphql/index.js';
import type { Dynagraph, Page } from '../../src/index.js';
import { Forum, forumModels, Reply, Tag, Thread, threadId, User } from '../../examples/forum/models.js';
import { forumDataset, seedForum } from '../../examples/forum/seed.js';
import { forumApi } from '../../examples/forum/graphql.js';
import { forumServer } from '../../examples/forum/server.js';

const SMALL = { forums: 2, users: 10, threads: 24, replies: 160, seed: 11, progress: false };

/**
 * A connection edge that is not a ToMany: it pages through another edge and names its
 * target, as a many-to-many edge does. The schema sees it through edgeKindOf alone.
 */
class ThroughEdge<T> {
  constructor(private readonly inner: { page(o: object): Promise<Page<T>>; count(): Promise<number> }, readonly target: () => typeof Reply) {}
  page(options: { limit?: number; cursor?: string; reverse?: boolean }): Promise<Page<T>> {
    return this.inner.page(options);
  }
  count(): Promise<number> {
    return this.inner.count();
  }
}

class ThreadWithThrough extends Thread {
  repliesThrough = new ThroughEdge(this.replies, () => Reply);
}

function serve(api: DynagraphGraphQL, db: Dynagraph): Promise<{ server: Server; url: string }> {
  const handler = createHandler<GraphQLContext>({ schema: api.schema, context: () => api.context(db), execute: api.execute });
  const server = createServer((req, res) => void handler(req, res)).listen(0, '127.0.0.1');
  return new Promise((resolve) => server.once('listening', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql` })));
}

type Result = { data?: any; errors?: { message: string; path?: string[]; extensions?: { code?: string; [k: string]: unknown } }[]; extensions?: any };


/**
 * Reads every page of a connection, forward (`first`/`after`) or backward (`last`/`before`),
 * checking each with `check(conn, cursor it was read after)`; the pages in item order.
 */
async function everyPage(read: (page: Record<string, unknown>) => Promise<any>, size: number, backward: boolean, maxPages: number, check: (conn: any, cursor: string | undefined) => void): Promise<any[]> {
  const pages: any[] = [];
  let cursor: string | undefined;
  for (let n = 0; ; n++) {
    expect(n).to.be.below(maxPages);
    const conn = await read(backward ? { last: size, before: cursor } : { first: size, after: cursor });
    check(conn, cursor);
    if (backward) pages.unshift(conn);
    else pages.push(conn);
    if (!(backward ? conn.pageInfo.hasPreviousPage : conn.pageInfo.hasNextPage)) break;
    cursor = backward ? conn.pageInfo.startCursor : conn.pageInfo.endCursor;
  }
  return pages;
}
describe('dynagraph/graphql (DynamoDB Local, HTTP)', function () {
  this.timeout(60_000);
  const { db, drop } = testDb('gql-');
  const data = forumDataset(SMALL);
  const forumName = data.forums[0].name;
  const threadsOf = (forum: string) => data.threads.filter((t) => t.forum_name === forum).sort((a, b) => (a.subject < b.subject ? -1 : 1));
  const repliesOf = (t: Thread) => data.replies.filter((r) => r.thread_id === threadId.join([t.forum_name, t.subject])).sort((a, b) => a.posted.getTime() - b.posted.getTime());
  const busiest = [...data.threads].sort((a, b) => repliesOf(b).length - repliesOf(a).length)[0];
  const servers: Server[] = [];
  let forumUrl: string;
  let testUrl: string;
  const test = graphqlSchema({
    models: {
      Forum: { model: Forum, hide: ['description'], rename: { category: 'section' } },
      User: { model: User, edges: ['replies'] },
      Thread: {
        model: ThreadWithThrough,
        computed: {
          boom: { type: 'String', resolve: () => { throw new TypeError('secret internal detail at /srv/app.js:12'); } },
          shout: { type: "String!", args: { bang: "Int" }, resolve: (t, { bang }: { bang?: number }) => t.subject.toUpperCase() + '!'.repeat(bang ?? 1) },
        },
      },
      Reply: { model: Reply, indexes: { byUser: 'repliesOfUser' } },
    },
    limits: { defaultFirst: 5, maxFirst: 50 },
    maxRequests: 30,
    onInternalError: () => {},
  });

  before(async () => {
    await db.createTables([...forumModels]);
    await seedForum(db, SMALL);
    for (const [api, set] of [[forumApi, (u: string) => (forumUrl = u)], [test, (u: string) => (testUrl = u)]] as const) {
      const { server, url } = await serve(api, db);
      servers.push(server);
      set(url);
    }
  });
  after(async () => {
    for (const s of servers) await new Promise((r) => s.close(r));
    await drop([...forumModels]);
  });

  async function gql(url: string, query: string, variables?: Record<string, unknown>): Promise<Result> {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' }, body: JSON.stringify({ query, variables }) });
    return res.json() as Promise<Result>;
  }

  it('generates types, connections and root fields from the models, with the configuration applied', () => {
    const sdl = test.typeDefs;
    expect(sdl).to.contain('type Thread {').and.contain('posted: DateTime!').and.contain('views: Float!');
    // Many-to-many edges are connections like to-many ones (the forum's schema has Tag; this one has not, so no tags field).
    expect(sdl).to.not.contain('tags(');
    expect(forumApi.typeDefs).to.match(/tags\(first: Int, after: String, last: Int, before: String\): TagConnection!/);
    expect(sdl).to.match(/replies\(first: Int, after: String, last: Int, before: String\): ReplyConnection!/);
    expect(sdl).to.contain('user: User\n').and.contain('section: String!').and.not.contain('description: String');
    expect(sdl).to.match(/type PageInfo \{[^}]*startCursor: String[^}]*endCursor: String[^}]*hasNextPage: Boolean![^}]*hasPreviousPage: Boolean!/);
    expect(sdl).to.match(/type ReplyEdge \{\s+cursor: String!\s+node: Reply!/);
    expect(sdl).to.contain('thread(forum_name: String!, subject: String!): Thread');
    expect(sdl).to.match(/threads\(forum_name: String!, subject: StringKeyCondition, first: Int/);
    expect(sdl).to.match(/threadsByUser\(user_name: String!, subject: StringKeyCondition/);
    expect(sdl).to.match(/repliesOfUser\(user_name: String!, posted: DateTimeKeyCondition/);
    expect(sdl).to.contain('repliesThrough(');
    // User shows only the edges picked; no Mutation type without mutations.
    expect(sdl).to.match(/type User \{[^}]*replies\(/).and.not.match(/type User \{[^}]*threads/);
    expect(sdl).to.not.contain('type Mutation');
    expect(Object.keys(test.resolvers.Thread)).to.include.members(['replies', 'user', 'posted', 'shout']);
    expect(edgeKindOf(new ThreadWithThrough({ forum_name: 'f', subject: 's', user_name: 'u' }).repliesThrough)).to.equal('many');
  });

  for (const field of ['replies', 'repliesThrough']) {
    it(`pages ${field} forward and backward through every page, no item missed or repeated`, async () => {
      const expected = repliesOf(busiest).map((r) => r.message);
      expect(expected.length).to.be.greaterThan(7);
      const query = `query($f: String!, $s: String!, $first: Int, $after: String, $last: Int, $before: String) { thread(forum_name: $f, subject: $s) {
        ${field}(first: $first, after: $after, last: $last, before: $before) { edges { cursor node { message } } pageInfo { startCursor endCursor hasNextPage hasPreviousPage } } } }`;
      const vars = { f: busiest.forum_name, s: busiest.subject };
      const read = async (page: Record<string, unknown>) => {
        const r = await gql(testUrl, query, { ...vars, ...page });
        expect(r.errors).to.equal(undefined);
        return r.data.thread[field];
      };
      const messages = (conn: any): string[] => conn.edges.map((e: any) => e.node.message);
      const forward = (await everyPage(read, 3, false, 20, (conn, after) => {
        expect(conn.pageInfo.hasPreviousPage).to.equal(after !== undefined);
        expect(conn.pageInfo.startCursor).to.equal(conn.edges[0]?.cursor ?? null);
      })).flatMap(messages);
      expect(forward).to.deep.equal(expected);
      const backward = (await everyPage(read, 3, true, 20, (conn, before) => expect(conn.pageInfo.hasNextPage).to.equal(before !== undefined))).map(messages);
      expect(backward.flat()).to.deep.equal(expected);
      // The last page backward is the chronologically last three, in order.
      expect(backward[backward.length - 1]).to.deep.equal(expected.slice(-3));
    });
  }

  it('pages a many-to-many edge (Tag.threads) forward and backward through every page, no item missed or repeated', async () => {
    const tag = [...data.tags].sort((a, b) => data.threadTags.filter((ts) => ts.some((x) => x.name === b.name)).length - data.threadTags.filter((ts) => ts.some((x) => x.name === a.name)).length)[0];
    const expected = (await (await Tag.get({ name: tag.name }, { db }))!.threads.load()).map((t) => t.subject);
    expect(expected.length).to.be.greaterThan(4);
    expect([...expected].sort()).to.deep.equal(data.threads.filter((_, i) => data.threadTags[i].some((x) => x.name === tag.name)).map((t) => t.subject).sort());
    const query = `query($n: String!, $first: Int, $after: String, $last: Int, $before: String) { tag(name: $n) {
      threads(first: $first, after: $after, last: $last, before: $before) { edges { cursor node { subject tags { edges { node { name } } } } } pageInfo { startCursor endCursor hasNextPage hasPreviousPage } } } }`;
    const read = async (page: Record<string, unknown>) => {
      const r = await gql(forumUrl, query, { n: tag.name, ...page });
      expect(r.errors).to.equal(undefined);
      return { ...r.data.tag.threads, requests: r.extensions.dynagraph.requests };
    };
    const subjects = (conn: any): string[] => conn.edges.map((e: any) => e.node.subject);
    const forward = (await everyPage(read, 2, false, 30, (conn) => {
      // Each thread's own tags (the other direction) include this tag.
      for (const e of conn.edges) expect(e.node.tags.edges.map((t: any) => t.node.name)).to.include(tag.name);
      // Per level one round: the tag (a batched get), its links (a Query) and their threads (one BatchGetItem), then
      // every thread's links (one Query each, in parallel) and all their tags (one BatchGetItem).
      expect(conn.requests).to.deep.equal({ BatchGetItem: 3, Query: 1 + conn.edges.length });
    })).flatMap(subjects);
    expect(forward).to.deep.equal(expected);
    const backward = (await everyPage(read, 2, true, 30, (conn, before) => expect(conn.pageInfo.hasNextPage).to.equal(before !== undefined))).map(subjects);
    expect(backward.flat()).to.deep.equal(expected);
  });

  it('resumes after any item cursor, and forward cursors work backward (keyed cursors)', async () => {
    const expected = repliesOf(busiest).map((r) => r.message);
    const q = `query($after: String, $before: String, $first: Int, $last: Int) { thread(forum_name: ${JSON.stringify(busiest.forum_name)}, subject: ${JSON.stringify(busiest.subject)}) {
      replies(first: $first, after: $after, last: $last, before: $before) { edges { cursor node { message } } } } }`;
    const all = (await gql(testUrl, q, { first: 50 })).data.thread.replies.edges;
    const third = all[2].cursor;
    expect((await gql(testUrl, q, { first: 2, after: third })).data.thread.replies.edges.map((e: any) => e.node.message)).to.deep.equal(expected.slice(3, 5));
    expect((await gql(testUrl, q, { last: 2, before: third })).data.thread.replies.edges.map((e: any) => e.node.message)).to.deep.equal(expected.slice(0, 2));
  });

  it('reads a partition and an index through root connections with a key condition; recent threads are chronological', async () => {
    const threads = threadsOf(forumName);
    const r = await gql(testUrl, `{ threads(forum_name: ${JSON.stringify(forumName)}, subject: { beginsWith: ${JSON.stringify(threads[0].subject.slice(0, 3))} }, first: 50) { edges { node { subject } } } }`);
    expect(r.errors).to.equal(undefined);
    expect(r.data.threads.edges.map((e: any) => e.node.subject)).to.deep.equal(threads.filter((t) => t.subject.startsWith(threads[0].subject.slice(0, 3))).map((t) => t.subject));
    const user = data.users[0].name;
    const mine = data.replies.filter((x) => x.user_name === user).sort((a, b) => a.posted.getTime() - b.posted.getTime());
    const cutoff = mine[Math.floor(mine.length / 2)].posted.toISOString();
    const byUser = await gql(testUrl, `{ repliesOfUser(user_name: ${JSON.stringify(user)}, posted: { ge: ${JSON.stringify(cutoff)} }, first: 50) { edges { node { posted } } } }`);
    expect(byUser.errors).to.equal(undefined);
    expect(byUser.data.repliesOfUser.edges.map((e: any) => e.node.posted)).to.deep.equal(mine.filter((x) => x.posted.toISOString() >= cutoff).map((x) => x.posted.toISOString()));
    const recent = await gql(forumUrl, `{ forum(name: ${JSON.stringify(forumName)}) { recentThreads(last: 3) { edges { node { subject posted } } } } }`);
    const newest = [...threads].sort((a, b) => a.posted.getTime() - b.posted.getTime()).slice(-3);
    expect(recent.data.forum.recentThreads.edges.map((e: any) => e.node.subject)).to.deep.equal(newest.map((t) => t.subject));
    const shout = await gql(testUrl, `{ thread(forum_name: ${JSON.stringify(forumName)}, subject: ${JSON.stringify(threads[0].subject)}) { shout(bang: 3) } }`);
    expect(shout.data.thread.shout).to.equal(threads[0].subject.toUpperCase() + '!!!');
  });

  it("costs one batched round per level: the README's query is 1 + 1 + 1 + (threads) + 1 requests", async () => {
    const r = await gql(forumUrl, `{ forum(name: ${JSON.stringify(forumName)}) { threads(first: 10) {
      edges { node { subject user { name } replies(first: 5) { edges { node { message user { name } } } pageInfo { endCursor hasNextPage } } } } } } }`);
    expect(r.errors).to.equal(undefined);
    const threads = threadsOf(forumName).slice(0, 10);
    const edges = r.data.forum.threads.edges;
    expect(edges.map((e: any) => e.node.user.name)).to.deep.equal(threads.map((t) => t.user_name));
    for (const [i, t] of threads.entries()) expect(edges[i].node.replies.edges.map((e: any) => e.node.user.name)).to.deep.equal(repliesOf(t).slice(0, 5).map((x) => x.user_name));
    const stats = r.extensions.dynagraph;
    // The optimum: the forum (a get), its threads (a Query), their authors (one BatchGetItem),
    // their replies (one Query per thread: DynamoDB has no multi-partition query), the replies' authors
    // not already held (one BatchGetItem, or none when all were).
    expect(stats.requests.Query).to.equal(1 + threads.length);
    expect(stats.requests.BatchGetItem).to.be.within(2, 3);
    expect(stats.totalRequests).to.be.at.most(3 + threads.length + 1);
    // The forum's threads are read in the forum's round (early reads): 3 rounds, 2 when the thread
    // authors' BatchGetItem is still in flight as the reply authors' goes out.
    expect(stats.rounds).to.be.within(2, 3);
    expect(stats.estimate).to.be.at.least(stats.totalRequests);
    expect(stats.trace.totals.requests).to.equal(stats.totalRequests);
  });

  it('turns bad cursors and bad arguments into GraphQL errors with codes, refused before any request', async () => {
    const [a, b] = threadsOf(forumName);
    const other = await gql(testUrl, `{ thread(forum_name: ${JSON.stringify(b.forum_name)}, subject: ${JSON.stringify(b.subject)}) { replies(first: 1) { pageInfo { endCursor } } } }`);
    const foreign = other.data.thread.replies.pageInfo.endCursor;
    const cases: [string, string, RegExp][] = [
      [`replies(thread_id: "x", first: 2, after: "bogus")`, 'INVALID_CURSOR', /invalid cursor/],
      [`replies(thread_id: ${JSON.stringify(threadId.join([a.forum_name, a.subject]))}, first: 2, after: ${JSON.stringify(foreign)})`, 'INVALID_CURSOR', /another partition/],
      [`replies(thread_id: "x", first: 500)`, 'BAD_USER_INPUT', /first must be a whole number from 1 to 50/],
      [`replies(thread_id: "x", first: 0)`, 'BAD_USER_INPUT', /first must be/],
      [`replies(thread_id: "x", first: 2, last: 2)`, 'BAD_USER_INPUT', /first or last, not both/],
      [`replies(thread_id: "x", first: 2, before: "c")`, 'BAD_USER_INPUT', /use last with it/],
      [`replies(thread_id: "x", posted: { ge: "2024-01-01", lt: "2025-01-01" })`, 'BAD_USER_INPUT', /exactly one of/],
      [`replies(thread_id: "x", posted: { ge: "yesterday" })`, 'BAD_USER_INPUT', /ISO-8601/],
      [`repliesOfUser(user_name: "", first: 2)`, 'VALIDATION', /user_name/],
    ];
    for (const [field, code, message] of cases) {
      const r = await gql(testUrl, `{ ${field} { edges { cursor } } }`);
      expect(r.errors?.[0].extensions?.code, field).to.equal(code);
      expect(r.errors?.[0].message, field).to.match(message);
      if (r.extensions) expect(r.extensions.dynagraph.totalRequests, field).to.equal(0);
    }
    const syntax = await gql(testUrl, '{ thread(');
    expect(syntax.errors?.[0].message).to.match(/Syntax Error/);
  });

  it('reports a failure inside a resolver as INTERNAL_SERVER_ERROR with no internals, the rest of the data intact', async () => {
    const t = threadsOf(forumName)[0];
    const r = await gql(testUrl, `{ thread(forum_name: ${JSON.stringify(t.forum_name)}, subject: ${JSON.stringify(t.subject)}) { subject boom } }`);
    expect(r.data.thread.subject).to.equal(t.subject);
    expect(r.errors?.[0].extensions?.code).to.equal('INTERNAL_SERVER_ERROR');
    expect(r.errors?.[0].path).to.deep.equal(['thread', 'boom']);
    expect(JSON.stringify(r.errors)).to.not.contain('secret').and.not.contain('/srv');
  });

  it('refuses a query over the request budget before sending anything', async () => {
    const r = await gql(testUrl, `{ threads(forum_name: ${JSON.stringify(forumName)}, first: 50) { edges { node { replies(first: 50) { edges { node { user { name } } } } } } } }`);
    expect(r.data).to.equal(undefined);
    expect(r.errors?.[0].extensions?.code).to.equal('REQUEST_BUDGET_EXCEEDED');
    expect(r.errors?.[0].extensions?.estimate).to.equal(1 + 50 + 25);
    expect(r.extensions.dynagraph.totalRequests).to.equal(0);
    // Variables count too; a query within the budget runs.
    const v = await gql(testUrl, `query($n: Int) { threads(forum_name: ${JSON.stringify(forumName)}, first: $n) { edges { node { replies(first: 2) { edges { node { message } } } } } } }`, { n: 40 });
    expect(v.errors?.[0].extensions?.code).to.equal('REQUEST_BUDGET_EXCEEDED');
    const ok = await gql(testUrl, `query($n: Int) { threads(forum_name: ${JSON.stringify(forumName)}, first: $n) { edges { node { replies(first: 2) { edges { node { message } } } } } } }`, { n: 4 });
    expect(ok.errors).to.equal(undefined);
    expect(ok.extensions.dynagraph.totalRequests).to.equal(5);
    expect(test.estimate(`{ threads(forum_name: "f", first: 3) { totalCount edges { node { user { name } } } } }`)).to.equal(3);
  });

  it('runs a mutation (a declared write) and maps a missing target to a clean error', async () => {
    const t = threadsOf(forumName)[2];
    const u = data.users[1].name;
    const posted = await gql(forumUrl, `mutation($f: String!, $s: String!, $u: String!) { postReply(forum: $f, subject: $s, user: $u, message: "via graphql") { message thread { subject } user { name } } }`,
      { f: t.forum_name, s: t.subject, u });
    expect(posted.errors).to.equal(undefined);
    expect(posted.data.postReply).to.deep.equal({ message: 'via graphql', thread: { subject: t.subject }, user: { name: u } });
    expect(posted.extensions.dynagraph.requests.TransactWriteItems).to.equal(1);
    const read = await gql(forumUrl, `{ thread(forum_name: ${JSON.stringify(t.forum_name)}, subject: ${JSON.stringify(t.subject)}) { replyCount replies(last: 1) { edges { node { message } } } } }`);
    expect(read.data.thread.replies.edges[0].node.message).to.equal('via graphql');
    expect(read.data.thread.replyCount).to.equal(repliesOf(t).length + 1);
    const failed = await gql(forumUrl, `mutation { postReply(forum: ${JSON.stringify(t.forum_name)}, subject: ${JSON.stringify(t.subject)}, user: "nobody", message: "x") { message } }`);
    // Reply.user declares requireTarget: the create's ConditionCheck failed, and the error names the edge and key.
    expect(failed.errors?.[0].extensions?.code).to.equal('TARGET_NOT_FOUND');
    expect(failed.errors?.[0].message).to.equal('Reply.user: no User {"name":"nobody"}; nothing was written');
  });

  it("stops at the session's maxRequests when the estimate was too low (a computed field's cost left at 0)", async () => {
    const low = graphqlSchema({
      models: { Thread: { model: Thread, computed: { replies: { type: 'Int!', resolve: (t) => t.replies.count() } } } },
      maxRequests: 4,
    });
    const r = await low.run(db, `{ threads(forum_name: ${JSON.stringify(forumName)}, first: 6) { edges { node { subject replies } } } }`);
    expect((r.extensions as any).dynagraph.estimate).to.equal(1);
    expect(r.errors?.length).to.be.greaterThan(0);
    expect(r.errors!.every((e) => e.extensions.code === 'REQUEST_BUDGET_EXCEEDED')).to.equal(true);
    expect((r.extensions as any).dynagraph.totalRequests).to.equal(4);
  });

  it('answers CORS preflights for the configured origins only, and serves GraphiQL to a browser on GET', async () => {
    const server = forumServer(db, { cors: ['http://app.example'] }).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const pre = await fetch(`${base}/graphql`, { method: 'OPTIONS', headers: { origin: 'http://app.example', 'access-control-request-method': 'POST' } });
      expect(pre.status).to.equal(204);
      expect(pre.headers.get('access-control-allow-origin')).to.equal('http://app.example');
      const other = await fetch(`${base}/graphql`, { method: 'OPTIONS', headers: { origin: 'http://evil.example' } });
      expect(other.headers.get('access-control-allow-origin')).to.equal(null);
      const page = await fetch(`${base}/graphql`, { headers: { accept: 'text/html' } });
      expect(page.headers.get('content-type')).to.match(/text\/html/);
      const html = await page.text();
      expect(html).to.contain('/graphiql/graphiql.js').and.not.match(/https?:\/\/(?!127\.0\.0\.1)/);
      for (const asset of ['/graphiql/graphiql.js', '/graphiql/graphiql.css', '/graphiql/react.js', '/graphiql/react-dom.js']) {
        const res = await fetch(base + asset);
        expect(res.status, asset).to.equal(200);
        expect((await res.arrayBuffer()).byteLength, asset).to.be.greaterThan(1000);
      }
      // A GraphQL client's GET (with a query) gets the API, not the page.
      const get = await fetch(`${base}/graphql?query=${encodeURIComponent('{ forums(first: 1) { edges { node { name } } } }')}`, { headers: { accept: 'application/json' } });
      expect(((await get.json()) as Result).data.forums.edges).to.have.length(1);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('api.run executes without a server, one session per call', async () => {
    const r = await forumApi.run(db, `query($n: String!) { forum(name: $n) { name section: category } }`, { n: forumName });
    expect(r.data).to.deep.equal({ forum: { name: forumName, section: 'AWS' } });
    expect((r.extensions as any).dynagraph.totalRequests).to.equal(1);
  });
});
