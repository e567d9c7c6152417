/**
 * Referential integrity against DynamoDB Local, counting the commands sent: `onDelete`
 * restrict / cascade / detach and `requireTarget` run as ONE TransactWriteItems with the
 * item's own write; refusals name what blocks them and write nothing; above 100 actions the
 * delete refuses before any write request (the reads that find the dependents are counted
 * separately).
 */
import { expect } from 'chai';
import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  DeleteRestrictedError, gsi, manyToOne, MissingTargetError, Model, number, oneToMany, oneToOne, SchemaError, string,
  TransactionCanceledError, TransactionTooLargeError,
} from '../../src/index.js';
import { testDb } from '../harness/db.js';
import { caught } from '../harness/caught.js';
import { recordInputs } from '../harness/faults.js';

class Owner extends Model({ table: 'owners', key: { hash: 'name' }, attributes: { name: string(), docCount: number().default(0) } }) {
  docs = oneToMany(() => Doc, { index: 'byOwner', query: (o: Owner) => ({ owner_name: o.name }), inverse: 'owner', onDelete: 'restrict', counter: 'docCount' });
  profile = oneToOne(() => Profile, { query: (o: Owner) => ({ owner: o.name }), onDelete: 'cascade' });
}

class Profile extends Model({ table: 'profiles', key: { hash: 'owner' }, attributes: { owner: string(), bio: string() } }) {}

class Label extends Model({ table: 'labels', key: { hash: 'name' }, attributes: { name: string() } }) {
  docs = oneToMany(() => Doc, { index: 'byLabel', query: (l: Label) => ({ label_name: l.name }), onDelete: 'detach' });
}

class Doc extends Model({
  table: 'docs',
  key: { hash: 'id' },
  attributes: { id: string(), owner_name: string(), label_name: string().optional() },
  indexes: { byOwner: gsi({ hash: 'owner_name', range: 'id' }), byLabel: gsi({ hash: 'label_name', range: 'id' }) },
}) {
  owner = manyToOne(() => Owner, { query: (d: Doc) => ({ name: d.owner_name }), backQuery: (o: Owner) => ({ owner_name: o.name }) });
}

class Folder extends Model({ table: 'folders', key: { hash: 'name' }, attributes: { name: string() } }) {
  files = oneToMany(() => File, { query: (f: Folder) => ({ folder_name: f.name }), inverse: 'folder', onDelete: 'cascade' });
}

class File extends Model({ table: 'files', key: { hash: 'folder_name', range: 'name' }, attributes: { folder_name: string(), name: string(), size: number().default(0) } }) {
  folder = manyToOne(() => Folder, { query: (f: File) => ({ name: f.folder_name }), backQuery: (f: Folder) => ({ folder_name: f.name }), requireTarget: true });
  notes = oneToMany(() => Note, { query: (f: File) => ({ file: `${f.folder_name}/${f.name}` }), onDelete: 'cascade' });
}

class Note extends Model({ table: 'notes', key: { hash: 'file', range: 'n' }, attributes: { file: string(), n: number() } }) {}

/** Detach of an attribute that is not optional: refused. */
class Strict extends Model({ table: 'stricts', key: { hash: 'name' }, attributes: { name: string() } }) {
  docs = oneToMany(() => Doc, { index: 'byOwner', query: (s: Strict) => ({ owner_name: s.name }), onDelete: 'detach' });
}

const models = [Owner, Profile, Label, Doc, Folder, File, Note, Strict];
const { db, counter, drop } = testDb('integrity-', { retry: { baseDelayMs: 1 } });
const spy = recordInputs(db.connection.client);
const WRITES = ['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'TransactWriteItemsCommand', 'BatchWriteItemCommand'];
const writes = () => counter.commands().filter((n) => WRITES.includes(n)).length;
const table = (m: { schema: Parameters<typeof db.tableName>[0] }) => db.tableName(m.schema);

describe('integrity: onDelete and requireTarget in one transaction (DynamoDB Local)', () => {
  before(async function () {
    this.timeout(60_000);
    await db.createTables(models);
  });
  after(() => drop(models));
  beforeEach(() => counter.reset());

  describe('restrict', () => {
    it('refuses while dependents exist, naming them, and sends no write', async () => {
      await Owner.put({ name: 'ada' }, { db });
      for (const id of ['d1', 'd2', 'd3']) await Doc.put({ id, owner_name: 'ada' }, { db });
      expect((await Owner.get({ name: 'ada' }, { db, consistent: true }))!.docCount).to.equal(3);
      const ada = (await Owner.get({ name: 'ada' }, { db, consistent: true }))!;
      counter.reset();
      const err = await caught<any>(ada.delete());
      expect(err).to.be.instanceOf(DeleteRestrictedError);
      expect(err.code).to.equal('DELETE_RESTRICTED');
      expect(err.edge).to.equal('Owner.docs');
      expect(err.blocking.map((d: Doc) => d.id).sort()).to.deep.equal(['d1', 'd2', 'd3']);
      expect(err.message).to.contain('"d1"').and.contain('"d3"').and.contain('nothing was written');
      expect(writes()).to.equal(0);
      // By key too: one consistent read of the owner, the Query, no write.
      counter.reset();
      expect(await caught<any>(Owner.delete({ name: 'ada' }, { db }))).to.be.instanceOf(DeleteRestrictedError);
      expect(counter.counts()).to.deep.equal({ GetItemCommand: 1, QueryCommand: 1 });
      expect(await Owner.get({ name: 'ada' }, { db })).to.not.equal(null);
    });

    it('deletes once the dependents are gone, conditional on the counter being 0', async () => {
      for (const id of ['d1', 'd2', 'd3']) await (await Doc.get({ id }, { db }))!.delete();
      const ada = (await Owner.get({ name: 'ada' }, { db, consistent: true }))!;
      expect(ada.docCount).to.equal(0);
      counter.reset();
      const from = spy.sent.length;
      await ada.delete();
      expect(counter.counts()).to.deep.equal({ QueryCommand: 1, BatchGetItemCommand: 1, TransactWriteItemsCommand: 1 });
      const tx = spy.sent.slice(from).find((r) => r.command === 'TransactWriteItemsCommand')!;
      expect(JSON.stringify(tx.input)).to.contain('docCount');
      expect(await Owner.get({ name: 'ada' }, { db, consistent: true })).to.equal(null);
    });

    it('is exact with a counter: a child the read missed (counted meanwhile) cancels the delete', async () => {
      await Owner.put({ name: 'bob' }, { db });
      // As if a Doc were created between the Query (an eventually consistent index) and the delete.
      await db.connection.doc.send(new UpdateCommand({ TableName: table(Owner), Key: { name: 'bob' }, UpdateExpression: 'SET docCount = :one', ExpressionAttributeValues: { ':one': 1 } }));
      const bob = (await Owner.get({ name: 'bob' }, { db, consistent: true }))!;
      counter.reset();
      const err = await caught<any>(bob.delete());
      expect(err).to.be.instanceOf(DeleteRestrictedError);
      expect(err.edge).to.equal('Owner.docs');
      expect(counter.counts().TransactWriteItemsCommand).to.equal(1);
      expect(await Owner.get({ name: 'bob' }, { db, consistent: true })).to.not.equal(null);
    });

    it('a one-to-one cascade deletes the owned target in the same transaction', async () => {
      await Owner.put({ name: 'cy' }, { db });
      await Profile.put({ owner: 'cy', bio: 'hi' }, { db });
      const cy = (await Owner.get({ name: 'cy' }, { db, consistent: true }))!;
      counter.reset();
      await cy.delete();
      expect(counter.counts().TransactWriteItemsCommand).to.equal(1);
      expect(await Profile.get({ owner: 'cy' }, { db, consistent: true })).to.equal(null);
    });
  });

  describe('cascade', () => {
    it('deletes a folder and its 50 files in ONE TransactWriteItems', async () => {
      await Folder.put({ name: 'big' }, { db });
      await File.putMany(Array.from({ length: 50 }, (_, i) => ({ folder_name: 'big', name: `f${String(i).padStart(2, '0')}` })), { db });
      const folder = (await Folder.get({ name: 'big' }, { db }))!;
      counter.reset();
      const from = spy.sent.length;
      await folder.delete();
      // The reads: the files (one Query), each file's notes (nested cascade: one Query each).
      expect(counter.counts()).to.deep.equal({ QueryCommand: 51, TransactWriteItemsCommand: 1 });
      const tx = spy.sent.slice(from).find((r) => r.command === 'TransactWriteItemsCommand')!;
      expect((tx.input.TransactItems as unknown[]).length).to.equal(51);
      expect(await File.query({ folder_name: 'big' }, { db, consistent: true }).count()).to.equal(0);
      expect(await Folder.get({ name: 'big' }, { db, consistent: true })).to.equal(null);
    });

    it('nested: a file cascades to its notes in the same transaction (Model.delete by key)', async () => {
      await Folder.put({ name: 'n' }, { db });
      await File.put({ folder_name: 'n', name: 'a' }, { db });
      await Note.putMany([{ file: 'n/a', n: 1 }, { file: 'n/a', n: 2 }], { db });
      counter.reset();
      await Folder.delete({ name: 'n' }, { db });
      expect(counter.counts()).to.deep.equal({ GetItemCommand: 1, QueryCommand: 2, TransactWriteItemsCommand: 1 });
      expect(await Note.query({ file: 'n/a' }, { db, consistent: true }).count()).to.equal(0);
      expect(await File.get({ folder_name: 'n', name: 'a' }, { db, consistent: true })).to.equal(null);
    });

    it('a dependent deleted between the read and the write cancels everything, naming it', async () => {
      await Folder.put({ name: 'race' }, { db });
      await File.putMany([{ folder_name: 'race', name: 'x' }, { folder_name: 'race', name: 'y' }], { db });
      const folder = (await Folder.get({ name: 'race' }, { db }))!;
      let once = false;
      const name = 'integrityRace';
      db.connection.client.middlewareStack.add((next, context) => async (args) => {
        if (context.commandName === 'TransactWriteItemsCommand' && !once) {
          once = true;
          await db.connection.doc.send(new DeleteCommand({ TableName: table(File), Key: { folder_name: 'race', name: 'y' } }));
        }
        return next(args);
      }, { step: 'initialize', name });
      try {
        const err = await caught<any>(folder.delete());
        expect(err).to.be.instanceOf(TransactionCanceledError);
        expect(err.reasons.map((r: { model: string; action: string }) => `${r.action} ${r.model}`)).to.deep.equal(['delete File']);
      } finally {
        db.connection.client.middlewareStack.remove(name);
      }
      expect(await Folder.get({ name: 'race' }, { db, consistent: true })).to.not.equal(null);
      expect(await File.get({ folder_name: 'race', name: 'x' }, { db, consistent: true })).to.not.equal(null);
    });

    it('above 100 actions refuses before any write request', async () => {
      await Folder.put({ name: 'huge' }, { db });
      await File.putMany(Array.from({ length: 100 }, (_, i) => ({ folder_name: 'huge', name: `f${String(i).padStart(3, '0')}` })), { db });
      const folder = (await Folder.get({ name: 'huge' }, { db }))!;
      counter.reset();
      const err = await caught<any>(folder.delete());
      expect(err).to.be.instanceOf(TransactionTooLargeError);
      expect(err.actions).to.equal(101);
      expect(writes()).to.equal(0);
      expect(counter.counts().QueryCommand).to.equal(101);
      expect(await File.query({ folder_name: 'huge' }, { db, consistent: true }).count()).to.equal(100);
    });

    it('inside db.transactWrite: tx.delete of the folder carries its cascade', async () => {
      await Folder.put({ name: 't' }, { db });
      await File.putMany([{ folder_name: 't', name: 'a' }, { folder_name: 't', name: 'b' }], { db });
      counter.reset();
      const result = await db.transactWrite((tx) => { tx.delete([Folder, { name: 't' }]); });
      expect(result.actions).to.equal(3);
      expect(counter.counts().TransactWriteItemsCommand).to.equal(1);
      expect(await File.query({ folder_name: 't' }, { db, consistent: true }).count()).to.equal(0);
    });
  });

  describe('detach', () => {
    it('removes the attribute pointing at the deleted item from each dependent, in one transaction', async () => {
      await Label.put({ name: 'urgent' }, { db });
      await Owner.put({ name: 'dee' }, { db });
      for (const id of ['l1', 'l2']) await Doc.put({ id, owner_name: 'dee', label_name: 'urgent' }, { db });
      const label = (await Label.get({ name: 'urgent' }, { db }))!;
      counter.reset();
      await label.delete();
      expect(counter.counts()).to.deep.equal({ QueryCommand: 1, TransactWriteItemsCommand: 1 });
      for (const id of ['l1', 'l2']) {
        const doc = (await Doc.get({ id }, { db, consistent: true }))!;
        expect(doc.label_name).to.equal(undefined);
        expect(doc.owner_name).to.equal('dee');
      }
    });

    it('refuses to detach an attribute that is not optional, before any request', async () => {
      await db.connection.doc.send(new PutCommand({ TableName: table(Strict), Item: { name: 'dee' } }));
      const strict = (await Strict.get({ name: 'dee' }, { db }))!;
      counter.reset();
      const err = await caught<any>(strict.delete());
      expect(err).to.be.instanceOf(SchemaError);
      expect(err.message).to.contain('Doc.owner_name').and.contain('not optional');
      expect(counter.total()).to.equal(0);
    });
  });

  describe('requireTarget', () => {
    it('refuses a file in a missing folder with nothing written, naming the folder', async () => {
      counter.reset();
      const err = await caught<any>(new File({ folder_name: 'nowhere', name: 'a' }).save({ db }));
      expect(err).to.be.instanceOf(MissingTargetError);
      expect(err.code).to.equal('TARGET_NOT_FOUND');
      expect(err.message).to.contain('File.folder').and.contain('Folder').and.contain('nowhere');
      expect(counter.counts()).to.deep.equal({ TransactWriteItemsCommand: 1 });
      expect(await File.get({ folder_name: 'nowhere', name: 'a' }, { db, consistent: true })).to.equal(null);
    });

    it('writes the file with a ConditionCheck of its folder, also inside db.transactWrite', async () => {
      await Folder.put({ name: 'home' }, { db });
      counter.reset();
      const from = spy.sent.length;
      await new File({ folder_name: 'home', name: 'a' }).save({ db });
      const tx = spy.sent.slice(from).find((r) => r.command === 'TransactWriteItemsCommand')!;
      expect((tx.input.TransactItems as Record<string, unknown>[]).map((i) => Object.keys(i)[0])).to.deep.equal(['Put', 'ConditionCheck']);
      const err = await caught<any>(db.transactWrite((t) => { t.put(new File({ folder_name: 'gone', name: 'b' })); }));
      expect(err).to.be.instanceOf(MissingTargetError);
      // An update of a stored file is not a create: no check.
      counter.reset();
      const file = (await File.get({ folder_name: 'home', name: 'a' }, { db }))!;
      file.size = 3;
      await file.save();
      expect(counter.counts()).to.deep.equal({ GetItemCommand: 1, PutItemCommand: 1 });
    });
  });
});
