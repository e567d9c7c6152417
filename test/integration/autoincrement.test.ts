/**
 * Autoincrement keys against DynamoDB Local: ids 1..N under concurrency with no duplicates,
 * the counter item and its cost (two writes per first save), explicit ids honoured and
 * skipped over, and the declaration rules.
 */
import { expect } from 'chai';
import { AUTOINCREMENT_COUNTER_KEY, Model, SchemaError, ValidationError, number, string } from '../../src/index.js';
import { testDb } from '../harness/db.js';

const { db, counter, drop } = testDb('autoinc-');

class Ticket extends Model({
  table: 'tickets',
  key: { hash: 'id' },
  autoincrement: true,
  attributes: { id: number(), title: string() },
}) {}

class VersionedTicket extends Model({
  table: 'vtickets',
  key: { hash: 'id' },
  autoincrement: true,
  version: 'v',
  attributes: { id: number(), title: string(), v: number() },
}) {}

const models = [Ticket, VersionedTicket];

describe('autoincrement keys (DynamoDB Local)', () => {
  before(() => db.createTables(models));
  after(() => drop(models));
  beforeEach(() => counter.reset());

  it('gives new items ids 1..N under concurrency, with no duplicates; two writes per first save', async () => {
    const tickets = Array.from({ length: 60 }, (_, i) => new Ticket({ title: `t${i}` }));
    await Promise.all(tickets.map((t) => t.save({ db })));
    const ids = tickets.map((t) => t.id).sort((a, b) => a - b);
    expect(ids).to.deep.equal(Array.from({ length: 60 }, (_, i) => i + 1));
    expect(counter.counts()).to.deep.equal({ UpdateItemCommand: 60, PutItemCommand: 60 });
    const stored = await Ticket.scan({ db, consistent: true }).filter({ id: { gt: 0 } }).all();
    expect(stored).to.have.length(60);
    expect(new Set(stored.map((t) => t.title)).size).to.equal(60);
    // The counter lives at the reserved key.
    const raw = await db.connection.doc.send(new (await import('@aws-sdk/lib-dynamodb')).GetCommand({ TableName: 'autoinc-tickets', Key: { id: AUTOINCREMENT_COUNTER_KEY } }));
    expect(raw.Item).to.deep.equal({ id: -1, _lastId: 60 });
    // A saved instance keeps its id: the next save is an ordinary put.
    counter.reset();
    tickets[0].title = 'renamed';
    await tickets[0].save();
    expect(counter.counts()).to.deep.equal({ PutItemCommand: 1 });
  });

  it('honours an explicit id, and skips ids taken by explicit ones', async () => {
    await new Ticket({ id: 62, title: 'explicit' }).save({ db });
    expect(counter.counts()).to.deep.equal({ PutItemCommand: 1 });
    const a = await new Ticket({ title: 'a' }).save({ db });
    const b = await new Ticket({ title: 'b' }).save({ db });
    expect([a.id, b.id]).to.deep.equal([61, 63]);
    expect((await Ticket.get({ id: 62 }, { db }))!.title).to.equal('explicit');
  });

  it('validates before using up an id', async () => {
    counter.reset();
    const bad = new Ticket({ title: 3 as never });
    const err = await bad.save({ db }).then(() => expect.fail('saved'), (e: unknown) => e);
    expect(err).to.be.instanceOf(ValidationError);
    expect(counter.total()).to.equal(0);
    expect(bad.id).to.equal(undefined);
  });

  it('works with versions: a new item is created at version 1', async () => {
    const t = await new VersionedTicket({ title: 'v' }).save({ db });
    expect(t.id).to.equal(1);
    expect(t.v).to.equal(1);
    t.title = 'v2';
    await t.save();
    expect((await VersionedTicket.get({ id: 1 }, { db }))!.v).to.equal(2);
  });

  it('is refused for a table with a range key or a non-number hash key', () => {
    expect(() => Model({ table: 'x', key: { hash: 'id', range: 'r' }, autoincrement: true, attributes: { id: number(), r: string() } }))
      .to.throw(SchemaError, /autoincrement needs a hash-only table; "r" is a range key/);
    expect(() => Model({ table: 'x', key: { hash: 'id' }, autoincrement: true, attributes: { id: string() } }))
      .to.throw(SchemaError, /autoincrement needs a number\(\) hash key/);
  });
});
