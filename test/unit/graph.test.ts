/**
 * Graph pieces that need no database: the composite-key codec (any parts round-trip,
 * the separator and backslash escaped; wrong part counts rejected) and the Mermaid
 * diagram of the forum models.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { binary, compositeKey, diagram, EdgeNotLoadedError, edgeTable, type KnownLoaded, relationsOf, Model, number, string, oneToOne, ValidationError } from '../../src/index.js';
import { Forum, Reply, Thread, User, forumModels } from '../../examples/forum/models.js';

/** Strings rich in the characters that matter: separators, backslashes, unicode. */
const part = fc.string({ unit: fc.constantFrom('#', '\\', '|', 'a', 'b', ' ', 'é', '🙂', '\n'), maxLength: 12 });
const anyPart = fc.oneof(part, fc.string({ unit: 'grapheme' }));

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  expect.fail('expected an error');
}

describe('graph (unit)', () => {
  describe('compositeKey', () => {
    const codec = compositeKey(['forum', 'subject']);

    it('joins with the separator and escapes it and the backslash', () => {
      expect(codec.join(['AWS', 'S3'])).to.equal('AWS#S3');
      expect(codec.join(['a#b', 'c'])).to.equal('a\\#b#c');
      expect(codec.join(['a\\', 'b'])).to.equal('a\\\\#b');
      expect(codec.join({ forum: 'x', subject: 'y#z' })).to.equal('x#y\\#z');
      expect(codec.join(['n', 5])).to.equal('n#5');
      expect(codec.split('a\\#b#c')).to.deep.equal({ forum: 'a#b', subject: 'c' });
      expect(codec.split('a\\\\#b')).to.deep.equal({ forum: 'a\\', subject: 'b' });
      expect(codec.split('#')).to.deep.equal({ forum: '', subject: '' });
    });

    it('any parts round-trip (two and three parts, default and custom separator)', () => {
      fc.assert(fc.property(fc.tuple(anyPart, anyPart), ([forum, subject]) => {
        expect(codec.split(codec.join([forum, subject]))).to.deep.equal({ forum, subject });
      }), { numRuns: 500 });
      const three = compositeKey(['a', 'b', 'c'], { separator: '|' });
      fc.assert(fc.property(fc.tuple(anyPart, anyPart, anyPart), ([a, b, c]) => {
        const joined = three.join([a, b, c]);
        expect(three.split(joined)).to.deep.equal({ a, b, c });
        expect(three.join(three.split(joined))).to.equal(joined);
      }), { numRuns: 500 });
    });

    it('distinct parts never join to the same value', () => {
      fc.assert(fc.property(fc.tuple(part, part), fc.tuple(part, part), (x, y) => {
        const same = x[0] === y[0] && x[1] === y[1];
        expect(codec.join(x) === codec.join(y)).to.equal(same);
      }), { numRuns: 1000 });
    });

    it('a wrong number of parts is a ValidationError', () => {
      for (const bad of ['a', 'a#b#c', 'a\\#b', '']) {
        expect(thrown(() => codec.split(bad)), bad).to.be.instanceOf(ValidationError);
      }
      expect(thrown(() => codec.join(['only'] as unknown as [string, string]))).to.be.instanceOf(ValidationError);
      expect(thrown(() => codec.join(['a', 'b', 'c'] as unknown as [string, string]))).to.be.instanceOf(ValidationError);
      expect(thrown(() => codec.join({ forum: 'a' } as unknown as { forum: string; subject: string }))).to.be.instanceOf(ValidationError);
      expect(thrown(() => compositeKey(['a'], { separator: '\\' }))).to.be.instanceOf(ValidationError);
      expect(thrown(() => compositeKey(['a'], { separator: '##' }))).to.be.instanceOf(ValidationError);
    });
  });

  describe('diagram', () => {
    const text = diagram(forumModels);
    const lines = text.split('\n').map((l) => l.trim());

    it('is a Mermaid erDiagram with every model and its keys', () => {
      expect(lines[0]).to.equal('erDiagram');
      for (const m of ['Forum', 'User', 'Thread', 'Reply']) expect(lines, m).to.include(`${m} {`);
      expect(lines).to.include('string name PK "hash"');
      expect(lines).to.include('string subject PK,FK "range, byUser range keys-only"');
      expect(lines).to.include('string user_name FK "byUser hash keys-only"');
    });

    it('has one line per relationship, with its cardinality and index', () => {
      const relationships = lines.filter((l) => / : "/.test(l));
      expect(relationships.sort()).to.deep.equal([
        'Forum ||--o{ Thread : "recentThreads via byPosted"',
        'Forum ||--o{ Thread : "threads"',
        'Reply }o--|| Thread : "thread"',
        'Reply }o--|| User : "user"',
        'Tag }o--o{ Thread : "threads via ThreadTag.inverse"',
        'Thread ||--o{ Reply : "replies"',
        'Thread }o--o{ Tag : "tags via ThreadTag"',
        'Thread }o--|| Forum : "forum"',
        'Thread }o--|| User : "user"',
        'User ||--o{ Reply : "replies via byUser"',
        'User ||--o{ Thread : "threads via byUser"',
      ]);
    });

    it('draws oneToOne, and reads relations without sharing state between instances', () => {
      class Person extends Model({ table: 'people', key: { hash: 'id' }, attributes: { id: string() } }) {
        passport = oneToOne(() => Passport, { query: (p: Person) => ({ person: p.id }) });
      }
      class Passport extends Model({ table: 'passports', key: { hash: 'person' }, attributes: { person: string() } }) {}
      expect(diagram([Person, Passport]).split('\n').map((l) => l.trim())).to.include('Person ||--o| Passport : "passport"');
      expect(Object.keys(relationsOf(Thread)).sort()).to.deep.equal(['forum', 'replies', 'tags', 'user']);
      expect(Object.keys(relationsOf(Forum))).to.deep.equal(['threads', 'recentThreads']);
      const init = { forum_name: 'f', subject: 's', user_name: 'u' };
      const [a, b] = [new Thread(init), new Thread(init)];
      expect(a.user).to.not.equal(b.user);
      expect(relationsOf(Reply).user.target()).to.equal(User);
    });
  });

  describe('edge store ids', () => {
    class Doc extends Model({ table: 'docs', key: { hash: 'owner', range: 'n' }, attributes: { owner: string(), n: number() } }) {}
    class Blob extends Model({ table: 'blobs', key: { hash: 'bytes' }, attributes: { bytes: binary() } }) {}
    const Links = edgeTable({ name: 'DocBlob', table: 'links', from: () => Doc, to: () => Blob });
    const info = Links.edgeStore;

    it('read back every key they were made from', () => {
      fc.assert(fc.property(anyPart.filter((p) => p.length > 0), fc.integer(), fc.uint8Array({ minLength: 1, maxLength: 9 }), (owner, n, bytes) => {
        const doc = info.keyOf(Doc, info.endId(Doc, { owner, n }))!;
        expect(doc.owner).to.equal(owner);
        expect(Number(doc.n)).to.equal(n);
        expect([...(info.keyOf(Blob, info.endId(Blob, { bytes })) as { bytes: Uint8Array }).bytes]).to.deep.equal([...bytes]);
      }));
    });

    it('read nothing from an id of another store or model, nor from a cut, padded or malformed one', () => {
      const id = info.endId(Doc, { owner: 'a:b', n: 12 });
      expect(id).to.equal('T7:DocBlobS3:a:bN4:12e0');
      expect(info.keyOf(Doc, id)).to.deep.include({ owner: 'a:b' });
      const other = edgeTable({ name: 'Other', table: 'links', from: () => Doc, to: () => Blob }).edgeStore;
      for (const bad of [
        other.endId(Doc, { owner: 'a:b', n: 12 }), info.endId(Blob, { bytes: new Uint8Array([1]) }), id.slice(0, -1), `${id}x`, `${id}U`,
        'T7:DocBlobUN4:12e0', 'T7:DocBlobS3:a:bU', 'T7:DocBlobX3:a:bN4:12e0', 'T7:DocBlobS-1:N4:12e0', 'T7:DocBlobS99:a:bN4:12e0', 'T7:DocBlobS3', 'U', '', 'T7:DocBlo',
      ]) expect(info.keyOf(Doc, bad), bad).to.equal(undefined);
    });
  });

  describe('edges', () => {
    it('know their field name: get() of an unloaded edge names Model.field, with code EDGE_NOT_LOADED', () => {
      const t = new Thread({ forum_name: 'f', subject: 's', user_name: 'u' });
      expect(t.user.field).to.equal('user');
      expect(t.replies.field).to.equal('replies');
      // Typed as loaded on purpose: the run-time check is what is tested.
      const err = thrown(() => (t.user as typeof t.user & KnownLoaded).get()) as EdgeNotLoadedError;
      expect(err).to.be.instanceOf(EdgeNotLoadedError);
      expect(err.code).to.equal('EDGE_NOT_LOADED');
      expect(err.message).to.match(/^Thread\.user is not loaded/);
      expect(err.edge).to.equal('Thread.user');
      expect(thrown(() => (t.replies as typeof t.replies & KnownLoaded).get()).message).to.match(/^Thread\.replies is not loaded/);
    });
  });
});
