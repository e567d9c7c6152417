/**
 * One process of the multi-process soak: several Dynagraph instances (each on its own
 * client, each with its own fault injector) writing through every write path under faults —
 * connections reset after DynamoDB applied the request on every write operation, throttles,
 * 500s, transaction conflicts — for a bounded time. It prints one JSON line of what each call
 * returned, so the parent can check the stored state against it.
 *
 * Env: DYNAMODB_ENDPOINT, SOAK_PREFIX, SOAK_WORKER, SOAK_SECONDS, SOAK_INSTANCES, SOAK_SEED.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { attr, Dynagraph, OutcomeUnknownError, VersionConflictError } from '../../../src/index.js';
import { fastRetryStrategy, injectFaults, localClientConfig, seededRandom, type FaultCounts } from '../../../src/testing/index.js';
import { Account, ACCOUNTS, Counter, COUNTERS, Fence, Note, Ticket, Transfer } from './soak-models.js';

const env = (name: string) => {
  const v = process.env[name];
  if (v === undefined) throw new Error(`${name} is not set`);
  return v;
};
const worker = env('SOAK_WORKER');
const seconds = Number(env('SOAK_SECONDS'));
const instances = Number(process.env.SOAK_INSTANCES ?? 4);
const seed = Number(process.env.SOAK_SEED ?? 1);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What this process saw each call return. */
const report = {
  worker,
  increments: 0, incrementConflicts: 0, incrementUnknown: 0,
  tickets: [] as { label: string; id: number }[], ticketUnknown: [] as string[],
  deleted: [] as string[], deleteUnknown: [] as string[],
  transfers: [] as { id: string; from: string; to: string; amount: number }[], transferUnknown: [] as string[],
  sections: [] as { start: number; end: number; token: number; owner: string }[],
  fencedRefused: 0,
  errors: [] as string[],
  faults: {} as Record<string, number>,
  operations: 0,
  /** Milliseconds spent per kind of operation, summed over instances. */
  ms: {} as Record<string, number>,
};

const WRITES = ['PutItem', 'UpdateItem', 'DeleteItem', 'TransactWriteItems'];

function makeDb(i: number) {
  const client = new DynamoDBClient({ ...localClientConfig(env('DYNAMODB_ENDPOINT')), retryStrategy: fastRetryStrategy({ attempts: 10 }) });
  const faults = injectFaults(client, {
    rate: 0.3,
    seed: seed * 100 + i,
    kinds: {
      resetAfter: { weight: 4, operations: [...WRITES, 'GetItem'] },
      resetBefore: 1, throttle: 1, serverError: 1, latency: 1,
      conflict: { weight: 2, operations: ['TransactWriteItems'] },
    },
    latencyMs: [1, 4],
  });
  const db = new Dynagraph({ client, tablePrefix: env('SOAK_PREFIX'), default: false, retry: { attempts: 10, baseDelayMs: 1, maxDelayMs: 10 } });
  return { db, client, faults };
}

function note(err: unknown): void {
  report.errors.push(`${(err as Error).name}: ${(err as Error).message}`.slice(0, 300));
}

async function increment(db: Dynagraph, random: () => number): Promise<void> {
  const id = `c${Math.floor(random() * COUNTERS)}`;
  const how = Math.floor(random() * 3);
  for (;;) {
    const c = (await Counter.get({ id }, { db, consistent: true }))!;
    try {
      if (how === 0) {
        c.n += 1;
        await c.save({ db });
      } else if (how === 1) {
        c.n += 1;
        await c.save({ db, partial: true });
      } else {
        await c.update({ add: { n: 1 } }, { db });
      }
      report.increments++;
      return;
    } catch (err) {
      if (err instanceof VersionConflictError) {
        report.incrementConflicts++;
        continue;
      }
      if (err instanceof OutcomeUnknownError) return void report.incrementUnknown++;
      throw err;
    }
  }
}

async function ticket(db: Dynagraph, label: string): Promise<void> {
  const t = new Ticket({ label });
  try {
    await t.save({ db });
    report.tickets.push({ label, id: t.id });
  } catch (err) {
    if (err instanceof OutcomeUnknownError) return void report.ticketUnknown.push(label);
    throw err;
  }
}

async function createAndDelete(db: Dynagraph, id: string): Promise<void> {
  const n = new Note({ id, text: 'x' });
  await n.save({ db });
  n.text = 'y';
  await n.save({ db });
  try {
    await n.delete({ db });
    report.deleted.push(id);
  } catch (err) {
    if (err instanceof OutcomeUnknownError) return void report.deleteUnknown.push(id);
    throw err;
  }
}

async function transfer(db: Dynagraph, id: string, random: () => number): Promise<void> {
  const from = `a${Math.floor(random() * ACCOUNTS)}`;
  let to = `a${Math.floor(random() * ACCOUNTS)}`;
  if (to === from) to = `a${(Number(from.slice(1)) + 1) % ACCOUNTS}`;
  const amount = 1 + Math.floor(random() * 20);
  try {
    await new Transfer(id, db, from, to, amount).commit({ db });
    report.transfers.push({ id, from, to, amount });
  } catch (err) {
    if (err instanceof OutcomeUnknownError) return void report.transferUnknown.push(id);
    throw err;
  }
}

async function section(db: Dynagraph): Promise<void> {
  await db.withLock('soak', async (lock) => {
    const start = Date.now();
    // A fenced write: refused if a holder with a newer token already wrote.
    try {
      await Fence.update({ id: 'fence' }, { set: { token: lock.fencingToken } }, { db, condition: attr('token').le(lock.fencingToken) });
    } catch (err) {
      if ((err as { code?: string }).code === 'CONDITION_FAILED') report.fencedRefused++;
      else if (!(err instanceof OutcomeUnknownError)) throw err;
    }
    await sleep(2);
    report.sections.push({ start, end: Date.now(), token: lock.fencingToken, owner: lock.owner });
  }, { leaseMs: 3000, pollMs: 5 });
}

async function run(i: number): Promise<void> {
  const { db, client, faults } = makeDb(i);
  const random = seededRandom(seed * 1000 + i);
  const until = Date.now() + seconds * 1000;
  let seq = 0;
  try {
    while (Date.now() < until) {
      const id = `${worker}-${i}-${++seq}`;
      const pick = random();
      const kind = pick < 0.4 ? 'increment' : pick < 0.55 ? 'ticket' : pick < 0.7 ? 'delete' : pick < 0.9 ? 'transfer' : 'section';
      const started = performance.now();
      try {
        if (kind === 'increment') await increment(db, random);
        else if (kind === 'ticket') await ticket(db, id);
        else if (kind === 'delete') await createAndDelete(db, id);
        else if (kind === 'transfer') await transfer(db, id, random);
        else await section(db);
        report.operations++;
      } catch (err) {
        note(err);
      }
      report.ms[kind] = (report.ms[kind] ?? 0) + performance.now() - started;
    }
  } finally {
    const counts = faults.counts as unknown as FaultCounts & Record<string, number>;
    for (const [k, v] of Object.entries(counts)) report.faults[k] = (report.faults[k] ?? 0) + v;
    for (const [op, n] of Object.entries(faults.byOperation())) report.faults[`op:${op}`] = (report.faults[`op:${op}`] ?? 0) + n;
    faults.remove();
    client.destroy();
  }
}

await Promise.all(Array.from({ length: instances }, (_, i) => run(i)));
process.stdout.write(`${JSON.stringify(report)}\n`);
