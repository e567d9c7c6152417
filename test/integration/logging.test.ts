/**
 * Every request is logged through the one send point, whatever the logger's shape:
 * console-like `debug(message, data)`, pino-like `debug(data, message)`, or a function.
 */
import { expect } from 'chai';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { Dynagraph, Model, string, number, type LogEntry } from '../../src/index.js';
import { injectFaults } from '../../src/testing/index.js';
import { testClient } from '../harness/client.js';
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

  it('a failed request is logged as a failure, not a success, and without a logger nothing breaks', async () => {
    fnEntries.length = 0;
    let failed = false;
    await Note.put({ id: 'dup', rev: 1, text: 'a' }, { db: owner.db });
    try {
      await Note.put({ id: 'dup', rev: 1, text: 'b' }, { db: owner.db, overwrite: false });
    } catch {
      failed = true;
    }
    expect(failed).to.equal(true);
    // The request on its channel, the model-level event of the one save that succeeded, the failed request.
    expect(fnEntries.map((e) => [e.channel, e.command, e.level])).to.deep.equal([
      ['database-access', 'PutItem', 'debug'], ['model', 'save', undefined], ['database-access', 'PutItem', 'warn'],
    ]);
    expect(fnEntries[2]).to.include({ table: 'logging-notes', code: 'CONDITION_FAILED', error: 'ConditionalCheckFailedException', attempts: 1 });
    expect(fnEntries[2].items).to.equal(undefined);
    const { db } = testDb('logging-');
    await Note.put({ id: 'quiet', rev: 1, text: 'q' }, { db });
    expect((await Note.get({ id: 'quiet', rev: 1 }, { db }))!.text).to.equal('q');
  });

  it("a client given no logger: dynagraph's requests skip the SDK's masking for its no-op logger; the client's own requests and a real logger keep it", async () => {
    const client = testClient();
    // The SDK's default logger (its NoOpLogger): count the masked log lines it is handed.
    const noOp = Object.getPrototypeOf(client.config.logger) as { info: (...args: unknown[]) => void };
    const original = noOp.info;
    let masked = 0;
    noOp.info = function (this: unknown, ...args: unknown[]) {
      masked++;
      return original.apply(this, args);
    };
    try {
      const db = new Dynagraph({ client, tablePrefix: 'logging-', default: false });
      await Note.put({ id: 'mask', rev: 1, text: 'm' }, { db });
      expect((await Note.get({ id: 'mask', rev: 1 }, { db }))!.text).to.equal('m');
      expect((await Note.query({ id: 'mask' }, { db }).all()).map((n) => n.text)).to.deep.equal(['m']);
      expect((await Note.getMany([{ id: 'mask', rev: 1 }], { db })).map((n) => n?.text)).to.deep.equal(['m']);
      await Note.delete({ id: 'mask', rev: 2 }, { db });
      expect(masked).to.equal(0);
      // One middleware of dynagraph's on the client, however many instances share it: the SDK
      // copies and chains the client's whole stack again for every request.
      new Dynagraph({ client, tablePrefix: 'logging-', default: false });
      expect(client.middlewareStack.identify().filter((m) => m.startsWith('dynagraph'))).to.have.length(1);
      await client.send(new GetItemCommand({ TableName: 'logging-notes', Key: { id: { S: 'mask' }, rev: { N: '1' } } }));
      expect(masked).to.equal(1);
    } finally {
      noOp.info = original;
    }
    const lines: { commandName?: string; output?: unknown }[] = [];
    const logged = testClient({ logger: { debug() {}, info: (line: { commandName?: string }) => void lines.push(line), warn() {}, error() {} } });
    await Note.get({ id: 'mask', rev: 1 }, { db: new Dynagraph({ client: logged, tablePrefix: 'logging-', default: false }) });
    expect(lines.map((l) => l.commandName)).to.deep.equal(['GetItemCommand']);
    expect(lines[0].output).to.have.property('Item');
  });

  describe('failed and retried requests', () => {
    const entries: LogEntry[] = [];
    const { db } = testDb('logging-', { logger: (e) => entries.push(e), client: { maxAttempts: 3 } });
    const faults = injectFaults(db.connection.client, { rate: 1, kinds: { throttle: 1 }, operations: ['GetItem'] });
    faults.enabled = false;
    beforeEach(() => void (entries.length = 0));
    afterEach(() => void (faults.enabled = false));

    it('throttled until the SDK gave up: warn, with code, table, command and attempts', async () => {
      faults.enabled = true;
      const err = await Note.get({ id: 'x', rev: 1 }, { db }).then(() => undefined, (e: unknown) => e);
      expect(err).to.have.property('code', 'THROTTLED');
      const [e] = entries.filter((x) => x.command === 'GetItem');
      expect(e).to.include({ channel: 'database-access', level: 'warn', code: 'THROTTLED', error: 'ProvisionedThroughputExceededException', table: 'logging-notes', attempts: 3 });
      expect(e.message).to.match(/^failed: THROTTLED \(ProvisionedThroughputExceededException\) after 3 attempts: /);
    });

    it('a request that succeeded after the SDK retried it: warn, with its attempts', async () => {
      // Throttle the first attempt only.
      const once: ReturnType<typeof injectFaults> = injectFaults(db.connection.client, {
        rate: 1, kinds: { throttle: 1 }, operations: ['GetItem'], onFault: () => void (once.enabled = false),
      });
      try {
        await Note.get({ id: 'x', rev: 1 }, { db });
      } finally {
        once.remove();
      }
      const [e] = entries.filter((x) => x.command === 'GetItem');
      expect(e).to.include({ level: 'warn', attempts: 2, message: 'after 2 attempts' });
      expect(e.code).to.equal(undefined);
    });

    it('any other failure: error level (a missing table)', async () => {
      class Missing extends Model({ table: 'no-such-table', key: { hash: 'id' }, attributes: { id: string() } }) {}
      const err = await Missing.get({ id: 'x' }, { db }).then(() => undefined, (e: unknown) => e);
      expect(err).to.have.property('code', 'TABLE_NOT_FOUND');
      expect(entries.find((x) => x.command === 'GetItem')).to.include({ level: 'error', code: 'TABLE_NOT_FOUND', error: 'ResourceNotFoundException', table: 'logging-no-such-table', attempts: 1 });
    });

    it('a retry by dynagraph itself is a warning', () => {
      db.connection.retried('BatchGetItem');
      expect(entries).to.deep.equal([{ channel: 'database-access', command: 'BatchGetItem', level: 'warn', message: 'retried by dynagraph' }]);
    });

    it('request observers see failures with the logged entry', async () => {
      const seen: [string, unknown, LogEntry][] = [];
      const off = db.connection.observe({ failed: (command, error, entry) => void seen.push([command, error, entry]) });
      await Note.put({ id: 'obs', rev: 1, text: 'a' }, { db });
      await Note.put({ id: 'obs', rev: 1, text: 'b' }, { db, overwrite: false }).catch(() => {});
      off();
      expect(seen).to.have.length(1);
      expect(seen[0][0]).to.equal('PutItem');
      expect(seen[0][2]).to.include({ code: 'CONDITION_FAILED', level: 'warn' });
    });
  });

  describe('loggers with levels', () => {
    async function failAndSucceed(db: Dynagraph): Promise<void> {
      await Note.put({ id: 'lvl', rev: 1, text: 'a' }, { db });
      class Missing extends Model({ table: 'no-such-table', key: { hash: 'id' }, attributes: { id: string() } }) {}
      await Missing.get({ id: 'x' }, { db }).catch(() => {});
      await Note.put({ id: 'lvl', rev: 1, text: 'b' }, { db, overwrite: false }).catch(() => {});
    }

    it('a pino-like logger gets each entry at its level, (data, message), and its disabled levels cost nothing', async () => {
      const calls: [string, unknown[]][] = [];
      const levels = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];
      const pino = {
        level: 'debug',
        isLevelEnabled(l: string) { return levels.indexOf(l) >= levels.indexOf(this.level); },
        child() { return pino; },
        ...Object.fromEntries(levels.map((l) => [l, function (this: unknown, ...args: unknown[]) {
          // pino's methods read their logger from `this`.
          expect(this).to.equal(pino);
          calls.push([l, args]);
        }])),
      } as { level: string; isLevelEnabled(l: string): boolean; child(): unknown; debug(...a: unknown[]): void };
      const { db } = testDb('logging-', { logger: pino });
      await failAndSucceed(db);
      const byLevel = (l: string) => calls.filter(([lv]) => lv === l).map(([, a]) => a as [LogEntry, string]);
      expect(byLevel('debug').map(([e]) => e.command)).to.include('PutItem');
      expect(byLevel('error').map(([e, text]) => [e.code, text])).to.deep.equal([
        ['TABLE_NOT_FOUND', byLevel('error')[0][1]],
      ]);
      expect(byLevel('error')[0][1]).to.match(/^\[dynagraph:database-access\] GetItem logging-no-such-table \d+(\.\d+)?ms failed: TABLE_NOT_FOUND \(ResourceNotFoundException\) after 1 attempt: /);
      expect(byLevel('warn').map(([e]) => e.code)).to.deep.equal(['CONDITION_FAILED']);
      calls.length = 0;
      pino.level = 'warn';
      await failAndSucceed(db);
      expect(calls.map(([l]) => l).sort()).to.deep.equal(['error', 'warn']);
    });

    it('a console-like logger gets warn / error (message, data); one with debug only gets everything there', async () => {
      const calls: [string, unknown[]][] = [];
      const logger = Object.fromEntries(['debug', 'info', 'warn', 'error'].map((l) => [l, (...args: unknown[]) => void calls.push([l, args])])) as { debug(...a: unknown[]): void };
      await failAndSucceed(testDb('logging-', { logger }).db);
      const error = calls.find(([l]) => l === 'error')!;
      expect(error[1][0]).to.be.a('string').and.match(/GetItem logging-no-such-table .*failed: TABLE_NOT_FOUND/);
      expect(error[1][1]).to.include({ code: 'TABLE_NOT_FOUND', level: 'error' });
      expect(calls.find(([l]) => l === 'warn')![1][1]).to.include({ code: 'CONDITION_FAILED' });
      const onlyDebug: unknown[][] = [];
      await failAndSucceed(testDb('logging-', { logger: { debug: (...a: unknown[]) => void onlyDebug.push(a) } }).db);
      expect(onlyDebug.map((a) => (a[1] as LogEntry).level)).to.include.members(['debug', 'warn', 'error']);
    });
  });
});
