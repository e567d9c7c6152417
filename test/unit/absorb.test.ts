/**
 * How a held instance takes a newer stored item (a session's refresh in place), without a
 * database: refreshed when clean; merged around unsaved edits, stale when the news touches
 * an edited attribute or another version; an older version ignored.
 */
import { expect } from 'chai';
import { Model, number, string, list } from '../../src/index.js';
import { absorb, isStale, STATE } from '../../src/model/instance.js';

class Doc extends Model({ table: 'docs', key: { hash: 'id' }, attributes: { id: string(), a: number(), b: string().optional(), log: list(string()) } }) {}
class VDoc extends Model({ table: 'vdocs', key: { hash: 'id' }, version: 'v', attributes: { id: string(), a: number(), b: string().optional(), v: number() } }) {}

describe('absorbing a newer stored item', () => {
  it('refreshes an instance without unsaved changes, values and snapshot', () => {
    const d = Doc.fromItem({ id: 'x', a: 1, log: [] });
    const item = { id: 'x', a: 2, b: 'new', log: ['e'] };
    expect(absorb(d, item)).to.equal('refreshed');
    expect(d).to.include({ a: 2, b: 'new' });
    expect(d.log).to.deep.equal(['e']);
    expect(d[STATE].stored).to.equal(item);
    expect(d.isDirty()).to.equal(false);
    expect(absorb(d, item)).to.equal('same');
  });

  it('keeps unsaved edits and refreshes the rest; a partial save would send only the edits', () => {
    const d = Doc.fromItem({ id: 'x', a: 1, log: ['p'] });
    d.log.push('mine');
    expect(absorb(d, { id: 'x', a: 5, log: ['p'] })).to.equal('merged');
    expect(d.a).to.equal(5);
    expect(d.log).to.deep.equal(['p', 'mine']);
    expect(isStale(d)).to.equal(false);
    expect(d.changes()).to.deep.equal([{ path: 'log', action: 'APPEND' }]);
  });

  it('marks the instance stale when the news changed an edited attribute, until its snapshot is replaced', () => {
    const d = Doc.fromItem({ id: 'x', a: 1, log: ['p'] });
    d.log.push('mine');
    expect(absorb(d, { id: 'x', a: 1, log: ['p', 'theirs'] })).to.equal('stale');
    expect(d.log).to.deep.equal(['p', 'mine']);
    expect(isStale(d)).to.equal(true);
    // The edit is still described against what was loaded.
    expect(d.changes()).to.deep.equal([{ path: 'log', action: 'APPEND' }]);
    d[STATE].stored = { id: 'x', a: 1, log: ['p', 'mine'] }; // what a successful write does
    expect(isStale(d)).to.equal(false);
  });

  it('a versioned instance with edits keeps its loaded version (and is stale); an older version is ignored', () => {
    const d = VDoc.fromItem({ id: 'x', a: 1, v: 3 });
    expect(absorb(d, { id: 'x', a: 0, v: 2 })).to.equal('older');
    expect(d).to.include({ a: 1, v: 3 });
    d.b = 'mine';
    expect(absorb(d, { id: 'x', a: 2, v: 4 })).to.equal('stale');
    expect(d).to.include({ a: 2, b: 'mine', v: 3 });
    expect(d[STATE].stored).to.include({ a: 2, v: 3 });
    const clean = VDoc.fromItem({ id: 'y', a: 1, v: 3 });
    expect(absorb(clean, { id: 'y', a: 2, v: 4 })).to.equal('refreshed');
    expect(clean).to.include({ a: 2, v: 4 });
  });
});
