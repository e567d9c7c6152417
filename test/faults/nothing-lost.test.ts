/**
 * Nothing lost, nothing duplicated, at a 30% fault rate (throttling, unprocessed batch
 * entries, connections dropped before and after the request reached DynamoDB, 500s,
 * latency) injected below the real SDK against DynamoDB Local: batched reads and writes of
 * 1,000 items, paging through cursors, relationship loads over the forum, and the typed
 * error when the retry bound runs out.
 */
import { expect } from 'chai';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { Model, UnprocessedError, binary, number, string, stringSet } from '../../src/index.js';
import { injectFaults, seededRandom, type FaultInjector, type InjectedFault } from '../../src/testing/index.js';
import { forumModels, Forum, Thread, threadId, User } from '../../examples/forum/models.js';
import { forumDataset, seedForum } from '../../examples/forum/seed.js';
import { testDb } from '../harness/db.js';
import { known } from '../harness/edges.js';
import { recordInputs } from '../harness/faults.js';
import { addChecked, addFaults, addOperations, FAULTS_30, SDK_ATTEMPTS } from './figures.js';
import { FAULT_KINDS, type FaultCounts } from '../../src/testing/index.js';

class Doc extends Model({
  table: 'docs', key: { hash: 'id' },
  attributes: { id: string(), n: number(), title: string(), tags: stringSet(), blob: binary().optional() },
}) {}
class Msg extends Model({ table: 'msgs', key: { hash: 'room', range: 'n' }, attributes: { room: string(), n: number(), text: string() } }) {}

const models = [Doc, Msg, ...forumModels];
const { db, drop } = testDb('faults-nl-', { retry: { attempts: 12, baseDelayMs: 1, maxDelayMs: 8 }, client: { maxAttempts: SDK_ATTEMPTS } });
const client = db.connection.client;
const spy = recordInputs(client);

const id = (i: number) => `d${String(i).padStart(4, '0')}`;
const doc = (i: number) => new Doc({ id: id(i), n: i, title: `document ${i} ✓ ${'é'.repeat(i % 7)}`, tags: new Set([`t${i % 5}`, `u${i % 3}`]), blob: i % 4 ? new Uint8Array([i & 255, 7, 0, 255]) : undefined });
const values = (d: Doc | null) => (d ? { id: d.id, n: d.n, title: d.title, tags: [...d.tags].sort(), blob: d.blob ? [...d.blob] : undefined } : null);

/** Held-back entries of `faults` as `id → times held`, by the attribute `name` of each key or put item. */
function heldCounts(faults: InjectedFault[], name: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const f of faults) {
    if (f.kind !== 'unprocessed') continue;
    for (const h of Object.values(f.held!)) {
      const entries = Array.isArray(h) ? h.map((w: any) => w.PutRequest?.Item ?? w.DeleteRequest.Key) : (h as { Keys: any[] }).Keys;
      for (const e of entries) {
        const k = String(unmarshall(e)[name]);
        out.set(k, (out.get(k) ?? 0) + 1);
      }
    }
  }
  return out;
}

/** How many times each key (by attribute `name`) was sent in commands of `command`, since `from`. */
function sentCounts(command: string, name: string, from = 0): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of spy.sent.slice(from)) {
    if (s.command !== command) continue;
    for (const r of Object.values(s.input.RequestItems as Record<string, any>)) {
      const entries = Array.isArray(r) ? r.map((w: any) => w.PutRequest?.Item ?? w.DeleteRequest.Key) : r.Keys;
      for (const e of entries) out.set(String(e[name]), (out.get(String(e[name])) ?? 0) + 1);
    }
  }
  return out;
}

/**
 * Runs `round` at least `min` times, then again while a fault kind the test must exercise
 * was not injected yet (fault assignment depends on timing under concurrency), at most `max` times.
 */
async function rounds(faults: FaultInjector, min: number, max: number, round: (k: number) => Promise<void>): Promise<number> {
  const covered = () => faults.counts.unprocessed > 0 && faults.total() > faults.counts.unprocessed;
  let k = 0;
  while (k < min || (!covered() && k < max)) await round(k++);
  expect(faults.counts.unprocessed, 'unprocessed faults').to.be.greaterThan(0);
  expect(faults.total() - faults.counts.unprocessed, 'transport faults').to.be.greaterThan(0);
  return k;
}

describe('nothing lost, nothing duplicated at a 30% fault rate (DynamoDB Local)', function () {
  this.timeout(60_000);
  const forumSize = { forums: 3, users: 25, threads: 60, replies: 300, seed: 5, progress: false };
  before(async () => {
    await db.createTables(models);
    await db.putMany(Array.from({ length: 1000 }, (_, i) => doc(i)));
    await Msg.putMany(Array.from({ length: 600 }, (_, n) => ({ room: n < 500 ? 'main' : 'side', n, text: `m${n}` })), { db });
    await seedForum(db, forumSize);
  });
  after(() => drop(models));
  const injected = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<keyof FaultCounts, number>;

  function faultsOn(seed: number) {
    const log: InjectedFault[] = [];
    const faults = injectFaults(client, { ...FAULTS_30, seed, onFault: (f) => void log.push(f) });
    const done = () => {
      faults.remove();
      addFaults(faults);
      for (const k of FAULT_KINDS) injected[k] += faults.counts[k];
    };
    return { faults, log, done };
  }

  it('getMany of 1,000 keys returns every item exactly once, in order, round after round', async () => {
    const { faults, log, done } = faultsOn(101);
    const from = spy.sent.length;
    const random = seededRandom(9);
    let n = 0;
    try {
      n = await rounds(faults, 4, 12, async () => {
        const order = Array.from({ length: 1000 }, (_, i) => i).sort(() => random() - 0.5);
        // Duplicates and missing keys mixed in: one read per distinct key, null where missing.
        const keys = [...order.map((i) => ({ id: id(i) })), ...order.slice(0, 50).map((i) => ({ id: id(i) })), { id: 'missing-1' }, { id: 'missing-2' }];
        const got = await db.getMany(Doc, keys);
        addOperations('getMany (1,052 keys)', 1);
        expect(got.map((d) => d?.id ?? null)).to.deep.equal(keys.map((k) => (k.id.startsWith('missing') ? null : k.id)));
        const wrong = got.filter((d, i) => d && JSON.stringify(values(d)) !== JSON.stringify(values(doc(Number(keys[i].id.slice(1))))));
        expect(wrong).to.deep.equal([]);
        addChecked('getMany items', 1000, 0);
      });
    } finally {
      done();
    }
    // Every key was asked for once per round, plus once more each time a fault held it back: no key dropped, none re-read needlessly.
    const held = heldCounts(log, 'id');
    const sent = sentCounts('BatchGetItemCommand', 'id', from);
    const total = [...sent.values()].reduce((a, b) => a + b, 0);
    expect(total).to.equal(n * 1002 + [...held.values()].reduce((a, b) => a + b, 0));
    for (const [key, times] of sent) expect(times, key).to.equal(n + (held.get(key) ?? 0));
  });

  it('putMany of 1,000 items writes every item exactly once (read back and compared)', async () => {
    const { faults, log, done } = faultsOn(202);
    try {
      await rounds(faults, 1, 4, async (round) => {
        const items = Array.from({ length: 1000 }, (_, i) => {
          const d = doc(i);
          d.id = `p${round}-${i}`;
          d.title = `put ${i} ${'🙂'.repeat(i % 3)}`;
          return d;
        });
        const from = spy.sent.length;
        const first = log.length;
        const progress: number[] = [];
        await db.putMany(items, { onProgress: (p) => void progress.push(p.done) });
        addOperations('putMany (1,000 items)', 1);
        // Each item was sent once, plus once more each time a fault held it back.
        const held = heldCounts(log.slice(first), 'id');
        const sent = sentCounts('BatchWriteItemCommand', 'id', from);
        expect(sent.size).to.equal(1000);
        for (const d of items) expect(sent.get(d.id), d.id).to.equal(1 + (held.get(d.id) ?? 0));
        expect(progress.at(-1)).to.equal(1000);
        expect(progress.every((p, i) => i === 0 || p >= progress[i - 1])).to.equal(true);
        faults.enabled = false;
        const back = (await Doc.scan({ db, consistent: true }).all()).filter((d) => d.id.startsWith(`p${round}-`));
        faults.enabled = true;
        expect(back).to.have.length(1000);
        const byId = new Map(back.map((d) => [d.id, d]));
        const lost = items.filter((d) => JSON.stringify(values(byId.get(d.id) ?? null)) !== JSON.stringify(values(d)));
        expect(lost.map((d) => d.id)).to.deep.equal([]);
        addChecked('putMany items', 1000, lost.length);
      });
    } finally {
      done();
    }
  });

  it('paging through cursors sees every item exactly once: a query, a filtered query and a segmented scan', async () => {
    const { faults, done } = faultsOn(303);
    try {
      const read = async (next: (cursor?: string) => Promise<{ items: Msg[]; cursor?: string }>) => {
        const out: number[] = [];
        let cursor: string | undefined;
        do {
          const page = await next(cursor);
          addOperations('page', 1);
          out.push(...page.items.map((m) => m.n));
          cursor = page.cursor;
        } while (cursor);
        return out;
      };
      const all = await read((cursor) => Msg.query({ room: 'main' }, { db }).page({ limit: 37, cursor }));
      expect(all).to.deep.equal(Array.from({ length: 500 }, (_, n) => n));
      // A filter drops most items: pages read on, and resume right after the last item returned.
      const ones = await read((cursor) => Msg.query({ room: 'main' }, { db }).filter({ text: { beginsWith: 'm1' } }).page({ limit: 23, cursor }));
      expect(ones).to.deep.equal(Array.from({ length: 500 }, (_, n) => n).filter((n) => String(n).startsWith('1')));
      const scanned: number[] = [];
      for (let segment = 0; segment < 3; segment++) {
        scanned.push(...(await read((cursor) => Msg.scan({ db, segment, totalSegments: 3 }).page({ limit: 41, cursor }))));
      }
      expect(scanned.sort((a, b) => a - b)).to.deep.equal(Array.from({ length: 600 }, (_, n) => n));
      addChecked('paged items', 500 + ones.length + 600, 0);
    } finally {
      done();
    }
    expect(faults.total()).to.be.greaterThan(0);
  });

  it('relationship loads over the forum resolve every edge (to-one batches, to-many queries, keys-only index hydration)', async () => {
    const data = forumDataset(forumSize);
    const { faults, done } = faultsOn(404);
    let edges = 0;
    try {
      // Rounds, each in a fresh session (so nothing comes from a cache).
      const n = await rounds(faults, 3, 12, async () => void (edges += await forumRound(data)));
      expect(edges).to.be.greaterThan(1000 * n);
      addChecked('forum edges', edges, 0);
      addOperations('forum session loads', n * 4);
    } finally {
      done();
    }
  });

  /** Loads every edge of the forum in a fresh session and checks each against the dataset; returns the edges checked. */
  async function forumRound(data: ReturnType<typeof forumDataset>): Promise<number> {
    let edges = 0;
    const s = db.session();
    const forums = (await s.getMany(Forum, data.forums.map((f) => ({ name: f.name })))) as Forum[];
    await s.load(forums, { threads: { user: true, forum: true, replies: { user: true, thread: true } } });
    for (const f of forums) {
      const want = data.threads.filter((t) => t.forum_name === f.name);
      const threads = known(f.threads).get();
      expect(threads.map((t) => t.subject).sort()).to.deep.equal(want.map((t) => t.subject).sort());
      for (const t of threads) {
        const expected = want.find((w) => w.subject === t.subject)!;
        expect(known(t.user).get()?.name).to.equal(expected.user_name);
        expect(known(t.forum).get()).to.equal(f);
        const replies = data.replies.filter((r) => r.thread_id === threadId.join([t.forum_name, t.subject]));
        const got = known(t.replies).get();
        expect(got.map((r) => r.posted.getTime())).to.deep.equal(replies.map((r) => r.posted.getTime()).sort((a, b) => a - b));
        for (const r of got) {
          expect(known(r.user).get()?.name).to.equal(r.user_name);
          expect(known(r.thread).get()).to.equal(t);
        }
        edges += 3 + 2 * got.length;
      }
    }
    // The other way: every user's threads through the keys-only index (query, then batched gets) and replies.
    const users = (await s.getMany(User, data.users.map((u) => ({ name: u.name })))) as User[];
    await s.load(users, { threads: true, replies: true });
    for (const u of users) {
      expect(known(u.threads).get().map((t) => t.subject).sort()).to.deep.equal(data.threads.filter((t) => t.user_name === u.name).map((t) => t.subject).sort());
      const times = (rs: { posted: Date }[]) => rs.map((r) => r.posted.getTime()).sort((a, b) => a - b);
      expect(times(known(u.replies).get())).to.deep.equal(times(data.replies.filter((r) => r.user_name === u.name)));
      edges += known(u.threads).get().length + known(u.replies).get().length;
    }
    return edges;
  }

  describe('when the retry bound runs out (retry: { attempts: 2 }, every batch left partly unprocessed)', () => {
    const bounded = testDb('faults-nl-', { retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 }, client: { maxAttempts: SDK_ATTEMPTS } });

    it('getMany: UnprocessedError lists exactly the keys held back on both attempts', async () => {
      const log: InjectedFault[] = [];
      const faults = injectFaults(bounded.db.connection.client, { rate: 1, seed: 505, kinds: { unprocessed: 1 }, onFault: (f) => void log.push(f) });
      let err: UnprocessedError | undefined;
      try {
        await bounded.db.getMany(Doc, Array.from({ length: 300 }, (_, i) => ({ id: id(i) }))).catch((e) => void (err = e));
      } finally {
        faults.remove();
        addFaults(faults);
      }
      expect(err).to.be.instanceOf(UnprocessedError);
      const twice = [...heldCounts(log, 'id')].filter(([, n]) => n === 2).map(([k]) => k).sort();
      expect(twice.length).to.be.within(1, 299);
      expect(err!.unprocessed.map((u) => u.key.id).sort()).to.deep.equal(twice);
      expect(new Set(err!.unprocessed.map((u) => u.table))).to.deep.equal(new Set([bounded.db.tableName(Doc.schema)]));
      addOperations('bounded getMany', 1);
    });

    it('putMany: UnprocessedError lists exactly the items not written; they are really absent, the rest really written', async () => {
      const items = Array.from({ length: 300 }, (_, i) => Object.assign(doc(i), { id: `b${i}` }));
      const log: InjectedFault[] = [];
      const faults = injectFaults(bounded.db.connection.client, { rate: 1, seed: 606, kinds: { unprocessed: 1 }, onFault: (f) => void log.push(f) });
      let err: UnprocessedError | undefined;
      try {
        await bounded.db.putMany(items).catch((e) => void (err = e));
      } finally {
        faults.remove();
        addFaults(faults);
      }
      expect(err).to.be.instanceOf(UnprocessedError);
      const notDone = new Set(err!.unprocessed.map((u) => u.key.id as string));
      const twice = [...heldCounts(log, 'id')].filter(([, n]) => n === 2).map(([k]) => k).sort();
      expect([...notDone].sort()).to.deep.equal(twice);
      expect(notDone.size).to.be.within(1, 299);
      const back = await bounded.db.getMany(Doc, items.map((d) => ({ id: d.id })), { consistent: true });
      const wrong = items.filter((d, i) => (notDone.has(d.id) ? back[i] !== null : JSON.stringify(values(back[i])) !== JSON.stringify(values(d))));
      expect(wrong.map((d) => d.id)).to.deep.equal([]);
      addChecked('bounded putMany items', 300, wrong.length);
      addOperations('bounded putMany', 1);
    });
  });

  it('every fault kind of the mix was injected', () => {
    for (const kind of ['throttle', 'unprocessed', 'resetBefore', 'resetAfter', 'serverError', 'latency'] as const) expect(injected[kind], kind).to.be.greaterThan(0);
  });
});
