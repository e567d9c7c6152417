/**
 * Graph round trips (issue 5's benchmark, issue 7 item 2). One forum page — a forum, 50
 * threads by 20 distinct users, each thread's first 10 replies and their users — against
 * DynamoDB Local with 10 ms of latency injected before every request (a requestHandler
 * wrapping the SDK's NodeHttpHandler), resolved by dynagraph, a naive resolver, a
 * hand-written optimal resolver on the raw DocumentClient and Dynamoose's populate().
 * Prints requests, sequential rounds and wall time (median of several interleaved runs)
 * and checks that all four return the same page. A second shape, many-to-many: the first
 * 50 threads and their tags (5 each over 30 tags, through the ThreadTag edge store), by
 * dynagraph, the optimal raw-SDK resolver and a naive one (lib/tags-shape.ts).
 *
 *   npx tsx graph.ts [--runs 7] [--naive-runs 3] [--latency 10]
 */
import './lib/env.js';
import { parseArgs } from 'node:util';
import { DynamoDB, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Dynagraph } from '../src/index.js';
import { localClientConfig, startDynamoDBLocal } from '../src/testing/index.js';
import { forumModels } from '../examples/forum/models.js';
import { forumData, PAGE_FORUM, PAGE_REPLIES, PAGE_THREADS, TAGS, TAGS_PER_THREAD, tagData } from './lib/forum-data.js';
import { dynagraphTags, naiveTags, optimalTags, type TaggedThreads } from './lib/tags-shape.js';
import { dynagraphPage, dynamooseModels, dynamoosePage, naivePage, optimalPage, type PlainPage, type Tables } from './lib/forum-resolvers.js';
import { LatencyHandler, type Meter } from './lib/latency.js';
import { fixed, median, prng, progress, table, verdict } from './lib/stats.js';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '11' },
    'naive-runs': { type: 'string', default: '3' },
    latency: { type: 'string', default: '10' },
    endpoint: { type: 'string' },
  },
});

const QUIET_LOGGER = { debug() {}, warn() {}, error() {}, trace() {} } as unknown as Console;
const PREFIX = 'graph-bench-';

interface Resolver {
  id: string;
  name: string;
  runs: number;
  resolve(): Promise<PlainPage>;
}

function checkPage(page: PlainPage, what: string): void {
  if (page.threads.length !== PAGE_THREADS) throw new Error(`${what}: ${page.threads.length} threads, expected ${PAGE_THREADS}`);
  for (const t of page.threads) {
    if (!t.author) throw new Error(`${what}: thread ${t.subject} has no author`);
    if (t.replies.length !== PAGE_REPLIES) throw new Error(`${what}: thread ${t.subject} has ${t.replies.length} replies`);
    for (const r of t.replies) if (!r.author) throw new Error(`${what}: a reply of ${t.subject} has no author`);
  }
  if (new Set(page.threads.map((t) => t.author!.name)).size !== 20) throw new Error(`${what}: expected 20 distinct thread authors`);
}

export async function main(): Promise<string> {
  const latencyMs = Number(args.latency);
  const local = args.endpoint ? undefined : await startDynamoDBLocal();
  const endpoint = args.endpoint ?? local!.endpoint;
  try {
    // Seed without latency.
    const seeder = new Dynagraph({ endpoint, tablePrefix: PREFIX, concurrency: 16, default: false });
    await seeder.deleteTables([...forumModels]);
    await seeder.createTables([...forumModels]);
    const data = forumData();
    for (const items of Object.values(data)) await seeder.putMany(items);
    const { tags, links } = tagData(data.threads);
    await seeder.putMany(tags);
    // Links are transactions conditional on both ends: after the items, a few at a time.
    const queue = [...links];
    await Promise.all(Array.from({ length: 8 }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) await next[0].tags.linkMany(next[1], { db: seeder });
    }));
    progress(`seeded ${Object.entries(data).map(([k, v]) => `${v.length} ${k}`).join(', ')}, ${tags.length} tags, ${links.length * TAGS_PER_THREAD} links`);

    const latency = new LatencyHandler(latencyMs);
    const config = { ...localClientConfig(endpoint), requestHandler: latency as never, logger: QUIET_LOGGER };
    const t: Tables = { forums: `${PREFIX}forums`, users: `${PREFIX}users`, threads: `${PREFIX}threads`, replies: `${PREFIX}replies` };
    const db = new Dynagraph({ client: new DynamoDBClient(config), tablePrefix: PREFIX, default: false });
    const wide = new Dynagraph({ client: new DynamoDBClient(config), tablePrefix: PREFIX, default: false, concurrency: 64 });
    const doc = DynamoDBDocumentClient.from(new DynamoDBClient(config));
    const dmodels = dynamooseModels(new DynamoDB(config), t);
    const runs = Number(args.runs);
    const dynagraphStats: { requests: number; rounds: number }[] = [];
    const resolvers: Resolver[] = [
      { id: 'dynagraph', name: 'dynagraph (session + include), default `concurrency` (50)', runs, resolve: async () => {
        const { page, stats } = await dynagraphPage(db, PAGE_FORUM);
        dynagraphStats.push(stats);
        return page;
      } },
      { id: 'dynagraph-64', name: 'dynagraph (session + include), `concurrency: 64`', runs, resolve: async () => (await dynagraphPage(wide, PAGE_FORUM)).page },
      { id: 'optimal', name: 'optimal by hand (raw DocumentClient)', runs, resolve: () => optimalPage(doc, t, PAGE_FORUM) },
      { id: 'dynamoose', name: 'Dynamoose populate()', runs, resolve: () => dynamoosePage(dmodels, PAGE_FORUM) },
      { id: 'naive', name: 'naive (one item at a time)', runs: Number(args['naive-runs']), resolve: () => naivePage(doc, t, PAGE_FORUM) },
    ];

    // Warm every client up (connections, credentials, JIT), and check the pages agree.
    latency.latencyMs = 0;
    const pages = new Map<string, string>();
    for (const r of resolvers) {
      const page = await r.resolve();
      checkPage(page, r.name);
      pages.set(r.id, JSON.stringify(page));
    }
    const reference = pages.get('optimal')!;
    for (const r of resolvers) if (pages.get(r.id) !== reference) throw new Error(`${r.name} returned another page than the optimal resolver`);
    latency.latencyMs = latencyMs;

    // Per run (all resolvers back to back, shuffled), so ratios pair runs that saw the same machine load.
    const results = new Map<string, { meter: Meter; ms: number; cpuMs: number; run: number }[]>();
    const random = prng(11);
    for (let run = 0; run < runs; run++) {
      for (const r of [...resolvers].sort(() => random() - 0.5)) {
        if (run >= r.runs) continue;
        const meter = latency.reset();
        const cpu = process.cpuUsage();
        const started = performance.now();
        const page = await r.resolve();
        const ms = performance.now() - started;
        const used = process.cpuUsage(cpu);
        const cpuMs = (used.user + used.system) / 1000;
        if (JSON.stringify(page) !== reference) throw new Error(`${r.name}: another page in run ${run}`);
        (results.get(r.id) ?? results.set(r.id, []).get(r.id)!).push({ meter, ms, cpuMs, run });
        progress(`run ${run + 1}: ${r.name}: ${meter.total} requests, ${meter.rounds} rounds, ${fixed(ms, 0)} ms`);
      }
    }

    const summary = resolvers.map((r) => {
      const list = results.get(r.id)!;
      const first = list[0].meter;
      for (const x of list) if (x.meter.total !== first.total || x.meter.rounds !== first.rounds) throw new Error(`${r.name}: request counts differ between runs`);
      return { r, meter: first, ms: median(list.map((x) => x.ms)), cpuMs: median(list.map((x) => x.cpuMs)), runs: list.length };
    });
    const by = (id: string) => summary.find((s) => s.r.id === id)!;
    const ops = [...new Set(summary.flatMap((s) => Object.keys(s.meter.requests)))].sort();
    /** Median over runs of (wall of `id`) / (wall of the optimal resolver in the same run). */
    const paired = (id: string): number => {
      const mine = results.get(id)!;
      const opt = new Map(results.get('optimal')!.map((x) => [x.run, x.ms]));
      return median(mine.filter((x) => opt.has(x.run)).map((x) => x.ms / opt.get(x.run)!));
    };
    const dg = by('dynagraph');
    const opt = by('optimal');
    const naive = by('naive');
    const selfReported = dynagraphStats.at(-1)!;
    const out: string[] = [];
    out.push(`### Graph round trips: one forum page (${PAGE_THREADS} threads by 20 users, first ${PAGE_REPLIES} replies each, and their users), ${latencyMs} ms injected per request, DynamoDB Local`, '');
    out.push(table(['resolver', ...ops, 'requests', 'sequential rounds', 'wall ms (median)', '× optimal (median of per-run ratios)', 'client CPU ms (median)', 'runs'],
      summary.map((s) => [s.r.name, ...ops.map((o) => s.meter.requests[o] ?? 0), s.meter.total, s.meter.rounds, fixed(s.ms, 0), fixed(paired(s.r.id), 2), fixed(s.cpuMs, 0), s.runs])));
    out.push('', `All four returned the same page (${PAGE_THREADS} threads, ${PAGE_THREADS * PAGE_REPLIES} replies, every author found). ` +
      `dynagraph's own session stats agree: ${selfReported.requests} requests in ${selfReported.rounds} rounds.`, '');
    out.push('**Targets** (dynagraph as configured by default, and with `concurrency: 64`, which lets all 50 reply Queries of a level run at once like the optimal resolver)', '');
    for (const d of [dg, by('dynagraph-64')]) {
      const label = d.r.id === 'dynagraph' ? 'default' : 'concurrency 64';
      out.push(`- ${label}: ${verdict(d.meter.total === opt.meter.total, `requests = optimal (${d.meter.total} vs ${opt.meter.total})`)}; ` +
        `${verdict(paired(d.r.id) <= 1.2, `wall ≤ 1.2× optimal (${fixed(paired(d.r.id), 2)}× by per-run ratios; medians ${fixed(d.ms, 0)} vs ${fixed(opt.ms, 0)} ms)`)}; ` +
        `${verdict(naive.meter.total >= 10 * d.meter.total, `≥ 10× fewer requests than naive (${fixed(naive.meter.total / d.meter.total, 1)}×)`)}`);
    }
    out.push('', ...await tagsShape(latency, latencyMs, runs, { db, wide, doc, tables: { threads: t.threads, tags: `${PREFIX}tags`, links: `${PREFIX}thread_tags` } }));
    seeder.connection.client.destroy();
    latency.destroy();
    return out.join('\n');
  } finally {
    await local?.stop();
  }
}

/** The many-to-many shape: the page forum's first 50 threads and their tags, three ways (see lib/tags-shape.ts). */
async function tagsShape(latency: LatencyHandler, latencyMs: number, runs: number, c: { db: Dynagraph; wide: Dynagraph; doc: DynamoDBDocumentClient; tables: Parameters<typeof optimalTags>[1] }): Promise<string[]> {
  const resolvers: { id: string; name: string; runs: number; resolve(): Promise<TaggedThreads> }[] = [
    { id: 'dynagraph', name: 'dynagraph (session + include), default `concurrency` (50)', runs, resolve: () => dynagraphTags(c.db, PAGE_FORUM) },
    { id: 'dynagraph-64', name: 'dynagraph (session + include), `concurrency: 64`', runs, resolve: () => dynagraphTags(c.wide, PAGE_FORUM) },
    { id: 'optimal', name: 'optimal by hand (raw DocumentClient)', runs, resolve: () => optimalTags(c.doc, c.tables, PAGE_FORUM) },
    { id: 'naive', name: 'naive (one item at a time)', runs: Number(args['naive-runs']), resolve: () => naiveTags(c.doc, c.tables, PAGE_FORUM) },
  ];
  latency.latencyMs = 0;
  const reference = JSON.stringify(await resolvers[2].resolve());
  const expected = JSON.parse(reference) as TaggedThreads;
  if (expected.length !== PAGE_THREADS || expected.some((t) => t.tags.length !== TAGS_PER_THREAD) || new Set(expected.flatMap((t) => t.tags)).size !== TAGS) {
    throw new Error(`many-to-many shape: expected ${PAGE_THREADS} threads with ${TAGS_PER_THREAD} tags each over ${TAGS} tags`);
  }
  for (const r of resolvers) if (JSON.stringify(await r.resolve()) !== reference) throw new Error(`${r.name} returned other tags than the optimal resolver`);
  latency.latencyMs = latencyMs;
  const results = new Map<string, { meter: Meter; ms: number; cpuMs: number; run: number }[]>();
  const random = prng(13);
  for (let run = 0; run < runs; run++) {
    for (const r of [...resolvers].sort(() => random() - 0.5)) {
      if (run >= r.runs) continue;
      const meter = latency.reset();
      const cpu = process.cpuUsage();
      const started = performance.now();
      const got = JSON.stringify(await r.resolve());
      const ms = performance.now() - started;
      const used = process.cpuUsage(cpu);
      if (got !== reference) throw new Error(`${r.name}: other tags in run ${run}`);
      (results.get(r.id) ?? results.set(r.id, []).get(r.id)!).push({ meter, ms, cpuMs: (used.user + used.system) / 1000, run });
      progress(`tags run ${run + 1}: ${r.name}: ${meter.total} requests, ${meter.rounds} rounds, ${fixed(ms, 0)} ms`);
    }
  }
  const paired = (id: string): number => {
    const opt = new Map(results.get('optimal')!.map((x) => [x.run, x.ms]));
    return median(results.get(id)!.filter((x) => opt.has(x.run)).map((x) => x.ms / opt.get(x.run)!));
  };
  const summary = resolvers.map((r) => {
    const list = results.get(r.id)!;
    for (const x of list) if (x.meter.total !== list[0].meter.total) throw new Error(`${r.name}: request counts differ between runs`);
    return { r, meter: list[0].meter, ms: median(list.map((x) => x.ms)), cpuMs: median(list.map((x) => x.cpuMs)), runs: list.length };
  });
  const ops = [...new Set(summary.flatMap((x) => Object.keys(x.meter.requests)))].sort();
  const opt = summary.find((x) => x.r.id === 'optimal')!;
  const naive = summary.find((x) => x.r.id === 'naive')!;
  const out = [`### Many-to-many: the first ${PAGE_THREADS} threads and their tags (${TAGS_PER_THREAD} each over ${TAGS} tags, through the ThreadTag edge store), ${latencyMs} ms injected per request`, ''];
  out.push(table(['resolver', ...ops, 'requests', 'sequential rounds', 'wall ms (median)', '× optimal (median of per-run ratios)', 'client CPU ms (median)', 'runs'],
    summary.map((x) => [x.r.name, ...ops.map((o) => x.meter.requests[o] ?? 0), x.meter.total, x.meter.rounds, fixed(x.ms, 0), fixed(paired(x.r.id), 2), fixed(x.cpuMs, 0), x.runs])));
  out.push('', 'All returned the same threads and tags.', '', '**Targets**', '');
  for (const d of summary.filter((x) => x.r.id.startsWith('dynagraph'))) {
    out.push(`- ${d.r.id === 'dynagraph' ? 'default' : 'concurrency 64'}: ${verdict(d.meter.total === opt.meter.total, `requests = optimal (${d.meter.total} vs ${opt.meter.total})`)}; ` +
      `${verdict(paired(d.r.id) <= 1.2, `wall ≤ 1.2× optimal (${fixed(paired(d.r.id), 2)}×; medians ${fixed(d.ms, 0)} vs ${fixed(opt.ms, 0)} ms)`)}; ` +
      `naive sends ${fixed(naive.meter.total / d.meter.total, 1)}× the requests`);
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await main());
