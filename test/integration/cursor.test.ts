/**
 * Cursors against DynamoDB Local: a cursor works only where it came from (table, index,
 * partition), any change to it is a typed error raised before any request, and with a
 * `cursorSecret` only cursors signed with that secret are accepted.
 */
import { expect } from 'chai';
import { InvalidCursorError, Model, gsi, lsi, number, string } from '../../src/index.js';
import { encodeCursor } from '../../src/operations/cursor.js';
import { testDb } from '../harness/db.js';
import { caught } from '../harness/caught.js';

const plain = testDb('cursor-');
const signed = testDb('cursor-', { cursorSecret: 'first secret' });
const other = testDb('cursor-', { cursorSecret: new TextEncoder().encode('second secret') });
const { db, counter } = plain;

const attributes = { room: string(), at: number(), by: string(), text: string() };
class Message extends Model({
  table: 'messages', key: { hash: 'room', range: 'at' }, attributes,
  indexes: { byAuthor: gsi({ hash: 'by', range: 'at' }), byText: lsi({ range: 'text' }) },
}) {}
/** Same key schema and index names, another table. */
class Archived extends Model({
  table: 'archived', key: { hash: 'room', range: 'at' }, attributes,
  indexes: { byAuthor: gsi({ hash: 'by', range: 'at' }), byText: lsi({ range: 'text' }) },
}) {}

const models = [Message, Archived];
const rooms = ['a', 'b'];

/** Asserts that using `cursor` fails with INVALID_CURSOR before anything is sent. */
async function rejected(use: () => Promise<unknown>, counted = counter): Promise<InvalidCursorError> {
  counted.reset();
  const err = await caught(use());
  expect(err, err.message).to.be.instanceOf(InvalidCursorError).with.property('code', 'INVALID_CURSOR');
  expect(counted.total(), 'requests sent').to.equal(0);
  return err as InvalidCursorError;
}

const page = (cursor?: string, room = 'a') => Message.query({ room }, { db }).page({ limit: 3, cursor });

describe('cursors (DynamoDB Local)', () => {
  let cursor: string;

  before(async () => {
    await db.createTables(models);
    for (const M of models) {
      await M.putMany(rooms.flatMap((room) => Array.from({ length: 10 }, (_, at) => ({ room, at, by: `${room}${at % 2}`, text: `t${9 - at}` }))), { db });
    }
    cursor = (await page()).cursor!;
    expect(cursor).to.be.a('string');
  });
  after(() => plain.drop(models));

  it('a good cursor resumes right after the last item, from a new query object', async () => {
    const next = await page(cursor);
    expect(next.items.map((m) => m.at)).to.deep.equal([3, 4, 5]);
    expect(next.items.every((m) => m.room === 'a')).to.equal(true);
  });

  it('changing any single character is refused (never a silent restart or a read elsewhere)', async () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const accepted: number[] = [];
    for (let i = 0; i < cursor.length; i++) {
      const flipped = alphabet[(alphabet.indexOf(cursor[i]) + 1) % alphabet.length] ?? 'A';
      const tampered = cursor.slice(0, i) + flipped + cursor.slice(i + 1);
      counter.reset();
      const outcome = await page(tampered).then(() => 'accepted', (e: Error) => e);
      if (outcome === 'accepted') accepted.push(i);
      else expect(outcome).to.be.instanceOf(InvalidCursorError);
      expect(counter.total()).to.equal(outcome === 'accepted' ? 1 : 0);
    }
    expect(accepted, `positions accepted after a change, of ${cursor.length}`).to.deep.equal([]);
  });

  it('a truncated, extended or garbage cursor is refused', async () => {
    for (const bad of [cursor.slice(0, -1), cursor.slice(0, cursor.length >> 1), cursor.slice(1), `${cursor}A`, '', 'x', '!!!!', `${cursor}.`, 'a.b.c', 'A'.repeat(10_000)]) {
      await rejected(() => page(bad));
    }
    await rejected(() => page(42 as never));
  });

  it('a cursor of another table, index or partition is refused', async () => {
    await rejected(() => Archived.query({ room: 'a' }, { db }).page({ limit: 3, cursor }));
    await rejected(() => Message.query({ room: 'b' }, { db }).page({ limit: 3, cursor }));
    await rejected(() => Message.query({ room: 'a' }, { db, index: 'byText' }).page({ limit: 3, cursor }));
    const gsiPage = await Message.query({ by: 'a1' }, { db, index: 'byAuthor' }).page({ limit: 2 });
    expect(gsiPage.items.map((m) => [m.room, m.at])).to.deep.equal([['a', 1], ['a', 3]]);
    await rejected(() => page(gsiPage.cursor));
    await rejected(() => Archived.query({ by: 'a1' }, { db, index: 'byAuthor' }).page({ cursor: gsiPage.cursor }));
    await rejected(() => Message.query({ by: 'a0' }, { db, index: 'byAuthor' }).page({ cursor: gsiPage.cursor }));
    const lsiPage = await Message.query({ room: 'a' }, { db, index: 'byText' }).page({ limit: 2 });
    await rejected(() => page(lsiPage.cursor));
    await rejected(() => Message.query({ room: 'b' }, { db, index: 'byText' }).page({ cursor: lsiPage.cursor }));
    // Each still works where it came from.
    const more = await Message.query({ by: 'a1' }, { db, index: 'byAuthor' }).page({ limit: 2, cursor: gsiPage.cursor });
    expect(more.items.map((m) => m.at)).to.deep.equal([5, 7]);
    const lsiMore = await Message.query({ room: 'a' }, { db, index: 'byText' }).page({ limit: 2, cursor: lsiPage.cursor });
    expect(lsiMore.items.map((m) => m.text)).to.deep.equal(['t2', 't3']);
  });

  it('a well-formed cursor naming other key attributes or a non-scalar key is refused', async () => {
    const scope = { table: db.tableName(Message.schema), index: '', keyNames: ['room', 'at'], partition: { name: 'room', value: 'a' } };
    const forge = (key: Record<string, unknown>, keyNames = Object.keys(key)) => encodeCursor(key, { ...scope, keyNames });
    expect((await page(forge({ room: 'a', at: 4 }))).items.map((m) => m.at)).to.deep.equal([5, 6, 7]);
    await rejected(() => page(forge({ room: 'a' })));
    await rejected(() => page(forge({ room: 'a', at: 4, by: 'u0' })));
    await rejected(() => page(forge({ room: 'a', at: { nested: 1 } })));
    await rejected(() => page(forge({ room: 'a', at: [1] })));
    await rejected(() => page(forge({ room: '', at: 1 })));
  });

  describe('with a cursorSecret', () => {
    const signedPage = (cursor?: string, room = 'a') => Message.query({ room }, { db: signed.db }).page({ limit: 3, cursor });

    it('signs its cursors and accepts them; refuses unsigned ones', async () => {
      const first = await signedPage();
      expect(first.cursor).to.be.a('string').and.not.equal(cursor);
      const next = await signedPage(first.cursor);
      expect(next.items.map((m) => m.at)).to.deep.equal([3, 4, 5]);
      await rejected(() => signedPage(cursor), signed.counter);
      // ...and a database without the secret refuses the signed one.
      await rejected(() => page(first.cursor));
    });

    it('refuses a cursor signed with another secret, or re-signed after a change', async () => {
      const foreign = (await Message.query({ room: 'a' }, { db: other.db }).page({ limit: 3 })).cursor!;
      expect((await Message.query({ room: 'a' }, { db: other.db }).page({ limit: 3, cursor: foreign })).items.map((m) => m.at)).to.deep.equal([3, 4, 5]);
      await rejected(() => signedPage(foreign), signed.counter);
      const mine = (await signedPage()).cursor!;
      const [payload, signature] = mine.split('.');
      await rejected(() => signedPage(`${payload}.${signature.slice(0, -2)}`), signed.counter);
      await rejected(() => signedPage(`${payload}.`), signed.counter);
      const later = (await signedPage(mine)).cursor!;
      await rejected(() => signedPage(`${later.split('.')[0]}.${signature}`), signed.counter);
      await rejected(() => signedPage(payload), signed.counter);
    });

    it('refuses a signed cursor with any single character changed', async () => {
      const mine = (await signedPage()).cursor!;
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      for (let i = 0; i < mine.length; i++) {
        if (mine[i] === '.') continue;
        const flipped = alphabet[(alphabet.indexOf(mine[i]) + 1) % alphabet.length];
        await rejected(() => signedPage(mine.slice(0, i) + flipped + mine.slice(i + 1)), signed.counter);
      }
    });

    it('still binds a signed cursor to its partition and table', async () => {
      const mine = (await signedPage()).cursor!;
      await rejected(() => signedPage(mine, 'b'), signed.counter);
      await rejected(() => Archived.query({ room: 'a' }, { db: signed.db }).page({ cursor: mine }), signed.counter);
    });
  });
});
