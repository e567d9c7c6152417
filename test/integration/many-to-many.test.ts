/**
 * Many-to-many edges against DynamoDB Local, counting the commands sent: the adjacency
 * Query of every owner of a tick (one per distinct owner, in parallel) and one BatchGetItem
 * of all their targets; includes across both directions in two rounds per level (the
 * adjacency Queries, then the targets with the next level's gets); pages, counts and iteration; link / unlink in one
 * transaction conditional on both ends, exact under lost answers; linkMany chunked at the
 * transaction limit, saying what is done when a chunk fails.
 */
import { expect } from 'chai';
import {
  BatchIncompleteError, DynagraphError, edgeTable, manyToMany, Model, string, number, TransactionCanceledError, ValidationError, diagram,
} from '../../src/index.js';
import { testDb } from '../harness/db.js';
import { recordInputs, whileFailing } from '../harness/faults.js';
import { loseAnswers } from '../harness/lost-answers.js';
import { caught } from '../harness/caught.js';
import { known } from '../harness/edges.js';

const { db, counter, drop } = testDb('many-to-many-', { retry: { baseDelayMs: 1 } });
const spy = recordInputs(db.connection.client);

class Post extends Model({ table: 'posts', key: { hash: 'id' }, attributes: { id: string(), title: string() } }) {
  tags = manyToMany(() => Tag, { through: () => PostTag, inverse: 'posts' });
}
class Tag extends Model({ table: 'tags', key: { hash: 'name' }, attributes: { name: string(), uses: number().default(0) } }) {
  posts = manyToMany(() => Post, { through: () => PostTag, inverse: 'tags' });
}
const PostTag = edgeTable({ name: 'PostTag', table: 'post_tags', from: () => Post, to: () => Tag });
const models = [Post, Tag, PostTag];

// Single-table and self-referential: people follow people; the links live in the people's own table.
class Person extends Model({ table: 'app', entity: 'Person', key: { hash: 'pk', range: 'sk' }, attributes: { pk: string(), sk: string(), name: string() } }) {
  follows = manyToMany(() => Person, { through: () => Follows, side: 'from', inverse: 'followers' });
  followers = manyToMany(() => Person, { through: () => Follows, side: 'to', inverse: 'follows' });
}
const Follows = edgeTable({ name: 'Follows', table: 'app', key: { hash: 'pk', range: 'sk' }, index: 'inverse', from: () => Person, to: () => Person });
class Ambiguous extends Model({ table: 'app', entity: 'Ambiguous', key: { hash: 'pk', range: 'sk' }, attributes: { pk: string(), sk: string() } }) {
  follows = manyToMany(() => Ambiguous, { through: () => Loop });
  wrong = manyToMany(() => Tag, { through: () => PostTag });
}
const Loop = edgeTable({ name: 'Loop', table: 'loops', from: () => Ambiguous, to: () => Ambiguous });

const pad = (i: number) => String(i).padStart(2, '0');
const tagOf = (p: number, j: number) => `t${pad((p * 3 + j) % 30)}`;
const names = (xs: readonly { name: string }[]) => xs.map((x) => x.name);
/** Keys per BatchGetItem recorded since `from`. */
function requestedKeys(from: number): number[] {
  return spy.sent.slice(from).filter((r) => r.command === 'BatchGetItemCommand')
    .map((r) => Object.values(r.input.RequestItems as Record<string, { Keys: unknown[] }>).reduce((n, t) => n + t.Keys.length, 0));
}
async function edgeItems(): Promise<Record<string, unknown>[]> {
  return (await PostTag.scan().all()).map((e) => ({ ...e }));
}

describe('graph: many-to-many (DynamoDB Local)', () => {
  before(async function () {
    this.timeout(120_000);
    await db.createTables(models);
    await Tag.putMany(Array.from({ length: 30 }, (_, i) => ({ name: `t${pad(i)}` })));
    await Post.putMany(Array.from({ length: 20 }, (_, p) => ({ id: `p${pad(p)}`, title: `post ${p}` })));
    const s = db.session();
    const [posts, tags] = await Promise.all([s.getMany(Post, Array.from({ length: 20 }, (_, p) => ({ id: `p${pad(p)}` }))), s.getMany(Tag, Array.from({ length: 30 }, (_, i) => ({ name: `t${pad(i)}` })))]);
    const byName = new Map(tags.map((t) => [t!.name, t!]));
    await Promise.all(posts.map((post, p) => post!.tags.linkMany(Array.from({ length: 5 }, (_, j) => byName.get(tagOf(p, j))!))));
  });
  after(() => drop(models));
  beforeEach(() => counter.reset());

  it('stores one small edge item per link: both ends as injective key ids, an entity marker', async () => {
    const items = await edgeItems();
    expect(items).to.have.length(100);
    const stored = (await db.connection.client.send(new (await import('@aws-sdk/client-dynamodb')).ScanCommand({ TableName: 'many-to-many-post_tags', Limit: 1 }))).Items![0];
    expect(Object.keys(stored).sort()).to.deep.equal(['_type', 'source', 'target']);
    expect(stored._type).to.deep.equal({ S: 'PostTag' });
    expect(stored.source.S).to.match(/^T7:PostTagS3:p\d\d$/);
  });

  it('20 posts × 5 tags over 30 tags: one adjacency Query per post, in parallel, and 1 BatchGetItem of the 30 tags', async () => {
    const s = db.session();
    const posts = (await s.getMany(Post, Array.from({ length: 20 }, (_, p) => ({ id: `p${pad(p)}` })))).map((p) => p!);
    counter.reset();
    const from = spy.sent.length;
    const rounds = s.stats.rounds;
    const loaded = await Promise.all(posts.map((p) => p.tags.load()));
    expect(counter.counts()).to.deep.equal({ QueryCommand: 20, BatchGetItemCommand: 1 });
    expect(requestedKeys(from)).to.deep.equal([30]);
    // Queries overlap (one wave), then the targets (a second wave): one round, two steps.
    expect(s.stats.rounds - rounds).to.equal(2);
    loaded.forEach((tags, p) => {
      expect(names(tags).sort()).to.deep.equal(Array.from({ length: 5 }, (_, j) => tagOf(p, j)).sort());
      expect(known(posts[p].tags).get()).to.equal(tags);
    });
    // One instance per tag in the session, whichever post reached it.
    expect(new Set(loaded.flat()).size).to.equal(30);
  });

  it('the inverse direction reads the store\'s index: tag.posts', async () => {
    const s = db.session();
    const tag = (await s.get(Tag, { name: 't03' }))!;
    const posts = await tag.posts.load();
    const expected = Array.from({ length: 20 }, (_, p) => p).filter((p) => Array.from({ length: 5 }, (_, j) => tagOf(p, j)).includes('t03')).map((p) => `p${pad(p)}`);
    expect(posts.map((p) => p.id)).to.deep.equal(expected);
    expect(await tag.posts.count()).to.equal(expected.length);
    // An instance made by key (never read) has the same links; one with no key yet has none, and sends nothing.
    expect((await new Tag({ name: 't03' }).posts.load()).map((p) => p.id)).to.deep.equal(expected);
    counter.reset();
    expect(await new Post({ title: 'draft' } as never).tags.load()).to.deep.equal([]);
    expect(counter.total()).to.equal(0);
  });

  it('include tags → posts → tags: 6 rounds (each level its adjacency Queries, then its targets), as explained', async () => {
    const s = db.session();
    const roots = (await s.getMany(Post, [{ id: 'p00' }, { id: 'p01' }])).map((p) => p!);
    const include = { tags: { posts: { tags: true } } } as const;
    const plan = s.explain(roots, include);
    expect(plan.rounds.map((r) => r.steps.map((st) => st.command))).to.deep.equal([['Query'], ['BatchGetItem'], ['Query'], ['BatchGetItem'], ['Query'], ['BatchGetItem']]);
    expect(plan.rounds[0].edges[0]).to.include({ kind: 'manyToMany', edge: 'Post.tags', target: 'Tag' });
    expect(showKeys(plan.rounds[0].steps[0].keys)).to.equal('2');
    expect(plan.rounds[1].edges).to.deep.equal([{ path: 'tags', edge: 'Post.tags', target: 'Tag', kind: 'manyToMany', table: 'many-to-many-tags', owners: { note: 'depends on data' }, step: 'targets' }]);
    expect(plan.rounds[1].steps[0].edges).to.deep.equal(['targets of Post.tags']);
    expect(plan.rounds[2].edges[0]).to.include({ path: 'tags.posts', edge: 'Tag.posts', kind: 'manyToMany' });
    expect(plan.text).to.include('its targets are read next round');
    expect(plan.text).to.include('round 2: tags (targets of Post.tags → Tag, links: depends on data)');
    counter.reset();
    const waves = s.stats.rounds;
    const before = s.trace.totals.requests;
    const [p0] = await s.load(roots, include);
    // The trace's rounds are the waves the stats count.
    expect(s.stats.rounds - waves).to.equal(6);
    expect(Object.keys(s.trace.rounds)).to.deep.equal(['1', '2', '3', '4', '5', '6']);
    expect(s.trace.totals.requests - before).to.equal(counter.total());
    const byRound = s.trace.rows.filter((r) => r.round > 0).map((r) => `${r.round} ${r.command} ${r.edges.join(',')}`);
    expect(byRound).to.deep.equal([
      '1 Query Post.tags', `2 BatchGetItem targets of Post.tags`, '3 Query Tag.posts', '4 BatchGetItem targets of Tag.posts', '5 Query Post.tags', '6 BatchGetItem targets of Post.tags',
    ]);
    // Exactly one BatchGetItem per targets round; Queries = distinct owners per round.
    expect(counter.counts().BatchGetItemCommand).to.equal(3);
    const tags = p0.tags.get();
    expect(names(tags).sort()).to.deep.equal(['t00', 't01', 't02', 't03', 't04']);
    for (const t of tags) for (const post of t.posts.get()) expect(post.tags.get()).to.have.length(5);
  });

  it('an include\'s page of links ($limit, $reverse): the targets of that page, the next round, with the cursor of the links', async () => {
    const s = db.session();
    const post = (await s.get(Post, { id: 'p07' }))!;
    const all = names(await new Post({ id: 'p07' } as never).tags.load());
    counter.reset();
    const [loaded] = await s.load([post], { tags: { $limit: 2, $reverse: true, posts: true } });
    expect(names(loaded.tags.get())).to.deep.equal(all.slice(-2).reverse());
    expect(loaded.tags.cursor).to.be.a('string');
    for (const t of loaded.tags.get()) expect(t.posts.get().map((p) => p.id)).to.include('p07');
    // The links' page, its two targets, their posts' links, those posts.
    expect(counter.counts()).to.deep.equal({ QueryCommand: 3, BatchGetItemCommand: 2 });
    const rest = await post.tags.page({ cursor: loaded.tags.cursor, reverse: true });
    expect(names(rest.items)).to.deep.equal(all.slice(0, -2).reverse());
  });

  it('a failing targets read fails the include with its error and leaves the edge unloaded; the next include reads it', async () => {
    const s = db.session();
    const posts = (await s.getMany(Post, [{ id: 'p10' }, { id: 'p11' }])).map((p) => p!);
    const err = await whileFailing(db.connection.client, 'BatchGetItemCommand', 'the targets read failed', () => caught<DynagraphError>(s.load(posts, { tags: { posts: true } })));
    expect(err).to.be.instanceOf(DynagraphError);
    // The batch says which keys were not read (t00–t07: the two posts' 8 distinct tags), and why.
    expect(err.code).to.equal('BATCH_INCOMPLETE');
    expect(err.message).to.contain('0 of 8 done').and.contain('many-to-many-tags {"name":"t00"}');
    expect((err.cause as Error).message).to.contain('the targets read failed');
    expect(posts.map((p) => p.tags.isLoaded)).to.deep.equal([false, false]);
    const [p10] = await s.load(posts, { tags: true });
    expect(names(p10.tags.get()).sort()).to.deep.equal(Array.from({ length: 5 }, (_, j) => tagOf(10, j)).sort());
  });

  it('pages with cursors (forward and reverse), count() and for await agree', async () => {
    const s = db.session();
    const post = (await s.get(Post, { id: 'p07' }))!;
    const all = names(await post.tags.load());
    expect(await post.tags.count()).to.equal(5);
    const first = await post.tags.page({ limit: 2 });
    expect(names(first.items)).to.deep.equal(all.slice(0, 2));
    expect(first.cursor).to.be.a('string');
    const second = await post.tags.page({ limit: 10, cursor: first.cursor });
    expect(names(second.items)).to.deep.equal(all.slice(2));
    const back = await post.tags.page({ limit: 2, reverse: true });
    expect(names(back.items)).to.deep.equal([...all].reverse().slice(0, 2));
    const streamed: string[] = [];
    for await (const t of post.tags) streamed.push(t.name);
    expect(streamed).to.deep.equal(all);
    const [limited] = await s.load([post], { tags: { $limit: 3 } });
    expect(names(limited.tags.get())).to.deep.equal(all.slice(0, 3));
    expect(limited.tags.cursor).to.be.a('string');
  });

  describe('linking', () => {
    it('link is one TransactWriteItems: a put of the edge item, checks on both ends; unlink one delete', async () => {
      const s = db.session();
      const post = (await s.get(Post, { id: 'p19' }))!;
      const tag = (await s.get(Tag, { name: 't29' }))!;
      const from = spy.sent.length;
      counter.reset();
      await post.tags.link(tag);
      expect(counter.counts()).to.deep.equal({ TransactWriteItemsCommand: 1 });
      const items = spy.sent[from].input.TransactItems as Record<string, { TableName: string; ConditionExpression?: string }>[];
      expect(items.map((i) => Object.keys(i)[0])).to.deep.equal(['ConditionCheck', 'Put', 'ConditionCheck']);
      expect(items[0].ConditionCheck.TableName).to.equal('many-to-many-posts');
      expect(items[2].ConditionCheck.TableName).to.equal('many-to-many-tags');
      expect(items[0].ConditionCheck.ConditionExpression).to.match(/attribute_exists/);
      expect(names(await post.tags.load())).to.include('t29');
      counter.reset();
      await post.tags.unlink(tag);
      expect(counter.counts()).to.deep.equal({ TransactWriteItemsCommand: 1 });
      expect(names(await post.tags.load())).to.not.include('t29');
    });

    it('under lost answers, link and unlink leave exactly one edge item per link (and none after unlink)', async () => {
      const s = db.session();
      const post = (await s.get(Post, { id: 'p18' }))!;
      const tags = (await s.getMany(Tag, [{ name: 't10' }, { name: 't11' }])).map((t) => t!);
      const before = (await edgeItems()).length;
      for (const when of ['after', 'body'] as const) {
        // Applied, answer lost, resent by the SDK with the same token; the second time a link of a linked pair.
        const loser = loseAnswers(db.connection.client, { operation: 'TransactWriteItems', when });
        try {
          await post.tags.link(tags[0]);
          expect(loser.lost()).to.equal(1);
        } finally {
          loser.remove();
        }
      }
      const linked = (await edgeItems()).filter((e) => String(e.source).endsWith('p18') && String(e.target).endsWith('t10'));
      expect(linked).to.have.length(1);
      expect((await edgeItems()).length).to.equal(before + 1);
      const again = loseAnswers(db.connection.client, { operation: 'TransactWriteItems', times: 1, when: 'body' });
      try {
        await post.tags.unlink(tags[0]);
        await post.tags.unlink(tags[1]); // an absent link: nothing to delete, no error
        expect(again.lost()).to.equal(1);
      } finally {
        again.remove();
      }
      expect((await edgeItems()).length).to.equal(before);
    });

    it('a link to a missing end is refused by its check, and writes nothing', async () => {
      const s = db.session();
      const post = (await s.get(Post, { id: 'p17' }))!;
      const before = (await edgeItems()).length;
      const err = await caught(post.tags.link(new Tag({ name: 'never-saved' })));
      expect(err).to.be.instanceOf(TransactionCanceledError);
      expect((err as TransactionCanceledError).reasons.map((r) => [r.index, r.model, r.code])).to.deep.equal([[2, 'Tag', 'ConditionalCheckFailed']]);
      expect((await edgeItems()).length).to.equal(before);
    });

    it('bad input is refused before any request', async () => {
      const post = (await Post.get({ id: 'p16' }))!;
      counter.reset();
      const err = await caught(post.tags.link(post as never));
      expect(err).to.be.instanceOf(ValidationError);
      expect(err.message).to.match(/Post\.tags/);
      expect(await caught(post.tags.linkMany([new Tag({ name: '' })]))).to.be.instanceOf(ValidationError);
      expect(counter.total()).to.equal(0);
    });

    it('linkMany chunks at the transaction limit (49 links per 100 actions); a failing chunk says what is done', async () => {
      const many = Array.from({ length: 120 }, (_, i) => ({ name: `m${String(i).padStart(3, '0')}` }));
      await Tag.putMany(many);
      const s = db.session();
      const post = (await s.get(Post, { id: 'p15' }))!;
      const tags = (await s.getMany(Tag, many)).map((t) => t!);
      counter.reset();
      const result = await post.tags.linkMany([...tags, tags[0]]);
      expect(result.links).to.equal(120);
      expect(result.tokens).to.have.length(3);
      expect(counter.counts()).to.deep.equal({ TransactWriteItemsCommand: 3 });
      expect(await post.tags.count()).to.equal(125);
      counter.reset();
      expect((await post.tags.unlinkMany(tags)).tokens).to.have.length(2);
      expect(await post.tags.count()).to.equal(5);

      // The third chunk holds a tag that does not exist: two chunks done, the rest not.
      const withMissing = [...tags.slice(0, 100), new Tag({ name: 'missing' }), ...tags.slice(100)];
      const err = await caught(post.tags.linkMany(withMissing));
      expect(err).to.be.instanceOf(BatchIncompleteError);
      const e = err as BatchIncompleteError;
      expect(e.code).to.equal('BATCH_INCOMPLETE');
      expect([e.done.length, e.notDone.length, e.unknown.length]).to.deep.equal([98, 23, 0]);
      expect(e.cause).to.be.instanceOf(TransactionCanceledError);
      expect(e.message).to.match(/^linkMany Post\.tags incomplete: 98 of 121 done/);
      expect(await post.tags.count()).to.equal(5 + 98);
      await post.tags.unlinkMany(tags);

      // Every answer of the first chunk lost (applied each time, under one token): its links are unknown, the rest not done.
      const loser = loseAnswers(db.connection.client, { operation: 'TransactWriteItems', times: 1_000 });
      let lost: BatchIncompleteError;
      try {
        lost = await caught<BatchIncompleteError>(post.tags.linkMany(tags.slice(0, 60)));
      } finally {
        loser.remove();
      }
      expect(lost).to.be.instanceOf(BatchIncompleteError);
      expect([lost.done.length, lost.notDone.length, lost.unknown.length]).to.deep.equal([0, 11, 49]);
      expect(lost.cause).to.have.property('code', 'OUTCOME_UNKNOWN');
      expect(await post.tags.count()).to.equal(5 + 49); // they had landed, once each
      await post.tags.unlinkMany(tags);
    });

    it('a link through a session keeps its cached adjacency results fresh, both ways', async () => {
      const s = db.session();
      const post = (await s.get(Post, { id: 'p14' }))!;
      const tag = (await s.get(Tag, { name: 't00' }))!;
      const before = (await tag.posts.page({ limit: 100 })).items.map((p) => p.id);
      await post.tags.load();
      await post.tags.link(tag);
      expect(known(post.tags).get()).to.include(tag);
      // The cached page of the inverse direction was dropped: the next read sees the link.
      expect((await tag.posts.page({ limit: 100 })).items.map((p) => p.id)).to.deep.equal([...before, 'p14'].sort());
      await post.tags.unlink(tag);
      expect(known(post.tags).get()).to.not.include(tag);
      expect((await tag.posts.page({ limit: 100 })).items.map((p) => p.id)).to.deep.equal(before);
    });
  });

  describe('in a shared table, both ends one model', () => {
    before(async () => {
      await db.createTables([Person, Follows]);
      await Person.putMany(['ann', 'bob', 'cid'].map((name) => ({ pk: `P#${name}`, sk: 'PROFILE', name })));
    });
    after(() => drop([Person]));

    it('follows and followers read one store in the people\'s table, each item of its own entity', async () => {
      const s = db.session();
      const [ann, bob, cid] = (await s.getMany(Person, ['ann', 'bob', 'cid'].map((n) => ({ pk: `P#${n}`, sk: 'PROFILE' })))).map((p) => p!);
      counter.reset();
      await ann.follows.linkMany([bob, cid, ann]); // following oneself: the owner's check covers both ends
      expect(counter.counts()).to.deep.equal({ TransactWriteItemsCommand: 1 });
      await bob.follows.link(cid);
      expect((await ann.follows.load()).map((p) => p.name).sort()).to.deep.equal(['ann', 'bob', 'cid']);
      expect((await cid.followers.load()).map((p) => p.name).sort()).to.deep.equal(['ann', 'bob']);
      expect(await bob.followers.count()).to.equal(1);
      // The people's own partitions still hold only their profiles; a person is never read as a link.
      expect((await Person.query({ pk: 'P#ann' }).all()).map((p) => p.sk)).to.deep.equal(['PROFILE']);
      // In a new session (cid's followers are loaded in this one): the followers are read through the store's inverse index.
      const fresh = db.session();
      const plan = fresh.explain([(await fresh.get(Person, { pk: 'P#cid', sk: 'PROFILE' }))!], { followers: { follows: true } });
      expect(plan.rounds[0].steps[0]).to.include({ command: 'Query', index: 'inverse' });
      // Here they are held: their follows are read at once, in the first round.
      expect(s.explain([cid], { followers: { follows: true } }).rounds.map((r) => r.steps.map((st) => st.command))).to.deep.equal([[], ['Query'], ['BatchGetItem']]);
      const [c] = await s.load([cid], { followers: { follows: true } });
      expect(c.followers.get().find((p) => p.name === 'bob')!.follows.get().map((p) => p.name)).to.deep.equal(['cid']);
    });

    it('a declaration that cannot tell its end, or links other models, is a SchemaError naming them', async () => {
      const a = new Ambiguous({ pk: 'a', sk: 'a' });
      expect(() => a.follows.relation).to.throw(/both ends are Ambiguous; say which end this edge reads with side/);
      expect(() => a.wrong.relation).to.throw(/PostTag links Post to Tag, not Ambiguous to Tag/);
      expect((await caught(a.follows.load())).name).to.equal('SchemaError');
    });

    it('linkParams is the dry run: the TransactWriteItems it would send, and nothing is sent', async () => {
      const [ann, bob] = (await Person.getMany([{ pk: 'P#ann', sk: 'PROFILE' }, { pk: 'P#bob', sk: 'PROFILE' }])).map((p) => p!);
      counter.reset();
      const [request] = ann.follows.linkParams([bob]);
      if (request.command !== 'TransactWriteItems') expect.fail(request.command);
      const items = request.input.TransactItems!;
      expect(items.map((i) => Object.keys(i)[0])).to.deep.equal(['ConditionCheck', 'Put', 'ConditionCheck']);
      expect(items[1].Put!.Item).to.deep.equal({ pk: Follows.edgeStore.endId(Person, { pk: 'P#ann', sk: 'PROFILE' }), sk: Follows.edgeStore.endId(Person, { pk: 'P#bob', sk: 'PROFILE' }), _type: 'Follows' });
      expect(ann.follows.unlinkParams([bob, bob])[0].input).to.have.property('TransactItems').with.length(1);
      expect(counter.total()).to.equal(0);
    });
  });

  it('appears in diagram() as many-to-many through its store', () => {
    const lines = diagram([Post, Tag, PostTag]).split('\n').map((l) => l.trim());
    expect(lines).to.include('Post }o--o{ Tag : "tags via PostTag"');
    expect(lines).to.include('Tag }o--o{ Post : "posts via PostTag.inverse"');
  });
});

function showKeys(c: { exact?: number; max?: number; note?: string }): string {
  return c.exact !== undefined ? String(c.exact) : c.max !== undefined ? `≤ ${c.max}` : c.note ?? '';
}
