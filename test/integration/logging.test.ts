/**
 * Every request is logged through the one send point, whatever the logger's shape:
 * console-like `debug(message, data)`, pino-like `debug(data, message)`, or a function.
 */
import { expect } from 'chai';
import { Model, string, number, type Dynagraph, type LogEntry } from '../../src/index.js';
import { testDb } from '../harness/db.js';

class Note extends Model({ table: 'notes', key: { hash: 'id', range: 'rev' }, attributes: { id: string(), rev: number(), text: string() } }) {}

/** Put, get, move (a transaction) and delete, through `db`; returns nothing, the logger watches. */
async function workload(db: Dynagraph, id: string): Promise<void> {
  await Note.put({ id, rev: 1, text: 'hi' }, { db });
  const n = (await Note.get({ id, rev: 1 }, { db }))!;
  n.rev = 2;
  await n.save({ onKeyChange: 'move' });
  await n.delete();
}

function checkEntries(entries: LogEntry[]): void {
  const requests = entries.filter((e) => e.table === 'logging-notes' && e.command !== 'DescribeTable');
  expect(requests.map((e) => [e.channel, e.command])).to.deep.equal([
    ['database-access', 'PutItem'],
    ['database-access', 'GetItem'],
    ['transactions', 'TransactWriteItems'],
    ['database-access', 'DeleteItem'],
  ]);
  for (const e of requests) {
    expect(e.durationMs).to.be.a('number').and.at.least(0).and.below(30_000);
  }
  expect(requests[1].items).to.equal(1);
  expect(requests[1].consumedCapacity).to.equal(0.5);
}

describe('logging (DynamoDB Local)', () => {
  const fnEntries: LogEntry[] = [];
  const owner = testDb('logging-', { logger: (e) => fnEntries.push(e) });

  before(async () => {
    await owner.db.createTables([Note]);
  });
  after(() => owner.drop([Note]));

  it('a function logger receives one entry per request, table operations included', async () => {
    const created = fnEntries.filter((e) => e.command === 'CreateTable');
    expect(created).to.have.length(1);
    expect(created[0]).to.include({ channel: 'database-access', table: 'logging-notes' });
    fnEntries.length = 0;
    await workload(owner.db, 'fn');
    checkEntries(fnEntries);
  });

  it('a console-like logger gets debug(message, data)', async () => {
    const calls: unknown[][] = [];
    const { db } = testDb('logging-', { logger: { debug: (...args: unknown[]) => void calls.push(args) } });
    await workload(db, 'console');
    for (const args of calls) {
      expect(args).to.have.length(2);
      expect(args[0]).to.be.a('string');
    }
    const put = calls.find((a) => (a[1] as LogEntry).command === 'PutItem')!;
    expect(put[0]).to.match(/^\[dynagraph:database-access\] PutItem logging-notes \d+(\.\d+)?ms$/);
    checkEntries(calls.map((a) => a[1] as LogEntry));
  });

  it('a pino-like logger (child + level) gets debug(data, message)', async () => {
    const calls: unknown[][] = [];
    const pino = {
      level: 'debug',
      debug: (...args: unknown[]) => void calls.push(args),
      child() {
        return pino;
      },
    };
    const { db } = testDb('logging-', { logger: pino });
    await workload(db, 'pino');
    for (const args of calls) expect(args[1]).to.be.a('string');
    const tx = calls.find((a) => (a[0] as LogEntry).command === 'TransactWriteItems')!;
    expect(tx[1]).to.match(/^\[dynagraph:transactions\] TransactWriteItems logging-notes /);
    checkEntries(calls.map((a) => a[0] as LogEntry));
  });

  it('a failed request is not logged as a success, and without a logger nothing breaks', async () => {
    fnEntries.length = 0;
    let failed = false;
    await Note.put({ id: 'dup', rev: 1, text: 'a' }, { db: owner.db });
    try {
      await Note.put({ id: 'dup', rev: 1, text: 'b' }, { db: owner.db, overwrite: false });
    } catch {
      failed = true;
    }
    expect(failed).to.equal(true);
    // The request on its channel, then the model-level event of the one save that succeeded.
    expect(fnEntries.map((e) => [e.channel, e.command])).to.deep.equal([['database-access', 'PutItem'], ['model', 'save']]);
    const { db } = testDb('logging-');
    await Note.put({ id: 'quiet', rev: 1, text: 'q' }, { db });
    expect((await Note.get({ id: 'quiet', rev: 1 }, { db }))!.text).to.equal('q');
  });
});
