/**
 * `session.explain` (the plan of an include, sent nothing) and `session.trace` (what was
 * sent, per round and edge) agree with the requests counted at the send point: the forum
 * include of depth 3, a many-to-many edge beside a nested one, an item collection of a shared
 * table, and a keys-only index edge.
 */
import { expect } from 'chai';
import { Model, manyToOne, number, oneToMany, string, template, type GraphPlan, type GraphTrace } from '../../src/index.js';
import { Forum, Reply, Tag, Thread, User, forumModels, threadId } from '../../examples/forum/models.js';
import { testDb } from '../harness/db.js';
import { unprocessedKeys } from '../harness/faults.js';

const { db, counter, drop } = testDb('explain-', { retry: { baseDelayMs: 1 } });

class Customer extends Model({
  table: 'shop', entity: 'Customer', key: { hash: 'pk', range: 'sk' },
  attributes: { pk: template('CUSTOMER#{login}'), sk: template('PROFILE'), login: string() },
}) {
  orders = oneToMany(() => Order, { query: (c: Customer) => ({ login: c.login, sk: { beginsWith: 'ORDER#' } }), inverse: 'customer' });
  addresses = oneToMany(() => Address, { query: (c: Customer) => ({ login: c.login, sk: { beginsWith: 'ADDRESS#' } }) });
}
class Order extends Model({
  table: 'shop', entity: 'Order', key: { hash: 'pk', range: 'sk' },
  attributes: { pk: template('CUSTOMER#{login}'), sk: template('ORDER#{no}'), login: string(), no: string(), total: number() },
}) {
  customer = manyToOne(() => Customer, { query: (o: Order) => ({ login: o.login }) });
}
class Address extends Model({
  table: 'shop', entity: 'Address', key: { hash: 'pk', range: 'sk' },
  attributes: { pk: template('CUSTOMER#{login}'), sk: template('ADDRESS#{label}'), login: string(), label: string() },
}) {}
const shop = [Customer, Order, Address];

/** `{ QueryCommand: 2 }` → `{ Query: 2 }`, to compare with the trace's command names. */
function sentCounts(): Record<string, number> {
  return Object.fromEntries(Object.entries(counter.counts()).map(([k, v]) => [k.replace(/Command$/, ''), v]));
}
function traceCounts(trace: GraphTrace, round?: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of trace.rows) if (round === undefined || r.round === round) out[r.command] = (out[r.command] ?? 0) + r.requests;
  return out;
}
/** The (round, command, table) of every step of a plan. */
const planSteps = (plan: GraphPlan) => plan.rounds.flatMap((r) => r.steps.map((s) => `${r.round} ${s.command} ${s.table}${s.index ? `.${s.index}` : ''}`));

describe('graph: explain and trace (DynamoDB Local)', () => {
  before(async function () {
    this.timeout(120_000);
    await db.createTables([...forumModels, ...shop]);
    await Forum.putMany([{ name: 'AWS' }]);
    await User.putMany(['alice', 'bob', 'carol'].map((name) => ({ name })));
    const threads = [['S3', 'alice'], ['EC2', 'bob'], ['Lambda', 'alice']] as const;
    await Thread.putMany(threads.map(([subject, user_name]) => ({ forum_name: 'AWS', subject, user_name })));
    await Reply.putMany(threads.flatMap(([subject], t) => ['carol', 'bob'].map((user_name, i) => ({
      thread_id: threadId.join(['AWS', subject]), posted: new Date(Date.UTC(2024, 0, 1, t, i)), user_name, message: `${subject} ${i}`,
    }))));
    for (const login of ['ann', 'ben']) {
      await Customer.put({ login });
      await Order.putMany(['1', '2'].map((no, i) => ({ login, no, total: i })));
      await Address.putMany([{ login, label: 'home' }]);
    }
  });
  after(() => drop([...forumModels, ...shop]));
  beforeEach(() => counter.reset());

  describe('the forum include of depth 3', () => {
    const include = { threads: { user: true, replies: { user: true } } } as const;

    it('explain sends nothing and plans one round per level', async () => {
      const s = db.session();
      const forum = (await s.get(Forum, { name: 'AWS' }))!;
      counter.reset();
      const plan = s.explain(forum, include);
      expect(counter.total()).to.equal(0);
      expect(plan.rounds.map((r) => r.edges.map((e) => `${e.path}:${e.kind}`))).to.deep.equal([
        ['threads:toMany'], ['threads.user:toOneByKey', 'threads.replies:toMany'], ['threads.replies.user:toOneByKey'],
      ]);
      // Round 1 is computed from the given forum: exactly one partition.
      expect(plan.rounds[0].steps.map((s) => [s.command, s.keys, s.requests.exact])).to.deep.equal([['Query', { exact: 1 }, 1]]);
      // Later rounds depend on the threads and replies found.
      expect(plan.rounds[1].steps.every((s) => s.requests.exact === undefined)).to.equal(true);
      expect(plan.requests.exact).to.equal(undefined);
      expect(plan.text).to.contain('round 3').and.contain('BatchGetItem').and.contain('chunks of ≤ 100 distinct keys');
    });

    it('the trace matches the requests sent, round by round, and the plan\'s steps', async () => {
      const s = db.session();
      const forum = (await s.get(Forum, { name: 'AWS' }))!;
      const plan = s.explain(forum, include);
      counter.reset();
      const before = s.trace.totals.requests;
      await s.load(forum, include);
      const trace = s.trace;
      expect(trace.totals.requests - before).to.equal(counter.total());
      const loadRows = trace.rows.filter((r) => r.round > 0);
      expect(traceCounts({ ...trace, rows: loadRows })).to.deep.equal(sentCounts());
      // Every row of the load is a step of the plan: same round, command and table.
      expect(loadRows.map((r) => `${r.round} ${r.command} ${r.table}${r.index ? `.${r.index}` : ''}`).sort()).to.deep.equal(planSteps(plan).sort());
      if (process.env.SHOW_PLAN) console.log(`${plan.text}\n\n${trace.text}`);
      expect(traceCounts(trace, 1)).to.deep.equal({ Query: 1 });
      expect(traceCounts(trace, 2)).to.deep.equal({ BatchGetItem: 1, Query: 3 });
      const users = loadRows.find((r) => r.round === 2 && r.command === 'BatchGetItem')!;
      expect([users.keysAsked, users.keysFound, users.items]).to.deep.equal([2, 2, 2]);
      const replies = loadRows.find((r) => r.round === 2 && r.command === 'Query')!;
      expect([replies.keysAsked, replies.keysFound, replies.items, replies.pages]).to.deep.equal([3, 3, 6, 3]);
      // carol is new in round 3; bob is held since round 2.
      const third = loadRows.find((r) => r.round === 3)!;
      expect([third.command, third.keysAsked, third.keysFound]).to.deep.equal(['BatchGetItem', 1, 1]);
      expect(trace.rows.find((r) => r.round === 0)!.edges).to.deep.equal(['direct']);
      expect(trace.totals.rcu).to.be.greaterThan(0);
      expect(Object.keys(trace.rounds)).to.deep.equal(['1', '2', '3']);
      expect(trace.text).to.match(/^round\s+edges\s+request\s+table\s+requests\s+keys asked/);
      expect(trace.text).to.contain('Thread.user').and.contain('Reply.user').and.contain('total');
    });

    it('for given instances the first round is exact, and loading sends exactly it', async () => {
      const s = db.session();
      const threads = await s.query(Thread, { forum_name: 'AWS' }).all();
      const plan = s.explain(threads, { user: true, replies: { user: true } });
      const [gets, queries] = plan.rounds[0].steps;
      expect([gets.command, gets.keys.exact, gets.requests.exact]).to.deep.equal(['BatchGetItem', 2, 1]);
      expect([queries.command, queries.keys.exact, queries.requests.exact]).to.deep.equal(['Query', 3, 3]);
      // Round 2's owners are bounded by the round before: at most every reply found.
      expect(plan.rounds[1].edges[0].owners.note).to.contain('depends on data');
      counter.reset();
      await s.load(threads, { user: true, replies: { user: true } });
      expect(traceCounts(s.trace, 1)).to.deep.equal({ BatchGetItem: gets.requests.exact, Query: queries.requests.exact });
      // Explaining again: the users are held now, the edges loaded; nothing left to send, so no step.
      const again = s.explain(threads, { user: true, replies: { user: true } });
      expect(again.rounds[0].edges.map((e) => e.owners.exact)).to.deep.equal([0, 0]);
      expect(again.rounds[0].steps).to.deep.equal([]);
    });

    it('below a query whose items are not loaded, every count is a bound', () => {
      const s = db.session();
      const plan = s.explain(s.query(Thread, { forum_name: 'AWS' }), { user: true, replies: { $limit: 2, user: true } });
      expect(counter.total()).to.equal(0);
      expect(plan.root).to.include({ command: 'Query' });
      expect(plan.rounds[0].steps.map((st) => st.requests.exact)).to.deep.equal([undefined, undefined]);
      expect(plan.rounds[0].edges[0].owners.note).to.equal('depends on data');
      expect(plan.rounds[1].edges[0].owners.note).to.contain('≤ 2 per item');
      expect(plan.text).to.contain('round 0 (roots)');
    });
  });

  it('a many-to-many edge: its targets go out the round after its links, in one BatchGetItem with the next level\'s gets', async () => {
    const s = db.session();
    const threads = await s.query(Thread, { forum_name: 'AWS' }).all();
    const tags = await Promise.all(['aws', 'db'].map((name) => Tag.put({ name })));
    await threads[0].tags.linkMany(tags);
    await threads[1].tags.link(tags[1]);
    const include = { user: true, tags: true, replies: { user: true } } as const;
    const plan = s.explain(threads, include);
    expect(plan.rounds.map((r) => r.edges.map((e) => `${e.path}:${e.kind}${e.step ? `:${e.step}` : ''}`))).to.deep.equal([
      ['user:toOneByKey', 'tags:manyToMany', 'replies:toMany'], ['tags:manyToMany:targets', 'replies.user:toOneByKey'],
    ]);
    expect(plan.rounds[1].steps.map((st) => [st.command, st.table.split(',').sort().join(','), [...st.edges].sort()])).to.deep.equal([
      ['BatchGetItem', 'explain-tags,explain-users', ['Reply.user', 'targets of Thread.tags']],
    ]);
    counter.reset();
    const waves = s.stats.rounds;
    const [first] = await s.load(threads, include);
    expect(first.tags.get().map((t) => t.name).sort()).to.deep.equal(['aws', 'db']);
    expect(sentCounts()).to.deep.equal({ BatchGetItem: 2, Query: 6 });
    expect(s.stats.rounds - waves).to.equal(2);
    const second = s.trace.rows.filter((r) => r.round === 2);
    expect(second.map((r) => [r.command, r.requests, [...r.edges].sort()])).to.deep.equal([['BatchGetItem', 1, ['Reply.user', 'targets of Thread.tags']]]);
    // The tags and carol (alice and bob are held since round 1).
    expect([second[0].keysAsked, second[0].keysFound]).to.deep.equal([3, 3]);
    expect(s.trace.rows.filter((r) => r.round > 0).map((r) => `${r.round} ${r.command} ${r.table}${r.index ? `.${r.index}` : ''}`).sort()).to.deep.equal(planSteps(plan).sort());
  });

  it('an item collection: plan and trace show one Query per partition for both edges', async () => {
    const s = db.session();
    const customers = (await s.getMany(Customer, [{ login: 'ann' }, { login: 'ben' }])).map((c) => c!);
    const plan = s.explain(customers, { orders: true, addresses: true });
    expect(plan.rounds[0].steps).to.have.length(1);
    const step = plan.rounds[0].steps[0];
    expect([step.command, step.keys.exact, step.requests.exact]).to.deep.equal(['Query', 2, 2]);
    expect(step.how).to.contain('item collection');
    expect(plan.rounds[0].edges.map((e) => e.kind)).to.deep.equal(['itemCollection', 'itemCollection']);
    counter.reset();
    await s.load(customers, { orders: true, addresses: true });
    expect(sentCounts()).to.deep.equal({ Query: 2 });
    const rows = s.trace.rows.filter((r) => r.round === 1);
    expect(rows.map((r) => [r.command, r.requests, r.keysAsked, r.keysFound, r.items])).to.deep.equal([['Query', 2, 2, 2, 6]]);
    expect(rows[0].edges).to.deep.equal(['Customer.orders', 'Customer.addresses']);
  });

  it('a keys-only index edge: its entries one round, their hydration the next, in one BatchGetItem with that round\'s gets', async () => {
    const s = db.session();
    const users = (await s.getMany(User, [{ name: 'alice' }, { name: 'bob' }])).map((u) => u!);
    // bob's replies are on the three threads alice's and bob's threads are: one BatchGetItem of 3 keys serves both.
    const include = { threads: { forum: true }, replies: { thread: true } } as const;
    const plan = s.explain(users, include);
    expect(plan.rounds.map((r) => r.steps.map((st) => [st.command, st.index, st.requests.exact]))).to.deep.equal([
      [['Query', 'byUser', 2], ['Query', 'byUser', 2]], [['BatchGetItem', undefined, undefined]], [['BatchGetItem', undefined, undefined]],
    ]);
    expect(plan.rounds[1].edges[0]).to.deep.equal({ path: 'threads', edge: 'User.threads', target: 'Thread', kind: 'keysOnly', table: 'explain-threads', owners: { note: 'depends on data' }, step: 'hydrate' });
    expect([...plan.rounds[1].steps[0].edges].sort()).to.deep.equal(['Reply.thread', 'hydrate User.threads']);
    expect(plan.text).to.include('hydrated next round');
    expect(plan.text).to.include('round 2: threads (hydrate User.threads → Thread, entries: depends on data)');
    counter.reset();
    const waves = s.stats.rounds;
    const loaded = await s.load(users, include);
    expect(loaded.flatMap((u) => u.threads.get().map((t) => `${t.subject} ${t.forum.get()?.name}`)).sort()).to.deep.equal(['EC2 AWS', 'Lambda AWS', 'S3 AWS']);
    expect(loaded[1].replies.get().map((r) => r.thread.get()?.subject).sort()).to.deep.equal(['EC2', 'Lambda', 'S3']);
    expect(sentCounts()).to.deep.equal({ Query: 4, BatchGetItem: 2 });
    expect(s.stats.rounds - waves).to.equal(3);
    const rows = s.trace.rows.filter((r) => r.round > 0);
    expect(rows.map((r) => [r.round, r.command, r.index, r.requests, r.keysAsked, r.keysFound, [...r.edges].sort()])).to.deep.equal([
      [1, 'Query', 'byUser', 2, 2, 2, ['User.threads']], [1, 'Query', 'byUser', 2, 2, 1, ['User.replies']],
      [2, 'BatchGetItem', undefined, 1, 3, 3, ['Reply.thread', 'hydrate User.threads']],
      [3, 'BatchGetItem', undefined, 1, 1, 1, ['Thread.forum']],
    ]);
    expect(rows.map((r) => `${r.round} ${r.command} ${r.table}${r.index ? `.${r.index}` : ''}`).sort()).to.deep.equal(planSteps(plan).sort());
  });

  it('a keys-only edge already loaded gives its items at once: the level below goes out the next round, as planned', async () => {
    const s = db.session();
    const [alice, bob] = (await s.getMany(User, [{ name: 'alice' }, { name: 'bob' }])).map((u) => u!);
    await s.load([alice, bob], { threads: true });
    const plan = s.explain([alice, bob], { threads: { forum: true } });
    // Round 1 sends nothing (no step); round 2 reads the one forum of the 3 threads held.
    expect(plan.rounds.map((r) => r.steps.map((st) => [st.command, st.keys.exact]))).to.deep.equal([[], [['BatchGetItem', 1]]]);
    expect(plan.rounds[1].edges.map((e) => [e.path, e.owners])).to.deep.equal([['threads.forum', { exact: 3 }]]);
    expect(plan.requests).to.deep.equal({ exact: 1 });
    counter.reset();
    await s.load([alice, bob], { threads: { forum: true } });
    expect(sentCounts()).to.deep.equal({ BatchGetItem: 1 });

    // Only alice's edge loaded: her threads' forum and bob's hydration share round 2's BatchGetItem.
    const t = db.session();
    const [a2, b2] = (await t.getMany(User, [{ name: 'alice' }, { name: 'bob' }])).map((u) => u!);
    await t.load([a2], { threads: true });
    const partial = t.explain([a2, b2], { threads: { forum: true } });
    expect(partial.rounds.map((r) => r.edges.map((e) => `${e.path}${e.step ? `:${e.step}` : ''}`))).to.deep.equal([['threads'], ['threads:hydrate', 'threads.forum'], ['threads.forum']]);
    expect(partial.rounds[1].steps.map((st) => [st.command, [...st.edges].sort()])).to.deep.equal([['BatchGetItem', ['Thread.forum', 'hydrate User.threads']]]);
    counter.reset();
    await t.load([a2, b2], { threads: { forum: true } });
    // bob's thread's forum is held by round 3: nothing more is sent.
    expect(sentCounts()).to.deep.equal({ Query: 1, BatchGetItem: 1 });
  });

  it('the trace counts dynagraph\'s retries of leftover keys, and every key asked again', async () => {
    let held = false;
    const injector = unprocessedKeys(db.connection.client, (_table, key) => !held && key.name === 'bob' && (held = true));
    try {
      const s = db.session();
      const threads = await s.query(Thread, { forum_name: 'AWS' }).all();
      counter.reset();
      await s.load(threads, { user: true });
      expect(sentCounts()).to.deep.equal({ BatchGetItem: 2 });
      const row = s.trace.rows.find((r) => r.round === 1)!;
      expect([row.requests, row.retries, row.keysAsked, row.keysFound, row.items]).to.deep.equal([2, 1, 3, 2, 2]);
      expect(s.trace.totals.retries).to.equal(s.stats.retries);
    } finally {
      injector.remove();
    }
  });
});
