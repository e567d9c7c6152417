/**
 * Sessions against DynamoDB Local: the identity map (one instance per key within a
 * session, never shared across sessions), writes through the session priming or clearing
 * its cache, level-wise include (sequential rounds equal the depth), the request budget,
 * stats, and relationship loads on the `database-access` log channel.
 */
import { expect } from 'chai';
import { DynagraphError, RequestBudgetExceededError, type LogEntry } from '../../src/index.js';
import { Forum, Reply, Thread, User, forumModels, threadId } from '../../examples/forum/models.js';
import { testDb } from '../harness/db.js';
import { known } from '../harness/edges.js';
import { caught } from '../harness/caught.js';

const logged: LogEntry[] = [];
const { db, counter, drop } = testDb('graph-session-', { logger: (e) => void logged.push(e) });

const day = (d: number) => new Date(Date.UTC(2024, 1, d));

describe('graph: sessions (DynamoDB Local)', () => {
  before(async function () {
    this.timeout(120_000);
    await db.createTables(forumModels);
    await Forum.putMany([{ name: 'Main' }, { name: 'Deep' }]);
    await User.putMany(['ann', 'bob', 'carol', 'doomed', 'dan', 't1', 't2', 't3', 'r0', 'r1', 'r2', 'r3', 'r4', 'r5'].map((name) => ({ name, email: `${name}@example.com` })));
    await Thread.putMany([
      ...['ann', 'bob', 'ann', 'carol', 'carol', 'carol', 'doomed', 'doomed'].map((u, i) => ({ forum_name: 'Main', subject: `m${i}`, user_name: u })),
      ...[1, 2, 3].map((i) => ({ forum_name: 'Deep', subject: `d${i}`, user_name: `t${i}` })),
    ]);
    // Each Deep thread has two replies by users nobody else references, so no include level is a cache hit.
    await Reply.putMany([1, 2, 3].flatMap((i) => [0, 1].map((j) => ({
      thread_id: threadId.join(['Deep', `d${i}`]), posted: day(i * 2 + j), user_name: `r${(i - 1) * 2 + j}`, message: `reply ${i}.${j}`,
    }))));
  });
  after(() => drop(forumModels));
  beforeEach(() => counter.reset());

  describe('identity map', () => {
    it('one key yields one instance within a session, by every path', async () => {
      const s = db.session();
      const ann = await s.get(User, { name: 'ann' });
      expect(await s.get(User, { name: 'ann' })).to.equal(ann);
      expect(counter.counts()).to.deep.equal({ BatchGetItemCommand: 1 });
      const threads = await s.query(Thread, { forum_name: 'Main' }).all();
      const owners = await Promise.all(threads.map((t) => t.user.load()));
      threads.forEach((t, i) => t.user_name === 'ann' && expect(owners[i]).to.equal(ann));
      expect((await s.getMany(User, [{ name: 'bob' }, { name: 'ann' }]))[1]).to.equal(ann);
      const again = await s.query(Thread, { forum_name: 'Main' }).all();
      again.forEach((t, i) => expect(t).to.equal(threads[i]));
      expect(await s.get(Thread, { forum_name: 'Main', subject: 'm0' })).to.equal(threads[0]);
    });

    it('two sessions never share instances or cached items', async () => {
      const s1 = db.session();
      const s2 = db.session();
      const a1 = (await s1.get(User, { name: 'ann' }))!;
      counter.reset();
      const a2 = (await s2.get(User, { name: 'ann' }))!;
      expect(counter.counts()).to.deep.equal({ BatchGetItemCommand: 1 });
      expect(a2).to.not.equal(a1);
      a1.email = 'unsaved@example.com';
      expect(a2.email).to.equal('ann@example.com');
      expect((await db.session().get(User, { name: 'ann' }))!.email).to.equal('ann@example.com');
      const [t1] = await s1.query(Thread, { forum_name: 'Main', subject: 'm0' }).all();
      const [t2] = await s2.query(Thread, { forum_name: 'Main', subject: 'm0' }).all();
      expect(t1).to.not.equal(t2);
      expect(await t1.user.load()).to.equal(a1);
      expect(await t2.user.load()).to.equal(a2);
    });
  });

  describe('writes through the session', () => {
    it('after a save, the next load sees the change without a request', async () => {
      const s = db.session();
      const [thread] = await s.query(Thread, { forum_name: 'Main', subject: 'm1' }).all();
      const bob = (await s.get(User, { name: 'bob' }))!;
      bob.email = 'bob@new.example.com';
      await bob.save();
      counter.reset();
      expect(await s.get(User, { name: 'bob' })).to.equal(bob);
      expect(await thread.user.load()).to.equal(bob);
      expect(bob.email).to.equal('bob@new.example.com');
      expect(counter.total()).to.equal(0);
      // Persisted: another session reads it from DynamoDB.
      expect((await db.session().get(User, { name: 'bob' }))!.email).to.equal('bob@new.example.com');
      // A new item saved through the session is served from its cache.
      const eve = await new User({ name: 'eve', email: 'eve@example.com' }).save({ db: s });
      counter.reset();
      expect(await s.get(User, { name: 'eve' })).to.equal(eve);
      expect(counter.total()).to.equal(0);
    });

    it('after a delete, the next load is null without a request, and cached queries are dropped', async () => {
      const s = db.session();
      const threads = await s.query(Thread, { forum_name: 'Main' }).all();
      const byDoomed = threads.filter((t) => t.user_name === 'doomed');
      const doomed = (await s.get(User, { name: 'doomed' }))!;
      await doomed.delete();
      counter.reset();
      expect(await s.get(User, { name: 'doomed' })).to.equal(null);
      expect(await byDoomed[0].user.load()).to.equal(null);
      expect(counter.total()).to.equal(0);
      expect(await User.get({ name: 'doomed' })).to.equal(null);

      const carol = (await s.get(User, { name: 'carol' }))!;
      const before = await carol.threads.page({ limit: 10 });
      expect(before.items.map((t) => t.subject)).to.deep.equal(['m3', 'm4', 'm5']);
      await before.items[1].delete();
      counter.reset();
      const after = await carol.threads.page({ limit: 10 });
      expect(after.items.map((t) => t.subject)).to.deep.equal(['m3', 'm5']);
      expect(after.items[0]).to.equal(before.items[0]);
      expect(counter.counts()).to.deep.equal({ QueryCommand: 1 });
      expect(await s.get(Thread, { forum_name: 'Main', subject: 'm4' })).to.equal(null);
    });
  });

  describe('include', () => {
    it('a to-one load that fails fails the include with its own error, and leaves the edge unloaded', async () => {
      const s = db.session();
      // The Deep threads' users (t1–t3) are read by no other test before this one in a session of its own.
      const threads = await s.query(Thread, { forum_name: 'Deep' }).all();
      // Built in memory with a user key DynamoDB cannot store: refused before any request.
      const bad = new Thread({ forum_name: 'Deep', subject: 'bad key', user_name: 't1' });
      (bad as unknown as { user_name: unknown }).user_name = 7;
      counter.reset();
      const err = await caught<DynagraphError>(s.load([...threads, bad], { user: true }));
      expect(err).to.be.instanceOf(DynagraphError);
      expect(err.message).to.match(/name/);
      expect(bad.user.isLoaded).to.equal(false);
      const again = await s.load(threads, { user: true });
      expect(again.map((t) => t.user.get()!.name)).to.deep.equal(['t1', 't2', 't3']);
      // The good keys were asked for once, in one batch (the second include took that read); the bad one never was.
      expect(counter.counts()).to.deep.equal({ BatchGetItemCommand: 1 });
    });

    it('an include of depth 3 takes exactly 3 rounds', async () => {
      const s = db.session();
      const forum = (await s.get(Forum, { name: 'Deep' }))!;
      const rounds = s.stats.rounds;
      const requests = { ...s.stats.requests };
      const [f] = await s.load(forum, { threads: { replies: { user: true } } });
      expect(s.stats.rounds - rounds).to.equal(3);
      expect(s.stats.requests.Query - (requests.Query ?? 0)).to.equal(4);
      expect(s.stats.requests.BatchGetItem - requests.BatchGetItem).to.equal(1);
      expect(f).to.equal(forum);
      const threads = f.threads.get();
      expect(threads.map((t) => t.subject)).to.deep.equal(['d1', 'd2', 'd3']);
      for (const t of threads) {
        expect(known(t.replies).get()).to.have.length(2);
        for (const r of known(t.replies).get()) {
          expect(r.thread_id).to.equal(threadId.join(['Deep', t.subject]));
          expect(known(r.user).get()!.name).to.equal(r.user_name);
        }
        expect(known(t.forum).get()).to.equal(forum); // the inverse edge, primed
        expect(t.user.isLoaded).to.equal(false); // not asked for
      }
    });

    it('$limit loads a first page of a to-many edge, still one round per level', async () => {
      const s = db.session();
      const forum = (await s.get(Forum, { name: 'Deep' }))!;
      const rounds = s.stats.rounds;
      await s.load([forum], { threads: { replies: { $limit: 1, user: true } } });
      expect(s.stats.rounds - rounds).to.equal(3);
      for (const t of known(forum.threads).get()) {
        const [first, ...rest] = known(t.replies).get();
        expect(rest).to.have.length(0);
        expect(first.message).to.equal(`reply ${t.subject.slice(1)}.0`);
        expect(t.replies.cursor).to.be.a('string');
        expect(known(first.user).get()!.name).to.equal(first.user_name);
      }
    });

    it('session.query(...).include() loads edges of every result', async () => {
      const s = db.session();
      const threads = await s.query(Thread, { forum_name: 'Deep' }).include({ user: true, replies: { user: true } }).all();
      expect(s.stats.rounds).to.equal(3);
      expect(s.stats.requests).to.deep.equal({ Query: 4, BatchGetItem: 2 });
      expect(threads).to.have.length(3);
      for (const t of threads) {
        expect(t.user.get()!.name).to.equal(t.user_name);
        expect(t.replies.get().map((r) => r.user.get()!.name)).to.deep.equal(t.replies.get().map((r) => r.user_name));
      }
    });
  });

  describe('streams', () => {
    it('for await over include() loads the edges of every item too; without include each item is the session\'s instance', async () => {
      const s = db.session();
      const streamed: InstanceType<typeof Thread>[] = [];
      for await (const t of s.query(Thread, { forum_name: 'Deep' }).include({ user: true })) streamed.push(t);
      expect(streamed.map((t) => known(t.user).get()!.name)).to.deep.equal(streamed.map((t) => t.user_name));
      const again: InstanceType<typeof Thread>[] = [];
      for await (const t of s.query(Thread, { forum_name: 'Deep' })) again.push(t);
      again.forEach((t, i) => expect(t).to.equal(streamed[i]));
    });
  });

  describe('budget and stats', () => {
    it('maxRequests refuses the request beyond the budget before sending it', async () => {
      const s = db.session({ maxRequests: 2 });
      const ann = await s.get(User, { name: 'ann' });
      const [thread] = await s.query(Thread, { forum_name: 'Main', subject: 'm1' }).all();
      counter.reset();
      const err = await caught(thread.user.load());
      expect(err).to.be.instanceOf(RequestBudgetExceededError).and.instanceOf(DynagraphError);
      expect((err as DynagraphError).code).to.equal('REQUEST_BUDGET_EXCEEDED');
      expect(counter.total()).to.equal(0);
      expect(s.stats.totalRequests).to.equal(2);
      expect(thread.user.isLoaded).to.equal(false);
      const err2 = await caught(s.query(Thread, { forum_name: 'Main' }).all());
      expect(err2).to.be.instanceOf(RequestBudgetExceededError);
      expect(counter.total()).to.equal(0);
      // What the session holds is still served.
      expect(await s.get(User, { name: 'ann' })).to.equal(ann);
    });

    it('stats: requests by command, items read, consumed capacity, rounds', async () => {
      const s = db.session();
      expect(s.stats).to.deep.include({ totalRequests: 0, itemsRead: 0, rounds: 0 });
      const threads = await s.query(Thread, { forum_name: 'Main' }).all();
      const owners = await Promise.all(threads.map((t) => t.user.load()));
      const users = new Set(owners.filter((u) => u !== null));
      expect(users.size).to.be.greaterThan(1);
      expect(s.stats.requests).to.deep.equal({ Query: 1, BatchGetItem: 1 });
      expect(s.stats.totalRequests).to.equal(2);
      expect(s.stats.itemsRead).to.equal(threads.length + users.size);
      expect(s.stats.consumedCapacity).to.be.greaterThan(0);
      expect(s.stats.rounds).to.equal(2);
      expect(s.stats.retries).to.equal(0);
      // Writes count as requests but not as items read.
      await threads[0].save();
      expect(s.stats.requests.PutItem).to.equal(1);
      expect(s.stats.itemsRead).to.equal(threads.length + users.size);
    });

    it('relationship loads are logged on the database-access channel', async () => {
      const s = db.session();
      const [thread] = await s.query(Thread, { forum_name: 'Deep', subject: 'd1' }).all();
      logged.length = 0;
      await Promise.all([thread.user.load(), thread.replies.load()]);
      const seen = logged.map((e) => [e.channel, e.command, e.table]).sort();
      expect(seen).to.deep.equal([
        ['database-access', 'BatchGetItem', 'graph-session-users'],
        ['database-access', 'Query', 'graph-session-replies'],
      ]);
      expect(logged.find((e) => e.command === 'Query')!.items).to.equal(2);
    });
  });
});
