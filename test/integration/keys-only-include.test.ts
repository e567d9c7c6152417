/**
 * Includes over a keys-only index against DynamoDB Local, counting the commands sent: the
 * index entries are read one round, the full items the next, in the BatchGetItems of that
 * round (with the next level's gets, as a hand-written resolver would send them); to-many
 * (every entry, or a page with its cursor) and to-one (the first entry, none at once);
 * an item gone between the two reads is left out; a failing hydration fails the include
 * and leaves the edge unloaded.
 */
import { expect } from 'chai';
import { DynagraphError, gsi, manyToOne, Model, number, oneToMany, oneToOne, string } from '../../src/index.js';
import { testDb } from '../harness/db.js';
import { caught } from '../harness/caught.js';
import { whileFailing } from '../harness/faults.js';

const { db, counter, drop } = testDb('keys-only-include-', { retry: { baseDelayMs: 1 } });

class Author extends Model({ table: 'authors', key: { hash: 'name' }, attributes: { name: string(), country: string().optional() } }) {
  books = oneToMany(() => Book, { index: 'byAuthor', query: (a: Author) => ({ author_name: a.name }), inverse: 'author' });
  /** The earliest book: the first entry of the keys-only index. */
  debut = oneToOne(() => Book, { index: 'byAuthor', query: (a: Author) => ({ author_name: a.name }) });
  home = manyToOne(() => Country, { query: (a: Author) => (a.country ? { code: a.country } : null) });
}
class Book extends Model({
  table: 'books', key: { hash: 'id' },
  attributes: { id: string(), author_name: string(), year: number(), title: string(), publisher: string() },
  indexes: { byAuthor: gsi({ hash: 'author_name', range: 'year', projection: 'keys' }) },
}) {
  author = manyToOne(() => Author, { query: (b: Book) => ({ name: b.author_name }) });
  house = manyToOne(() => Publisher, { query: (b: Book) => ({ name: b.publisher }) });
}
class Publisher extends Model({ table: 'publishers', key: { hash: 'name' }, attributes: { name: string() } }) {}
class Country extends Model({ table: 'countries', key: { hash: 'code' }, attributes: { code: string() } }) {
  press = manyToOne(() => Publisher, { query: (c: Country) => ({ name: c.code === 'fr' ? 'p0' : 'p1' }) });
}
const models = [Author, Book, Publisher, Country];

const sent = () => Object.fromEntries(Object.entries(counter.counts()).map(([k, v]) => [k.replace(/Command$/, ''), v]));
const titles = (books: readonly Book[]) => books.map((b) => b.title);
/** The include rows of a session's trace: `round command table[.index] keysAsked edges`, sorted. */
const rounds = (s: ReturnType<typeof db.session>) => s.trace.rows.filter((r) => r.round > 0)
  .map((r) => `${r.round} ${r.command} ${r.table.replace('keys-only-include-', '')}${r.index ? `.${r.index}` : ''} ${r.keysAsked} ${[...r.edges].sort().join(',')}`).sort();

describe('graph: includes over a keys-only index (DynamoDB Local)', () => {
  before(async function () {
    this.timeout(120_000);
    await db.createTables(models);
    await Author.putMany([{ name: 'ann', country: 'fr' }, { name: 'bo', country: 'se' }, { name: 'cy' }]);
    await Country.putMany([{ code: 'fr' }, { code: 'se' }]);
    await Publisher.putMany([{ name: 'p0' }, { name: 'p1' }]);
    // ann: 5 books, bo: 2, cy: none; index order (year) is not the table's (id).
    await Book.putMany([
      ...[2004, 2001, 2003, 2000, 2002].map((year, i) => ({ id: `a${i}`, author_name: 'ann', year, title: `ann ${year}`, publisher: `p${i % 2}` })),
      ...[1999, 1990].map((year, i) => ({ id: `b${i}`, author_name: 'bo', year, title: `bo ${year}`, publisher: 'p1' })),
    ]);
  });
  after(() => drop(models));
  beforeEach(() => counter.reset());

  const authors = async (s = db.session()) => ({ s, list: (await s.getMany(Author, [{ name: 'ann' }, { name: 'bo' }, { name: 'cy' }])).map((a) => a!) });

  it('to-many: the entries one round, the items the next (one BatchGetItem, in index order, inverses primed), the level below after', async () => {
    const { s, list } = await authors();
    counter.reset();
    const waves = s.stats.rounds;
    // Round 1: 3 index Queries and the authors' countries; round 2: the 7 books with nothing else;
    // round 3: the publishers (the books' authors are primed through the inverse).
    const [ann, bo, cy] = await s.load(list, { books: { author: true, house: true }, home: true });
    expect(titles(ann.books.get())).to.deep.equal(['ann 2000', 'ann 2001', 'ann 2002', 'ann 2003', 'ann 2004']);
    expect(titles(bo.books.get())).to.deep.equal(['bo 1990', 'bo 1999']);
    expect(cy.books.get()).to.deep.equal([]);
    expect(ann.books.get().every((b) => b.author.get() === ann && b.house.get()?.name === b.publisher)).to.equal(true);
    expect(ann.home.get()?.code).to.equal('fr');
    expect(sent()).to.deep.equal({ Query: 3, BatchGetItem: 3 });
    expect(s.stats.rounds - waves).to.equal(3);
    expect(rounds(s)).to.deep.equal([
      '1 BatchGetItem countries 2 Author.home', '1 Query books.byAuthor 3 Author.books',
      '2 BatchGetItem books 7 hydrate Author.books', '3 BatchGetItem publishers 2 Book.house',
    ]);
    // Loaded completely: a second include sends nothing.
    counter.reset();
    await s.load(list, { books: true });
    expect(counter.total()).to.equal(0);
  });

  it('two keys-only edges hydrate in one BatchGetItem of their distinct keys, the round after their Queries', async () => {
    const { s, list } = await authors();
    counter.reset();
    const [ann, bo] = await s.load(list, { books: true, debut: true });
    expect(ann.debut.get()).to.equal(ann.books.get()[0]);
    expect(bo.debut.get()?.title).to.equal('bo 1990');
    expect(sent()).to.deep.equal({ Query: 6, BatchGetItem: 1 });
    expect(rounds(s)).to.deep.equal([
      '1 Query books.byAuthor 6 Author.books,Author.debut', '2 BatchGetItem books 7 hydrate Author.books,hydrate Author.debut',
    ]);
  });

  for (const where of ['in a session', 'read outside a session'] as const) it(`the hydration and the next level's gets of other tables share one BatchGetItem (roots ${where})`, async () => {
    const keys = [{ name: 'ann' }, { name: 'bo' }, { name: 'cy' }];
    const s = db.session();
    const list = (where === 'in a session' ? await s.getMany(Author, keys) : await Author.getMany(keys, { db })).map((a) => a!);
    counter.reset();
    // Round 1: the 3 index Queries and the 2 countries; round 2: the 7 books and the countries' 2 publishers, together.
    const [ann] = await s.load(list, { books: true, home: { press: true } });
    expect(ann.books.get()).to.have.length(5);
    expect(ann.home.get()?.press.get()?.name).to.equal('p0');
    expect(sent()).to.deep.equal({ Query: 3, BatchGetItem: 2 });
  });

  it('to-many with $limit / $reverse: a page of entries, hydrated the next round, with the entries\' cursor', async () => {
    const { s, list } = await authors();
    counter.reset();
    const [ann] = await s.load(list.slice(0, 1), { books: { $limit: 2, $reverse: true } });
    expect(titles(ann.books.get())).to.deep.equal(['ann 2004', 'ann 2003']);
    expect(sent()).to.deep.equal({ Query: 1, BatchGetItem: 1 });
    const cursor = ann.books.cursor;
    expect(cursor).to.be.a('string');
    const rest = await ann.books.page({ limit: 10, cursor, reverse: true });
    expect(titles(rest.items)).to.deep.equal(['ann 2002', 'ann 2001', 'ann 2000']);
    expect(rest.cursor).to.equal(undefined);
  });

  it('to-one: the first entry, hydrated the next round; no entry settles the edge at once', async () => {
    const { s, list } = await authors();
    counter.reset();
    const waves = s.stats.rounds;
    const plan = s.explain(list, { debut: { house: true } });
    expect(plan.rounds.map((r) => r.edges.map((e) => `${e.path}:${e.kind}${e.step ? `:${e.step}` : ''}`))).to.deep.equal([
      ['debut:keysOnly'], ['debut:keysOnly:hydrate'], ['debut.house:toOneByKey'],
    ]);
    expect(plan.rounds[1].edges[0].owners).to.deep.equal({ max: 3 });
    expect(plan.rounds.flatMap((r) => r.steps.map((st) => `${r.round} ${st.command}`))).to.deep.equal(['1 Query', '2 BatchGetItem', '3 BatchGetItem']);
    const [ann, bo, cy] = await s.load(list, { debut: { house: true } });
    expect([ann.debut.get()?.title, bo.debut.get()?.title, cy.debut.get()]).to.deep.equal(['ann 2000', 'bo 1990', null]);
    expect(ann.debut.get()?.house.get()?.name).to.equal('p1');
    // Entries (round 1), the two books (round 2), their publishers (round 3).
    expect(sent()).to.deep.equal({ Query: 3, BatchGetItem: 2 });
    expect(s.stats.rounds - waves).to.equal(3);
  });

  it('an item gone between its entry and its hydration is left out (to-many) or null (to-one)', async () => {
    await Book.put({ id: 'gone', author_name: 'cy', year: 2020, title: 'cy 2020', publisher: 'p0' });
    const { s, list } = await authors();
    const name = 'deleteBeforeHydration';
    let deleted = false;
    db.connection.client.middlewareStack.add((next, context) => async (args) => {
      if (context.commandName === 'BatchGetItemCommand' && !deleted) {
        deleted = true;
        await Book.delete({ id: 'gone' });
      }
      return next(args);
    }, { step: 'initialize', name });
    try {
      const [, , cy] = await s.load(list, { books: true, debut: true });
      expect(cy.books.get()).to.deep.equal([]);
      expect(cy.debut.get()).to.equal(null);
    } finally {
      db.connection.client.middlewareStack.remove(name);
    }
    expect(deleted).to.equal(true);
  });

  it('a failing hydration fails the include with its error and leaves the edge unloaded; the next include reads it', async () => {
    const { s, list } = await authors();
    const err = await whileFailing(db.connection.client, 'BatchGetItemCommand', 'the hydration failed', () => caught<DynagraphError>(s.load(list, { books: true })));
    expect(err).to.be.instanceOf(DynagraphError);
    expect(err.code).to.equal('BATCH_INCOMPLETE');
    expect((err.cause as Error).message).to.contain('the hydration failed');
    // cy has no entries: nothing to hydrate, the edge was settled in the first round.
    expect(list.map((a) => a.books.isLoaded)).to.deep.equal([false, false, true]);
    const [ann] = await s.load(list, { books: true });
    expect(ann.books.get()).to.have.length(5);
  });
});
