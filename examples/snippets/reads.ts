/**
 * Runnable README snippets for reading at scale: batch writes, queries, pages and
 * cursors, indexes (keys-only with hydration, LSI, sparse), batch gets and scans.
 * `run(db)` creates its tables on `db` and checks every claim with `assert`;
 * test/integration/snippets.test.ts runs it against DynamoDB Local.
 * Each `#region` is one README snippet; in the README, import from 'dynagraph'.
 */
import assert from 'node:assert/strict';
import { Dynagraph, InvalidCursorError, Model, attr, gsi, lsi, number, string, template } from '../../src/index.js';

// #region models
export class Thread extends Model({
  table: 'threads',
  key: { hash: 'forum', range: 'subject' },
  attributes: {
    forum: string(),
    subject: string(),
    author: string(),
    views: number().default(0),
    replies: number().default(0),
    unansweredIn: template('{forum}'),
  },
  indexes: {
    // Keys-only GSI: queries return full threads, fetched with batched gets in index order.
    byAuthor: gsi({ hash: 'author', range: 'subject', projection: 'keys' }),
    // LSI: the same partition, ordered by views.
    byViews: lsi({ range: 'views' }),
    // Sparse GSI: only threads without replies carry its key, so only they are in it.
    unanswered: gsi({ hash: 'unansweredIn', range: 'subject', projection: 'keys', sparse: (t) => t.replies === 0 }),
  },
}) {}

export class Forum extends Model({ table: 'forums', key: { hash: 'name' }, attributes: { name: string(), threads: number() } }) {}
// #endregion

export async function run(db: Dynagraph, log: (...args: unknown[]) => void = () => {}): Promise<void> {
  await db.createTables([Thread, Forum]);

  // #region putMany
  // Every item is validated before any request; then 25 per BatchWriteItem, leftovers retried.
  const threads = Array.from({ length: 250 }, (_, i) => ({
    forum: 'AWS', subject: `Subject ${String(i).padStart(3, '0')}`, author: `user${i % 5}`, views: i * 7 % 250, replies: i % 4,
  }));
  await Thread.putMany(threads, { onProgress: ({ done, total }) => log(`${done}/${total} written`) });
  await Forum.putMany([{ name: 'AWS', threads: 250 }, { name: 'S3', threads: 0 }]);
  // #endregion

  // #region query
  // A query is lazy and re-iterable: nothing is sent until you read it.
  const aws = Thread.query({ forum: 'AWS' });
  let n = 0;
  for await (const thread of aws) n += thread instanceof Thread ? 1 : 0; // streams every page
  assert.equal(n, 250);
  assert.equal(await aws.count(), 250); // Select COUNT, paging through the whole partition
  assert.equal((await aws.first())?.subject, 'Subject 000');
  assert.equal((await aws.reverse().first())?.subject, 'Subject 249');

  // One range condition on the sort key: eq, lt, le, gt, ge, between, beginsWith.
  const twenties = await Thread.query({ forum: 'AWS', subject: { between: ['Subject 020', 'Subject 029'] } }).all();
  assert.equal(twenties.length, 10);

  // Filters run after the read (items read still cost capacity); .filter() calls are ANDed.
  const busy = await aws.filter({ replies: 0 }).filter(attr('views').ge(200)).all();
  assert.ok(busy.every((t) => t.replies === 0 && t.views >= 200));

  // A projection returns plain partial objects (with the keys), not instances.
  const titles = await Thread.query({ forum: 'AWS' }, { projection: ['author'] }).page({ limit: 2 });
  assert.deepEqual(titles.items[0], { forum: 'AWS', subject: 'Subject 000', author: 'user0' });
  // #endregion

  // #region pages
  // page({ limit }) counts returned items, reading on when a filter drops some.
  // The cursor is an opaque string: hand it to a client, take it back on the next request.
  const first = await Thread.query({ forum: 'AWS' }).filter({ replies: 0 }).page({ limit: 20 });
  assert.equal(first.items.length, 20);
  const second = await Thread.query({ forum: 'AWS' }).filter({ replies: 0 }).page({ limit: 20, cursor: first.cursor });
  assert.equal(second.items[0].subject, 'Subject 080');

  // A cursor is bound to its table, index and partition, and checked: a changed or foreign
  // cursor is an InvalidCursorError before any request. With new Dynagraph({ cursorSecret })
  // cursors are signed, and unsigned ones are refused.
  await assert.rejects(Thread.query({ forum: 'S3' }).page({ cursor: first.cursor }), InvalidCursorError);

  // DynamoDB's own per-request Limit (items evaluated) is evaluationLimit.
  for await (const page of Thread.query({ forum: 'AWS' }, { evaluationLimit: 100 }).pages()) log(page.items.length, page.cursor);
  // #endregion

  // #region indexes
  // Keys-only GSI: one Query, then the full items with one BatchGetItem per 100, in index order.
  const byUser1 = await Thread.query({ author: 'user1' }, { index: 'byAuthor' }).all();
  assert.equal(byUser1.length, 50);
  assert.ok(byUser1.every((t) => t instanceof Thread && t.views !== undefined));
  // hydrate: false returns just what the index holds.
  const keys = await Thread.query({ author: 'user1' }, { index: 'byAuthor', hydrate: false }).page({ limit: 1 });
  assert.deepEqual(keys.items[0], { forum: 'AWS', subject: 'Subject 001', author: 'user1' });

  // LSI: the most viewed threads of the forum.
  const top = await Thread.query({ forum: 'AWS', views: { ge: 245 } }, { index: 'byViews' }).reverse().all();
  assert.deepEqual(top.map((t) => t.views), [249, 248, 247, 246, 245]);

  // Sparse index: only threads without replies are in it. Its key is a template of the
  // forum, so it is queried by forum.
  const unanswered = await Thread.query({ forum: 'AWS' }, { index: 'unanswered' }).count();
  assert.equal(unanswered, 63);
  // #endregion

  // #region getMany
  // De-duplicated, 100 keys per BatchGetItem, requests in parallel, input order, null for missing.
  const some = await Thread.getMany([
    { forum: 'AWS', subject: 'Subject 007' },
    { forum: 'AWS', subject: 'No such thread' },
    { forum: 'AWS', subject: 'Subject 007' },
  ]);
  assert.deepEqual(some.map((t) => t?.views ?? null), [49, null, 49]);

  // Several tables in shared requests.
  const { forums, picks } = await db.batchGet({
    forums: [Forum, [{ name: 'AWS' }, { name: 'S3' }]],
    picks: [Thread, [{ forum: 'AWS', subject: 'Subject 001' }]],
  });
  assert.deepEqual(forums.map((f) => f?.threads), [250, 0]);
  assert.equal(picks[0]?.author, 'user1');
  // #endregion

  // #region writes
  // Mixed puts and deletes across tables; a key repeated in one call is a DuplicateKeyError
  // before anything is written; keys left unprocessed are retried with backoff, then an
  // UnprocessedError lists exactly the ones not written.
  await db.writeMany([
    { put: new Forum({ name: 'EC2', threads: 0 }) },
    { delete: [Forum, { name: 'S3' }] },
  ]);
  await Thread.deleteMany(threads.slice(200).map(({ forum, subject }) => ({ forum, subject })));
  assert.equal(await Thread.query({ forum: 'AWS' }).count(), 200);
  // #endregion

  // #region scan
  // A parallel scan: 4 segments read at once, merged into one stream.
  let scanned = 0;
  for await (const _ of Thread.scan({ segments: 4 })) scanned++;
  assert.equal(scanned, 200);
  // Or one segment per worker, paged with cursors like a query.
  const part = await Thread.scan({ segment: 0, totalSegments: 4 }).page({ limit: 10 });
  log(part.items.length, part.cursor);
  // #endregion
}
