/**
 * `onDelete` of many-to-many edges against DynamoDB Local, counting the commands sent:
 * `detach` deletes the owner's link items in the owner's own TransactWriteItems (from either
 * side: the inverse side finds them through the store's index), never the targets;
 * `restrict` refuses while links exist, naming the linked targets and sending no write;
 * more links than one transaction holds refuse before any write.
 */
import { expect } from 'chai';
import { DeleteRestrictedError, edgeTable, manyToMany, Model, SchemaError, string } from '../../src/index.js';
import { testDb } from '../harness/db.js';
import { recordInputs } from '../harness/faults.js';
import { caught } from '../harness/caught.js';

const { db, drop } = testDb('m2m-integrity-', { retry: { baseDelayMs: 1 } });
const spy = recordInputs(db.connection.client);

class Article extends Model({ table: 'articles', key: { hash: 'id' }, attributes: { id: string() } }) {
  labels = manyToMany(() => Label, { through: () => ArticleLabel, inverse: 'articles', onDelete: 'detach' });
}
class Label extends Model({ table: 'labels', key: { hash: 'name' }, attributes: { name: string() } }) {
  articles = manyToMany(() => Article, { through: () => ArticleLabel, inverse: 'labels', onDelete: 'detach' });
}
const ArticleLabel = edgeTable({ name: 'ArticleLabel', table: 'article_labels', from: () => Article, to: () => Label });

class Course extends Model({ table: 'courses', key: { hash: 'code' }, attributes: { code: string() } }) {
  students = manyToMany(() => Student, { through: () => Enrolment, inverse: 'courses', onDelete: 'restrict' });
}
class Student extends Model({ table: 'students', key: { hash: 'id' }, attributes: { id: string() } }) {
  courses = manyToMany(() => Course, { through: () => Enrolment, inverse: 'students' });
}
const Enrolment = edgeTable({ name: 'Enrolment', table: 'enrolments', from: () => Course, to: () => Student });
const models = [Article, Label, ArticleLabel, Course, Student, Enrolment];

const writes = (from: number) => spy.sent.slice(from).map((r) => r.command).filter((c) => !/^(Query|BatchGetItem|GetItem|Scan)Command$/.test(c));
const links = async () => (await ArticleLabel.scan().all()).length;

describe('graph: many-to-many onDelete (DynamoDB Local)', () => {
  before(async function () {
    this.timeout(120_000);
    await db.createTables(models);
  });
  after(() => drop(models));

  it('detach: deleting an article deletes its links in its own transaction; the labels stay', async () => {
    const article = await Article.put({ id: 'a1' });
    const labels = await Label.putMany([{ name: 'x' }, { name: 'y' }, { name: 'z' }]);
    await article.labels.linkMany(labels);
    await (await Article.put({ id: 'a2' })).labels.link(labels[0]);
    expect(await links()).to.equal(4);
    const from = spy.sent.length;
    await article.delete();
    expect(writes(from)).to.deep.equal(['TransactWriteItemsCommand']);
    const tx = spy.sent.slice(from).find((r) => r.command === 'TransactWriteItemsCommand')!.input as { TransactItems: unknown[] };
    expect(tx.TransactItems).to.have.length(4); // the article and its 3 links
    expect(await links()).to.equal(1);
    expect((await Label.scan().all()).map((l) => l.name).sort()).to.deep.equal(['x', 'y', 'z']);
    expect(await Article.get({ id: 'a1' })).to.equal(null);
  });

  it('detach from the inverse side: a label deleted by key takes its links through the index', async () => {
    expect(await links()).to.equal(1);
    const from = spy.sent.length;
    await Label.delete({ name: 'x' });
    expect(writes(from)).to.deep.equal(['TransactWriteItemsCommand']);
    expect(await links()).to.equal(0);
    expect(await (await Article.get({ id: 'a2' }))!.labels.load()).to.deep.equal([]);
  });

  it('restrict: a course with students is not deleted, the students are named, no write is sent', async () => {
    const course = await Course.put({ code: 'c1' });
    const students = await Student.putMany([{ id: 's1' }, { id: 's2' }]);
    await course.students.linkMany(students);
    const from = spy.sent.length;
    const err = await caught(course.delete());
    expect(err).to.be.instanceOf(DeleteRestrictedError);
    expect((err as DeleteRestrictedError).code).to.equal('DELETE_RESTRICTED');
    expect((err as DeleteRestrictedError).edge).to.equal('Course.students');
    expect((err as DeleteRestrictedError).blocking).to.deep.equal([{ id: 's1' }, { id: 's2' }]);
    expect(writes(from)).to.deep.equal([]);
    expect(await Course.get({ code: 'c1' })).to.not.equal(null);
    // Unlinked, it goes (its other side, Student.courses, declares nothing: a student's delete leaves links).
    await course.students.unlinkMany(students);
    await course.delete();
    expect(await Course.get({ code: 'c1' })).to.equal(null);
  });

  it('refuses more links than one transaction holds before any write', async () => {
    const article = await Article.put({ id: 'big' });
    const labels = await Label.putMany(Array.from({ length: 100 }, (_, i) => ({ name: `l${i}` })));
    await article.labels.linkMany(labels);
    const from = spy.sent.length;
    const err = await caught(article.delete());
    expect((err as { code?: string }).code).to.equal('TRANSACTION_TOO_LARGE');
    expect(writes(from)).to.deep.equal([]);
    expect(await Article.get({ id: 'big' })).to.not.equal(null);
  });

  it('refuses an unknown onDelete when declared', () => {
    class Bad extends Model({ table: 'bad', key: { hash: 'id' }, attributes: { id: string() } }) {
      labels = manyToMany(() => Label, { through: () => ArticleLabel, onDelete: 'cascade' as 'detach' });
    }
    expect(() => new Bad({ id: 'b' })).to.throw(SchemaError, /onDelete must be 'detach' or 'restrict'/);
  });
});
