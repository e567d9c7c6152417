/**
 * The forum example end to end on a small seed: the printed page (dynagraph and naive
 * agree, authors and counts right), the GraphQL API (nested query at the minimal request
 * count, connection paging, mutations seen by a later request, errors never crash), and
 * `npm run forum` itself.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { expect } from 'chai';
import { testDb } from '../harness/db.js';
import { diagram } from '../../src/index.js';
import { forumModels, Reply, Thread, threadId, User } from '../../examples/forum/models.js';
import { forumDataset, seedForum } from '../../examples/forum/seed.js';
import { forumPage, naiveForumPage, renderPage } from '../../examples/forum/page.js';
import { forumServer } from '../../examples/forum/server.js';

const SMALL = { forums: 2, users: 10, threads: 20, replies: 120, seed: 7, progress: false };

describe('forum example (DynamoDB Local)', function () {
  this.timeout(60_000);
  const { db, drop } = testDb('forumex-');
  const data = forumDataset(SMALL);
  const forumName = data.forums[0].name;
  let server: Server;
  let url: string;

  before(async () => {
    await db.createTables([...forumModels]);
    await seedForum(db, SMALL);
    server = forumServer(db).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  });
  after(async () => {
    await new Promise((r) => server.close(r));
    await drop([...forumModels]);
  });

  async function gql(query: string, variables?: Record<string, unknown>): Promise<{ data?: any; errors?: { message: string; extensions?: { code?: string } }[]; extensions?: any }> {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
    return res.json() as Promise<any>;
  }

  it('prints a page with the right authors, counts and latest replies, and the naive resolver agrees', async () => {
    const { page, cost, trace } = await forumPage(db, forumName, { threads: 10, latest: 3 });
    expect(trace.totals.requests).to.equal(cost.total);
    // The include's two rounds: authors, tag links and latest replies; then the tags and the replies' authors,
    // in one BatchGetItem across both tables (as a hand-written resolver sends them); counts are the threads' counters.
    expect([...new Set(trace.rows.map((r) => r.round))].sort()).to.deep.equal([0, 1, 2]);
    const rows = (round: number) => trace.rows.filter((r) => r.round === round).map((r) => `${r.command} ${r.table.split(',').map((t) => t.replace('forumex-', '')).sort().join(',')}${r.index ? `.${r.index}` : ''}`).sort();
    expect(rows(1)).to.deep.equal(['BatchGetItem users', 'Query replies', 'Query thread_tags']);
    expect(rows(2)).to.deep.equal(['BatchGetItem tags,users']);
    const second = trace.rows.find((r) => r.round === 2)!;
    expect(second.requests).to.equal(1);
    expect(second.edges.sort()).to.deep.equal(['Reply.user', 'targets of Thread.tags']);
    // Many-to-many: one adjacency Query per thread.
    expect(trace.rows.find((r) => r.table.endsWith('thread_tags'))!.requests).to.equal(10);
    const naive = await naiveForumPage(db, forumName, { threads: 10, latest: 3 });
    expect(naive.page).to.deep.equal(page);
    const threads = data.threads.filter((t) => t.forum_name === forumName).sort((a, b) => (a.subject < b.subject ? -1 : 1)).slice(0, 10);
    expect(page.threads.map((t) => t.subject)).to.deep.equal(threads.map((t) => t.subject));
    for (const [i, t] of threads.entries()) {
      const replies = data.replies.filter((r) => r.thread_id === threadId.join([t.forum_name, t.subject])).sort((a, b) => b.posted.getTime() - a.posted.getTime());
      expect(page.threads[i].author).to.equal(t.user_name);
      expect([...page.threads[i].tags].sort()).to.deep.equal(data.threadTags[data.threads.indexOf(t)].map((tag) => tag.name));
      expect(page.threads[i].replyCount).to.equal(replies.length);
      expect(page.threads[i].latest.map((r) => r.author)).to.deep.equal(replies.slice(0, 3).map((r) => r.user_name));
    }
    expect(renderPage(page)).to.contain(threads[0].subject);
    // forum get, threads query, then one round for authors + tag links + replies, one for tags + reply authors.
    expect(cost.rounds).to.equal(4);
    // Reply counts come from Thread.replyCount: per thread one Query of its replies and one of its tag links, no Select COUNT.
    expect(cost.requests.Query).to.equal(1 + 2 * threads.length);
    expect(cost.requests.BatchGetItem).to.equal(3);
    expect(naive.cost.total).to.be.greaterThan(cost.total * 2);
  });

  it('answers a nested GraphQL query with the minimal number of requests', async () => {
    const result = await gql(`{ forum(name: ${JSON.stringify(forumName)}) { name threads(first: 5) { edges { node { subject user { name }
      replies(first: 3) { edges { node { message user { name } } } pageInfo { hasNextPage } } } } } } }`);
    expect(result.errors).to.equal(undefined);
    const threads = data.threads.filter((t) => t.forum_name === forumName).sort((a, b) => (a.subject < b.subject ? -1 : 1)).slice(0, 5);
    const edges = result.data.forum.threads.edges;
    expect(edges.map((e: any) => e.node.subject)).to.deep.equal(threads.map((t) => t.subject));
    expect(edges.map((e: any) => e.node.user.name)).to.deep.equal(threads.map((t) => t.user_name));
    for (const [i, t] of threads.entries()) {
      const replies = data.replies.filter((r) => r.thread_id === threadId.join([t.forum_name, t.subject])).sort((a, b) => a.posted.getTime() - b.posted.getTime()).slice(0, 3);
      expect(edges[i].node.replies.edges.map((e: any) => e.node.user.name)).to.deep.equal(replies.map((r) => r.user_name));
    }
    const stats = result.extensions.dynagraph;
    // 1 BatchGetItem (forum) + 1 Query (threads) + 1 BatchGetItem (authors) + 5 Queries (replies) + ≤1 BatchGetItem (reply authors not yet loaded)
    expect(stats.requests.Query).to.equal(6);
    expect(stats.requests.BatchGetItem).to.be.within(2, 3);
    // The threads' Query goes out with the forum's get (an early read): 3 rounds, 2 when the authors'
    // BatchGetItem is still in flight as the reply authors' goes out.
    expect(stats.rounds).to.be.within(2, 3);
    // The trace in `extensions` accounts for every request the stats counted.
    const traced: Record<string, number> = {};
    for (const row of stats.trace.rows) traced[row.command] = (traced[row.command] ?? 0) + row.requests;
    expect(traced).to.deep.equal(stats.requests);
    expect(stats.trace.totals.requests).to.equal(stats.totalRequests);
  });

  it('pages a connection with `after`, returning each reply exactly once', async () => {
    const thread = data.threads.filter((t) => t.forum_name === forumName).sort((a, b) => a.subject < b.subject ? -1 : 1)[0];
    const expected = data.replies.filter((r) => r.thread_id === threadId.join([thread.forum_name, thread.subject])).map((r) => r.message).sort();
    const seen: string[] = [];
    let after: string | null = null;
    for (let guard = 0; guard < 50; guard++) {
      const result = await gql(`query($f: String!, $s: String!, $after: String) { thread(forum_name: $f, subject: $s) { replies(first: 2, after: $after) { edges { node { message } } pageInfo { endCursor hasNextPage } } } }`,
        { f: thread.forum_name, s: thread.subject, after });
      expect(result.errors).to.equal(undefined);
      const conn = result.data.thread.replies;
      seen.push(...conn.edges.map((e: any) => e.node.message));
      if (!conn.pageInfo.hasNextPage) break;
      after = conn.pageInfo.endCursor;
    }
    expect(seen.sort()).to.deep.equal(expected);
  });

  it('tags both ways over GraphQL: threads\' tags in one round, a tag\'s threads as a connection', async () => {
    const threads = data.threads.filter((t) => t.forum_name === forumName).sort((a, b) => (a.subject < b.subject ? -1 : 1)).slice(0, 5);
    const result = await gql(`{ forum(name: ${JSON.stringify(forumName)}) { threads(first: 5) { edges { node { subject tags { edges { node { name } } } } } } } }`);
    expect(result.errors).to.equal(undefined);
    const edges = result.data.forum.threads.edges;
    threads.forEach((t, i) => {
      expect(edges[i].node.tags.edges.map((x: { node: { name: string } }) => x.node.name).sort()).to.deep.equal(data.threadTags[data.threads.indexOf(t)].map((x) => x.name));
    });
    // forum, its threads, then the five threads' links in parallel and all their tags in one BatchGetItem
    expect(result.extensions.dynagraph.requests).to.deep.equal({ BatchGetItem: 2, Query: 6 });
    const tag = data.threadTags[0][0].name;
    const tagged = data.threads.filter((t, i) => data.threadTags[i].some((x) => x.name === tag)).map((t) => t.subject).sort();
    const seen: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await gql('query($t: String!, $after: String) { tag(name: $t) { threads(first: 2, after: $after) { edges { node { subject } } pageInfo { endCursor hasNextPage } } } }', { t: tag, after });
      expect(page.errors).to.equal(undefined);
      const conn = page.data.tag.threads;
      seen.push(...conn.edges.map((e: any) => e.node.subject));
      if (!conn.pageInfo.hasNextPage) break;
      after = conn.pageInfo.endCursor;
    }
    expect(seen.sort()).to.deep.equal(tagged);
  });

  it('turns bad cursors and bad input into GraphQL errors, never a crash', async () => {
    const bad = await gql(`{ thread(forum_name: "x", subject: "y") { subject } forum(name: ${JSON.stringify(forumName)}) { threads(first: 2, after: "bogus") { edges { node { subject } } } } }`);
    expect(bad.errors?.[0].extensions?.code).to.equal('INVALID_CURSOR');
    const tooMany = await gql(`{ forum(name: ${JSON.stringify(forumName)}) { threads(first: 1000) { edges { node { subject } } } } }`);
    expect(tooMany.errors?.[0].message).to.match(/first must be/);
    const syntax = await gql('{ forum(');
    expect(syntax.errors?.[0].message).to.match(/Syntax Error/);
    const unknown = await gql('{ nope }');
    expect(unknown.errors?.[0].message).to.match(/Cannot query field "nope"/);
    const ok = await gql(`{ forums { edges { node { name } } } }`);
    expect(ok.data.forums.edges.length).to.equal(SMALL.forums);
  });

  it('a reply posted by a mutation is seen by a query in a new request; posting to a missing thread fails', async () => {
    const thread = data.threads[3];
    const user = data.users[2];
    const posted = await gql(`mutation($f: String!, $s: String!, $u: String!) { postReply(forum: $f, subject: $s, user: $u, message: "fresh reply") { message user { name } } }`,
      { f: thread.forum_name, s: thread.subject, u: user.name });
    expect(posted.errors).to.equal(undefined);
    expect(posted.data.postReply.user.name).to.equal(user.name);
    const read = await gql(`query($f: String!, $s: String!) { thread(forum_name: $f, subject: $s) { replyCount replies(last: 1) { edges { node { message } } } } }`,
      { f: thread.forum_name, s: thread.subject });
    expect(read.data.thread.replies.edges[0].node.message).to.equal('fresh reply');
    const missing = await gql(`mutation { postReply(forum: "nope", subject: "nope", user: ${JSON.stringify(user.name)}, message: "x") { message } }`);
    expect(read.data.thread.replyCount).to.equal(data.replies.filter((r) => r.thread_id === threadId.join([thread.forum_name, thread.subject])).length + 1);
    expect(missing.errors?.[0].extensions?.code).to.equal('TARGET_NOT_FOUND');
    expect(missing.errors?.[0].message).to.contain('Thread');
    expect(await Reply.query({ thread_id: 'nope#nope' }, { db }).count()).to.equal(0);
    const newThread = await gql(`mutation { postThread(forum: ${JSON.stringify(forumName)}, subject: "A brand new thread", user: ${JSON.stringify(user.name)}, message: "hello") { subject user { name } } }`);
    expect(newThread.data.postThread.user.name).to.equal(user.name);
    expect(await Thread.get({ forum_name: forumName, subject: 'A brand new thread' }, { db })).to.not.equal(null);
    const empty = await gql(`mutation { postThread(forum: ${JSON.stringify(forumName)}, subject: "", user: "x", message: "") { subject } }`);
    expect(empty.errors?.[0].extensions?.code).to.equal('VALIDATION');
    expect(await User.get({ name: 'x' }, { db })).to.equal(null);
  });

  it("the README's Mermaid diagram is what diagram() draws for the forum models", () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(readme).to.contain('```mermaid\n' + diagram([...forumModels]) + '\n```');
  });

  it('npm run forum prints the page and the cost comparison', async () => {
    const run = promisify(execFile);
    const { stdout } = await run('npx', ['tsx', 'examples/forum/main.ts', '--small'], {
      env: { ...process.env, FORUM_TABLE_PREFIX: 'forumcli-' }, timeout: 60_000,
    });
    expect(stdout).to.match(/\| dynagraph \|/);
    expect(stdout).to.match(/\| naive \(one item at a time\) \|/);
    expect(stdout).to.contain('Same page both ways: yes');
    const cli = testDb('forumcli-');
    await cli.drop([...forumModels]);
  });
});
