/**
 * Maintained counts against DynamoDB Local: a to-many edge's `counter` moves in the same
 * TransactWriteItems as each create and delete of a child through dynagraph (creates are
 * creates: a second save of the same key counts nothing), merges within one transaction,
 * keeps a session from serving the parent stale, and `recount` repairs drift made with
 * raw SDK writes, reporting it.
 */
import { expect } from 'chai';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { gsi, ItemExistsError, manyToOne, MissingTargetError, Model, number, oneToMany, recount, SchemaError, string, Transaction, transactor, ValidationError, type Transactor } from '../../src/index.js';
import { testDb } from '../harness/db.js';
import { caught } from '../harness/caught.js';
import { recordInputs } from '../harness/faults.js';

class Board extends Model({ table: 'boards', key: { hash: 'name' }, attributes: { name: string(), postCount: number().default(0) } }) {
  posts = oneToMany(() => Post, { query: (b: Board) => ({ board_name: b.name }), inverse: 'board', counter: 'postCount' });
}

class Post extends Model({ table: 'posts', key: { hash: 'board_name', range: 'n' }, attributes: { board_name: string(), n: number(), text: string().default('') } }) {
  board = manyToOne(() => Board, { query: (p: Post) => ({ name: p.board_name }), backQuery: (b: Board) => ({ board_name: b.name }) });
}

class Queue extends Model({ table: 'queues', key: { hash: 'name' }, attributes: { name: string(), ticketCount: number().default(0) } }) {
  tickets = oneToMany(() => Ticket, { index: 'byQueue', query: (q: Queue) => ({ queue_name: q.name }), inverse: 'queue', counter: 'ticketCount' });
}

class Ticket extends Model({
  table: 'tickets', key: { hash: 'id' }, autoincrement: true,
  attributes: { id: number(), queue_name: string() },
  indexes: { byQueue: gsi({ hash: 'queue_name', range: 'id' }) },
}) {
  queue = manyToOne(() => Queue, { query: (t: Ticket) => ({ name: t.queue_name }) });
}

/** The retrying engine creating a post: its commit carries the count too. */
class CreatePost extends Transaction {
  override transient = true;
  constructor(readonly board: string) {
    super('tests');
  }
  protected transactors(): Transactor[] {
    return [transactor(() => new Post({ board_name: this.board, n: 1 }), (p) => void (p.text = 'by the engine'))];
  }
}

const models = [Board, Post, Queue, Ticket];
const { db, counter, drop } = testDb('counters-', { retry: { baseDelayMs: 1 } });
const spy = recordInputs(db.connection.client);
const count = async (name: string) => (await Board.get({ name }, { db, consistent: true }))!.postCount;
const stored = (name: string) => Post.query({ board_name: name }, { db, consistent: true }).count();

describe('counters: counts kept with the edges (DynamoDB Local)', () => {
  before(async function () {
    this.timeout(60_000);
    await db.createTables(models);
    await Board.putMany([{ name: 'a' }, { name: 'b' }, { name: 'c' }], { db });
  });
  after(() => drop(models));
  beforeEach(() => counter.reset());

  it('a create is one TransactWriteItems: the Put and ADD postCount 1 on the board', async () => {
    const from = spy.sent.length;
    await new Post({ board_name: 'a', n: 1 }).save({ db });
    expect(counter.counts()).to.deep.equal({ TransactWriteItemsCommand: 1 });
    const tx = spy.sent.slice(from)[0].input.TransactItems as Record<string, any>[];
    expect(tx.map((i) => Object.keys(i)[0])).to.deep.equal(['Put', 'Update']);
    expect(tx[0].Put.ConditionExpression).to.contain('attribute_not_exists');
    expect(tx[1].Update.UpdateExpression).to.match(/^ADD /);
    expect(await count('a')).to.equal(1);
  });

  it('a second create of the same key fails and counts nothing; re-saving the stored instance counts nothing', async () => {
    const err = await caught<any>(new Post({ board_name: 'a', n: 1, text: 'again' }).save({ db }));
    expect(err).to.be.instanceOf(ItemExistsError);
    const p = new Post({ board_name: 'a', n: 2 });
    await p.save({ db });
    p.text = 'edited';
    counter.reset();
    await p.save();
    expect(counter.counts()).to.deep.equal({ PutItemCommand: 1 });
    expect(await count('a')).to.equal(2);
  });

  it('refuses overwrite: true on a counted create before any request', async () => {
    const err = await caught<any>(new Post({ board_name: 'a', n: 9 }).save({ db, overwrite: true }));
    expect(err).to.be.instanceOf(ValidationError);
    expect(err.message).to.contain('Board.posts');
    expect(counter.total()).to.equal(0);
  });

  it('a post to a missing board fails naming it, with nothing written', async () => {
    const err = await caught<any>(new Post({ board_name: 'nope', n: 1 }).save({ db }));
    expect(err).to.be.instanceOf(MissingTargetError);
    expect(err.message).to.contain('Board.posts').and.contain('nope');
    expect(await stored('nope')).to.equal(0);
  });

  it('deletes decrement once: instance delete, a second delete of the same item, Model.delete by key', async () => {
    const p = (await Post.get({ board_name: 'a', n: 2 }, { db }))!;
    const twin = (await Post.get({ board_name: 'a', n: 2 }, { db }))!;
    await p.delete();
    expect(await count('a')).to.equal(1);
    await twin.delete();
    expect(await count('a')).to.equal(1);
    counter.reset();
    await Post.delete({ board_name: 'a', n: 1 }, { db });
    expect(counter.counts()).to.deep.equal({ GetItemCommand: 1, TransactWriteItemsCommand: 1 });
    expect(await count('a')).to.equal(0);
    await Post.delete({ board_name: 'a', n: 1 }, { db });
    expect(await count('a')).to.equal(0);
  });

  it('two posts of one board in one db.transactWrite make one ADD postCount 2', async () => {
    const from = spy.sent.length;
    await db.transactWrite((tx) => {
      tx.put(new Post({ board_name: 'b', n: 1 }));
      tx.put(new Post({ board_name: 'b', n: 2 }));
    });
    const tx = spy.sent.slice(from)[0].input.TransactItems as Record<string, any>[];
    expect(tx.map((i) => Object.keys(i)[0])).to.deep.equal(['Put', 'Put', 'Update']);
    expect(Object.values(tx[2].Update.ExpressionAttributeValues as object)).to.include(2);
    expect(await count('b')).to.equal(2);
  });

  it('the dry run of a transaction shows the count; nothing is sent', async () => {
    counter.reset();
    const [dry] = await db.transactWriteParams((tx) => { tx.put(new Post({ board_name: 'b', n: 50 })); });
    const items = (dry.input as { TransactItems: Record<string, unknown>[] }).TransactItems;
    expect(items.map((i) => Object.keys(i)[0])).to.deep.equal(['Put', 'Update']);
    expect(counter.total()).to.equal(0);
  });

  it('a session does not serve the board stale after a post through it', async () => {
    const s = db.session();
    const board = (await s.get(Board, { name: 'b' }))!;
    expect(board.postCount).to.equal(2);
    const post = new Post({ board_name: 'b', n: 3 });
    await s.transactWrite((tx) => { tx.put(post); });
    expect((await s.get(Board, { name: 'b' }))!.postCount).to.equal(3);
    await post.delete();
    expect((await s.get(Board, { name: 'b' }))!.postCount).to.equal(2);
  });

  it('20 concurrent posts and deletes leave the count exact', async () => {
    await Promise.all(Array.from({ length: 20 }, (_, i) => new Post({ board_name: 'c', n: i }).save({ db })));
    await Promise.all(Array.from({ length: 8 }, (_, i) => Post.delete({ board_name: 'c', n: i * 2 }, { db })));
    expect(await count('c')).to.equal(12);
    expect(await stored('c')).to.equal(12);
  });

  it('an autoincrement child is counted: each id is tried as a create with the count', async () => {
    await Queue.put({ name: 'q' }, { db });
    // An id taken by an explicitly keyed ticket is skipped (its create fails, nothing counted).
    await new Ticket({ id: 1, queue_name: 'q' }).save({ db });
    const tickets = [new Ticket({ queue_name: 'q' }), new Ticket({ queue_name: 'q' })];
    for (const t of tickets) await t.save({ db });
    expect(tickets.map((t) => t.id)).to.deep.equal([2, 3]);
    expect((await Queue.get({ name: 'q' }, { db, consistent: true }))!.ticketCount).to.equal(3);
    const err = await caught<any>(new Ticket({ queue_name: 'none' }).save({ db }));
    expect(err).to.be.instanceOf(MissingTargetError);
  });

  it('a save that moves a ticket to another queue moves the count, in one transaction', async () => {
    await Queue.put({ name: 'q2' }, { db });
    const ticket = (await Ticket.get({ id: 2 }, { db }))!;
    ticket.queue_name = 'q2';
    const from = spy.sent.length;
    await ticket.save();
    const tx = spy.sent.slice(from).map((r) => r.command);
    expect(tx).to.deep.equal(['TransactWriteItemsCommand']);
    expect((spy.sent[from].input.TransactItems as Record<string, unknown>[]).map((i) => Object.keys(i)[0])).to.deep.equal(['Put', 'Update', 'Update']);
    const counts = async () => (await db.getMany(Queue, [{ name: 'q' }, { name: 'q2' }], { consistent: true })).map((q) => q!.ticketCount);
    expect(await counts()).to.deep.equal([2, 1]);
    // A partial save moving it back; then a save that changes nothing else counts nothing.
    ticket.queue_name = 'q';
    await ticket.save({ partial: true });
    expect(await counts()).to.deep.equal([3, 0]);
    counter.reset();
    await ticket.save();
    expect(counter.counts()).to.deep.equal({ PutItemCommand: 1 });
    ticket.queue_name = 'gone';
    expect(await caught<any>(ticket.save())).to.be.instanceOf(MissingTargetError);
    expect((await Ticket.get({ id: 2 }, { db, consistent: true }))!.queue_name).to.equal('q');
    expect(await counts()).to.deep.equal([3, 0]);
  });

  it('a post created by the retrying engine is counted in its commit; a missing board fails at once', async () => {
    await Board.put({ name: 'e' }, { db });
    counter.reset();
    await new CreatePost('e').commit({ db });
    expect(counter.counts().TransactWriteItemsCommand).to.equal(1);
    expect(await count('e')).to.equal(1);
    counter.reset();
    const err = await caught<any>(new CreatePost('missing').commit({ db }));
    expect(err).to.be.instanceOf(MissingTargetError);
    expect(counter.counts().TransactWriteItemsCommand).to.equal(1);
  });

  describe('recount', () => {
    it('fixes drift made outside dynagraph and reports it; a second run finds nothing', async () => {
      const table = (m: typeof Board | typeof Post) => db.tableName(m.schema);
      // Two posts written raw (not counted), and a counter set wrong raw.
      for (const n of [100, 101]) await db.connection.doc.send(new PutCommand({ TableName: table(Post), Item: { board_name: 'a', n } }));
      await db.connection.doc.send(new UpdateCommand({ TableName: table(Board), Key: { name: 'b' }, UpdateExpression: 'SET postCount = :x', ExpressionAttributeValues: { ':x': 40 } }));
      const boards = (await db.getMany(Board, [{ name: 'a' }, { name: 'b' }, { name: 'c' }]))!.map((b) => b!);
      const dry = await recount(boards, 'posts', { dryRun: true });
      expect(dry.changed).to.have.length(2);
      expect(await count('b')).to.equal(40);
      counter.reset();
      const report = await recount(boards, 'posts');
      expect(report.edge).to.equal('Board.posts');
      expect(report.checked).to.equal(3);
      expect(report.changed.sort((x, y) => String(x.key.name).localeCompare(String(y.key.name)))).to.deep.equal([
        { key: { name: 'a' }, from: 0, to: 2 },
        { key: { name: 'b' }, from: 40, to: 2 },
      ]);
      // Per board: a consistent read and a COUNT Query; one conditional update per drifted board.
      expect(counter.counts()).to.deep.equal({ GetItemCommand: 3, QueryCommand: 3, UpdateItemCommand: 2 });
      expect(await count('a')).to.equal(2);
      expect(await count('b')).to.equal(2);
      expect((await recount(boards, 'posts')).changed).to.deep.equal([]);
    });

    it('refuses an edge without a counter', async () => {
      const posts = await Post.query({ board_name: 'a' }, { db }).all();
      const err = await caught<any>(recount(posts, 'board' as never));
      expect(err).to.be.instanceOf(SchemaError);
    });
  });
});
