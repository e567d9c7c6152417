/**
 * Reads at scale: streams BENCH_ITEMS (default 100,000) small items through `for await`
 * over a query (one partition), a scan and a parallel scan, and reports the peak RSS
 * growth of each: the target is under 64 MB whatever the table size, since a stream
 * holds one page at a time. Also counts the requests of a 1,000-key getMany (must be 10).
 *
 *   npx tsx bench/reads.ts                  # BENCH_ITEMS=10000 npx tsx bench/reads.ts
 *
 * Each stream is measured in a fresh child process (`node --expose-gc --import tsx`), so
 * one measurement's freed-but-kept memory cannot hide the next one's growth. RSS is
 * sampled every 10 ms after a full GC. Exits 1 when a target is missed.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Dynagraph, Model, number, string } from '../src/index.js';
import { startDynamoDBLocal } from '../src/testing/index.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const ITEMS = Number(process.env.BENCH_ITEMS ?? 100_000);
const TARGET_MB = 64;
const GET_KEYS = 1_000;
const MB = 1024 * 1024;

class Event extends Model({
  table: 'bench-events',
  key: { hash: 'stream', range: 'seq' },
  attributes: { stream: string(), seq: number(), kind: string(), payload: string() },
}) {}

type Mode = 'query' | 'scan' | 'scan, 4 segments';
interface Measured { mode: Mode; items: number; ms: number; rssMB: number; heapMB: number; requests: number }

/** A Dynagraph on `endpoint` that counts the commands it sends. */
function database(endpoint: string, concurrency = 8): { db: Dynagraph; sent: () => Record<string, number> } {
  const db = new Dynagraph({ endpoint, concurrency });
  const counts: Record<string, number> = {};
  db.connection.client.middlewareStack.add(
    (next, context) => (args) => {
      const name = context.commandName ?? 'unknown';
      counts[name] = (counts[name] ?? 0) + 1;
      return next(args);
    },
    { step: 'initialize', name: 'benchCount' },
  );
  return { db, sent: () => ({ ...counts }) };
}

/** Child: streams one mode and prints its measurement as JSON. */
async function child(mode: Mode, endpoint: string): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run the child with --expose-gc');
  const { db, sent } = database(endpoint);
  const stream = mode === 'query' ? Event.query({ stream: 'bench' }, { db })
    : mode === 'scan' ? Event.scan({ db }) : Event.scan({ db, segments: 4 });
  // Warm up the client (connections, credentials, endpoint) outside the measurement.
  await Event.query({ stream: 'bench' }, { db }).first();
  gc();
  await new Promise((resolve) => setTimeout(resolve, 50));
  gc();
  const base = process.memoryUsage();
  let rss = base.rss;
  let heap = base.heapUsed;
  const sample = () => {
    const m = process.memoryUsage();
    rss = Math.max(rss, m.rss);
    heap = Math.max(heap, m.heapUsed);
  };
  const timer = setInterval(sample, 10);
  const before = (sent().ScanCommand ?? 0) + (sent().QueryCommand ?? 0);
  const started = performance.now();
  let items = 0;
  let check = 0;
  for await (const e of stream) {
    items++;
    check += e.seq;
  }
  const ms = performance.now() - started;
  clearInterval(timer);
  sample();
  const total = ITEMS * (ITEMS - 1) / 2;
  if (check !== total) throw new Error(`${mode}: sum of seq is ${check}, expected ${total}`);
  const requests = (sent().QueryCommand ?? 0) + (sent().ScanCommand ?? 0) - before;
  const out: Measured = { mode, items, ms, rssMB: (rss - base.rss) / MB, heapMB: (heap - base.heapUsed) / MB, requests };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

function runChild(mode: Mode, endpoint: string): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url)], {
      env: { ...process.env, BENCH_CHILD: mode, BENCH_ENDPOINT: endpoint },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    proc.stdout.on('data', (chunk: Buffer) => (out += chunk));
    proc.on('error', reject);
    proc.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`${mode}: child exited with ${code}`));
      resolve(JSON.parse(out.trim().split('\n').at(-1)!) as Measured);
    });
  });
}

async function main(): Promise<void> {
  const local = await startDynamoDBLocal();
  try {
    const { db, sent } = database(local.endpoint, 32);
    await db.createTables([Event]);
    const started = performance.now();
    for (let from = 0; from < ITEMS; from += 10_000) {
      const slice = Array.from({ length: Math.min(10_000, ITEMS - from) }, (_, k) => ({
        stream: 'bench', seq: from + k, kind: (from + k) % 3 ? 'view' : 'click', payload: `event ${from + k} `.padEnd(64, '.'),
      }));
      await Event.putMany(slice, { db });
      process.stderr.write(`\rloaded ${from + slice.length} / ${ITEMS}`);
    }
    const loadMs = performance.now() - started;
    process.stderr.write(`\n`);

    const rows: Measured[] = [];
    for (const mode of ['query', 'scan', 'scan, 4 segments'] as const) rows.push(await runChild(mode, local.endpoint));

    const before = sent().BatchGetItemCommand ?? 0;
    const keys = Array.from({ length: GET_KEYS }, (_, i) => ({ stream: 'bench', seq: Math.floor((i * ITEMS) / GET_KEYS) }));
    const got = await Event.getMany(keys, { db });
    const getRequests = (sent().BatchGetItemCommand ?? 0) - before;
    const found = got.filter((e) => e !== null).length;

    const fmt = (n: number, d = 1) => n.toFixed(d);
    const lines = [
      `### Reads at scale: ${ITEMS.toLocaleString('en-US')} items (~${Math.round(itemBytes() / 10) * 10} B each), DynamoDB Local, Node ${process.version}`,
      '',
      `Loaded with putMany (concurrency 32) in ${fmt(loadMs / 1000)} s (${Math.round(ITEMS / (loadMs / 1000)).toLocaleString('en-US')} items/s).`,
      '',
      '| stream | items | requests | time (s) | items/s | peak RSS growth (MB) | peak heap growth (MB) | target < 64 MB |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | :---: |',
      ...rows.map((r) => `| ${r.mode} | ${r.items.toLocaleString('en-US')} | ${r.requests} | ${fmt(r.ms / 1000, 2)} | ${Math.round(r.items / (r.ms / 1000)).toLocaleString('en-US')} | ${fmt(r.rssMB)} | ${fmt(r.heapMB)} | ${r.rssMB < TARGET_MB && r.items === ITEMS ? 'pass' : 'FAIL'} |`),
      '',
      `| getMany | keys | found | BatchGetItem requests | target |`,
      '| --- | ---: | ---: | ---: | :---: |',
      `| ${GET_KEYS.toLocaleString('en-US')} keys | ${GET_KEYS} | ${found} | ${getRequests} | ${getRequests === 10 ? 'pass (10)' : 'FAIL (must be 10)'} |`,
    ];
    console.log(lines.join('\n'));
    if (rows.some((r) => r.rssMB >= TARGET_MB || r.items !== ITEMS) || getRequests !== 10) process.exitCode = 1;
  } finally {
    await local.stop();
  }
}

function itemBytes(): number {
  return 'stream'.length + 'bench'.length + 'seq'.length + 3 + 'kind'.length + 5 + 'payload'.length + 64;
}

const childMode = process.env.BENCH_CHILD as Mode | undefined;
await (childMode ? child(childMode, process.env.BENCH_ENDPOINT!) : main());
