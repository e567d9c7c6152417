import './lib/env.js';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Dynagraph } from '../src/index.js';
import { localClientConfig, startDynamoDBLocal } from '../src/testing/index.js';
import { forumModels } from '../examples/forum/models.js';
import { forumData, PAGE_FORUM } from './lib/forum-data.js';
import { dynagraphPage, optimalPage } from './lib/forum-resolvers.js';
import { LatencyHandler } from './lib/latency.js';
const local = await startDynamoDBLocal();
const PREFIX = 'p-';
const seeder = new Dynagraph({ endpoint: local.endpoint, tablePrefix: PREFIX, concurrency: 16, default: false });
await seeder.createTables([...forumModels]);
for (const items of Object.values(forumData())) await seeder.putMany(items);
const latency = new LatencyHandler(0);
const config = { ...localClientConfig(local.endpoint), requestHandler: latency as never, logger: { debug() {}, warn() {}, error() {}, trace() {} } as never };
const db = new Dynagraph({ client: new DynamoDBClient(config), tablePrefix: PREFIX, default: false, concurrency: 64 });
const doc = DynamoDBDocumentClient.from(new DynamoDBClient(config));
const t = { forums: `${PREFIX}forums`, users: `${PREFIX}users`, threads: `${PREFIX}threads`, replies: `${PREFIX}replies` };
const which = process.argv[2] ?? 'dynagraph';
for (let i = 0; i < 5; i++) { await dynagraphPage(db, PAGE_FORUM); await optimalPage(doc, t, PAGE_FORUM); }
import { Session as InspectorSession } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
const insp = new InspectorSession(); insp.connect();
if (process.env.PROFILE) { await insp.post('Profiler.enable'); await insp.post('Profiler.setSamplingInterval', { interval: 100 }); await insp.post('Profiler.start'); }
for (const w of process.env.ONLY ? [process.env.ONLY, process.env.ONLY, process.env.ONLY] : ['dynagraph', 'optimal', 'dynagraph', 'optimal']) {
  const cpu = process.cpuUsage(); const t0 = performance.now();
  for (let i = 0; i < 30; i++) w === 'dynagraph' ? await dynagraphPage(db, PAGE_FORUM) : await optimalPage(doc, t, PAGE_FORUM);
  const u = process.cpuUsage(cpu);
  console.log(w, 'cpu ms/page', ((u.user + u.system) / 1000 / 30).toFixed(1), 'wall ms/page', ((performance.now() - t0) / 30).toFixed(1));
}
if (process.env.PROFILE) { const { profile } = await insp.post('Profiler.stop'); writeFileSync(process.env.PROFILE, JSON.stringify(profile)); }
await local.stop();
