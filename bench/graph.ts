/**
 * Graph round trips and per-edge cost (issues 5, 7.2, 14, 17). Every shape against DynamoDB
 * Local with latency injected before every request (a requestHandler wrapping the SDK's
 * NodeHttpHandler, 256 sockets), each resolved by dynagraph, by a hand-written optimal
 * resolver on the raw DocumentClient (fewest requests and rounds DynamoDB allows) and by a
 * naive one (one request at a time); every resolver must return the same data. Shapes:
 *
 * - forum page: a forum, 50 threads by 20 users, each thread's first 10 replies, all authors
 *   (also Dynamoose populate(), and dynagraph with `concurrency: 50`, the former default);
 * - many-to-many: 50 threads' tags (5 each over 30, through the ThreadTag edge store);
 * - depth 3: 100 threads → 10 replies each → their 300 users, one include;
 * - fan-in: 1,000 thread → user to-one loads over 250 users, in a session and without
 *   (the threads are read before the clock starts; the loads are timed);
 * - keys-only: a user's 500 threads through the keys-only byUser GSI, hydrated (the user is
 *   read before the clock starts);
 * - GraphQL: the forum page as one query to the generated forum API (examples/forum/graphql.ts).
 *
 * One table: requests, sequential rounds, wall ms (median), × optimal (median of per-run
 * ratios, runs interleaved, the order rotated each run), client CPU (process.cpuUsage around the timed
 * part), CPU per to-one load for the fan-in; the machine's load average; target lines.
 *
 *   npx tsx graph.ts [--runs 5] [--naive-runs 1] [--warmup 5] [--latency 10] [--shapes forum,tags,depth,fan-in,keys-only,graphql]
 *   npm run graph:built -- [same flags]
 *
 * `--warmup N`: before timing, every resolver but the naive ones runs N times at 0 ms latency
 * (the first pass also checks that every resolver returns the optimal one's data).
 *
 * tsx compiles with esbuild's `keepNames`, which wraps every arrow function a model's field
 * initialisers create (edge thunks and queries: six per Reply) in a `__name` call that
 * defines its `name` — per instance, as no build for production does. `graph:built` bundles
 * the same code with esbuild without it (as tsc, tsup or esbuild by default emit) and runs it
 * with node; the table says which.
 */
import './lib/env.js';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { DynamoDB, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Dynagraph } from '../src/index.js';
import { localClientConfig, startDynamoDBLocal } from '../src/testing/index.js';
import { forumModels } from '../examples/forum/models.js';
import { DEPTH_REPLIES, DEPTH_THREADS, FAN_THREADS, FAN_USERS, forumData, KEYS_THREADS, PAGE_FORUM, PAGE_REPLIES, PAGE_THREADS, SHAPE_USERS, shapeData, TAGS, TAGS_PER_THREAD, tagData } from './lib/forum-data.js';
import { dynagraphTags, naiveTags, optimalTags } from './lib/tags-shape.js';
import { dynagraphPage, dynamooseModels, dynamoosePage, naivePage, optimalPage, type PlainPage, type Tables } from './lib/forum-resolvers.js';
import {
  dynagraphDepth, dynagraphFan, dynagraphGraphql, dynagraphKeys, naiveDepth, naiveFan, naiveKeys, optimalDepth, optimalFan, optimalGraphql, optimalGraphqlJs, optimalKeys,
} from './lib/graph-shapes.js';
import { LatencyHandler, type Meter } from './lib/latency.js';
import { fixed, median, progress, sleep, table, verdict } from './lib/stats.js';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    'naive-runs': { type: 'string', default: '1' },
    warmup: { type: 'string', default: '5' },
    latency: { type: 'string', default: '10' },
    shapes: { type: 'string' },
    endpoint: { type: 'string' },
  },
});

const QUIET_LOGGER = { debug() {}, warn() {}, error() {}, trace() {} } as unknown as Console;
const PREFIX = 'graph-bench-';

/** One resolver of a shape: `prepare` (untimed) returns the timed resolution. */
interface Contender {
  id: string;
  name: string;
  naive?: boolean;
  prepare(): Promise<() => Promise<unknown>>;
}
interface Shape {
  id: string;
  title: string;
  contenders: Contender[];
  /** Checks the optimal resolver's result has the shape's size. */
  check(result: any): void;
  /** To-one edge loads per resolution (for CPU per load). */
  toOneLoads?: number;
}
interface Sample {
  meter: Meter;
  ms: number;
  cpuMs: number;
  run: number;
}

const timed = (f: () => Promise<unknown>) => async () => f;
const load = () => loadavg().map((x) => x.toFixed(2)).join(' / ');

function checkPage(page: PlainPage): void {
  if (page.threads.length !== PAGE_THREADS) throw new Error(`forum page: ${page.threads.length} threads`);
  for (const t of page.threads) {
    if (!t.author || t.replies.length !== PAGE_REPLIES || t.replies.some((r) => !r.author)) throw new Error(`forum page: thread ${t.subject} incomplete`);
  }
  if (new Set(page.threads.map((t) => t.author!.name)).size !== 20) throw new Error('forum page: expected 20 distinct thread authors');
}

export async function main(): Promise<string> {
  const latencyMs = Number(args.latency);
  const runs = Number(args.runs);
  const naiveRuns = Number(args['naive-runs']);
  const local = args.endpoint ? undefined : await startDynamoDBLocal();
  const endpoint = args.endpoint ?? local!.endpoint;
  try {
    // Seed without latency.
    const seeder = new Dynagraph({ endpoint, tablePrefix: PREFIX, concurrency: 16, default: false });
    await seeder.deleteTables([...forumModels]);
    await seeder.createTables([...forumModels]);
    const data = forumData();
    const extra = shapeData();
    for (const items of [...Object.values(data), ...Object.values(extra)]) await seeder.putMany(items);
    const { tags, links } = tagData(data.threads);
    await seeder.putMany(tags);
    // Links are transactions conditional on both ends: after the items, a few at a time.
    const queue = [...links];
    await Promise.all(Array.from({ length: 8 }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) await next[0].tags.linkMany(next[1], { db: seeder });
    }));
    progress(`seeded ${data.threads.length + extra.threads.length} threads, ${data.replies.length + extra.replies.length} replies, ${data.users.length + extra.users.length} users, ${links.length * TAGS_PER_THREAD} tag links`);

    const latency = new LatencyHandler(latencyMs);
    const config = { ...localClientConfig(endpoint), requestHandler: latency as never, logger: QUIET_LOGGER };
    const t: Tables = { forums: `${PREFIX}forums`, users: `${PREFIX}users`, threads: `${PREFIX}threads`, replies: `${PREFIX}replies` };
    const tagTables = { threads: t.threads, tags: `${PREFIX}tags`, links: `${PREFIX}thread_tags` };
    const db = new Dynagraph({ client: new DynamoDBClient(config), tablePrefix: PREFIX, default: false });
    const db50 = new Dynagraph({ client: new DynamoDBClient(config), tablePrefix: PREFIX, default: false, concurrency: 50 });
    const doc = DynamoDBDocumentClient.from(new DynamoDBClient(config));
    const dmodels = dynamooseModels(new DynamoDB(config), t);
    const dg = 'dynagraph';
    const shapes: Shape[] = [
      {
        id: 'forum', title: `forum page (${PAGE_THREADS} threads, 20 users, ${PAGE_REPLIES} replies each)`, check: checkPage,
        contenders: [
          { id: dg, name: 'dynagraph (session + include)', prepare: timed(async () => (await dynagraphPage(db, PAGE_FORUM)).page) },
          { id: 'dynagraph-50', name: 'dynagraph, `concurrency: 50` (the former default)', prepare: timed(async () => (await dynagraphPage(db50, PAGE_FORUM)).page) },
          { id: 'optimal', name: 'optimal (raw DocumentClient)', prepare: timed(() => optimalPage(doc, t, PAGE_FORUM)) },
          { id: 'dynamoose', name: 'Dynamoose populate()', prepare: timed(() => dynamoosePage(dmodels, PAGE_FORUM)) },
          { id: 'naive', name: 'naive', naive: true, prepare: timed(() => naivePage(doc, t, PAGE_FORUM)) },
        ],
      },
      {
        id: 'tags', title: `many-to-many (${PAGE_THREADS} threads' tags, ${TAGS_PER_THREAD} each over ${TAGS})`,
        check: (r: { tags: string[] }[]) => {
          if (r.length !== PAGE_THREADS || r.some((x) => x.tags.length !== TAGS_PER_THREAD) || new Set(r.flatMap((x) => x.tags)).size !== TAGS) throw new Error('tags: wrong size');
        },
        contenders: [
          { id: dg, name: 'dynagraph (session + include)', prepare: timed(() => dynagraphTags(db, PAGE_FORUM)) },
          { id: 'optimal', name: 'optimal (raw DocumentClient)', prepare: timed(() => optimalTags(doc, tagTables, PAGE_FORUM)) },
          { id: 'naive', name: 'naive', naive: true, prepare: timed(() => naiveTags(doc, tagTables, PAGE_FORUM)) },
        ],
      },
      {
        id: 'depth', title: `depth 3 (${DEPTH_THREADS} threads → ${DEPTH_REPLIES} replies each → ${SHAPE_USERS} users, include)`,
        check: (r: { replies: { author: unknown }[] }[]) => {
          const authors = new Set(r.flatMap((x) => x.replies.map((y) => JSON.stringify(y.author))));
          if (r.length !== DEPTH_THREADS || r.some((x) => x.replies.length !== DEPTH_REPLIES) || authors.size !== SHAPE_USERS || authors.has('null')) throw new Error('depth: wrong size');
        },
        contenders: [
          { id: dg, name: 'dynagraph (session + include)', prepare: timed(() => dynagraphDepth(db)) },
          { id: 'optimal', name: 'optimal (raw DocumentClient)', prepare: timed(() => optimalDepth(doc, t)) },
          { id: 'naive', name: 'naive', naive: true, prepare: timed(() => naiveDepth(doc, t)) },
        ],
      },
      {
        id: 'fan-in', title: `fan-in (${FAN_THREADS} thread → user loads over ${FAN_USERS} users; threads read before timing)`, toOneLoads: FAN_THREADS,
        check: (r: unknown[]) => {
          if (r.length !== FAN_THREADS || r.some((x) => !x) || new Set(r.map((x) => JSON.stringify(x))).size !== FAN_USERS) throw new Error('fan-in: wrong size');
        },
        contenders: [
          { id: dg, name: 'dynagraph, in a session (`t.user.load()` each)', prepare: () => dynagraphFan(db, true) },
          { id: 'dynagraph-tick', name: 'dynagraph, no session (tick loader)', prepare: () => dynagraphFan(db, false) },
          { id: 'optimal', name: 'optimal (raw DocumentClient)', prepare: () => optimalFan(doc, t) },
          { id: 'naive', name: 'naive', naive: true, prepare: () => naiveFan(doc, t) },
        ],
      },
      {
        id: 'keys-only', title: `keys-only GSI (a user's ${KEYS_THREADS} threads through byUser, hydrated; the user read before timing)`,
        check: (r: unknown[]) => {
          if (r.length !== KEYS_THREADS) throw new Error(`keys-only: ${r.length} threads`);
        },
        contenders: [
          { id: dg, name: 'dynagraph, in a session (`user.threads.load()`)', prepare: () => dynagraphKeys(db) },
          { id: 'optimal', name: 'optimal (raw DocumentClient)', prepare: timed(() => optimalKeys(doc, t)) },
          { id: 'naive', name: 'naive', naive: true, prepare: timed(() => naiveKeys(doc, t)) },
        ],
      },
      {
        id: 'graphql', title: 'GraphQL forum page (one query: forum → 50 threads → authors, 10 replies each → authors)', check: checkPage,
        contenders: [
          { id: dg, name: 'dynagraph/graphql (generated forum API)', prepare: timed(() => dynagraphGraphql(db, PAGE_FORUM)) },
          { id: 'optimal', name: 'optimal (raw DocumentClient, same result)', prepare: timed(() => optimalGraphql(doc, t, PAGE_FORUM)) },
          { id: 'optimal-graphql-js', name: 'optimal through graphql-js (hand-written schema, root resolver fetching the page as optimal does)', prepare: timed(() => optimalGraphqlJs(doc, t, PAGE_FORUM)) },
          { id: 'naive', name: 'naive', naive: true, prepare: timed(() => naivePage(doc, t, PAGE_FORUM)) },
        ],
      },
    ].filter((s) => !args.shapes || args.shapes.split(',').includes(s.id));

    // Warm every client up (connections, JIT; dynagraph learns the socket pool) and check the results agree.
    latency.latencyMs = 0;
    const reference = new Map<string, string>();
    for (const shape of shapes) {
      const expected = await (await shape.contenders.find((c) => c.id === 'optimal')!.prepare())();
      shape.check(expected);
      reference.set(shape.id, JSON.stringify(expected));
      for (const c of shape.contenders) {
        if (JSON.stringify(await (await c.prepare())()) !== reference.get(shape.id)) throw new Error(`${shape.id}: ${c.name} returned other data than the optimal resolver`);
      }
    }
    // More passes (not the slow naive ones): after a single one the first timed runs were still
    // compiling (run 1 up to 1.6× run 5, every contender), so the runs measured V8's warm-up more
    // than the steady state a server runs in.
    for (let pass = 1; pass < Number(args.warmup); pass++) {
      for (const shape of shapes) for (const c of shape.contenders) if (!c.naive) await (await c.prepare())();
    }
    latency.latencyMs = latencyMs;
    const loadBefore = load();

    const samples = new Map<string, Sample[]>();
    for (let run = 0; run < runs; run++) {
      for (const shape of shapes) {
        // Each run rotates the order, so over the runs every resolver takes every place (after the
        // heavy naive and Dynamoose ones too) instead of a fixed shuffle favouring some.
        const n = shape.contenders.length;
        for (const c of shape.contenders.map((_, i) => shape.contenders[(i + run) % n])) {
          if (c.naive && run >= naiveRuns) continue;
          // Let the previous resolver's sockets and timers settle first.
          await sleep(25);
          latency.reset(); // the untimed preparation counts on a meter of its own
          const resolve = await c.prepare();
          const meter = latency.reset();
          const cpu = process.cpuUsage();
          const started = performance.now();
          const result = await resolve();
          const ms = performance.now() - started;
          const used = process.cpuUsage(cpu);
          if (JSON.stringify(result) !== reference.get(shape.id)) throw new Error(`${shape.id}: ${c.name} returned other data in run ${run}`);
          const key = `${shape.id}/${c.id}`;
          (samples.get(key) ?? samples.set(key, []).get(key)!).push({ meter, ms, cpuMs: (used.user + used.system) / 1000, run });
          progress(`run ${run + 1} ${shape.id}: ${c.name}: ${meter.total} requests, ${meter.rounds} rounds, ${fixed(ms, 0)} ms`);
        }
      }
    }
    const loadAfter = load();

    const rows: (string | number)[][] = [];
    const targets: string[] = [];
    for (const shape of shapes) {
      const of = (id: string) => samples.get(`${shape.id}/${id}`)!;
      const opt = of('optimal');
      const optMs = new Map(opt.map((x) => [x.run, x.ms]));
      const summary = shape.contenders.filter((c) => of(c.id)).map((c) => {
        const list = of(c.id);
        const m = list[0].meter;
        // Requests never vary; rounds (a request sent while none is in flight) may merge when a busy CPU stretches one.
        for (const x of list) if (x.meter.total !== m.total) throw new Error(`${shape.id}: ${c.name}: request counts differ between runs`);
        const rounds = [...new Set(list.map((x) => x.meter.rounds))].sort((a, b) => a - b);
        const ratio = median(list.filter((x) => optMs.has(x.run)).map((x) => x.ms / optMs.get(x.run)!));
        const cpuMs = median(list.map((x) => x.cpuMs));
        return { c, m, rounds: rounds.length > 1 ? `${rounds[0]}–${rounds.at(-1)}` : String(rounds[0]), ms: median(list.map((x) => x.ms)), ratio, cpuMs, perLoad: shape.toOneLoads ? (cpuMs * 1000) / shape.toOneLoads : undefined, runs: list.length };
      });
      const o = summary.find((s) => s.c.id === 'optimal')!;
      const gqlOpt = summary.find((s) => s.c.id === 'optimal-graphql-js');
      const ratioTo = (s: { c: { id: string } }, base: { c: { id: string } }) => {
        const baseMs = new Map(of(base.c.id).map((x) => [x.run, x.ms]));
        return median(of(s.c.id).filter((x) => baseMs.has(x.run)).map((x) => x.ms / baseMs.get(x.run)!));
      };
      for (const s of summary) {
        const ops = Object.entries(s.m.requests).sort().map(([k, v]) => `${v} ${k}`).join(', ');
        rows.push([shape.title, s.c.name, `${s.m.total} (${ops})`, s.rounds, fixed(s.ms, 0), fixed(s.ratio, 2), fixed(s.cpuMs, 1), s.perLoad === undefined ? '—' : fixed(s.perLoad, 1), s.runs]);
      }
      for (const s of summary.filter((x) => x.c.id.startsWith('dynagraph') && x.c.id !== 'dynagraph-50')) {
        targets.push(`- ${shape.id}, ${s.c.name}: ${verdict(s.ratio <= 1.1, `wall ≤ 1.10× optimal (${fixed(s.ratio, 2)}×; medians ${fixed(s.ms, 0)} vs ${fixed(o.ms, 0)} ms)`)}; ` +
          `${verdict(s.m.total === o.m.total, `requests = optimal (${s.m.total} vs ${o.m.total})`)}` +
          (shape.id === 'graphql' && gqlOpt ? `; against the optimal resolver under graphql-js: ${verdict(ratioTo(s, gqlOpt) <= 1.1, `wall ≤ 1.10× (${fixed(ratioTo(s, gqlOpt), 2)}× by per-run ratios; medians ${fixed(s.ms, 0)} vs ${fixed(gqlOpt.ms, 0)} ms)`)}` : '') +
          (s.c.id === dg && s.perLoad !== undefined ? `; ${verdict(s.perLoad <= 2 * o.perLoad!, `CPU per to-one load in a session ≤ 2× optimal's (${fixed(s.perLoad, 1)} vs ${fixed(o.perLoad!, 1)} µs, ${fixed(s.perLoad / o.perLoad!, 2)}×)`)}` : ''));
      }
    }
    const out = [`### Graph shapes: ${latencyMs} ms injected per request, DynamoDB Local, median of ${runs} interleaved runs (naive: ${naiveRuns})`, ''];
    out.push(`Load average (1 / 5 / 15 min): ${loadBefore} before the timed runs, ${loadAfter} after. Warm-up: ${args.warmup} passes of every resolver but the naive ones. ` +
      `Compiled by ${process.env.BENCH_BUILD === 'esbuild' ? 'an esbuild bundle without keepNames (`npm run graph:built`)' : 'tsx (esbuild with keepNames: a `__name` call per arrow function a model instance creates)'}.`, '');
    out.push(table(['shape', 'resolver', 'requests', 'rounds', 'wall ms (median)', '× optimal (median of per-run ratios)', 'client CPU ms (median)', 'CPU µs per to-one load', 'runs'], rows));
    out.push('', 'Every resolver returned the same data as the optimal one, in every run.', '', '**Targets**', '', ...targets);
    seeder.connection.client.destroy();
    latency.destroy();
    return out.join('\n');
  } finally {
    await local?.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await main());
