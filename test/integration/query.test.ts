/**
 * Queries against DynamoDB Local: pages (by limit and by DynamoDB's 1 MB), cursors across
 * calls, filters with limits, reverse, consistent, projection, count, first, re-iteration,
 * every range operator, GSI / LSI / keys-only hydration / sparse indexes, and attribute
 * names DynamoDB reserves or cannot parse. Shared tables: collection.test.ts.
 */
import { expect } from 'chai';
import { Model, PersistentModel, attr, or, not, gsi, lsi, number, string, DynagraphError } from '../../src/index.js';
import { testDb } from '../harness/db.js';
import { recordInputs } from '../harness/faults.js';
import { caught } from '../harness/caught.js';

const { db, counter, drop } = testDb('query-');
const spy = recordInputs(db.connection.client);

const N = 250;
const pad = (i: number) => `p${String(i).padStart(3, '0')}`;
/** A permutation of 0..249, so index order differs from table order. */
const scoreOf = (i: number) => (i * 37) % N;

class Post extends Model({
  table: 'posts',
  key: { hash: 'forum', range: 'id' },
  attributes: {
    forum: string(), id: string(), n: number(), author: string(), score: number(),
    tag: string(), board: string().optional(), body: string().optional(),
  },
  indexes: {
    byAuthor: gsi({ hash: 'author', range: 'score', projection: 'keys' }),
    byAuthorAll: gsi({ hash: 'author', range: 'n' }),
    byScore: lsi({ range: 'score' }),
    pinned: gsi({ hash: 'board', range: 'id', projection: 'keys', sparse: (p) => p.n % 10 === 0 }),
  },
}) {}

class Big extends Model({ table: 'big', key: { hash: 'pk', range: 'n' }, attributes: { pk: string(), n: number(), blob: string() } }) {}

// Names DynamoDB reserves (data, name, status, count, user) or cannot parse unquoted.
class Weird extends Model({
  table: 'weird', key: { hash: 'data', range: 'count' },
  attributes: {
    data: string(), count: number(), name: string(), status: string(), user: string().optional(),
    'a.b': string(), 'x#y': number(), 'k:v': string(), 'with space': string(), 'ünï': string().optional(),
  },
}) {}

const models = [Post, Big, Weird];
const ids = (xs: readonly { id?: string }[]) => xs.map((x) => x.id);
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => pad(from + i));

describe('query (DynamoDB Local)', () => {
  before(async function () {
    this.timeout(120_000);
    await db.createTables(models);
    await Post.putMany(Array.from({ length: N }, (_, i) => ({
      forum: 'f', id: pad(i), n: i, author: `u${i % 5}`, score: scoreOf(i), tag: i % 3 === 0 ? 'hot' : 'cold', board: 'main',
    })));
    await Post.putMany([{ forum: 'other', id: pad(0), n: 0, author: 'u0', score: 999, tag: 'hot' }]);
    await Big.putMany(Array.from({ length: 10 }, (_, n) => ({ pk: 'big', n, blob: String(n % 10).repeat(350 * 1024) })));
  });
  after(() => drop(models));
  beforeEach(() => {
    counter.reset();
    spy.sent.length = 0;
  });

  it('streams every item of a partition once, in key order, and re-iterates the same query', async () => {
    const q = Post.query({ forum: 'f' });
    const seen: string[] = [];
    for await (const p of q) seen.push(p.id);
    expect(seen).to.deep.equal(range(0, N));
    expect(ids(await q.all())).to.deep.equal(seen);
    expect(counter.counts()).to.deep.equal({ QueryCommand: 2 });
    const first = (await q.all())[7];
    expect(first).to.be.instanceOf(Post);
    expect(first).to.include({ forum: 'f', id: 'p007', n: 7, author: 'u2', score: scoreOf(7), tag: 'cold' });
  });

  it('page({ limit }) pages through 250 items: every page full, cursors chain to the end', async () => {
    const q = Post.query({ forum: 'f' });
    let cursor: string | undefined;
    const pages: string[][] = [];
    do {
      const page = await q.page({ limit: 40, cursor });
      pages.push(ids(page.items) as string[]);
      cursor = page.cursor;
    } while (cursor);
    expect(pages.map((p) => p.length)).to.deep.equal([40, 40, 40, 40, 40, 40, 10]);
    expect(pages.flat()).to.deep.equal(range(0, N));
    expect(counter.counts()).to.deep.equal({ QueryCommand: 7 });
    expect(spy.sent.map((s) => s.input.Limit)).to.deep.equal([40, 40, 40, 40, 40, 40, 40]);
  });

  it('cursors round-trip across separate calls and fresh query objects, covering each item once', async () => {
    const got: string[] = [];
    let cursor: string | undefined;
    let calls = 0;
    do {
      const page = await Post.query({ forum: 'f' }).page({ limit: 33, cursor });
      got.push(...(ids(page.items) as string[]));
      cursor = page.cursor;
      expect(++calls).to.be.below(20);
    } while (cursor);
    expect(got).to.deep.equal(range(0, N));
    expect(calls).to.equal(8);
  });

  it('large items come in 1 MB pages: pages() yields several, all items once; count() pages too', async () => {
    const pages = [];
    for await (const page of Big.query({ pk: 'big' }).pages()) pages.push(page);
    expect(pages.length).to.be.at.least(3);
    for (const page of pages) expect(page.items.length).to.be.within(1, 3);
    for (const page of pages.slice(0, -1)) expect(page.cursor).to.be.a('string');
    expect(pages.at(-1)!.cursor).to.equal(undefined);
    const all = pages.flatMap((p) => p.items);
    expect(all.map((b) => b.n)).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(all.every((b) => b.blob.length === 350 * 1024 && b.blob[0] === String(b.n))).to.equal(true);
    counter.reset();
    expect(await Big.query({ pk: 'big' }).count()).to.equal(10);
    expect(counter.counts().QueryCommand).to.be.at.least(3);
    // A page resumed from a 1 MB boundary picks up exactly where it stopped.
    const rest = await Big.query({ pk: 'big' }).page({ limit: 10, cursor: pages[0].cursor });
    expect(rest.items.map((b) => b.n)).to.deep.equal(all.slice(pages[0].items.length).map((b) => b.n));
  });

  it('a filter with a limit returns exactly `limit` matching items, reading on past filtered pages', async () => {
    const hot = range(0, N).filter((_, i) => i % 3 === 0);
    const q = Post.query({ forum: 'f' }).filter({ tag: 'hot' });
    const got: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await q.page({ limit: 10, cursor });
      if (page.cursor) expect(page.items).to.have.length(10);
      got.push(...ids(page.items) as string[]);
      cursor = page.cursor;
    } while (cursor);
    expect(got).to.deep.equal(hot);
    // evaluationLimit is DynamoDB's Limit: 20 evaluated per request, so the five items past 240 take 13 requests.
    counter.reset();
    const late = Post.query({ forum: 'f' }, { evaluationLimit: 20 }).filter(attr('n').ge(240));
    const p1 = await late.page({ limit: 5 });
    expect(ids(p1.items)).to.deep.equal(range(240, 245));
    expect(counter.counts()).to.deep.equal({ QueryCommand: 13 });
    const p2 = await late.page({ limit: 5, cursor: p1.cursor });
    expect(ids(p2.items)).to.deep.equal(range(245, 250));
    expect(p2.cursor).to.equal(undefined);
    // Filters added with .filter() are ANDed; or / not builders work in filters.
    const both = await Post.query({ forum: 'f' }).filter({ tag: 'hot' }).filter(or({ n: { lt: 7 } }, not(attr('n').lt(243)))).all();
    expect(ids(both)).to.deep.equal(['p000', 'p003', 'p006', 'p243', 'p246', 'p249']);
  });

  it('reverse, first and consistent', async () => {
    expect(ids(await Post.query({ forum: 'f' }).reverse().page({ limit: 3 }).then((p) => p.items))).to.deep.equal(['p249', 'p248', 'p247']);
    expect(ids(await Post.query({ forum: 'f' }, { reverse: true }).all())).to.deep.equal(range(0, N).reverse());
    expect((await Post.query({ forum: 'f' }).first())?.id).to.equal('p000');
    expect((await Post.query({ forum: 'f' }).reverse().first())?.id).to.equal('p249');
    expect(await Post.query({ forum: 'nobody' }).first()).to.equal(null);
    spy.sent.length = 0;
    expect(await Post.query({ forum: 'f' }).consistent().count()).to.equal(N);
    expect(spy.sent.every((s) => s.input.ConsistentRead === true)).to.equal(true);
    // DynamoDB itself refuses consistent reads on a GSI: proof the flag reaches it.
    const err = await caught(Post.query({ author: 'u1' }, { index: 'byAuthorAll' }).consistent().all());
    expect(err.message).to.match(/[Cc]onsistent reads are not supported on global secondary indexes/);
  });

  it('projection returns plain partial objects with the keys', async () => {
    const rows = await Post.query({ forum: 'f', id: { lt: 'p003' } }, { projection: ['author', 'n'] }).all();
    expect(rows).to.deep.equal([
      { forum: 'f', id: 'p000', author: 'u0', n: 0 },
      { forum: 'f', id: 'p001', author: 'u1', n: 1 },
      { forum: 'f', id: 'p002', author: 'u2', n: 2 },
    ]);
    expect(rows[0]).not.to.be.instanceOf(PersistentModel);
    expect(await Post.query({ forum: 'f' }, { projection: ['author'] }).count()).to.equal(N);
  });

  it('count() pages with Select COUNT and applies filters', async () => {
    expect(await Post.query({ forum: 'f' }, { evaluationLimit: 60 }).count()).to.equal(N);
    expect(counter.counts()).to.deep.equal({ QueryCommand: 5 });
    expect(spy.sent.every((s) => s.input.Select === 'COUNT')).to.equal(true);
    expect(await Post.query({ forum: 'f' }).filter({ tag: 'hot' }).count()).to.equal(84);
    expect(await Post.query({ forum: 'nobody' }).count()).to.equal(0);
  });

  it('range conditions: eq, lt, le, gt, ge, between, beginsWith', async () => {
    const q = async (id: unknown) => ids(await Post.query({ forum: 'f', id } as never).all());
    expect(await q('p010')).to.deep.equal(['p010']);
    expect(await q({ eq: 'p011' })).to.deep.equal(['p011']);
    expect(await q({ lt: 'p003' })).to.deep.equal(range(0, 3));
    expect(await q({ le: 'p003' })).to.deep.equal(range(0, 4));
    expect(await q({ gt: 'p246' })).to.deep.equal(range(247, 250));
    expect(await q({ ge: 'p246' })).to.deep.equal(range(246, 250));
    expect(await q({ between: ['p100', 'p104'] })).to.deep.equal(range(100, 105));
    expect(await q({ beginsWith: 'p12' })).to.deep.equal(range(120, 130));
    expect(await q({ beginsWith: 'x' })).to.deep.equal([]);
    // A sort key takes no `ne`: refused before any request.
    counter.reset();
    const err = await caught(Post.query({ forum: 'f', id: { ne: 'p001' } } as never).all());
    expect(err).to.be.instanceOf(DynagraphError).with.property('code').that.is.oneOf(['VALIDATION', 'INVALID_EXPRESSION']);
    expect(counter.total()).to.equal(0);
  });

  it('GSI and LSI queries return items in index order, with range conditions', async () => {
    const byN = await Post.query({ author: 'u3' }, { index: 'byAuthorAll' }).all();
    expect(byN.map((p) => p.n)).to.deep.equal(Array.from({ length: 50 }, (_, k) => 3 + 5 * k));
    expect(byN.every((p) => p instanceof Post && p.tag !== undefined)).to.equal(true);
    const lsi = await Post.query({ forum: 'f', score: { between: [10, 14] } }, { index: 'byScore' }).all();
    expect(lsi.map((p) => p.score)).to.deep.equal([10, 11, 12, 13, 14]);
    expect(lsi.map((p) => p.n)).to.deep.equal([10, 11, 12, 13, 14].map((s) => range(0, N).findIndex((_, i) => scoreOf(i) === s)));
    const paged = await Post.query({ forum: 'f' }, { index: 'byScore' }).page({ limit: 4 });
    const next = await Post.query({ forum: 'f' }, { index: 'byScore' }).page({ limit: 4, cursor: paged.cursor });
    expect([...paged.items, ...next.items].map((p) => p.score)).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('keys-only GSI: hydrated to full instances in index order with one BatchGetItem per page; hydrate: false gives keys', async () => {
    const u1 = range(0, N).map((id, i) => ({ id, i })).filter(({ i }) => i % 5 === 1).sort((a, b) => scoreOf(a.i) - scoreOf(b.i));
    const full = await Post.query({ author: 'u1' }, { index: 'byAuthor' }).all();
    expect(ids(full)).to.deep.equal(u1.map((x) => x.id));
    expect(full.every((p) => p instanceof Post && p.tag === (p.n % 3 === 0 ? 'hot' : 'cold'))).to.equal(true);
    expect(counter.counts()).to.deep.equal({ QueryCommand: 1, BatchGetItemCommand: 1 });
    counter.reset();
    const page = await Post.query({ author: 'u1', score: { ge: 100 } }, { index: 'byAuthor' }).page({ limit: 5 });
    expect(page.items.map((p) => p.score)).to.deep.equal(u1.map((x) => scoreOf(x.i)).filter((s) => s >= 100).slice(0, 5));
    expect(page.items[0].body).to.equal(undefined);
    const keys = await Post.query({ author: 'u1' }, { index: 'byAuthor', hydrate: false }).page({ limit: 3 });
    expect(keys.items).to.deep.equal(u1.slice(0, 3).map(({ id, i }) => ({ forum: 'f', id, author: 'u1', score: scoreOf(i) })));
    expect(keys.items[0]).not.to.be.instanceOf(PersistentModel);
  });

  it('hydrated keys-only pages chain with cursors: one Query and one BatchGetItem per page', async () => {
    const all = ids(await Post.query({ author: 'u2' }, { index: 'byAuthor' }).all());
    counter.reset();
    const got: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await Post.query({ author: 'u2' }, { index: 'byAuthor' }).page({ limit: 7, cursor });
      expect(page.items.every((p) => p instanceof Post && p.author === 'u2')).to.equal(true);
      got.push(...ids(page.items) as string[]);
      cursor = page.cursor;
      pages++;
    } while (cursor);
    expect(got).to.deep.equal(all);
    expect(pages).to.equal(8);
    expect(counter.counts()).to.deep.equal({ QueryCommand: 8, BatchGetItemCommand: 8 });
  });

  it('page() takes 100 items by default; a bad limit is refused before any request', async () => {
    const page = await Post.query({ forum: 'f' }).page();
    expect(ids(page.items)).to.deep.equal(range(0, 100));
    counter.reset();
    for (const limit of [0, -1, 1.5, Number.NaN]) {
      expect(await caught(Post.query({ forum: 'f' }).page({ limit }))).to.be.instanceOf(DynagraphError);
    }
    expect(counter.total()).to.equal(0);
  });

  it('a sparse index holds only the items its predicate keeps', async () => {
    const pinned = await Post.query({ board: 'main' }, { index: 'pinned' }).all();
    expect(ids(pinned)).to.deep.equal(range(0, N).filter((_, i) => i % 10 === 0));
    expect(pinned.every((p) => p.forum === 'f' && p.n % 10 === 0 && p.board === 'main')).to.equal(true);
    expect(await Post.query({ board: 'main' }, { index: 'pinned' }).count()).to.equal(25);
    // The predicate runs on every write: an item that stops qualifying leaves the index.
    const p = (await Post.get({ forum: 'f', id: 'p020' }))!;
    p.n = 21;
    await p.save();
    expect(ids(await Post.query({ board: 'main' }, { index: 'pinned' }).all())).not.to.include('p020');
    p.n = 20;
    await p.save();
    expect(await Post.query({ board: 'main' }, { index: 'pinned' }).count()).to.equal(25);
  });

  it('reserved words and names with . # : space or unicode work in keys, filters and projections', async () => {
    const base = { name: 'n', status: 'open', user: 'u', 'x#y': 0, 'k:v': 'kv', 'with space': 'sp', 'ünï': 'ü' };
    await Weird.putMany(Array.from({ length: 6 }, (_, count) => ({ ...base, data: 'd', count, 'a.b': count % 2 ? 'odd' : 'even', 'x#y': count * 10, status: count < 3 ? 'open' : 'closed' })));
    const odd = await Weird.query({ data: 'd', count: { ge: 1 } }).filter({ 'a.b': 'odd', 'x#y': { gt: 10 }, status: 'closed', 'k:v': 'kv', 'with space': { beginsWith: 's' }, 'ünï': { exists: true } }).all();
    expect(odd.map((w) => w.count)).to.deep.equal([3, 5]);
    const either = await Weird.query({ data: 'd' }).filter(or(attr('name').eq('zz'), attr('user').eq('u'))).filter(attr('x#y').between(10, 20)).count();
    expect(either).to.equal(2);
    const projected = await Weird.query({ data: 'd', count: 4 }, { projection: ['a.b', 'x#y', 'with space', 'status', 'ünï'] }).all();
    expect(projected).to.deep.equal([{ data: 'd', count: 4, 'a.b': 'even', 'x#y': 40, 'with space': 'sp', status: 'closed', 'ünï': 'ü' }]);
    const names = spy.sent.filter((s) => s.command === 'QueryCommand').map((s) => `${s.input.KeyConditionExpression} ${s.input.FilterExpression ?? ''} ${s.input.ProjectionExpression ?? ''}`);
    for (const text of names) expect(text).not.to.match(/\b(data|count|name|status|user)\b|a\.b|x#y|k:v|with space|ünï/);
  });
});
