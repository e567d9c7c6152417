/**
 * `save({ expectUnchanged: true })`, boto's expected-value save: a whole-item put replaces
 * every attribute, so it must find every attribute as it was loaded — a concurrent change
 * of an attribute this save did not touch is not silently overwritten.
 */
import { expect } from 'chai';
import { ConditionFailedError, Model, number, string } from '../../src/index.js';
import { testDb } from '../harness/db.js';
import { caught } from '../harness/caught.js';

const { db, drop } = testDb('expunch-');

class Profile extends Model({
  table: 'profiles',
  key: { hash: 'id' },
  attributes: { id: string(), name: string(), visits: number(), bio: string().optional() },
}) {}

const load = (id: string) => Profile.get({ id }, { db, consistent: true }).then((p) => p!);

describe('save({ expectUnchanged }) guards every attribute a put writes (DynamoDB Local)', () => {
  before(() => db.createTables([Profile]));
  after(() => drop([Profile]));

  it('a full put fails when another writer changed an attribute this save did not change; nothing is overwritten', async () => {
    await Profile.put({ id: 'p1', name: 'Ada', visits: 1 }, { db });
    const mine = await load('p1');
    const theirs = await load('p1');
    theirs.bio = 'set by another writer';
    await theirs.save({ db });
    mine.visits += 1;
    const err = await caught<ConditionFailedError>(mine.save({ db, expectUnchanged: true }));
    expect(err).to.be.instanceOf(ConditionFailedError);
    expect(err.item).to.deep.include({ bio: 'set by another writer', visits: 1 });
    expect(await load('p1')).to.deep.include({ bio: 'set by another writer', visits: 1 });
  });

  it('succeeds when nothing changed meanwhile, and a partial save checks only what it changes', async () => {
    await Profile.put({ id: 'p2', name: 'Bob', visits: 1 }, { db });
    const mine = await load('p2');
    mine.visits += 1;
    await mine.save({ db, expectUnchanged: true });
    expect(await load('p2')).to.deep.include({ visits: 2 });

    const a = await load('p2');
    const b = await load('p2');
    b.bio = 'other';
    await b.save({ db });
    a.visits += 1;
    await a.save({ db, partial: true, expectUnchanged: true });
    expect(await load('p2')).to.deep.include({ visits: 3, bio: 'other' });
  });
});
