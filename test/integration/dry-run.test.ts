/**
 * Dry runs against what the send point really sends: each operation's `…Params()` is taken
 * first (no request may go out), then the operation runs and the recorded inputs must equal
 * the dry run — but for the random parts (write marks, lineages, a transaction's token when
 * not given), which are masked on both sides.
 */
import { expect } from 'chai';
import {
  Model, number, string, gsi, batchGetParams, writeManyParams, transactWriteParams, transactGetParams,
  type DryRunRequest,
} from '../../src/index.js';
import { testDb } from '../harness/db.js';
import { recordInputs } from '../harness/faults.js';

const { db, counter, drop } = testDb('dryrun-');
const spy = recordInputs(db.connection.client);

class Author extends Model({
  table: 'authors',
  key: { hash: 'name' },
  attributes: { name: string(), email: string().optional(), n: number() },
}) {}

class Post extends Model({
  table: 'posts',
  key: { hash: 'forum', range: 'id' },
  attributes: { forum: string(), id: number(), author: string(), score: number() },
  indexes: { byAuthor: gsi({ hash: 'author', range: 'score', projection: 'keys' }) },
}) {}

class Doc extends Model({
  table: 'docs',
  key: { hash: 'id' },
  version: 'v',
  attributes: { id: string(), body: string(), v: number() },
}) {}

class Ticket extends Model({
  table: 'tickets',
  key: { hash: 'id' },
  autoincrement: true,
  attributes: { id: number(), title: string() },
}) {}

const models = [Author, Post, Doc, Ticket];

/** Masks write marks (`"<version>:<id>"`), lineages (12 base64url characters) and, with `token`, ClientRequestToken. */
function mask(value: unknown, key = ''): unknown {
  if (typeof value === 'string') {
    if (/^\d+:[A-Za-z0-9_-]{16}$/.test(value)) return '<mark>';
    if (/^[A-Za-z0-9_-]{12}$/.test(value) && /[A-Z0-9_-]/.test(value) && /[a-z]/.test(value)) return '<lineage>';
    return value;
  }
  if (Array.isArray(value)) return value.map((v) => mask(v));
  if (value instanceof Set || value instanceof Uint8Array || value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === 'ClientRequestToken' && key === 'anyToken' ? '<token>' : mask(v, k)]));
}

/** Runs `op` and checks that it sent exactly `planned`; `anyToken` masks a generated token. */
async function sendsExactly(planned: DryRunRequest[], op: () => Promise<unknown>, anyToken = false): Promise<void> {
  expect(counter.total(), 'a dry run sends nothing').to.equal(0);
  spy.sent.length = 0;
  await op();
  const sent = spy.sent.map((s) => ({ command: s.command, input: mask(s.input, anyToken ? 'anyToken' : '') }));
  const want = planned.map((p) => ({ command: `${p.command}Command`, input: mask(JSON.parse(JSON.stringify(p.input)), anyToken ? 'anyToken' : '') }));
  expect(JSON.parse(JSON.stringify(sent))).to.deep.equal(want);
}

describe('dry runs: …Params() equals what is sent (DynamoDB Local)', () => {
  before(() => db.createTables(models));
  after(() => drop(models));
  beforeEach(() => {
    counter.reset();
    spy.sent.length = 0;
  });

  it('get, with projection and consistency', async () => {
    await new Author({ name: 'ann', n: 1 }).save({ db });
    counter.reset();
    const planned = Author.getParams({ name: 'ann' }, { db, consistent: true, projection: ['n'] });
    expect(planned).to.have.length(1);
    expect(planned[0].command).to.equal('GetItem');
    expect(planned[0].input).to.include({ ReturnConsumedCapacity: 'TOTAL', ConsistentRead: true });
    expect(planned[0].input).to.have.property('ExpressionAttributeNames');
    await sendsExactly(planned, () => Author.get({ name: 'ann' }, { db, consistent: true, projection: ['n'] }));
  });

  it('put and save (full, conditional; partial; nothing changed)', async () => {
    await sendsExactly(Author.putParams({ name: 'bob', n: 2 }, { db, overwrite: false }), () => Author.put({ name: 'bob', n: 2 }, { db, overwrite: false }));
    const bob = (await Author.get({ name: 'bob' }, { db }))!;
    counter.reset();
    bob.n = 3;
    bob.email = 'b@example.com';
    const partial = bob.saveParams({ db, partial: true, expectUnchanged: true });
    expect(partial.map((p) => p.command)).to.deep.equal(['UpdateItem']);
    expect(partial[0].input).to.include({ ReturnValues: 'ALL_NEW' });
    await sendsExactly(partial, () => bob.save({ db, partial: true, expectUnchanged: true }));
    expect(bob.saveParams({ db, partial: true })).to.deep.equal([]);
    bob.n = 4;
    counter.reset();
    await sendsExactly(bob.saveParams({ db, condition: { n: 3 } }), () => bob.save({ db, condition: { n: 3 } }));
  });

  it('updates and deletes, by instance and by key', async () => {
    const cid = await Author.put({ name: 'cid', n: 1 }, { db });
    counter.reset();
    await sendsExactly(cid.updateParams({ add: { n: 1 } }, { db }), () => cid.update({ add: { n: 1 } }, { db }));
    counter.reset();
    const byKey = Author.updateParams({ name: 'cid' }, { set: { email: 'c@example.com' } }, { db, returnValues: 'updatedNew', condition: { n: 2 } });
    expect(byKey[0].input).to.include({ ReturnValues: 'UPDATED_NEW' });
    await sendsExactly(byKey, () => Author.update({ name: 'cid' }, { set: { email: 'c@example.com' } }, { db, returnValues: 'updatedNew', condition: { n: 2 } }));
    counter.reset();
    const upsert = Author.updateParams({ name: 'dee' }, { set: { n: 7 } }, { db, upsert: true, returnValues: 'none' });
    expect(upsert[0].input).to.not.have.property('ReturnValues');
    await sendsExactly(upsert, () => Author.update({ name: 'dee' }, { set: { n: 7 } }, { db, upsert: true, returnValues: 'none' }));
    counter.reset();
    await sendsExactly(Author.deleteParams({ name: 'dee' }, { db, expect: { n: 7 } }), () => Author.delete({ name: 'dee' }, { db, expect: { n: 7 } }));
    counter.reset();
    await sendsExactly(cid.deleteParams({ db }), () => cid.delete({ db }));
  });

  it('versioned saves and updates carry the version check and a write mark', async () => {
    const doc = new Doc({ id: 'd1', body: 'one' });
    const first = doc.saveParams({ db });
    expect(first[0].command).to.equal('PutItem');
    expect(JSON.stringify(first[0].input)).to.match(/_w1/);
    await sendsExactly(first, () => doc.save({ db }));
    doc.body = 'two';
    counter.reset();
    await sendsExactly(doc.saveParams({ db, partial: true }), () => doc.save({ db, partial: true }));
    counter.reset();
    await sendsExactly(doc.updateParams({ set: { body: 'three' } }, { db }), () => doc.update({ set: { body: 'three' } }, { db }));
    counter.reset();
    const unchecked = doc.saveParams({ db, ignoreVersion: true });
    expect(unchecked[0].command).to.equal('UpdateItem');
    await sendsExactly(unchecked, () => doc.save({ db, ignoreVersion: true }));
    counter.reset();
    await sendsExactly(Doc.updateParams({ id: 'd1' }, { set: { body: 'four' } }, { db, expectVersion: doc.v }), () => Doc.update({ id: 'd1' }, { set: { body: 'four' } }, { db, expectVersion: doc.v }));
  });

  it('a moved key: one TransactWriteItems (its token is random unless given)', async () => {
    const fay = await Author.put({ name: 'fay', n: 1 }, { db });
    fay.name = 'fay2';
    counter.reset();
    const planned = fay.saveParams({ db, onKeyChange: 'move', token: 'move-1' });
    expect(planned.map((p) => p.command)).to.deep.equal(['TransactWriteItems']);
    expect(planned[0].input).to.include({ ClientRequestToken: 'move-1' });
    await sendsExactly(planned, () => fay.save({ db, onKeyChange: 'move' }), true);
    expect(await Author.get({ name: 'fay' }, { db, consistent: true })).to.equal(null);
  });

  it('an autoincrement save: the counter UpdateItem, then the put under the id given', async () => {
    await Ticket.put({ title: 'first' }, { db });
    counter.reset();
    expect(Ticket.nextIdParams({ db })[0].input).to.deep.include({ Key: { id: -1 }, ReturnValues: 'UPDATED_NEW', ReturnConsumedCapacity: 'TOTAL' });
    const t = new Ticket({ title: 'second' });
    const planned = t.saveParams({ db, nextId: 2 });
    expect(planned.map((p) => p.command)).to.deep.equal(['UpdateItem', 'PutItem']);
    expect(t.id).to.equal(undefined);
    await sendsExactly(planned, () => t.save({ db }));
    expect(t.id).to.equal(2);
  });

  it('query and scan pages, with a cursor; count; parallel scan segments', async () => {
    await Post.putMany(Array.from({ length: 5 }, (_, i) => ({ forum: 'f', id: i, author: i % 2 ? 'ann' : 'bob', score: i })), { db });
    counter.reset();
    const q = Post.query({ forum: 'f', id: { gt: 0 } }, { db }).reverse();
    const page = q.params({ limit: 2 });
    expect(page[0].command).to.equal('Query');
    expect(page[0].input).to.include({ Limit: 2, ScanIndexForward: false, ReturnConsumedCapacity: 'TOTAL' });
    let cursor: string | undefined;
    await sendsExactly(page, async () => void ({ cursor } = await q.page({ limit: 2 })));
    counter.reset();
    const next = q.params({ limit: 2, cursor });
    expect(next[0].input).to.have.property('ExclusiveStartKey');
    await sendsExactly(next, () => q.page({ limit: 2, cursor }));
    counter.reset();
    const filtered = Post.scan({ db }).filter({ score: { ge: 3 } });
    await sendsExactly(filtered.params({ read: 'count' }), () => filtered.count());
    counter.reset();
    const parallel = Post.scan({ db, segments: 2 });
    const segments = parallel.params({ read: 'all' });
    expect(segments.map((s) => (s.input as { Segment?: number }).Segment)).to.deep.equal([0, 1]);
    spy.sent.length = 0;
    await parallel.all();
    expect(spy.sent.filter((s) => s.command === 'ScanCommand').map((s) => s.input).sort((a, b) => Number(a.Segment) - Number(b.Segment)))
      .to.deep.equal(segments.map((s) => JSON.parse(JSON.stringify(s.input))));
  });

  it('batch get and batch write: every chunk', async () => {
    const keys = Array.from({ length: 130 }, (_, i) => ({ name: `k${i}` }));
    const writes = Author.putManyParams(keys.map((k, i) => ({ ...k, n: i })), { db });
    expect(writes.map((w) => w.command)).to.deep.equal(Array(6).fill('BatchWriteItem'));
    spy.sent.length = 0;
    await Author.putMany(keys.map((k, i) => ({ ...k, n: i })), { db });
    const sentWrites = spy.sent.map((s) => JSON.stringify(s.input)).sort();
    expect(sentWrites).to.deep.equal(writes.map((w) => JSON.stringify(w.input)).sort());
    counter.reset();
    const gets = Author.getManyParams([...keys, keys[0]], { db, consistent: true });
    expect(gets.map((g) => g.command)).to.deep.equal(['BatchGetItem', 'BatchGetItem']);
    spy.sent.length = 0;
    await Author.getMany([...keys, keys[0]], { db, consistent: true });
    expect(spy.sent.map((s) => JSON.stringify(s.input)).sort()).to.deep.equal(gets.map((g) => JSON.stringify(g.input)).sort());
    counter.reset();
    const mixed = batchGetParams(db, { authors: [Author, [{ name: 'k1' }]], posts: [Post, [{ forum: 'f', id: 1 }]] });
    await sendsExactly(mixed, () => db.batchGet({ authors: [Author, [{ name: 'k1' }]], posts: [Post, [{ forum: 'f', id: 1 }]] }));
    counter.reset();
    const deletes = writeManyParams(db, [{ delete: [Author, { name: 'k1' }] }, { put: new Post({ forum: 'f', id: 9, author: 'x', score: 0 }) }]);
    await sendsExactly(deletes, () => db.writeMany([{ delete: [Author, { name: 'k1' }] }, { put: new Post({ forum: 'f', id: 9, author: 'x', score: 0 }) }]));
  });

  it('transactions: TransactWriteItems with the token given (or any), TransactGetItems', async () => {
    const eve = await Author.put({ name: 'eve', n: 1 }, { db });
    counter.reset();
    const build = (tx: Parameters<Parameters<typeof db.transactWrite>[0]>[0]) => {
      tx.update(eve, { add: { n: 1 } });
      tx.put(new Post({ forum: 'g', id: 1, author: 'eve', score: 1 }), { overwrite: false });
    };
    const planned = await transactWriteParams(db, build, { token: 'order-42' });
    expect(planned[0].command).to.equal('TransactWriteItems');
    expect(planned[0].input).to.include({ ClientRequestToken: 'order-42', ReturnConsumedCapacity: 'TOTAL' });
    await sendsExactly(planned, () => db.transactWrite(build, { token: 'order-42' }));
    counter.reset();
    const any = await transactWriteParams(db, (tx) => void tx.delete([Post, { forum: 'g', id: 1 }]));
    await sendsExactly(any, () => db.transactWrite((tx) => void tx.delete([Post, { forum: 'g', id: 1 }])), true);
    counter.reset();
    const reads = transactGetParams(db, [[Author, { name: 'eve' }], [Post, { forum: 'f', id: 1 }]]);
    // The same dry runs as methods of the database.
    expect(db.transactGetParams([[Author, { name: 'eve' }], [Post, { forum: 'f', id: 1 }]])).to.deep.equal(reads);
    const byKey = (tx: Parameters<Parameters<typeof db.transactWrite>[0]>[0]) => void tx.delete([Post, { forum: 'g', id: 2 }]);
    expect(await db.transactWriteParams(byKey, { token: 't-1' })).to.deep.equal(await transactWriteParams(db, byKey, { token: 't-1' }));
    const both = { authors: [Author, [{ name: 'k1' }]], posts: [Post, [{ forum: 'f', id: 1 }]] } as const;
    expect(db.batchGetParams(both)).to.deep.equal(batchGetParams(db, both));
    expect(db.writeManyParams([{ delete: [Author, { name: 'k1' }] }])).to.deep.equal(writeManyParams(db, [{ delete: [Author, { name: 'k1' }] }]));
    await sendsExactly(reads, () => db.transactGet([[Author, { name: 'eve' }], [Post, { forum: 'f', id: 1 }]]));
  });
});
