/**
 * Exactly once across processes: separate node processes (not one event loop), each with
 * several Dynagraph instances on their own clients, write through every write path while
 * faults are injected below the real SDK at a 30% rate — connections reset after DynamoDB
 * applied the request on PutItem, UpdateItem, DeleteItem and TransactWriteItems, throttles,
 * 500s, transaction conflicts. Then the stored state is checked against what every call
 * returned: versioned counters exact, one item per autoincrement save under unique ids,
 * deleted items gone, transfers balanced with one status record each, lock sections never
 * overlapping, fencing tokens strictly increasing.
 *
 * Bounded: DYNAGRAPH_PROCESS_SOAK_SECONDS (default 6) per process; DYNAGRAPH_PROCESS_SOAK_WORKERS (default 5).
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { expect } from 'chai';
import { LockRecord, TransactionRecord } from '../../src/index.js';
import { testDb } from '../harness/db.js';
import { testEndpoint } from '../harness/client.js';
import { Account, ACCOUNTS, Counter, COUNTERS, Fence, INITIAL, Note, Ticket } from './workers/soak-models.js';
import { addFaults, addOperations } from './figures.js';

const SECONDS = Number(process.env.DYNAGRAPH_PROCESS_SOAK_SECONDS ?? 6);
const WORKERS = Number(process.env.DYNAGRAPH_PROCESS_SOAK_WORKERS ?? 5);
const INSTANCES = 4;
const PREFIX = 'procsoak-';
const { db, drop } = testDb(PREFIX, { client: { maxAttempts: 10 } });
const models = [Counter, Ticket, Note, Account, Fence, LockRecord, TransactionRecord];

type Report = {
  worker: string; operations: number;
  increments: number; incrementConflicts: number; incrementUnknown: number;
  tickets: { label: string; id: number }[]; ticketUnknown: string[];
  deleted: string[]; deleteUnknown: string[];
  transfers: { id: string; from: string; to: string; amount: number }[]; transferUnknown: string[];
  sections: { start: number; end: number; token: number; owner: string }[];
  fencedRefused: number; errors: string[]; faults: Record<string, number>;
};

function runWorker(worker: number): Promise<Report> {
  const script = resolve(import.meta.dirname, 'workers/soak-worker.ts');
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      env: {
        ...process.env, DYNAMODB_ENDPOINT: testEndpoint(), SOAK_PREFIX: PREFIX, SOAK_WORKER: `w${worker}`,
        SOAK_SECONDS: String(SECONDS), SOAK_INSTANCES: String(INSTANCES), SOAK_SEED: String(worker + 1),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), (SECONDS + 60) * 1000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !line.startsWith('{')) return fail(new Error(`worker ${worker} exited ${code}: ${err.slice(-2000)}`));
      done(JSON.parse(line) as Report);
    });
  });
}

describe('exactly once across processes: every write path under lost answers (DynamoDB Local)', function () {
  this.timeout((SECONDS + 120) * 1000);
  before(async () => {
    await db.createTables(models);
    for (let c = 0; c < COUNTERS; c++) await new Counter({ id: `c${c}`, n: 0 }).save({ db });
    for (let a = 0; a < ACCOUNTS; a++) await new Account({ id: `a${a}`, balance: INITIAL }).save({ db });
    await Fence.put({ id: 'fence', token: 0 }, { db });
  });
  after(() => drop(models));

  it(`${WORKERS} processes × ${INSTANCES} Dynagraph instances for ${SECONDS} s: nothing applied twice, nothing lost`, async () => {
    const reports = await Promise.all(Array.from({ length: WORKERS }, (_, w) => runWorker(w)));
    const sum = (f: (r: Report) => number) => reports.reduce((n, r) => n + f(r), 0);
    const all = <T>(f: (r: Report) => T[]) => reports.flatMap(f);
    const errors = all((r) => r.errors);
    expect(errors, 'calls failing with anything but a conflict or an unknown outcome').to.deep.equal([]);

    // Versioned counters: exactly the increments that returned, plus at most those whose outcome was reported unknown.
    const counters = await db.getMany(Counter, Array.from({ length: COUNTERS }, (_, c) => ({ id: `c${c}` })), { consistent: true });
    const stored = counters.reduce((n, c) => n + c!.n, 0);
    const increments = sum((r) => r.increments);
    const incrementUnknown = sum((r) => r.incrementUnknown);
    expect(stored - increments, `stored ${stored}, ${increments} increments returned, ${incrementUnknown} unknown`).to.be.within(0, incrementUnknown);
    for (const c of counters) expect(c!.version - 1, 'one version per increment').to.be.at.least(c!.n);

    // Autoincrement: each label that returned is one item under the id it returned; ids unique.
    const tickets = await Ticket.scan({ db, consistent: true }).all();
    const byLabel = new Map<string, number[]>();
    for (const t of tickets) byLabel.set(t.label, [...(byLabel.get(t.label) ?? []), t.id]);
    for (const { label, id } of all((r) => r.tickets)) expect(byLabel.get(label), label).to.deep.equal([id]);
    for (const label of all((r) => r.ticketUnknown)) expect(byLabel.get(label)?.length ?? 0, label).to.be.at.most(1);
    expect(new Set(tickets.map((t) => t.id)).size).to.equal(tickets.length);
    expect(tickets.length).to.be.at.most(all((r) => r.tickets).length + all((r) => r.ticketUnknown).length);

    // Versioned deletes: gone.
    const deleted = all((r) => r.deleted);
    const left = await db.getMany(Note, deleted.map((id) => ({ id })), { consistent: true });
    expect(left.filter((n) => n !== null).map((n) => n!.id)).to.deep.equal([]);

    // The engine: every transfer that returned committed exactly once (one status record), balances explained by them.
    const transfers = all((r) => r.transfers);
    const transferUnknown = all((r) => r.transferUnknown);
    const records = await TransactionRecord.scan({ db, consistent: true }).all();
    const recordsOf = new Map<string, number>();
    for (const r of records) recordsOf.set(r.requesterId, (recordsOf.get(r.requesterId) ?? 0) + 1);
    for (const t of transfers) expect(recordsOf.get(t.id), t.id).to.equal(1);
    for (const id of transferUnknown) expect(recordsOf.get(id) ?? 0, id).to.be.at.most(1);
    expect(records.length).to.equal(transfers.length + transferUnknown.filter((id) => recordsOf.has(id)).length);
    const accounts = await db.getMany(Account, Array.from({ length: ACCOUNTS }, (_, a) => ({ id: `a${a}` })), { consistent: true });
    expect(accounts.reduce((n, a) => n + a!.balance, 0), 'total balance').to.equal(ACCOUNTS * INITIAL);
    if (transferUnknown.length === 0) {
      const expected = new Map(accounts.map((a) => [a!.id, INITIAL]));
      for (const t of transfers) {
        expected.set(t.from, expected.get(t.from)! - t.amount);
        expected.set(t.to, expected.get(t.to)! + t.amount);
      }
      for (const a of accounts) expect(a!.balance, a!.id).to.equal(expected.get(a!.id));
    }

    // Lock sections: never overlapping; fencing tokens strictly increasing in section order.
    const sections = all((r) => r.sections).sort((a, b) => a.start - b.start);
    for (let i = 1; i < sections.length; i++) {
      expect(sections[i].start, `section ${i} starts before section ${i - 1} ends`).to.be.at.least(sections[i - 1].end);
      expect(sections[i].token, `token of section ${i}`).to.be.greaterThan(sections[i - 1].token);
    }
    expect(sum((r) => r.fencedRefused), 'fenced writes refused (no holder outlived its lease)').to.equal(0);

    // Every kind of work happened, and answers were lost on every write operation.
    const faults: Record<string, number> = {};
    for (const r of reports) for (const [k, v] of Object.entries(r.faults)) faults[k] = (faults[k] ?? 0) + v;
    expect(increments, 'increments').to.be.greaterThan(0);
    expect(all((r) => r.tickets).length, 'tickets').to.be.greaterThan(0);
    expect(deleted.length, 'deletes').to.be.greaterThan(0);
    expect(transfers.length, 'transfers').to.be.greaterThan(0);
    expect(sections.length, 'lock sections').to.be.greaterThan(0);
    expect(faults.resetAfter, 'answers lost after the write was applied').to.be.greaterThan(0);
    for (const op of ['op:PutItem', 'op:UpdateItem', 'op:DeleteItem', 'op:TransactWriteItems']) expect(faults[op], op).to.be.greaterThan(0);

    const operations = sum((r) => r.operations);
    addOperations('multi-process soak', operations);
    addFaults(faults as never);
    console.log(`      ${WORKERS} processes × ${INSTANCES} instances, ${SECONDS} s: ${operations} operations (${increments} increments after ${sum((r) => r.incrementConflicts)} conflicts, ${all((r) => r.tickets).length} autoincrement saves, ${deleted.length} create-update-deletes, ${transfers.length} engine transfers, ${sections.length} lock sections); ${faults.attempts} attempts, ${faults.resetAfter} answers lost after the write, ${faults.throttle} throttles, ${faults.serverError} 500s, ${faults.conflict} conflicts; outcomes unknown: ${incrementUnknown + all((r) => r.ticketUnknown).length + all((r) => r.deleteUnknown).length + transferUnknown.length}`);
  });
});
