/**
 * Bad input fails before any request with a typed error naming the field, and nothing
 * is written: every case counts the commands sent and reads the key back.
 */
import { expect } from 'chai';
import { Model, ValidationError, MAX_ITEM_BYTES, itemSize, string, number, numberSet, bigint, decimal, binary, list, map } from '../../src/index.js';
import { testDb } from '../harness/db.js';

const { db, counter, drop } = testDb('validation-');

class Doc extends Model({
  table: 'docs',
  key: { hash: 'id', range: 'rev' },
  attributes: {
    id: string(),
    rev: number(),
    title: string(),
    body: string().optional(),
    size: number().optional(),
    big: bigint().optional(),
    money: decimal().optional(),
    scores: numberSet(),
    meta: map({ author: string().optional(), pages: list(number()) }),
  },
}) {}

class Blob extends Model({
  table: 'blobs',
  key: { hash: 'bin' },
  attributes: { bin: binary(), note: string().optional() },
}) {}

const models = [Doc, Blob];

/** Runs `write`, expects a ValidationError sent before any request; returns its issues. */
async function rejected(write: () => Promise<unknown>): Promise<Record<string, string>> {
  counter.reset();
  let error: unknown;
  try {
    await write();
  } catch (err) {
    error = err;
  }
  expect(error, 'expected a ValidationError').to.be.instanceOf(ValidationError);
  expect((error as ValidationError).code).to.equal('VALIDATION');
  expect(counter.counts(), 'no request may be sent').to.deep.equal({});
  return Object.fromEntries((error as ValidationError).issues.map((i) => [i.path, i.message]));
}

async function nothingStored(id: string, rev = 1): Promise<void> {
  expect(await Doc.get({ id, rev }, { consistent: true })).to.equal(null);
}

describe('validation before any request (DynamoDB Local)', () => {
  before(() => db.createTables(models));
  after(() => drop(models));

  it('a wrong type, naming the field', async () => {
    const issues = await rejected(() => new Doc({ id: 'wt', rev: 1, title: 42 as never }).save());
    expect(issues).to.deep.equal({ title: 'expected a string, got number' });
    await nothingStored('wt');
  });

  it('a wrong type nested in a map or list, naming the path', async () => {
    const issues = await rejected(() => Doc.put({ id: 'nested', rev: 1, title: 't', meta: { author: 7 as never, pages: [1, 'two' as never] } }));
    expect(issues).to.deep.equal({ 'meta.author': 'expected a string, got number', 'meta.pages[1]': 'expected a number, got string' });
    await nothingStored('nested');
  });

  it('a missing required attribute, set to undefined after construction', async () => {
    const doc = new Doc({ id: 'mr', rev: 1, title: 't' });
    (doc as { title?: string }).title = undefined;
    expect(await rejected(() => doc.save())).to.deep.equal({ title: 'is required' });
    expect(await rejected(() => Doc.put({ id: 'mr', rev: 1 } as never))).to.deep.equal({ title: 'is required' });
    await nothingStored('mr');
  });

  it('an unknown attribute', async () => {
    const issues = await rejected(() => Doc.put({ id: 'ua', rev: 1, title: 't', colour: 'red' } as never));
    expect(issues).to.deep.equal({ colour: 'is not an attribute of the model' });
    await nothingStored('ua');
  });

  it('an empty string in a key, on write, read and delete', async () => {
    expect(await rejected(() => Doc.put({ id: '', rev: 1, title: 't' }))).to.deep.equal({
      id: 'is an empty string; DynamoDB keys cannot be empty',
    });
    expect(await rejected(() => Doc.get({ id: '', rev: 1 }))).to.have.keys('id');
    expect(await rejected(() => Doc.delete({ id: '', rev: 1 }))).to.have.keys('id');
  });

  it('an empty binary key', async () => {
    const issues = await rejected(() => Blob.put({ bin: new Uint8Array(0), note: 'n' }));
    expect(issues).to.deep.equal({ bin: 'is empty binary; DynamoDB keys cannot be empty' });
    expect(await rejected(() => Blob.get({ bin: new Uint8Array(0) }))).to.have.keys('bin');
    await Blob.put({ bin: new Uint8Array([1]), note: 'ok' });
    expect((await Blob.get({ bin: new Uint8Array([1]) }))!.note).to.equal('ok');
  });

  it('a number DynamoDB cannot store: 39 digits, NaN, Infinity, beyond 1e125, unsafe integers', async () => {
    expect((await rejected(() => Doc.put({ id: 'n', rev: 1, title: 't', big: 10n ** 39n - 1n }))).big).to.match(/39 significant digits/);
    expect((await rejected(() => Doc.put({ id: 'n', rev: 1, title: 't', money: '1.23456789012345678901234567890123456789' }))).money)
      .to.match(/39 significant digits/);
    expect((await rejected(() => Doc.put({ id: 'n', rev: 1, title: 't', size: NaN }))).size).to.match(/finite/);
    expect((await rejected(() => Doc.put({ id: 'n', rev: 1, title: 't', size: Infinity }))).size).to.match(/finite/);
    expect((await rejected(() => Doc.put({ id: 'n', rev: 1, title: 't', size: 1e126 }))).size).to.match(/larger than DynamoDB can store/);
    // The SDK would refuse these while sending; they must fail as field issues instead.
    expect((await rejected(() => Doc.put({ id: 'n', rev: 1, title: 't', size: 2 ** 60 }))).size).to.match(/MAX_SAFE_INTEGER/);
    expect((await rejected(() => Doc.put({ id: 'n', rev: 1, title: 't', scores: new Set([1e20]) }))).scores).to.match(/MAX_SAFE_INTEGER/);
    expect((await rejected(() => Doc.put({ id: 'n', rev: NaN, title: 't' }))).rev).to.match(/finite/);
    await nothingStored('n');
  });

  it('the largest numbers DynamoDB can store are written and read back exactly', async () => {
    const max38 = 10n ** 38n - 1n;
    await Doc.put({ id: 'max', rev: 1, title: 't', big: -max38, money: '0.00000000000000000000000000000000000001', size: Number.MAX_SAFE_INTEGER });
    const d = (await Doc.get({ id: 'max', rev: 1 }))!;
    expect(d.big).to.equal(-max38);
    expect(d.money).to.equal('0.00000000000000000000000000000000000001');
    expect(d.size).to.equal(Number.MAX_SAFE_INTEGER);
  });

  it('an item over 400 KB; an item of exactly 400 KB is written', async () => {
    // Numbers, a map and a set make the size computation count every kind, as DynamoDB does.
    const extra = { size: -98765.4321, scores: new Set([1.5, -1, 0]), meta: { author: 'ä', pages: [1, 22, 333] } };
    const base = itemSize(new Doc({ id: 'big', rev: 1, title: 't', ...extra }).toItem());
    const room = MAX_ITEM_BYTES - base - 'body'.length;
    const over = await rejected(() => Doc.put({ id: 'big', rev: 1, title: 't', body: 'x'.repeat(room + 1), ...extra }));
    expect(over['(item)']).to.match(/409601 bytes; DynamoDB items are at most 409600/);
    await nothingStored('big');

    await Doc.put({ id: 'big', rev: 1, title: 't', body: 'x'.repeat(room), ...extra });
    const back = (await Doc.get({ id: 'big', rev: 1 }))!;
    expect(itemSize(back.toItem())).to.equal(MAX_ITEM_BYTES);
    expect(back.body!.length).to.equal(room);
  });

  it('every bad field at once, and an instance that failed can be fixed and saved', async () => {
    const doc = new Doc({ id: 'all', rev: 1, title: 5 as never, size: 'big' as never, meta: { pages: [NaN] } });
    const issues = await rejected(() => doc.save());
    expect(Object.keys(issues).sort()).to.deep.equal(['meta.pages[0]', 'size', 'title']);
    await nothingStored('all');
    doc.title = 'fixed';
    doc.size = 1;
    doc.meta.pages = [1];
    await doc.save();
    expect((await Doc.get({ id: 'all', rev: 1 }))!.toJSON()).to.deep.equal({
      id: 'all', rev: 1, title: 'fixed', size: 1, scores: [], meta: { pages: [1] },
    });
  });
});
