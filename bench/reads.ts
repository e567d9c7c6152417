/**
 * Reads at scale: streams `--items` (default 100,000) small items through `for await`
 * over a query (one partition), a scan and a parallel scan, and reports the peak RSS
 * growth of each: the target is under 64 MB whatever the table size, since a stream
 * holds one page at a time. Beside each, the raw DocumentClient pages through the same
 * table in the same run (paginateQuery / paginateScan, items summed and dropped): when
 * items/s falls as the table grows, the raw figure says whether the drop is DynamoDB
 * Local's (both fall alike, client CPU per item stays flat) or dynagraph's. Also counts
 * the requests of a 1,000-key getMany (must be 10).
 *
 *   npx tsx bench/reads.ts [--items 500000] [--rounds 1] [--only 'raw query,query']     # BENCH_ITEMS=10000 works too
 *
 * Each stream is measured in a fresh child process (`node --expose-gc --import tsx`), so
 * one measurement's freed-but-kept memory cannot hide the next one's growth. RSS is
 * sampled every 10 ms after a full GC. Exits 1 when a target is missed.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, paginateQuery, paginateScan } from '@aws-sdk/lib-dynamodb';
import { Dynagraph, Model, number, string } from '../src/index.js';
import { startDynamoDBLocal } from '../src/testing/index.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { values: args } = parseArgs({
  options: { items: { type: 'string' }, rounds: { type: 'string', default: '1' }, only: { type: 'string' } },
  strict: false,
});
const ITEMS = Number(args.items ?? process.env.BENCH_ITEMS ?? 100_000);
const ROUNDS = Number(args.rounds ?? 1);
const TARGET_MB = 64;
const GET_KEYS = 1_000;
const MB = 1024 * 1024;

class Event extends Model({
  table: 'bench-events',
  key: { hash: 'stream', range: 'seq' },
  attributes: { stream: string(), seq: number(), kind: string(), payload: string() },
}) {}

const ALL_MODES = ['raw query', 'query', 'raw scan', 'scan', 'scan, 4 segments'] as const;
type Mode = (typeof ALL_MODES)[number];
const only = typeof args.only === 'string' ? args.only.split(',').map((m) => m.trim()) : undefined;
const MODES = ALL_MODES.filter((m) => !only || only.includes(m));
interface Measured { mode: Mode; items: number; ms: number; cpuMs: number; rssMB: number; heapMB: number; requests: number; serverCpuMs?: number | undefined }

/** CPU time (ms) the DynamoDB Local process has used so far, from /proc (Linux); `undefined` elsewhere. */
function serverCpuMs(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1000) / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim() || 100);
  } catch {
    return undefined;
  }
}

/** A logger without `info()`, as dynagraph gives the client it builds: no SDK response masking on either side. */
const QUIET_LOGGER = { debug() {}, warn() {}, error() {}, trace() {} } as unknown as Console;

/** The raw DocumentClient's paginated read of the same items: every page's items summed, then dropped. */
async function* rawItems(mode: 'raw query' | 'raw scan', endpoint: string, onRequest: () => void): AsyncGenerator<{ seq: number }> {
  const client = new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, logger: QUIET_LOGGER });
  const doc = DynamoDBDocumentClient.from(client);
  const table = Event.schema.table;
  const pages = mode === 'raw query'
    ? paginateQuery({ client: doc }, { TableName: table, KeyConditionExpression: '#s = :s', ExpressionAttributeNames: { '#s': 'stream' }, ExpressionAttributeValues: { ':s': 'bench' } })
    : paginateScan({ client: doc }, { TableName: table });
  for await (const page of pages) {
    onRequest();
    for (const item of page.Items ?? []) yield item as { seq: number };
  }
  client.destroy();
}

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
  let rawRequests = 0;
  const stream: AsyncIterable<{ seq: number }> = mode === 'raw query' || mode === 'raw scan' ? rawItems(mode, endpoint, () => rawRequests++)
    : mode === 'query' ? Event.query({ stream: 'bench' }, { db })
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
  const cpu = process.cpuUsage();
  let items = 0;
  let check = 0;
  for await (const e of stream) {
    items++;
    check += e.seq;
  }
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  clearInterval(timer);
  sample();
  const total = ITEMS * (ITEMS - 1) / 2;
  if (check !== total) throw new Error(`${mode}: sum of seq is ${check}, expected ${total}`);
  const requests = (sent().QueryCommand ?? 0) + (sent().ScanCommand ?? 0) - before + rawRequests;
  const out: Measured = { mode, items, ms, cpuMs: (used.user + used.system) / 1000, rssMB: (rss - base.rss) / MB, heapMB: (heap - base.heapUsed) / MB, requests };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

function runChild(mode: Mode, endpoint: string): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url)], {
      env: { ...process.env, BENCH_CHILD: mode, BENCH_ENDPOINT: endpoint, BENCH_ITEMS: String(ITEMS) },
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

    // Rounds interleave raw and dynagraph; each row is the round with the median items/s.
    const runs = new Map<Mode, Measured[]>();
    for (let round = 0; round < ROUNDS; round++) {
      for (const mode of MODES) {
        const server = serverCpuMs(local.pid);
        const m = await runChild(mode, local.endpoint);
        const after = serverCpuMs(local.pid);
        m.serverCpuMs = server !== undefined && after !== undefined ? after - server : undefined;
        (runs.get(mode) ?? runs.set(mode, []).get(mode)!).push(m);
        process.stderr.write(`round ${round + 1}/${ROUNDS} ${mode}: ${Math.round(m.items / (m.ms / 1000))} items/s, RSS +${m.rssMB.toFixed(1)} MB\n`);
      }
    }
    const rows = MODES.map((mode) => {
      const all = [...runs.get(mode)!].sort((a, b) => a.items / a.ms - b.items / b.ms);
      return { ...all[all.length >> 1], worstRssMB: Math.max(...all.map((r) => r.rssMB)) };
    });
    const rate = (r: Measured) => r.items / (r.ms / 1000);
    const rawOf = (r: Measured) => rows.find((x) => x.mode === (r.mode === 'query' ? 'raw query' : 'raw scan'));

    const before = sent().BatchGetItemCommand ?? 0;
    const keys = Array.from({ length: GET_KEYS }, (_, i) => ({ stream: 'bench', seq: Math.floor((i * ITEMS) / GET_KEYS) }));
    const got = await Event.getMany(keys, { db });
    const getRequests = (sent().BatchGetItemCommand ?? 0) - before;
    const found = got.filter((e) => e !== null).length;

    const fmt = (n: number, d = 1) => n.toFixed(d);
    const lines = [
      `### Reads at scale: ${ITEMS.toLocaleString('en-US')} items (~${Math.round(itemBytes() / 10) * 10} B each), DynamoDB Local, Node ${process.version}`,
      '',
      `Loaded with putMany (concurrency 32) in ${fmt(loadMs / 1000)} s (${Math.round(ITEMS / (loadMs / 1000)).toLocaleString('en-US')} items/s). ${ROUNDS} round(s), median shown; load average at the end ${loadavg().map((x) => x.toFixed(1)).join(' / ')}.`,
      '',
      'Client CPU per item is the streaming process\'s CPU (`process.cpuUsage`): what the client library spends. DynamoDB Local CPU per item is its Java process\'s CPU over the same stream (/proc): where the rest of the wall time goes.',
      '',
      '| stream | items | requests | time (s) | items/s | × raw items/s | client CPU µs/item | DynamoDB Local CPU µs/item | peak RSS growth (MB) | peak heap growth (MB) | target < 64 MB |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | :---: |',
      ...rows.map((r) => {
        const raw = r.mode.startsWith('raw') ? undefined : rawOf(r);
        return `| ${r.mode.startsWith('raw') ? `${r.mode} (DocumentClient paginator)` : `dynagraph ${r.mode}`} | ${r.items.toLocaleString('en-US')} | ${r.requests} | ${fmt(r.ms / 1000, 2)} | ${Math.round(rate(r)).toLocaleString('en-US')} | ${raw ? fmt(rate(r) / rate(raw), 2) : r.mode.startsWith('raw') ? '1.00' : '—'} | ${fmt((r.cpuMs * 1000) / r.items)} | ${r.serverCpuMs === undefined ? '—' : fmt((r.serverCpuMs * 1000) / r.items)} | ${fmt(r.worstRssMB)} | ${fmt(r.heapMB)} | ${r.mode.startsWith('raw') ? '—' : r.worstRssMB < TARGET_MB && r.items === ITEMS ? 'pass' : 'FAIL'} |`;
      }),
      '',
      ...rows.filter((r) => !r.mode.startsWith('raw')).map((r) => `- dynagraph ${r.mode}: ${r.worstRssMB < TARGET_MB && r.items === ITEMS ? '✅ met' : '❌ missed'}: peak RSS growth ${fmt(r.worstRssMB)} MB streaming ${r.items.toLocaleString('en-US')} items (target < ${TARGET_MB} MB)`),
      '',
      `| getMany | keys | found | BatchGetItem requests | target |`,
      '| --- | ---: | ---: | ---: | :---: |',
      `| ${GET_KEYS.toLocaleString('en-US')} keys | ${GET_KEYS} | ${found} | ${getRequests} | ${getRequests === 10 ? 'pass (10)' : 'FAIL (must be 10)'} |`,
    ];
    console.log(lines.join('\n'));
    if (rows.some((r) => !r.mode.startsWith('raw') && (r.worstRssMB >= TARGET_MB || r.items !== ITEMS)) || getRequests !== 10) process.exitCode = 1;
  } finally {
    await local.stop();
  }
}

function itemBytes(): number {
  return 'stream'.length + 'bench'.length + 'seq'.length + 3 + 'kind'.length + 5 + 'payload'.length + 64;
}

const childMode = process.env.BENCH_CHILD as Mode | undefined;
await (childMode ? child(childMode, process.env.BENCH_ENDPOINT!) : main());
