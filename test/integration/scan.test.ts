/**
 * Scans against DynamoDB Local: a parallel scan (`segments: n`) yields every item exactly
 * once and equals the sequential scan; one segment pages with cursors; count() adds up;
 * a shared table's scan through one model returns only that model's items.
 */
import { expect } from 'chai';
import { ExpressionError, InvalidCursorError, Model, attr, number, string, template } from '../../src/index.js';
import { testDb } from '../harness/db.js';
import { recordInputs } from '../harness/faults.js';
import { caught } from '../harness/caught.js';

const { db, counter, drop } = testDb('scan-');
const spy = recordInputs(db.connection.client);

const N = 600;
class Reading extends Model({
  table: 'readings', key: { hash: 'sensor', range: 'at' },
  attributes: { sensor: string(), at: number(), value: number(), pad: string() },
}) {}
class Cat extends Model({
  table: 'pets', entity: 'Cat', key: { hash: 'pk', range: 'sk' },
  attributes: { pk: template('OWNER#{owner}'), sk: template('CAT#{name}'), owner: string(), name: string(), lives: number() },
}) {}
class Dog extends Model({
  table: 'pets', entity: 'Dog', key: { hash: 'pk', range: 'sk' },
  attributes: { pk: template('OWNER#{owner}'), sk: template('DOG#{name}'), owner: string(), name: string() },
}) {}

const models = [Reading, Cat, Dog];
const idOf = (r: { sensor: string; at: number }) => `${r.sensor}/${r.at}`;
const everyId = Array.from({ length: N }, (_, i) => `s${i % 40}/${i}`).sort();

describe('scan (DynamoDB Local)', () => {
  before(async function () {
    this.timeout(60_000);
    await db.createTables(models);
    // ~2 KB each: 1.2 MB in all, so even an unlimited sequential scan takes two pages.
    await Reading.putMany(Array.from({ length: N }, (_, i) => ({ sensor: `s${i % 40}`, at: i, value: i % 7, pad: 'x'.repeat(2000) })));
  });
  after(() => drop(models));
  beforeEach(() => {
    counter.reset();
    spy.sent.length = 0;
  });

  it('a sequential scan reads every item once, over several pages', async () => {
    const seen = (await Reading.scan().all()).map(idOf);
    expect(seen.slice().sort()).to.deep.equal(everyId);
    expect(counter.counts().ScanCommand).to.be.at.least(2);
  });

  it('segments: 4 reads every item exactly once, merged, equal to the sequential scan', async () => {
    const seen: string[] = [];
    for await (const r of Reading.scan({ segments: 4, evaluationLimit: 50 })) seen.push(idOf(r));
    expect(seen).to.have.length(N);
    expect(new Set(seen).size).to.equal(N);
    expect(seen.slice().sort()).to.deep.equal((await Reading.scan().all()).map(idOf).sort());
    const segments = spy.sent.filter((s) => s.command === 'ScanCommand' && s.input.TotalSegments === 4).map((s) => s.input.Segment);
    expect(new Set(segments)).to.deep.equal(new Set([0, 1, 2, 3]));
    expect(segments.length).to.be.at.least(N / 50);
    // Through the database too, with a filter: the same items as a sequential filtered scan.
    const filtered = (await db.scan(Reading, { segments: 3 }).filter({ value: 3 }).all()).map(idOf).sort();
    expect(filtered).to.deep.equal(everyId.filter((id) => Number(id.split('/')[1]) % 7 === 3));
  });

  it('segment / totalSegments: each segment pages with cursors; together they are the table, disjoint', async () => {
    const bySegment: string[][] = [];
    for (let segment = 0; segment < 4; segment++) {
      const ids: string[] = [];
      let cursor: string | undefined;
      let calls = 0;
      do {
        const page = await Reading.scan({ segment, totalSegments: 4 }).page({ limit: 40, cursor });
        expect(page.items.length).to.be.at.most(40);
        if (page.cursor) expect(page.items).to.have.length(40);
        ids.push(...page.items.map(idOf));
        cursor = page.cursor;
        expect(++calls).to.be.below(40);
      } while (cursor);
      expect(ids.length, `segment ${segment}`).to.be.above(0);
      bySegment.push(ids);
      // The same segment streamed with pages() gives the same items.
      const streamed: string[] = [];
      for await (const page of Reading.scan({ segment, totalSegments: 4 }).pages()) streamed.push(...page.items.map(idOf));
      expect(streamed).to.deep.equal(ids);
    }
    const all = bySegment.flat();
    expect(all).to.have.length(N);
    expect(all.slice().sort()).to.deep.equal(everyId);
  });

  it('count() adds up sequentially, in parallel and with a filter', async () => {
    expect(await Reading.scan().count()).to.equal(N);
    expect(await Reading.scan({ segments: 4 }).count()).to.equal(N);
    expect(await Reading.scan({ evaluationLimit: 100 }).count()).to.equal(N);
    expect(await Reading.scan({ segments: 5 }).filter(attr('value').lt(2)).count()).to.equal(Array.from({ length: N }, (_, i) => i % 7).filter((v) => v < 2).length);
    let perSegment = 0;
    for (let segment = 0; segment < 3; segment++) perSegment += await Reading.scan({ segment, totalSegments: 3 }).count();
    expect(perSegment).to.equal(N);
    expect(spy.sent.every((s) => s.input.Select === 'COUNT')).to.equal(true);
  });

  it('breaking out of a parallel scan stops reading', async () => {
    let n = 0;
    for await (const _ of Reading.scan({ segments: 4, evaluationLimit: 10 })) if (++n === 5) break;
    const sent = counter.total();
    expect(sent).to.be.within(1, 8);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(counter.total()).to.equal(sent);
  });

  it('bad segment options are refused before any request', async () => {
    expect(() => Reading.scan({ segments: 0 })).to.throw(ExpressionError);
    expect(() => Reading.scan({ segments: 1.5 })).to.throw(ExpressionError);
    expect(() => Reading.query({ sensor: 's1' }, { segments: 2 } as never)).to.throw(ExpressionError);
    const bads: { segment?: number; totalSegments?: number }[] = [{ segment: 4, totalSegments: 4 }, { segment: -1, totalSegments: 4 }, { segment: 1 }, { totalSegments: 4 }, { segment: 0, totalSegments: 0 }];
    for (const bad of bads) {
      const err = await caught((async () => Reading.scan(bad).all())());
      expect(err, JSON.stringify(bad)).to.be.instanceOf(ExpressionError);
    }
    await caught(Reading.scan({ segments: 4 }).page({ limit: 5 })).then((err) => expect(err).to.be.instanceOf(ExpressionError));
    expect(counter.total()).to.equal(0);
  });

  it('a cursor of one segment is refused by another', async () => {
    const first = await Reading.scan({ segment: 0, totalSegments: 4 }).page({ limit: 5 });
    counter.reset();
    const whole = await Reading.scan().page({ limit: 5 });
    counter.reset();
    for (const [scan, cursor] of [
      [Reading.scan({ segment: 1, totalSegments: 4 }), first.cursor],
      [Reading.scan({ segment: 0, totalSegments: 3 }), first.cursor],
      [Reading.scan(), first.cursor],
      [Reading.scan({ segment: 0, totalSegments: 4 }), whole.cursor],
    ] as const) {
      expect(await caught(scan.page({ limit: 5, cursor }))).to.be.instanceOf(InvalidCursorError);
    }
    expect(counter.total()).to.equal(0);
    const next = await Reading.scan({ segment: 0, totalSegments: 4 }).page({ limit: 5, cursor: first.cursor });
    const ten = await Reading.scan({ segment: 0, totalSegments: 4 }).page({ limit: 10 });
    expect([...first.items, ...next.items].map(idOf)).to.deep.equal(ten.items.map(idOf));
  });

  it('a scan through one model of a shared table returns only that model\'s items', async () => {
    await Cat.putMany([{ owner: 'ann', name: 'tom', lives: 9 }, { owner: 'bob', name: 'kit', lives: 7 }]);
    await Dog.putMany([{ owner: 'ann', name: 'rex' }]);
    const cats = await Cat.scan().all();
    expect(cats.map((c) => [c.constructor.name, c.name]).sort()).to.deep.equal([['Cat', 'kit'], ['Cat', 'tom']]);
    expect(await Dog.scan({ segments: 2 }).count()).to.equal(1);
    const both = await db.scan([Cat, Dog]).all();
    expect(both.map((x) => `${x.constructor.name}:${x.name}`).sort()).to.deep.equal(['Cat:kit', 'Cat:tom', 'Dog:rex']);
  });
});
