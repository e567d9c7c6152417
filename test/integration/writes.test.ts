/**
 * Partial saves and the typed update API against DynamoDB Local: what is sent (the
 * UpdateItem input, inspected through SDK middleware), deep change detection of lists,
 * maps and sets changed in place, return values, conditions, and validation before sending.
 */
import { expect } from 'chai';
import {
  Model, ConditionFailedError, ExpressionError, ValidationError,
  string, number, date, stringSet, numberSet, list, map, json,
} from '../../src/index.js';
import { testDb } from '../harness/db.js';
import { recordInputs } from '../harness/faults.js';
import { caught } from '../harness/caught.js';

const { db, counter, drop } = testDb('writes-');
const spy = recordInputs(db.connection.client);

class Profile extends Model({
  table: 'profiles',
  key: { hash: 'id' },
  attributes: {
    id: string(),
    name: string(),
    nick: string().optional(),
    visits: number().default(0),
    tags: stringSet(),
    lucky: numberSet(),
    history: list(map({ at: date(), what: string() })),
    address: map({ city: string(), zip: string().optional() }),
    prefs: json<Record<string, unknown>>().optional(),
  },
}) {}

const models = [Profile];
const when = new Date('2024-05-06T07:08:09.000Z');

/** The inputs of the UpdateItem commands sent since the spy was last cleared. */
function updates(): Record<string, any>[] {
  return spy.sent.filter((s) => s.command === 'UpdateItemCommand').map((s) => s.input);
}

/** An UpdateExpression with its placeholders replaced by names and JSON values, for reading. */
function readable(input: Record<string, any>): string {
  let text: string = input.UpdateExpression;
  for (const [k, v] of Object.entries<string>(input.ExpressionAttributeNames ?? {})) text = text.replaceAll(new RegExp(`${k}(?!\\d)`, 'g'), v);
  for (const [k, v] of Object.entries<unknown>(input.ExpressionAttributeValues ?? {})) {
    text = text.replaceAll(new RegExp(`${k}(?!\\d)`, 'g'), JSON.stringify(v instanceof Set ? [...v] : v));
  }
  return text;
}

async function fresh(id: string): Promise<Profile> {
  await Profile.put({
    id, name: 'Ann', nick: 'a', tags: new Set(['x', 'y']), lucky: new Set([7]),
    history: [{ at: when, what: 'joined' }], address: { city: 'Oslo', zip: '0150' }, prefs: { theme: 'dark', n: [1, 2] },
  }, { db });
  const p = (await Profile.get({ id }, { db, consistent: true }))!;
  spy.sent.length = 0;
  counter.reset();
  return p;
}

describe('partial saves and updates (DynamoDB Local)', () => {
  before(() => db.createTables(models));
  after(() => drop(models));

  describe('save({ partial: true })', () => {
    it('sends one UpdateItem with only the changed attributes', async () => {
      const p = await fresh('p1');
      expect(p.isDirty()).to.equal(false);
      p.name = 'Anna';
      p.visits += 1;
      delete p.nick;
      expect(p.changes()).to.deep.equal([
        { path: 'name', action: 'SET' }, { path: 'nick', action: 'REMOVE' }, { path: 'visits', action: 'SET' },
      ]);
      spy.sent.length = 0;
      await p.save({ partial: true });
      expect(counter.counts()).to.deep.equal({ UpdateItemCommand: 1 });
      const [input] = updates();
      expect(input.Key).to.deep.equal({ id: 'p1' });
      expect(readable(input)).to.equal('SET name = "Anna", visits = 1 REMOVE nick');
      expect(input.ConditionExpression).to.equal('attribute_exists(#n3)');
      expect(p.isDirty()).to.equal(false);
      const back = (await Profile.get({ id: 'p1' }, { db }))!;
      expect(back.toJSON()).to.deep.include({ name: 'Anna', visits: 1, tags: ['x', 'y'] });
      expect(back.nick).to.equal(undefined);
    });

    it('sees in-place changes of sets, lists and maps (DynamORM missed them)', async () => {
      const p = await fresh('p2');
      p.tags.add('z');
      p.lucky.delete(7);
      p.history.push({ at: when, what: 'posted' });
      p.address.city = 'Bergen';
      p.prefs!.theme = 'light';
      (p.prefs!.n as number[])[1] = 3;
      expect(p.isDirty()).to.equal(true);
      await p.save({ partial: true });
      const [input] = updates();
      const text = readable(input);
      // Map keys come back from DynamoDB in no particular order, so the SET list is compared as a set.
      const [, sets, rest] = /^SET (.*) (REMOVE .*)$/.exec(text)!;
      expect(sets.split(/, (?=[a-z])/).sort()).to.deep.equal([
        'address.city = "Bergen"', 'history = list_append(history, [{"at":"2024-05-06T07:08:09.000Z","what":"posted"}])',
        'prefs.n[1] = 3', 'prefs.theme = "light"',
      ]);
      expect(rest).to.equal('REMOVE lucky ADD tags ["z"]');
      const back = (await Profile.get({ id: 'p2' }, { db, consistent: true }))!;
      expect([...back.tags].sort()).to.deep.equal(['x', 'y', 'z']);
      expect(back.lucky.size).to.equal(0);
      expect(back.history.map((h) => h.what)).to.deep.equal(['joined', 'posted']);
      expect(back.history[1].at).to.be.instanceOf(Date);
      expect(back.address).to.deep.equal({ city: 'Bergen', zip: '0150' });
      expect(back.prefs).to.deep.equal({ theme: 'light', n: [1, 3] });
    });

    it('removes set elements with DELETE and rewrites a set that both gained and lost', async () => {
      const p = await fresh('p3');
      p.tags.delete('x');
      await p.save({ partial: true });
      expect(readable(updates()[0])).to.equal('DELETE tags ["x"]');
      p.tags.add('q');
      p.tags.delete('y');
      spy.sent.length = 0;
      await p.save({ partial: true });
      expect(readable(updates()[0])).to.equal('SET tags = ["q"]');
      expect([...(await Profile.get({ id: 'p3' }, { db, consistent: true }))!.tags]).to.deep.equal(['q']);
    });

    it('rewrites a list that shrank or was reordered; sends nothing when nothing changed', async () => {
      const p = await fresh('p4');
      p.history.unshift({ at: when, what: 'first' });
      await p.save({ partial: true });
      expect(readable(updates()[0])).to.match(/^SET history = \[/);
      spy.sent.length = 0;
      counter.reset();
      await p.save({ partial: true });
      expect(counter.total()).to.equal(0);
    });

    it('leaves attributes changed concurrently by someone else intact, and picks them up', async () => {
      const mine = await fresh('p5');
      const theirs = (await Profile.get({ id: 'p5' }, { db, consistent: true }))!;
      theirs.address.zip = '5003';
      await theirs.save({ partial: true });
      mine.name = 'Mine';
      await mine.save({ partial: true });
      const back = (await Profile.get({ id: 'p5' }, { db, consistent: true }))!;
      expect(back.name).to.equal('Mine');
      expect(back.address.zip).to.equal('5003');
      // The instance now holds the stored item, so a full save would not undo their change.
      expect(mine.address.zip).to.equal('5003');
      expect(mine.isDirty()).to.equal(false);
    });

    it('puts a new instance whole and validates before sending', async () => {
      counter.reset();
      await new Profile({ id: 'p6', name: 'New', address: { city: 'Oslo' } }).save({ partial: true });
      expect(counter.counts()).to.deep.equal({ PutItemCommand: 1 });
      const p = (await Profile.get({ id: 'p6' }, { db }))!;
      (p as { name: unknown }).name = 42;
      counter.reset();
      const err = await caught<ValidationError>(p.save({ partial: true }));
      expect(err).to.be.instanceOf(ValidationError);
      expect(err.issues[0].path).to.equal('name');
      expect(counter.total()).to.equal(0);
    });

    it('expectUnchanged guards the changed attributes with their loaded values', async () => {
      const mine = await fresh('p7');
      const theirs = (await Profile.get({ id: 'p7' }, { db, consistent: true }))!;
      theirs.visits = 10;
      await theirs.save({ partial: true });
      mine.visits = 1;
      const err = await caught<ConditionFailedError>(mine.save({ partial: true, expectUnchanged: true }));
      expect(err).to.be.instanceOf(ConditionFailedError);
      expect(err.item).to.include({ visits: 10 });
      mine.name = 'other';
      mine.visits = 10;
      // visits now equals what is stored, so only the name is written and guarded.
      const again = (await Profile.get({ id: 'p7' }, { db, consistent: true }))!;
      again.name = 'guarded';
      await again.save({ partial: true, expectUnchanged: true });
      expect((await Profile.get({ id: 'p7' }, { db, consistent: true }))!.name).to.equal('guarded');
      // A whole-item save guards the same way (values with dates and sets included).
      const a = (await Profile.get({ id: 'p7' }, { db, consistent: true }))!;
      const b = (await Profile.get({ id: 'p7' }, { db, consistent: true }))!;
      a.history.push({ at: when, what: 'a' });
      a.tags.add('a');
      await a.save({ expectUnchanged: true });
      b.history.push({ at: when, what: 'b' });
      expect(await caught(b.save({ expectUnchanged: true }))).to.be.instanceOf(ConditionFailedError);
      const c = (await Profile.get({ id: 'p7' }, { db, consistent: true }))!;
      c.nick = 'c';
      await c.save({ expectUnchanged: true });
      expect((await Profile.get({ id: 'p7' }, { db, consistent: true }))!.history.map((h) => h.what)).to.deep.equal(['joined', 'a']);
    });
  });

  describe('update()', () => {
    it('applies typed actions in one UpdateItem and refreshes the instance', async () => {
      const p = await fresh('u1');
      await p.update({
        set: { name: 'Upd', 'address.city': 'Tromsø' },
        add: { visits: 5, tags: ['n'] },
        delete: { lucky: [7] },
        append: { history: [{ at: when, what: 'updated' }] },
        remove: ['nick'],
      });
      expect(counter.counts()).to.deep.equal({ UpdateItemCommand: 1 });
      expect(readable(updates()[0])).to.equal(
        'SET name = "Upd", address.city = "Tromsø", history = list_append(if_not_exists(history, []), [{"at":"2024-05-06T07:08:09.000Z","what":"updated"}]) ' +
          'REMOVE nick ADD visits 5, tags ["n"] DELETE lucky [7]',
      );
      expect(p.name).to.equal('Upd');
      expect(p.visits).to.equal(5);
      expect(p.address.city).to.equal('Tromsø');
      expect(p.history).to.have.length(2);
      expect(p.nick).to.equal(undefined);
      expect(p.isDirty()).to.equal(false);
    });

    it('keeps unsaved edits of attributes the update did not touch', async () => {
      const p = await fresh('u2');
      p.name = 'local edit';
      await p.update({ add: { visits: 1 } });
      expect(p.visits).to.equal(1);
      expect(p.name).to.equal('local edit');
      expect(p.changes()).to.deep.equal([{ path: 'name', action: 'SET' }]);
    });

    it('static update by key: counters, setIfNotExists, prepend, conditions and return values', async () => {
      await fresh('u3');
      const after = await Profile.update({ id: 'u3' }, { add: { visits: 2 }, setIfNotExists: { nick: 'ignored' }, prepend: { history: [{ at: when, what: 'zero' }] } }, { db });
      expect(after).to.be.instanceOf(Profile);
      expect(after.visits).to.equal(2);
      expect(after.nick).to.equal('a');
      expect(after.history[0].what).to.equal('zero');
      const old = await Profile.update({ id: 'u3' }, { add: { visits: 1 } }, { db, returnValues: 'allOld' });
      expect(old!.visits).to.equal(2);
      const changed = await Profile.update({ id: 'u3' }, { add: { visits: 1 } }, { db, returnValues: 'updatedNew' });
      expect(changed).to.deep.equal({ visits: 4 });
      const none = await Profile.update({ id: 'u3' }, { add: { visits: 1 } }, { db, returnValues: 'none' });
      expect(none).to.equal(undefined);
      const err = await caught<ConditionFailedError>(Profile.update({ id: 'u3' }, { add: { visits: -10 } }, { db, condition: { visits: { ge: 10 } } }));
      expect(err).to.be.instanceOf(ConditionFailedError);
      expect(err.item).to.include({ visits: 5 });
    });

    it('requires the item to exist unless upsert', async () => {
      const err = await caught<ConditionFailedError>(Profile.update({ id: 'ghost' }, { add: { visits: 1 } }, { db }));
      expect(err).to.be.instanceOf(ConditionFailedError);
      expect(err.item).to.equal(undefined);
      expect(await Profile.get({ id: 'ghost' }, { db })).to.equal(null);
      const made = await Profile.update({ id: 'ghost' }, { add: { visits: 1 }, set: { name: 'G' } }, { db, upsert: true });
      expect(made.visits).to.equal(1);
    });

    it('validates before sending: wrong types, unknown attributes, keys, required removals', async () => {
      await fresh('u4');
      const bad: [() => Promise<unknown>, Function, RegExp][] = [
        [() => Profile.update({ id: 'u4' }, { set: { visits: 'many' as never } }, { db }), ValidationError, /visits: expected a number/],
        [() => Profile.update({ id: 'u4' }, { set: { nope: 1 } as never }, { db }), ExpressionError, /"nope" is not an attribute/],
        [() => Profile.update({ id: 'u4' }, { set: { id: 'x' } as never }, { db }), ValidationError, /key attribute/],
        [() => Profile.update({ id: 'u4' }, { remove: ['visits'] as never }, { db }), ValidationError, /visits.*required/],
        [() => Profile.update({ id: 'u4' }, { set: { 'address.city': 5 as never } }, { db }), ValidationError, /address.city: expected a string/],
        [() => Profile.update({ id: 'u4' }, {}, { db }), ExpressionError, /no actions/],
      ];
      for (const [run, type, message] of bad) {
        const err = await caught<Error>(run());
        expect(err, String(message)).to.be.instanceOf(type);
        expect(err.message).to.match(message);
      }
      expect(counter.total()).to.equal(0);
    });

    it('setting an empty set or an optional attribute to undefined removes it', async () => {
      const p = await fresh('u5');
      await p.update({ set: { tags: new Set<string>(), nick: undefined } });
      expect(readable(updates()[0])).to.equal('REMOVE tags, nick');
      expect(p.tags.size).to.equal(0);
      expect(p.nick).to.equal(undefined);
    });
  });
});
