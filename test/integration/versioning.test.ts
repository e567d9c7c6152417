/**
 * Optimistic versions against DynamoDB Local: first saves, conditional saves, updates and
 * deletes, the typed conflict error with the stored item, the per-call opt-out, and the
 * lost-update race itself — 20 concurrent workers × 25 read-modify-write increments.
 */
import { expect } from 'chai';
import {
  Model, ConditionFailedError, ItemExistsError, TransactionCanceledError, VersionConflictError, string, number,
} from '../../src/index.js';
import { testDb } from '../harness/db.js';
import { recordInputs } from '../harness/faults.js';
import { caught } from '../harness/caught.js';

const { db, counter, drop } = testDb('versioning-');
const spy = recordInputs(db.connection.client);

class Counter extends Model({
  table: 'counters',
  key: { hash: 'id' },
  attributes: { id: string(), n: number(), note: string().optional(), version: number() },
  version: 'version',
}) {}

// The same table without a version attribute: what the ancestors' users had before versions.
class PlainCounter extends Model({
  table: 'counters',
  key: { hash: 'id' },
  attributes: { id: string(), n: number(), note: string().optional() },
}) {}

const get = (id: string) => Counter.get({ id }, { db, consistent: true }).then((c) => c!);

describe('optimistic versions (DynamoDB Local)', () => {
  before(() => db.createTables([Counter]));
  after(() => drop([Counter]));
  beforeEach(() => {
    counter.reset();
    spy.sent.length = 0;
  });

  it('a first save requires that no item exists and stores version 1', async () => {
    const c = new Counter({ id: 'first', n: 0 });
    expect(c.version).to.equal(undefined);
    await c.save({ db });
    expect(c.version).to.equal(1);
    expect(spy.sent[0].input.ConditionExpression).to.equal('attribute_not_exists(#n0)');
    expect((await get('first')).version).to.equal(1);
    const err = await caught<ItemExistsError>(new Counter({ id: 'first', n: 99 }).save({ db }));
    expect(err).to.be.instanceOf(ItemExistsError);
    expect(err.item).to.deep.equal({ id: 'first', n: 0, version: 1 });
    expect((await get('first')).n).to.equal(0);
  });

  it('a stale save fails with VersionConflictError carrying the stored item; nothing is written', async () => {
    await new Counter({ id: 'race', n: 0 }).save({ db });
    const a = await get('race');
    const b = await get('race');
    a.n = 1;
    await a.save();
    expect(a.version).to.equal(2);
    b.n = 100;
    const err = await caught<VersionConflictError>(b.save());
    expect(err).to.be.instanceOf(VersionConflictError).and.instanceOf(ConditionFailedError);
    expect(err.code).to.equal('VERSION_CONFLICT');
    expect(err.expected).to.equal(1);
    expect(err.actual).to.equal(2);
    expect(err.item).to.deep.equal({ id: 'race', n: 1, version: 2 });
    expect(err.current).to.be.instanceOf(Counter);
    expect(b.version).to.equal(1);
    expect((await get('race')).n).to.equal(1);
    // Redo the change on the stored item: the usual retry.
    const current = err.current as Counter;
    current.n += 100;
    await current.save();
    expect(await get('race')).to.deep.include({ n: 101, version: 3 });
  });

  it('partial saves, updates and deletes are conditional on the loaded version too', async () => {
    await new Counter({ id: 'all', n: 0 }).save({ db });
    const a = await get('all');
    const b = await get('all');
    a.note = 'partial';
    spy.sent.length = 0;
    await a.save({ partial: true });
    const input = spy.sent[0].input;
    // note, the next version, and the write's mark in the slot of version 2 (recognises a resend of a write that landed)
    expect(input.UpdateExpression).to.equal('SET #n0 = :v0, #n1 = :v1, #n2 = :v2');
    expect(input.ExpressionAttributeNames).to.deep.equal({ '#n0': 'note', '#n1': 'version', '#n2': '_w2', '#n3': 'id', '#n4': '_wl' });
    expect(input.ExpressionAttributeValues).to.deep.include({ ':v0': 'partial', ':v1': 2, ':v3': 1 });
    expect((input.ExpressionAttributeValues as Record<string, unknown>)[':v2']).to.match(/^2:[\w-]{16}$/);
    // the loaded version, and the same item (its lineage), not one deleted and created again since
    expect(input.ConditionExpression).to.equal('(attribute_exists(#n3)) AND (#n1 = :v3 AND #n4 = :v4)');
    expect(a.version).to.equal(2);

    const upd = await caught<VersionConflictError>(b.update({ add: { n: 1 } }));
    expect(upd).to.be.instanceOf(VersionConflictError);
    expect((upd.current as Counter).note).to.equal('partial');
    const del = await caught<VersionConflictError>(b.delete());
    expect(del).to.be.instanceOf(VersionConflictError);
    expect(del.actual).to.equal(2);

    await a.update({ add: { n: 5 } });
    expect(a).to.deep.include({ n: 5, version: 3 });
    await a.delete();
    expect(await Counter.get({ id: 'all' }, { db })).to.equal(null);
  });

  it('updates by key advance the version atomically, or check the one given', async () => {
    await new Counter({ id: 'bykey', n: 0 }).save({ db });
    const after = await Counter.update({ id: 'bykey' }, { add: { n: 2 } }, { db });
    expect(after).to.deep.include({ n: 2, version: 2 });
    const err = await caught<VersionConflictError>(Counter.update({ id: 'bykey' }, { add: { n: 1 } }, { db, expectVersion: 1 }));
    expect(err).to.be.instanceOf(VersionConflictError);
    expect(err.actual).to.equal(2);
    expect(await Counter.update({ id: 'bykey' }, { add: { n: 1 } }, { db, expectVersion: 2 })).to.deep.include({ n: 3, version: 3 });
    await caught(Counter.delete({ id: 'bykey' }, { db, expectVersion: 2 })).then((e) => expect(e).to.be.instanceOf(VersionConflictError));
    await Counter.delete({ id: 'bykey' }, { db, expectVersion: 3 });
    expect(await Counter.get({ id: 'bykey' }, { db })).to.equal(null);
  });

  it('ignoreVersion skips the check for one call and still advances the version', async () => {
    await new Counter({ id: 'admin', n: 0 }).save({ db });
    const stale = await get('admin');
    const fresh = await get('admin');
    fresh.n = 1;
    await fresh.save();
    stale.n = 42;
    await stale.save({ ignoreVersion: true });
    // Unchecked writes advance the version atomically past whatever is stored.
    expect(stale.version).to.equal(3);
    expect(await get('admin')).to.deep.include({ n: 42, version: 3 });
    await Counter.update({ id: 'admin' }, { add: { n: 1 } }, { db });
    await stale.update({ add: { n: 1 } }, { ignoreVersion: true });
    expect(stale).to.deep.include({ n: 44, version: 5 });
    // A copy loaded before the unchecked writes now conflicts.
    fresh.n = 0;
    expect(await caught(fresh.save())).to.be.instanceOf(VersionConflictError);
  });

  it('an item stored before the model had versions gets version 1 on its first checked save', async () => {
    await PlainCounter.put({ id: 'legacy', n: 7 }, { db });
    const c = await get('legacy');
    expect(c.version).to.equal(undefined);
    c.n = 8;
    await c.save();
    expect(await get('legacy')).to.deep.include({ n: 8, version: 1 });
  });

  it('transactions check versions too; the cancellation names the stale instance', async () => {
    await new Counter({ id: 'tx-a', n: 0 }).save({ db });
    await new Counter({ id: 'tx-b', n: 0 }).save({ db });
    const a = await get('tx-a');
    const b = await get('tx-b');
    const bElsewhere = await get('tx-b');
    bElsewhere.n = 5;
    await bElsewhere.save();
    a.n = 1;
    b.n = 1;
    const err = await caught<TransactionCanceledError>(db.transactWrite((tx) => {
      tx.put(a);
      tx.update(b, { add: { n: 1 } });
    }));
    expect(err).to.be.instanceOf(TransactionCanceledError);
    expect(err.reasons).to.have.length(1);
    const [reason] = err.reasons;
    expect(reason).to.deep.include({ index: 1, action: 'update', code: 'ConditionalCheckFailed', versionConflict: true });
    expect(reason.instance).to.equal(b);
    expect(reason.item).to.deep.include({ n: 5, version: 2 });
    expect(a.version).to.equal(1);
    expect((await get('tx-a')).n).to.equal(0);
    await db.transactWrite((tx) => {
      tx.put(a);
      tx.update(bElsewhere, { add: { n: 1 } });
    });
    expect(a.version).to.equal(2);
    expect(bElsewhere).to.deep.include({ n: 6, version: 3 });
    expect(bElsewhere.isDirty()).to.equal(false);
    expect(await get('tx-b')).to.deep.include({ n: 6, version: 3 });
  });

  it('without versions, concurrent read-modify-writes lose updates (the virtual coins problem)', async () => {
    await PlainCounter.put({ id: 'lossy', n: 0 }, { db });
    await Promise.all(Array.from({ length: 10 }, async () => {
      const c = (await PlainCounter.get({ id: 'lossy' }, { db, consistent: true }))!;
      await new Promise((r) => setTimeout(r, 5));
      c.n += 1;
      await c.save();
    }));
    const n = (await PlainCounter.get({ id: 'lossy' }, { db, consistent: true }))!.n;
    expect(n).to.be.below(10);
  });

  it('20 concurrent workers × 25 versioned read-modify-write increments end at exactly 500', async function () {
    this.timeout(120_000);
    await new Counter({ id: 'hot', n: 0 }).save({ db });
    let conflicts = 0;
    const started = performance.now();
    await Promise.all(Array.from({ length: 20 }, async () => {
      for (let i = 0; i < 25; i++) {
        let c = await get('hot');
        for (;;) {
          c.n += 1;
          try {
            await c.save();
            break;
          } catch (err) {
            if (!(err instanceof VersionConflictError)) throw err;
            conflicts++;
            c = err.current as Counter;
            // A little full-jitter backoff, as any retry loop should have.
            await new Promise((r) => setTimeout(r, Math.random() * 5));
          }
        }
      }
    }));
    const final = await get('hot');
    expect(final.n).to.equal(500);
    expect(final.version).to.equal(501);
    expect(conflicts).to.be.greaterThan(0);
    console.log(`      20×25 versioned increments: n=${final.n}, version=${final.version}, ${conflicts} conflicts retried, ${Math.round(performance.now() - started)} ms`);
  });
});
