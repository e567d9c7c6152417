/**
 * Hostile cursors (DynamoDB Local, fast-check with fixed seeds): a cursor that was edited
 * in any way, truncated, or taken from another table, index, partition or scan segment is
 * refused with InvalidCursorError before anything is read — the command counter stays at
 * zero. A cursor forged with a valid checksum still cannot leave its table, index or
 * partition; with a `cursorSecret`, unsigned and foreign-signed cursors are refused.
 */
import { createHash, createHmac } from 'node:crypto';
import { expect } from 'chai';
import fc from 'fast-check';
import { InvalidCursorError, Model, gsi, lsi, number, string, type Dynagraph } from '../../src/index.js';
import { testDb, type TestDb } from '../harness/db.js';
import { addInputs } from './figures.js';

const attributes = { room: string(), at: number(), by: string(), text: string() };
const indexes = { byAuthor: gsi({ hash: 'by', range: 'at' }), byText: lsi({ range: 'text' }) };
class Message extends Model({ table: 'hmessages', key: { hash: 'room', range: 'at' }, attributes, indexes }) {}
class Archived extends Model({ table: 'harchived', key: { hash: 'room', range: 'at' }, attributes, indexes }) {}
const models = [Message, Archived];

const plain = testDb('faults-hc-');
const signed = testDb('faults-hc-', { cursorSecret: 'the secret' });

type Page = { cursor?: string };
/** Where a cursor can be used: each is a different table, index, partition or segment. */
const TARGETS: Record<string, (db: Dynagraph, cursor?: string) => Promise<Page>> = {
  'table room a': (db, cursor) => Message.query({ room: 'a' }, { db }).page({ limit: 2, cursor }),
  'table room b': (db, cursor) => Message.query({ room: 'b' }, { db }).page({ limit: 2, cursor }),
  'gsi by a1': (db, cursor) => Message.query({ by: 'a1' }, { db, index: 'byAuthor' }).page({ limit: 2, cursor }),
  'gsi by b1': (db, cursor) => Message.query({ by: 'b1' }, { db, index: 'byAuthor' }).page({ limit: 2, cursor }),
  'lsi room a': (db, cursor) => Message.query({ room: 'a' }, { db, index: 'byText' }).page({ limit: 2, cursor }),
  'scan segment 0/2': (db, cursor) => Message.scan({ db, segment: 0, totalSegments: 2 }).page({ limit: 2, cursor }),
  'scan segment 1/2': (db, cursor) => Message.scan({ db, segment: 1, totalSegments: 2 }).page({ limit: 2, cursor }),
  'scan segment 0/3': (db, cursor) => Message.scan({ db, segment: 0, totalSegments: 3 }).page({ limit: 2, cursor }),
  'scan whole table': (db, cursor) => Message.scan({ db }).page({ limit: 2, cursor }),
  'other table room a': (db, cursor) => Archived.query({ room: 'a' }, { db }).page({ limit: 2, cursor }),
};
const names = Object.keys(TARGETS);

/** Uses `cursor` at `target` and checks it was refused with nothing sent. */
async function refused(t: TestDb, target: string, cursor: string, why: string): Promise<void> {
  t.counter.reset();
  const err = await TARGETS[target](t.db, cursor).then(() => undefined, (e: unknown) => e);
  expect(err, `${why}: accepted at ${target}: ${JSON.stringify(cursor)}`).to.be.instanceOf(InvalidCursorError);
  expect(t.counter.total(), `${why}: requests sent`).to.equal(0);
}

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
type Edit = (s: string) => string;
const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.tuple(fc.nat(), fc.constantFrom(...B64URL, '.', '=', '+', '/', ' ', '%', 'é')).map(([i, c]): Edit => (s) => { const k = i % s.length; return s.slice(0, k) + c + s.slice(k + 1); }),
  fc.tuple(fc.nat(), fc.constantFrom(...B64URL, '.', '=')).map(([i, c]): Edit => (s) => { const k = i % (s.length + 1); return s.slice(0, k) + c + s.slice(k); }),
  fc.nat().map((i): Edit => (s) => { const k = i % s.length; return s.slice(0, k) + s.slice(k + 1); }),
  fc.nat().map((i): Edit => (s) => s.slice(0, i % s.length)),
  fc.nat().map((i): Edit => (s) => s.slice(1 + (i % (s.length - 1)))),
  fc.tuple(fc.nat(), fc.nat()).map(([i, j]): Edit => (s) => { const a = [...s]; const x = i % a.length; const y = j % a.length; [a[x], a[y]] = [a[y], a[x]]; return a.join(''); }),
  fc.constant<Edit>((s) => s.replace(/[a-z]/, (c) => c.toUpperCase())),
  fc.constant<Edit>((s) => s.split('.').reverse().join('.')),
  fc.constant<Edit>((s) => `${s}.${s.split('.')[1]}`),
);

const b64 = (text: string) => Buffer.from(text).toString('base64url');
const checksum = (payload: string) => createHash('sha256').update(payload).digest('base64url').slice(0, 16);

describe('hostile cursors are refused before anything is read (fast-check, DynamoDB Local)', function () {
  this.timeout(60_000);
  const cursors: Record<string, string> = {};
  const signedCursors: Record<string, string> = {};
  before(async () => {
    await plain.db.createTables(models);
    for (const M of models) {
      await M.putMany(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].flatMap((room) => Array.from({ length: 8 }, (_, at) => ({ room, at, by: `${room}${at % 2}`, text: `t${9 - at}` }))), { db: plain.db });
    }
    for (const name of names) {
      cursors[name] = (await TARGETS[name](plain.db)).cursor!;
      signedCursors[name] = (await TARGETS[name](signed.db)).cursor!;
      expect(cursors[name], name).to.be.a('string');
      // Each works where it came from.
      await TARGETS[name](plain.db, cursors[name]);
      await TARGETS[name](signed.db, signedCursors[name]);
    }
  });
  after(() => plain.drop(models));

  it('a cursor from any other table, index, partition or segment is refused, signed or not', async () => {
    let pairs = 0;
    for (const from of names) {
      for (const to of names) {
        if (from === to) continue;
        await refused(plain, to, cursors[from], `from ${from}`);
        await refused(signed, to, signedCursors[from], `signed, from ${from}`);
        pairs += 2;
      }
      // Across the secret boundary, even at home: unsigned where signing is required, signed where no secret is set.
      await refused(signed, from, cursors[from], 'unsigned');
      await refused(plain, from, signedCursors[from], 'signed without a secret');
      pairs += 2;
    }
    addInputs('foreign cursors', pairs);
  });

  it('any edit (changed, inserted or removed characters, truncation, swaps) is refused', async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...names), fc.array(edit, { minLength: 1, maxLength: 3 }), fc.boolean(), async (name, edits, isSigned) => {
        const original = (isSigned ? signedCursors : cursors)[name];
        const tampered = edits.reduce((s, e) => e(s), original);
        fc.pre(tampered !== original);
        runs++;
        await refused(isSigned ? signed : plain, name, tampered, 'edited');
      }),
      { seed: 777, numRuns: 400 },
    );
    addInputs('edited cursors', runs);
  });

  it('a cursor forged with a valid checksum cannot leave its table, index, partition or segment; with a secret it is refused outright', async () => {
    let runs = 0;
    const change = fc.oneof(
      fc.constant((b: any) => void (b.t = `${b.t}x`)),
      fc.constant((b: any) => void (b.t = b.t.replace('hmessages', 'harchived'))),
      fc.constantFrom('byAuthor', 'byText', 'other').map((i) => (b: any) => void (b.i = b.i === i ? '' : i)),
      // Another partition: the partition attribute of the cursor's own query (a scan has none).
      fc.constantFrom('b', 'a1', 'z', ':v0', ') OR (').map((v) => (b: any, name: string) => {
        const k = name.startsWith('gsi') ? 'by' : name.startsWith('scan') ? undefined : 'room';
        if (k) b.k[k] = { S: b.k[k].S === v ? `${v}!` : v };
      }),
      fc.constant((b: any) => void (b.k.extra = { S: 'x' })),
      fc.constant((b: any) => void (b.k.at = { M: { nested: { N: '1' } } })),
      fc.constant((b: any) => void delete b.k.at),
      fc.constant((b: any) => void (b.s = b.s ? [b.s[0], b.s[1] + 1] : [0, 2])),
      fc.constant((b: any) => void (b.v = 2)),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...names.filter((n) => !n.startsWith('scan whole'))), change, async (name, mutate) => {
        const [payload] = cursors[name].split('.');
        const body = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
        const before = JSON.stringify(body);
        mutate(body, name);
        fc.pre(JSON.stringify(body) !== before);
        runs++;
        const forged = b64(JSON.stringify(body));
        // Without a secret anyone can recompute the checksum: the scope checks alone must hold.
        await refused(plain, name, `${forged}.${checksum(forged)}`, `forged ${JSON.stringify(body)}`);
        // With a secret, a forger has no key: checksummed or signed with a guess, it is refused.
        await refused(signed, name, `${forged}.${checksum(forged)}`, 'forged, checksummed');
        await refused(signed, name, `${forged}.${createHmac('sha256', 'a guess').update(forged).digest('base64url')}`, 'forged, signed with a guess');
      }),
      { seed: 4242, numRuns: 150 },
    );
    addInputs('forged cursors', runs * 3);
    // The control: a forgery inside its scope (another start key, same partition) is a valid cursor
    // without a secret — so the refusals above were the scope checks at work — and refused with one.
    const body = JSON.parse(Buffer.from(cursors['table room a'].split('.')[0], 'base64url').toString('utf8'));
    body.k.at = { N: '5' };
    const forged = b64(JSON.stringify(body));
    const resumed = await Message.query({ room: 'a' }, { db: plain.db }).page({ limit: 2, cursor: `${forged}.${checksum(forged)}` });
    expect(resumed.items.map((m) => m.at)).to.deep.equal([6, 7]);
    await refused(signed, 'table room a', `${forged}.${checksum(forged)}`, 'forged in scope');
  });
});
