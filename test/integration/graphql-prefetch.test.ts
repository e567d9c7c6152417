/**
 * dynagraph/graphql's prefetch and early reads (DynamoDB Local): a query whose fields are
 * all generated is run level by level by its root resolver and then completed by graphql-js
 * from the kept outcomes; a root get's to-many edge whose Query needs only the get's key is
 * read in the same round as the get. Each is checked against the lazy walk (a query with a
 * computed field is left to graphql-js) and against `earlyReads: false`: the same data, the
 * same errors at the same paths, the same requests — and for early reads one round fewer,
 * or, when the owner is missing, one Query more.
 */
import { expect } from 'chai';
import { testDb } from '../harness/db.js';
import { graphqlSchema, type DynagraphGraphQL } from '../../src/graphql/index.js';
import { Forum, forumModels, Reply, Thread, threadId, User } from '../../examples/forum/models.js';
import { forumDataset, seedForum } from '../../examples/forum/seed.js';

const SMALL = { forums: 2, users: 10, threads: 24, replies: 160, seed: 7, progress: false };

type Result = { data?: any; errors?: readonly { message: string; path?: readonly (string | number)[]; extensions?: Record<string, unknown> }[]; extensions?: any };

const PAGE = `query Page($name: String!, $withEmail: Boolean = true) { forum(name: $name) { name MARK threads(first: 5) { edges { cursor node {
  subject user { ...Person } replies(first: 3) { pageInfo { hasNextPage endCursor } edges { node { message author: user { ...Person } again: user { name } } } } } } } } }
  fragment Person on User { name email @include(if: $withEmail) }`;

describe('dynagraph/graphql prefetch and early reads (DynamoDB Local)', function () {
  this.timeout(60_000);
  const { db, drop } = testDb('gqlpf-');
  const data = forumDataset(SMALL);
  const forumName = data.forums[0].name;
  const models = { Forum, User, Thread, Reply };
  const eager = graphqlSchema({ models, onInternalError: () => {} });
  const levelwise = graphqlSchema({ models, earlyReads: false, onInternalError: () => {} });
  // A computed field anywhere below a root field leaves the whole query to graphql-js's lazy walk.
  const lazy = graphqlSchema({ models: { ...models, Forum: { model: Forum, computed: { mark: { type: 'Int', resolve: () => 1 } } } }, onInternalError: () => {} });

  before(async () => {
    await db.createTables([...forumModels]);
    await seedForum(db, SMALL);
  });
  after(() => drop([...forumModels]));

  /** Runs `query` and records, in order, each request's start and end (`+BatchGetItem`, `-Query`). */
  async function run(api: DynagraphGraphQL, query: string, variables: Record<string, unknown>): Promise<{ r: Result; events: string[] }> {
    const events: string[] = [];
    const stop = db.connection.observe({
      before: (command, table) => void events.push(`+${command}:${table}`),
      after: (entry) => void events.push(`-${entry.command}:${entry.table}`),
      failed: (command, _e, entry) => void events.push(`-${command}:${entry.table}`),
    });
    try {
      return { r: (await api.run(db, query, variables)) as Result, events };
    } finally {
      stop();
    }
  }
  const page = (api: DynagraphGraphQL, variables: Record<string, unknown>) => run(api, PAGE.replace('MARK', api === lazy ? 'mark' : ''), variables);
  const withoutMark = (d: any) => (d?.forum ? { forum: { ...d.forum, mark: undefined } } : d);
  const errorsOf = (r: Result) => r.errors?.map((e) => ({ message: e.message, path: e.path, code: e.extensions?.code }));

  it('gives the lazy walk\'s data with the same requests, the forum\'s threads read in the round of the forum', async () => {
    const a = await page(eager, { name: forumName });
    const b = await page(levelwise, { name: forumName });
    const c = await page(lazy, { name: forumName });
    expect(a.r.errors).to.equal(undefined);
    expect(a.r.data.forum.threads.edges).to.have.length(5);
    expect(a.r.data.forum.threads.edges[0].node.user.email).to.be.a('string');
    expect(a.r.data).to.deep.equal(b.r.data);
    expect(a.r.data).to.deep.equal(JSON.parse(JSON.stringify(withoutMark(c.r.data))));
    const requests = (x: { r: Result }) => x.r.extensions.dynagraph.requests;
    expect(requests(a)).to.deep.equal(requests(c)).and.deep.equal(requests(b));
    // 1 get, 1 Query of threads, 1 BatchGetItem of their authors, 5 Queries of replies, and the reply authors not held.
    expect(requests(a).Query).to.equal(1 + 5);
    const threads = (e: string) => /^\+Query:.*threads$/.test(e);
    const forumAnswered = (events: string[]) => events.findIndex((e) => /^-BatchGetItem:.*forums$/.test(e));
    // Early read: the threads' Query is sent before the forum's get is answered; level by level it waits for it.
    expect(a.events.findIndex(threads)).to.be.within(0, forumAnswered(a.events));
    for (const x of [b, c]) expect(x.events.findIndex(threads)).to.be.greaterThan(forumAnswered(x.events));
    expect(a.r.extensions.dynagraph.rounds).to.be.at.most(3);
    expect(a.r.extensions.dynagraph.rounds).to.be.below(Math.max(b.r.extensions.dynagraph.rounds, c.r.extensions.dynagraph.rounds) + 1);
  });

  it('keeps the same data when a directive drops a field, and after the same author appears twice', async () => {
    const a = await page(eager, { name: forumName, withEmail: false });
    const c = await page(lazy, { name: forumName, withEmail: false });
    expect(a.r.errors).to.equal(undefined);
    expect(a.r.data.forum.threads.edges[0].node.user).to.not.have.property('email');
    expect(a.r.data).to.deep.equal(JSON.parse(JSON.stringify(withoutMark(c.r.data))));
    for (const e of a.r.data.forum.threads.edges) for (const r of e.node.replies.edges) expect(r.node.author.name).to.equal(r.node.again.name);
  });

  it('a missing forum is null without errors; its early Query is the one request the lazy walk does not send', async () => {
    const a = await page(eager, { name: 'no such forum' });
    const b = await page(levelwise, { name: 'no such forum' });
    const c = await page(lazy, { name: 'no such forum' });
    for (const x of [a, b, c]) {
      expect(x.r.errors).to.equal(undefined);
      expect(x.r.data).to.deep.equal({ forum: null });
    }
    expect(a.r.extensions.dynagraph.requests).to.deep.equal({ BatchGetItem: 1, Query: 1 });
    expect(b.r.extensions.dynagraph.requests).to.deep.equal({ BatchGetItem: 1 });
    expect(c.r.extensions.dynagraph.requests).to.deep.equal({ BatchGetItem: 1 });
  });

  it('reports errors of prefetched fields as the lazy walk does: same messages, codes, paths and data', async () => {
    const queries = [
      // A bad cursor deep below: the non-null connection's error nulls the forum.
      `query($name: String!) { forum(name: $name) { name MARK threads(first: 2) { edges { node { subject replies(first: 2, after: "bogus") { edges { node { message } } } } } } } }`,
      // Bad arguments of a nested connection, and of the early-read one.
      `query($name: String!) { forum(name: $name) { name MARK threads(first: 2) { edges { node { replies(first: 500) { edges { cursor } } } } } } }`,
      `query($name: String!) { forum(name: $name) { name MARK threads(first: 2, last: 1) { edges { cursor } } } }`,
      `query($name: String!) { forum(name: $name) { name MARK threads(first: 2, after: "bogus") { edges { cursor } } } }`,
    ];
    for (const q of queries) {
      const a = await run(eager, q.replace('MARK', ''), { name: forumName });
      const c = await run(lazy, q.replace('MARK', 'mark'), { name: forumName });
      expect(a.r.errors, q).to.have.length.greaterThan(0);
      expect(errorsOf(a.r), q).to.deep.equal(errorsOf(c.r));
      expect(a.r.data, q).to.deep.equal(JSON.parse(JSON.stringify(withoutMark(c.r.data))));
      expect(a.r.extensions.dynagraph.requests, q).to.deep.equal(c.r.extensions.dynagraph.requests);
    }
  });

  it('leaves a query with a computed field in place of an attribute to the lazy walk: its loads keep their round', async () => {
    const api = graphqlSchema({ models: { ...models, Thread: { model: Thread, computed: { subject: { type: 'String', cost: 1, resolve: async (t) => (await t.user.load())?.name } } } } });
    const { r, events } = await run(api, `query($name: String!) { threads(forum_name: $name, first: 3) { edges { node { subject replies(first: 1) { edges { node { message } } } } } } }`, { name: forumName });
    expect(r.errors).to.equal(undefined);
    expect(r.data.threads.edges.map((e: any) => e.node.subject)).to.deep.equal(data.threads.filter((t) => t.forum_name === forumName).sort((a, b) => (a.subject < b.subject ? -1 : 1)).slice(0, 3).map((t) => t.user_name));
    // The authors' BatchGetItem goes out with the replies' Queries, not after them.
    const users = events.findIndex((e) => /^\+BatchGetItem:.*users$/.test(e));
    expect(users).to.be.within(0, events.findIndex((e) => /^-Query:.*replies$/.test(e)));
  });

  it('reads just the items of a page whose pageInfo is not asked, one more when it is (through a fragment too), on every path', async () => {
    const q = (replies: string, threads = '') => `query($name: String!) { forum(name: $name) { name MARK threads(first: 4) { ${threads} edges { node { subject
      replies(first: 2) { ${replies} edges { node { message } } } } } } } }${replies.includes('...Info') ? ' fragment Info on ReplyConnection { pageInfo { endCursor } }' : ''}`;
    const cases = [
      { replies: '', threads: '', limits: { threads: 4, replies: 2 } },
      { replies: 'pageInfo { hasNextPage }', threads: '', limits: { threads: 4, replies: 3 } },
      { replies: '...Info', threads: 'pageInfo { hasNextPage }', limits: { threads: 5, replies: 3 } },
    ];
    const limitsSent = async (api: DynagraphGraphQL, query: string) => {
      const limits = new Map<string, Set<unknown>>();
      const stop = db.connection.observe({ before: (command, table, input) => {
        if (command === 'Query') (limits.get(table!.replace(/.*-/, '')) ?? limits.set(table!.replace(/.*-/, ''), new Set()).get(table!.replace(/.*-/, ''))!).add(input.Limit);
      } });
      try {
        const r = (await api.run(db, query, { name: forumName })) as Result;
        expect(r.errors, query).to.equal(undefined);
        return { r, limits: Object.fromEntries([...limits].map(([t, l]) => [t, [...l]])) };
      } finally {
        stop();
      }
    };
    // Forum threads with more than two replies: hasNextPage is true for them, false for the others.
    const repliesOf = (t: { forum_name: string; subject: string }) => data.replies.filter((r) => r.thread_id === threadId.join([t.forum_name, t.subject])).length;
    for (const c of cases) {
      const results = [];
      for (const api of [eager, levelwise, lazy]) {
        const { r, limits } = await limitsSent(api, q(c.replies, c.threads).replace('MARK', api === lazy ? 'mark' : ''));
        expect(limits, `${c.replies} ${c.threads}`).to.deep.equal({ threads: [c.limits.threads], replies: [c.limits.replies] });
        results.push(withoutMark(JSON.parse(JSON.stringify(r.data))));
      }
      expect(results[0]).to.deep.equal(results[1]).and.deep.equal(results[2]);
      if (c.replies.includes('hasNextPage')) {
        const threads = data.threads.filter((t) => t.forum_name === forumName).sort((a, b) => (a.subject < b.subject ? -1 : 1)).slice(0, 4);
        expect(results[0].forum.threads.edges.map((e: any) => e.node.replies.pageInfo.hasNextPage)).to.deep.equal(threads.map((t) => repliesOf(t) > 2));
      }
    }
  });

  it('prefetches below root connections too: totalCount, pageInfo and cursors as the lazy walk gives them', async () => {
    const q = `query($name: String!) { threads(forum_name: $name, first: 4) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { subject MARK
      user { name threads(first: 2) { totalCount edges { node { subject } } } } } } } }`;
    const lazyThreads = graphqlSchema({ models: { ...models, Thread: { model: Thread, computed: { mark: { type: 'Int', resolve: () => 1 } } } } });
    const a = await run(eager, q.replace('MARK', ''), { name: forumName });
    const c = await run(lazyThreads, q.replace('MARK', 'mark'), { name: forumName });
    expect(a.r.errors).to.equal(undefined);
    expect(a.r.data.threads.totalCount).to.equal(data.threads.filter((t) => t.forum_name === forumName).length);
    for (const e of c.r.data.threads.edges) delete e.node.mark;
    expect(a.r.data).to.deep.equal(c.r.data);
    // The threads and their count; per distinct author a page (keys-only: then one BatchGetItem for all) and a count.
    // The lazy walk counts an author's threads once per thread of theirs; kept outcomes are per author.
    const authors = new Set(a.r.data.threads.edges.map((e: any) => e.node.user.name)).size;
    expect(a.r.extensions.dynagraph.requests).to.deep.equal({ Query: 2 + 2 * authors, BatchGetItem: 2 });
    expect(c.r.extensions.dynagraph.requests).to.deep.equal({ Query: 2 + authors + 4, BatchGetItem: 2 });
  });
});
