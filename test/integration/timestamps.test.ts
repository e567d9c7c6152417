/**
 * The `timestamps` option against DynamoDB Local: createdAt set once and carried by later
 * puts, updatedAt set by every write — full and partial saves, updates by instance and by
 * key (upserts create createdAt only where absent), batch puts and transactions — with
 * versioned models still checked and advanced.
 */
import { expect } from 'chai';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { Model, SchemaError, date, number, string } from '../../src/index.js';
import { testDb } from '../harness/db.js';
import { recordInputs } from '../harness/faults.js';

const { db, drop } = testDb('timestamps-');
const spy = recordInputs(db.connection.client);

class Post extends Model({ table: 'posts', key: { hash: 'id' }, attributes: { id: string(), title: string(), views: number().default(0) }, timestamps: true }) {}
class Doc extends Model({
  table: 'docs', key: { hash: 'id' }, attributes: { id: string(), body: string(), version: number() }, version: 'version', timestamps: true,
}) {}
class Renamed extends Model({
  table: 'renamed', key: { hash: 'id' },
  attributes: { id: string(), note: string().optional(), modified: date({ format: 'epoch' }).optional() },
  timestamps: { createdAt: 'created', updatedAt: 'modified' },
}) {}

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const stored = async (table: string, id: string) =>
  (await db.connection.doc.send(new GetCommand({ TableName: `timestamps-${table}`, Key: { id }, ConsistentRead: true }))).Item!;
const tick = () => new Promise((r) => setTimeout(r, 5));
const sentUpdates = () => spy.sent.filter((s) => s.command === 'UpdateItemCommand').map((s) => s.input as { UpdateExpression: string; ExpressionAttributeNames: Record<string, string> });
const namesIn = (u: { UpdateExpression: string; ExpressionAttributeNames: Record<string, string> }) =>
  Object.entries(u.ExpressionAttributeNames).filter(([p]) => u.UpdateExpression.includes(p)).map(([, n]) => n).sort();

describe('timestamps (DynamoDB Local)', () => {
  before(() => db.createTables([Post, Doc, Renamed]));
  after(() => drop([Post, Doc, Renamed]));
  beforeEach(() => void (spy.sent.length = 0));

  it('are attributes of the model, optional on construction', () => {
    expect(Post.schema.names).to.include.members(['createdAt', 'updatedAt']);
    expect(Post.schema.attributes.createdAt.kind).to.equal('date');
    const p = new Post({ id: 'x', title: 't' });
    expect(p.createdAt).to.equal(undefined);
    expect(() => Model({ table: 't', key: { hash: 'id' }, attributes: { id: string(), createdAt: string() }, timestamps: true })).to.throw(SchemaError, /must be a date/);
    expect(() => Model({ table: 't', key: { hash: 'id' }, attributes: { id: string() }, timestamps: { createdAt: 'at', updatedAt: 'at' } })).to.throw(SchemaError);
  });

  it('a first save sets both to the same time, stored as ISO strings; a later put keeps createdAt', async () => {
    const p = new Post({ id: 'a', title: 'first' });
    await p.save({ db });
    expect(p.createdAt).to.be.instanceOf(Date);
    expect(p.updatedAt.getTime()).to.equal(p.createdAt.getTime());
    const item = await stored('posts', 'a');
    expect(item.createdAt).to.match(ISO).and.equal(p.createdAt.toISOString());
    expect(item.updatedAt).to.equal(item.createdAt);
    expect(p.isDirty()).to.equal(false);

    await tick();
    const loaded = (await Post.get({ id: 'a' }, { db, consistent: true }))!;
    expect(loaded.createdAt.getTime()).to.equal(p.createdAt.getTime());
    loaded.title = 'second';
    await loaded.save();
    const after = await stored('posts', 'a');
    expect(after.createdAt).to.equal(item.createdAt);
    expect(after.updatedAt > item.updatedAt).to.equal(true);
    expect(loaded.updatedAt.toISOString()).to.equal(after.updatedAt);
    // The instance that did the first save carries its createdAt into its next put too.
    await tick();
    await p.save();
    expect((await stored('posts', 'a')).createdAt).to.equal(item.createdAt);
  });

  it('an explicit createdAt on a new instance is kept (imports), updatedAt is always the write time', async () => {
    const then = new Date('2020-02-02T00:00:00.000Z');
    const p = await Post.put({ id: 'imported', title: 'old', createdAt: then, updatedAt: then }, { db });
    expect(p.createdAt.toISOString()).to.equal(then.toISOString());
    expect(p.updatedAt.getTime()).to.be.greaterThan(then.getTime());
  });

  it('a partial save sends only the change and updatedAt; nothing changed sends nothing', async () => {
    const p = await Post.put({ id: 'partial', title: 'a' }, { db });
    const before = await stored('posts', 'partial');
    await tick();
    spy.sent.length = 0;
    p.views = 5;
    await p.save({ partial: true });
    expect(sentUpdates().map(namesIn)).to.deep.equal([['updatedAt', 'views']]);
    const after = await stored('posts', 'partial');
    expect(after.createdAt).to.equal(before.createdAt);
    expect(after.updatedAt > before.updatedAt).to.equal(true);
    expect(p.updatedAt.toISOString()).to.equal(after.updatedAt);
    spy.sent.length = 0;
    await p.save({ partial: true });
    expect(spy.sent).to.have.length(0);
  });

  it('update() by instance and Model.update by key set updatedAt; an upsert sets createdAt only where absent', async () => {
    const p = await Post.put({ id: 'upd', title: 'a' }, { db });
    const created = p.createdAt.toISOString();
    await tick();
    spy.sent.length = 0;
    await p.update({ add: { views: 1 } });
    expect(sentUpdates().map(namesIn)).to.deep.equal([['updatedAt', 'views']]);
    expect(p.updatedAt.toISOString()).to.equal((await stored('posts', 'upd')).updatedAt);
    expect(p.createdAt.toISOString()).to.equal(created);

    await tick();
    const byKey = await Post.update({ id: 'upd' }, { set: { title: 'b' } }, { db });
    expect(byKey.createdAt.toISOString()).to.equal(created);
    expect(byKey.updatedAt.getTime()).to.be.greaterThan(p.updatedAt.getTime());

    const fresh = await Post.update({ id: 'upserted' }, { set: { title: 'new' }, add: { views: 1 } }, { db, upsert: true });
    expect(fresh.createdAt).to.be.instanceOf(Date);
    expect(fresh.updatedAt.getTime()).to.equal(fresh.createdAt.getTime());
    await tick();
    const again = await Post.update({ id: 'upserted' }, { add: { views: 1 } }, { db, upsert: true });
    expect(again.createdAt.getTime()).to.equal(fresh.createdAt.getTime());
    expect(again.updatedAt.getTime()).to.be.greaterThan(fresh.updatedAt.getTime());

    // The caller's own value wins (no second action on the same path).
    const at = new Date('2021-01-01T00:00:00.000Z');
    const own = await Post.update({ id: 'upserted' }, { set: { updatedAt: at } }, { db });
    expect(own.updatedAt.toISOString()).to.equal(at.toISOString());
  });

  it('batch puts stamp every item', async () => {
    const [a, b] = await Post.putMany([{ id: 'b1', title: 'x' }, new Post({ id: 'b2', title: 'y' })], { db });
    expect(a.createdAt).to.be.instanceOf(Date);
    expect((await stored('posts', 'b2')).updatedAt).to.equal(b.updatedAt.toISOString());
  });

  it('transactions stamp tx.put (whole and partial) and tx.update (instance and key)', async () => {
    const fresh = new Post({ id: 'tx1', title: 'a' });
    const old = await Post.put({ id: 'tx2', title: 'a' }, { db });
    const other = await Post.put({ id: 'tx3', title: 'a' }, { db });
    const oldCreated = (await stored('posts', 'tx2')).createdAt;
    await tick();
    old.title = 'b';
    await db.transactWrite((tx) => {
      tx.put(fresh);
      tx.put(old, { partial: true });
      tx.update(other, { add: { views: 2 } });
      tx.update([Post, { id: 'b1' }], { set: { title: 'z' } });
    });
    const [s1, s2, s3, s4] = await Promise.all(['tx1', 'tx2', 'tx3', 'b1'].map((id) => stored('posts', id)));
    expect(s1.createdAt).to.match(ISO).and.equal(s1.updatedAt);
    expect(fresh.createdAt.toISOString()).to.equal(s1.createdAt);
    expect(s2.createdAt).to.equal(oldCreated);
    expect(s2.updatedAt > oldCreated).to.equal(true);
    expect(old.updatedAt.toISOString()).to.equal(s2.updatedAt);
    expect(other.updatedAt.toISOString()).to.equal(s3.updatedAt);
    expect(s3.updatedAt > s3.createdAt).to.equal(true);
    expect(s4.updatedAt > s4.createdAt).to.equal(true);
    expect(s4.title).to.equal('z');
  });

  it('a versioned model keeps its checks; an unchecked save of a new instance keeps a stored createdAt', async () => {
    const d = new Doc({ id: 'v', body: 'a' });
    await d.save({ db });
    expect(d.version).to.equal(1);
    const created = d.createdAt.toISOString();
    await tick();
    d.body = 'b';
    await d.save();
    expect(d.version).to.equal(2);
    expect(d.createdAt.toISOString()).to.equal(created);
    expect(d.updatedAt.toISOString()).to.equal((await stored('docs', 'v')).updatedAt);
    await d.update({ set: { body: 'c' } });
    expect(d.version).to.equal(3);
    // A blind unchecked save of a new instance is an UpdateItem: createdAt where absent only.
    await tick();
    const blind = new Doc({ id: 'v', body: 'blind' });
    await blind.save({ db, ignoreVersion: true });
    const item = await stored('docs', 'v');
    expect(item).to.include({ body: 'blind', version: 4, createdAt: created });
    expect(blind.createdAt.toISOString()).to.equal(created);
    await new Doc({ id: 'v2', body: 'x' }).save({ db, ignoreVersion: true });
    expect((await stored('docs', 'v2')).createdAt).to.match(ISO);
  });

  it('renamed timestamps follow their declared stored form (epoch seconds for a declared date)', async () => {
    const r = await Renamed.put({ id: 'r' }, { db });
    const item = await stored('renamed', 'r');
    expect(item.created).to.match(ISO);
    expect(item.modified).to.be.a('number');
    expect(r.modified!.getTime()).to.equal(Number(item.modified) * 1000);
    expect(item).to.not.have.property('createdAt');
    expect(item).to.not.have.property('updatedAt');
  });
});
