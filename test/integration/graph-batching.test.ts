/**
 * Relationship loads against DynamoDB Local, counting the commands sent: to-one loads
 * of one tick share BatchGetItem requests (inside a session and without one), each
 * instance gets its own target (DynamORM's shared-cache bug), leftovers are retried,
 * reads never write; to-many edges are de-duplicated Queries, keys-only indexes are
 * hydrated with batched gets in index order, and pages, counts and iteration agree.
 */
import { expect } from 'chai';
import { Forum, Reply, Thread, User, forumModels, threadId } from '../../examples/forum/models.js';
import { testDb } from '../harness/db.js';
import { known } from '../harness/edges.js';
import { recordInputs, seeded, unprocessedKeys } from '../harness/faults.js';

const { db, counter, drop } = testDb('graph-batching-', { retry: { baseDelayMs: 1 } });
const spy = recordInputs(db.connection.client);

const pad = (i: number, n = 2) => String(i).padStart(n, '0');
const names = (xs: readonly ({ name: string } | null)[]) => xs.map((x) => x?.name ?? null);
/** Number of keys requested in the BatchGetItem commands recorded since `from`. */
function requestedKeys(from: number): number[] {
  return spy.sent.slice(from).filter((r) => r.command === 'BatchGetItemCommand')
    .map((r) => Object.values(r.input.RequestItems as Record<string, { Keys: unknown[] }>).reduce((n, t) => n + t.Keys.length, 0));
}

const BUSY = 130;
const busyPosted = (i: number) => new Date(Date.UTC(2024, 0, 1, 0, 0, i));

describe('graph: batched relationship loads (DynamoDB Local)', () => {
  before(async function () {
    this.timeout(120_000);
    await db.createTables(forumModels);
    await Forum.putMany([{ name: 'AWS' }, { name: 'Big' }, { name: 'Solo' }]);
    await User.putMany(Array.from({ length: 5 }, (_, i) => ({ name: `u${i}`, email: `u${i}@example.com` })));
    await User.putMany(Array.from({ length: 250 }, (_, i) => ({ name: `big${pad(i, 3)}` })));
    // 20 threads by 5 users; subjects ordered so each user's index order differs from table order.
    await Thread.putMany(Array.from({ length: 20 }, (_, i) => ({
      forum_name: 'AWS', subject: `s${pad(i)}`, user_name: `u${i % 5}`, message: `message ${i}`,
    })));
    await Thread.putMany(Array.from({ length: 250 }, (_, i) => ({ forum_name: 'Big', subject: `b${pad(i, 3)}`, user_name: `big${pad(249 - i, 3)}` })));
    // One user with many threads across forums, so index order is not the table's.
    await Thread.putMany(Array.from({ length: 30 }, (_, i) => ({
      forum_name: `F${pad((i * 7) % 30)}`, subject: `p${pad(i)}`, user_name: 'prolific', message: `full ${i}`,
    })));
    await User.put({ name: 'prolific' });
    // A bulk load checks no targets (Thread.user declares requireTarget): how an orphan gets in.
    await Thread.putMany([{ forum_name: 'Solo', subject: 'orphan', user_name: 'ghost' }]);
    await Thread.put({ forum_name: 'Solo', subject: 'busy', user_name: 'u0' });
    await Thread.put({ forum_name: 'Solo', subject: 'quiet', user_name: 'u0' });
    const busyId = threadId.join(['Solo', 'busy']);
    await Reply.putMany(Array.from({ length: BUSY }, (_, i) => ({ thread_id: busyId, posted: busyPosted(i), user_name: `u${i % 5}`, message: `r${i}` })));
  });
  after(() => drop(forumModels));
  beforeEach(() => counter.reset());

  describe('to-one', () => {
    it('20 threads by 5 users: every .user in one BatchGetItem, each thread its own user', async () => {
      const s = db.session();
      const threads = await s.query(Thread, { forum_name: 'AWS' }).all();
      expect(threads).to.have.length(20);
      counter.reset();
      const from = spy.sent.length;
      const users = await Promise.all(threads.map((t) => t.user.load()));
      expect(counter.counts()).to.deep.equal({ BatchGetItemCommand: 1 });
      expect(requestedKeys(from)).to.deep.equal([5]); // duplicates de-duplicated
      threads.forEach((t, i) => {
        expect(t.user.isLoaded).to.equal(true);
        expect(known(t.user).get()!.name, t.subject).to.equal(t.user_name);
        expect(users[i]).to.equal(known(t.user).get());
        expect(users[i]!.email).to.equal(`${t.user_name}@example.com`);
      });
      expect(new Set(users).size).to.equal(5); // one instance per user in a session
    });

    it('without a session: instances from a query batch their loads per tick, with no cache across ticks', async () => {
      const threads = await Thread.query({ forum_name: 'AWS' }).all();
      counter.reset();
      await Promise.all(threads.map((t) => t.user.load()));
      expect(counter.counts()).to.deep.equal({ BatchGetItemCommand: 1 });
      for (const t of threads) expect(known(t.user).get()!.name).to.equal(t.user_name);

      // A user changes; fresh instances loading later must read again and see it.
      await User.put({ name: 'u1', email: 'changed@example.com' });
      const again = await Thread.query({ forum_name: 'AWS' }).all();
      counter.reset();
      await Promise.all(again.map((t) => t.user.load()));
      expect(counter.counts()).to.deep.equal({ BatchGetItemCommand: 1 });
      for (const t of again) {
        expect(known(t.user).get()!.name).to.equal(t.user_name);
        expect(known(t.user).get()!.email).to.equal(t.user_name === 'u1' ? 'changed@example.com' : `${t.user_name}@example.com`);
      }
      // Loads in separate ticks are separate requests.
      counter.reset();
      const [a, b] = await Thread.query({ forum_name: 'AWS' }).page({ limit: 2 }).then((p) => p.items);
      counter.reset();
      await a.user.load();
      await b.user.load();
      expect(counter.counts()).to.deep.equal({ BatchGetItemCommand: 2 });
      await User.put({ name: 'u1', email: 'u1@example.com' });
    });

    it('250 distinct targets cost exactly 3 BatchGetItem, each thread its own user', async () => {
      const threads = await db.session().query(Thread, { forum_name: 'Big' }).all();
      expect(threads).to.have.length(250);
      counter.reset();
      const from = spy.sent.length;
      const users = await Promise.all(threads.map((t) => t.user.load()));
      expect(counter.counts()).to.deep.equal({ BatchGetItemCommand: 3 });
      expect(requestedKeys(from).sort((x, y) => x - y)).to.deep.equal([50, 100, 100]);
      expect(names(users)).to.deep.equal(threads.map((t) => t.user_name));
    });

    it('duplicated targets across many instances are requested once', async () => {
      const twice = [...(await Thread.query({ forum_name: 'AWS' }).all()), ...(await Thread.query({ forum_name: 'AWS' }).all())];
      counter.reset();
      const from = spy.sent.length;
      const users = await Promise.all(twice.map((t) => t.user.load()));
      expect(counter.counts()).to.deep.equal({ BatchGetItemCommand: 1 });
      expect(requestedKeys(from)).to.deep.equal([5]);
      expect(names(users)).to.deep.equal(twice.map((t) => t.user_name));
    });

    it('a missing target loads as null and nothing is written', async () => {
      const usersBefore = await User.scan().count();
      const s = db.session();
      const orphan = (await s.get(Thread, { forum_name: 'Solo', subject: 'orphan' }))!;
      counter.reset();
      expect(await orphan.user.load()).to.equal(null);
      expect(orphan.user.isLoaded).to.equal(true);
      expect(known(orphan.user).get()).to.equal(null);
      const plain = (await Thread.get({ forum_name: 'Solo', subject: 'orphan' }))!;
      expect(await plain.user.load()).to.equal(null);
      expect(counter.commands().every((c) => c === 'BatchGetItemCommand' || c === 'GetItemCommand')).to.equal(true);
      expect(await User.scan().count()).to.equal(usersBefore);
      expect(await User.get({ name: 'ghost' })).to.equal(null);
    });

    it('injected UnprocessedKeys are retried until every item is read', async () => {
      const random = seeded(5);
      const heldTimes = new Map<string, number>();
      // Hold back a random subset of keys, each at most twice, so retries always progress.
      const injector = unprocessedKeys(db.connection.client, (_table, key) => {
        const id = JSON.stringify(key);
        const n = heldTimes.get(id) ?? 0;
        if (n >= 2 || random() < 0.5) return false;
        heldTimes.set(id, n + 1);
        return true;
      });
      try {
        const s = db.session();
        const threads = await s.query(Thread, { forum_name: 'Big' }).all();
        counter.reset();
        const users = await Promise.all(threads.map((t) => t.user.load()));
        expect(injector.held()).to.be.greaterThan(50);
        expect(counter.counts().BatchGetItemCommand).to.be.greaterThan(3);
        expect(s.stats.retries).to.be.greaterThan(0);
        expect(names(users)).to.deep.equal(threads.map((t) => t.user_name));
      } finally {
        injector.remove();
      }
    });
  });

  describe('to-many', () => {
    it('identical to-many loads in one tick cost one Query', async () => {
      const key = { forum_name: 'Solo', subject: 'busy' };
      const [a, b] = await Promise.all([Thread.get(key), Thread.get(key)]);
      expect(a).to.not.equal(b);
      counter.reset();
      const [ra, rb] = await Promise.all([a!.replies.load(), b!.replies.load()]);
      expect(counter.counts()).to.deep.equal({ QueryCommand: 1 });
      expect(ra.map((r) => r.message)).to.deep.equal(rb.map((r) => r.message));
      expect(ra).to.have.length(BUSY);

      const s = db.session();
      const [c, d] = await Promise.all([s.get(Thread, key), Thread.get(key, { db: s })]);
      counter.reset();
      await Promise.all([c!.replies.load(), d!.replies.load(), c!.replies.page({ limit: 5 }), d!.replies.page({ limit: 5 })]);
      expect(counter.counts()).to.deep.equal({ QueryCommand: 2 });
    });

    it('a keys-only index edge is hydrated with batched gets, in index order', async () => {
      const u = (await User.get({ name: 'prolific' }))!;
      counter.reset();
      const threads = await u.threads.load();
      expect(threads.map((t) => t.subject)).to.deep.equal(Array.from({ length: 30 }, (_, i) => `p${pad(i)}`));
      expect(threads.map((t) => t.message)).to.deep.equal(Array.from({ length: 30 }, (_, i) => `full ${i}`));
      expect(threads.every((t) => t instanceof Thread)).to.equal(true);
      expect(counter.counts()).to.deep.equal({ QueryCommand: 1, BatchGetItemCommand: 1 });
      const paged: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await u.threads.page({ limit: 7, cursor });
        paged.push(...page.items.map((t) => `${t.subject}:${t.message}`));
        cursor = page.cursor;
      } while (cursor && paged.length <= 30);
      expect(paged).to.deep.equal(threads.map((t) => `${t.subject}:${t.message}`));
      // The inverse edge is primed: each thread knows its user without a request.
      counter.reset();
      expect(threads.every((t) => t.user.isLoaded && known(t.user).get() === u)).to.equal(true);
      expect(counter.total()).to.equal(0);
    });

    for (const how of ['in a session', 'without a session'] as const) it(`5 users loaded together ${how}: 5 Queries and at most 1 BatchGetItem`, async () => {
      const keys = [0, 1, 2, 3, 4].map((i) => ({ name: `u${i}` }));
      const users = (how === 'in a session' ? await db.session().getMany(User, keys) : await User.getMany(keys)).map((u) => u!);
      counter.reset();
      const lists = await Promise.all(users.map((u) => u.threads.load()));
      const counts = counter.counts();
      expect(counts.QueryCommand).to.equal(5);
      expect(counts.BatchGetItemCommand ?? 0).to.be.at.most(1);
      expect(Object.keys(counts).sort()).to.deep.equal(counts.BatchGetItemCommand ? ['BatchGetItemCommand', 'QueryCommand'] : ['QueryCommand']);
      users.forEach((u, i) => {
        const expected = Array.from({ length: 20 }, (_, j) => j).filter((j) => j % 5 === i).map((j) => `s${pad(j)}`);
        if (i === 0) expected.push('busy', 'quiet');
        expect(lists[i].map((t) => t.subject).sort()).to.deep.equal(expected.sort());
        expect(lists[i].every((t) => t.user_name === u.name && t.message !== undefined)).to.equal(true);
      });
    });

    it('page({ limit, cursor }) returns every reply exactly once, in order', async () => {
      const busy = (await Thread.get({ forum_name: 'Solo', subject: 'busy' }))!;
      const seen: number[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await busy.replies.page({ limit: 25, cursor });
        expect(page.items.length).to.be.at.most(25);
        seen.push(...page.items.map((r) => r.posted.getTime()));
        cursor = page.cursor;
        pages++;
      } while (cursor && pages < 20);
      expect(seen).to.deep.equal(Array.from({ length: BUSY }, (_, i) => busyPosted(i).getTime()));
      expect(pages).to.be.within(6, 7);
    });

    it('count() counts every item; an empty edge counts 0', async () => {
      const busy = (await Thread.get({ forum_name: 'Solo', subject: 'busy' }))!;
      const quiet = (await Thread.get({ forum_name: 'Solo', subject: 'quiet' }))!;
      const u = (await User.get({ name: 'prolific' }))!;
      expect(await busy.replies.count()).to.equal(BUSY);
      expect(await quiet.replies.count()).to.equal(0);
      expect(await u.threads.count()).to.equal(30);
      expect(busy.replies.isLoaded).to.equal(false);
    });

    it('for await iterates every item once, across pages', async () => {
      const busy = (await Thread.get({ forum_name: 'Solo', subject: 'busy' }))!;
      const seen: string[] = [];
      for await (const r of busy.replies) seen.push(r.message);
      expect(seen).to.deep.equal(Array.from({ length: BUSY }, (_, i) => `r${i}`));
      const quiet = (await Thread.get({ forum_name: 'Solo', subject: 'quiet' }))!;
      for await (const _ of quiet.replies) expect.fail('no replies expected');
    });
  });
});
