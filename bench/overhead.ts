/**
 * Mapper overhead (issue 7, item 1). Every contender talks to a stub `requestHandler`
 * that answers with canned DynamoDB JSON — the item as that very library wrote it — so
 * the real SDK stack runs but no network does. Operations: get of one ~1 KB item with 20
 * attributes, validated put of it, and a query page of 100 such items turned into the
 * library's objects. Rounds interleave the contenders (shuffled order each time); we
 * print the median µs/op (wall and process CPU) and the median of the per-round ratios to
 * the raw DocumentClient. The headline is the SDK's default logger on both sides (a client
 * given no `logger`, as users have it; target ≤ 1.05×); the quiet-logger table beside it is
 * the mapper's own share, without the SDK's response masking on either side.
 *
 *   node --expose-gc --import tsx overhead.ts [--rounds 25] [--batch-ms 80]
 *        [--only raw-default,dynagraph-default,raw,dynagraph] [--ops get,put,query]
 */
import './lib/env.js';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { dynagraph, dynamooseContender, electrodb, PAGE, raw, toolbox, type ContenderSpec, type Ops } from './lib/contenders.js';
import { assertProfile, profileItem } from './lib/profile-item.js';
import { StubHandler } from './lib/stub-handler.js';
import { fixed, median, prng, progress, table, verdict } from './lib/stats.js';

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '25' },
    warmup: { type: 'string', default: '3' },
    'batch-ms': { type: 'string', default: '80' },
    only: { type: 'string' },
    ops: { type: 'string', default: 'get,put,query' },
  },
});

/** A logger without `info()`: the SDK then skips masking every response for a log line nobody reads. */
const QUIET_LOGGER = { debug() {}, warn() {}, error() {}, trace() {} } as unknown as Console;

type Logging = 'quiet' | 'default';
interface Row {
  id: string;
  name: string;
  make: ContenderSpec['make'];
  logging: Logging;
}

const ROWS: Row[] = [
  { id: 'raw', name: 'raw DocumentClient (baseline)', make: raw, logging: 'quiet' },
  { id: 'dynagraph', name: 'dynagraph', make: dynagraph, logging: 'quiet' },
  { id: 'electrodb', name: 'ElectroDB', make: electrodb, logging: 'quiet' },
  { id: 'toolbox', name: 'dynamodb-toolbox v2', make: toolbox, logging: 'quiet' },
  { id: 'dynamoose', name: 'Dynamoose', make: dynamooseContender, logging: 'quiet' },
  { id: 'raw-default', name: 'raw DocumentClient', make: raw, logging: 'default' },
  { id: 'dynagraph-default', name: 'dynagraph', make: dynagraph, logging: 'default' },
];
const OPS = ['get', 'put', 'query'] as const;
type Op = (typeof OPS)[number];
const OP_LABEL: Record<Op, string> = { get: 'get (1 item)', put: 'put (validated)', query: `query (${PAGE} items)` };

function clientConfig(stub: StubHandler, logging: Logging): DynamoDBClientConfig {
  return {
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDBENCHMARK', secretAccessKey: 'benchmark-secret' },
    requestHandler: stub as never,
    ...(logging === 'quiet' ? { logger: QUIET_LOGGER } : {}),
  };
}

/** Builds a contender over its own stub, captures the items it writes, serves them back and checks every op. */
async function setUp(row: Row): Promise<{ ops: Ops; stub: StubHandler }> {
  const stub = new StubHandler();
  const ops = row.make(clientConfig(stub, row.logging));
  stub.capture = true;
  for (let i = 0; i < PAGE; i++) await ops.put(i);
  const other = stub.captured.filter((c) => c.operation !== 'PutItem');
  if (other.length || stub.captured.length !== PAGE) throw new Error(`${row.name}: ${PAGE} puts sent ${stub.captured.map((c) => c.operation).join(', ')}`);
  const stored = stub.captured.map((c) => c.body.Item as Record<string, any>);
  stored.forEach((item, i) => assertProfile(unmarshall(item), profileItem(i), `${row.name} put #${i} (as sent)`));
  stub.capture = false;
  stub.respond('PutItem', {});
  stub.respond('GetItem', { Item: stored[0] });
  stub.respond('Query', { Items: stored, Count: PAGE, ScannedCount: PAGE });
  await check(row, ops, stub);
  return { ops, stub };
}

/** Every op returns the right item(s) with exactly one request. */
async function check(row: Row, ops: Ops, stub: StubHandler): Promise<void> {
  const sent = () => Object.values(stub.counts).reduce((a, b) => a + b, 0);
  const before = sent();
  assertProfile(await ops.get(), profileItem(0), `${row.name} get`);
  const after = sent();
  const items = await ops.query();
  if (items.length !== PAGE) throw new Error(`${row.name} query: ${items.length} items, expected ${PAGE}`);
  items.forEach((item, i) => assertProfile(item, profileItem(i), `${row.name} query item #${i}`));
  await ops.put(0);
  if (after - before !== 1 || sent() - after !== 2) throw new Error(`${row.name}: expected one request per op`);
}

const run = (ops: Ops, op: Op): Promise<unknown> => (op === 'put' ? ops.put(0) : op === 'get' ? ops.get() : ops.query());

/** Runs `n` ops in sequence; µs per op of wall time and of this process's CPU time. */
async function batch(ops: Ops, op: Op, n: number): Promise<{ wall: number; cpu: number }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < n; i++) await run(ops, op);
  const wall = ((performance.now() - started) * 1000) / n;
  const used = process.cpuUsage(cpu);
  return { wall, cpu: (used.user + used.system) / n };
}

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

export async function main(): Promise<string> {
  const only = args.only?.split(',');
  const rows = ROWS.filter((r) => !only || only.includes(r.id));
  const ops = args.ops!.split(',') as Op[];
  const rounds = Number(args.rounds);
  const warmup = Number(args.warmup);
  const batchMs = Number(args['batch-ms']);
  if (!(globalThis as { gc?: unknown }).gc) progress('(run node with --expose-gc for steadier figures)');

  const loadStart = loadavg().map((x) => x.toFixed(1)).join(' / ');
  const live = new Map<string, Ops>();
  const stubs = new Map<string, StubHandler>();
  for (const row of rows) {
    const t0 = performance.now();
    const { ops, stub } = await setUp(row);
    live.set(row.id, ops);
    stubs.set(row.id, stub);
    progress(`set up and checked ${row.name} (${row.logging} logger) in ${fixed(performance.now() - t0, 0)} ms`);
  }
  // Calibrate: iterations per batch so one batch takes about batchMs.
  const iterations = new Map<string, number>();
  for (const row of rows) {
    for (const op of ops) {
      let n = 0;
      const started = performance.now();
      while (performance.now() - started < 150 || n < 5) {
        await run(live.get(row.id)!, op);
        n++;
      }
      const us = ((performance.now() - started) * 1000) / n;
      iterations.set(`${row.id}/${op}`, Math.max(5, Math.round((batchMs * 1000) / us)));
    }
  }
  progress(`calibrated: ${[...iterations].map(([k, n]) => `${k} ×${n}`).join(', ')}`);
  const times = new Map<string, number[]>();
  const cpuTimes = new Map<string, number[]>();
  const push = (m: Map<string, number[]>, k: string, v: number) => (m.get(k) ?? m.set(k, []).get(k)!).push(v);
  const random = prng(7);
  for (let round = 0; round < warmup + rounds; round++) {
    progress(`round ${round + 1}/${warmup + rounds}${round < warmup ? ' (warm-up)' : ''}`);
    for (const op of ops) {
      const order = [...rows].sort(() => random() - 0.5);
      for (const row of order) {
        gc();
        const t = await batch(live.get(row.id)!, op, iterations.get(`${row.id}/${op}`)!);
        if (round >= warmup) {
          push(times, `${row.id}/${op}`, t.wall);
          push(cpuTimes, `${row.id}/${op}`, t.cpu);
        }
      }
    }
  }
  // Results are checked again after the timed runs.
  for (const row of rows) await check(row, live.get(row.id)!, stubs.get(row.id)!);

  const us = (id: string, op: Op) => median(times.get(`${id}/${op}`) ?? []);
  const ratio = (id: string, base: string, op: Op, source = times) => {
    const a = source.get(`${id}/${op}`);
    const b = source.get(`${base}/${op}`);
    return a && b ? median(a.map((x, i) => x / b[i])) : NaN;
  };
  const quiet = rows.filter((r) => r.logging === 'quiet');
  const withDefault = rows.filter((r) => r.logging === 'default');
  const cpuUs = (id: string, op: Op) => median(cpuTimes.get(`${id}/${op}`) ?? []);
  const load = `load average ${loadStart} at the start, ${loadavg().map((x) => x.toFixed(1)).join(' / ')} at the end`;
  const out: string[] = [];
  if (withDefault.length && rows.some((r) => r.id === 'raw-default')) {
    out.push(`### Mapper overhead with the SDK's default logger (a client given no \`logger\`, as users have it): µs per op, median of ${rounds} interleaved rounds; × raw is the median of per-round ratios`, '');
    out.push(`Stubbed handler: no network. ${load}.`, '');
    out.push(table(['contender', ...ops.flatMap((op) => [`${OP_LABEL[op]} µs`, '× raw', 'CPU µs', '× raw (CPU)'])],
      withDefault.map((r) => [`${r.name} (SDK default logger)`, ...ops.flatMap((op) => r.id === 'raw-default'
        ? [fixed(us(r.id, op)), '1.00', fixed(cpuUs(r.id, op)), '1.00']
        : [fixed(us(r.id, op)), fixed(ratio(r.id, 'raw-default', op), 2), fixed(cpuUs(r.id, op)), fixed(ratio(r.id, 'raw-default', op, cpuTimes), 2)])])));
    if (rows.some((r) => r.id === 'dynagraph-default')) {
      out.push('', '**Targets** (default logger, wall time; CPU beside it)', '');
      for (const op of ops) {
        const x = ratio('dynagraph-default', 'raw-default', op);
        out.push(`- ${OP_LABEL[op]}: ${verdict(x <= 1.05, `dynagraph ${fixed(x, 2)}× raw DocumentClient (target ≤ 1.05×; CPU ${fixed(ratio('dynagraph-default', 'raw-default', op, cpuTimes), 2)}×)`)}`);
      }
    }
    out.push('');
  }
  if (quiet.length) {
    out.push(`### The same with a logger without \`info()\` on every client (no SDK masking on either side: the mapper's own share), median of ${rounds} interleaved rounds`, '');
    out.push(table(['contender', ...ops.flatMap((op) => [`${OP_LABEL[op]} µs`, '× raw', 'CPU µs', '× raw (CPU)'])],
      quiet.map((r) => [r.name, ...ops.flatMap((op) => r.id === 'raw'
        ? [fixed(us(r.id, op)), '1.00', fixed(cpuUs(r.id, op)), '1.00']
        : [fixed(us(r.id, op)), fixed(ratio(r.id, 'raw', op), 2), fixed(cpuUs(r.id, op)), fixed(ratio(r.id, 'raw', op, cpuTimes), 2)])])));
  }
  if (rows.some((r) => r.id === 'dynagraph') && rows.some((r) => r.id === 'raw')) {
    out.push('', '**Quiet-logger lines**', '');
    const peers = quiet.filter((r) => r.id !== 'raw' && r.id !== 'dynagraph');
    for (const op of ops) {
      const x = ratio('dynagraph', 'raw', op);
      out.push(`- ${OP_LABEL[op]}: ${verdict(x <= 1.1, `dynagraph ${fixed(x, 2)}× raw (target ≤ 1.10×; CPU ${fixed(ratio('dynagraph', 'raw', op, cpuTimes), 2)}×)`)}${peers.length ? `; ${verdict(peers.every((p) => us('dynagraph', op) < us(p.id, op)), `below every peer (${peers.map((p) => `${p.name} ${fixed(ratio(p.id, 'raw', op), 2)}×`).join(', ')})`)}` : ''}`);
    }
  }
  return out.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await main());
