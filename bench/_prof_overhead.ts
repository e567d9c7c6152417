import './lib/env.js';
import { Session as InspectorSession } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { dynagraph, raw, PAGE } from './lib/contenders.js';
import { StubHandler } from './lib/stub-handler.js';
const QUIET = { debug() {}, warn() {}, error() {}, trace() {} } as never;
const op = (process.env.OP ?? 'query') as 'get' | 'put' | 'query';
const make = process.env.WHO === 'raw' ? raw : dynagraph;
const stub = new StubHandler();
const ops = make({ region: 'us-east-1', credentials: { accessKeyId: 'A', secretAccessKey: 'B' }, requestHandler: stub as never, logger: QUIET });
stub.capture = true;
for (let i = 0; i < PAGE; i++) await ops.put(i);
const stored = stub.captured.map((c) => c.body.Item);
stub.capture = false;
stub.respond('GetItem', { Item: stored[0] }); stub.respond('Query', { Items: stored, Count: PAGE, ScannedCount: PAGE }); stub.respond('PutItem', {});
const run = () => (op === 'put' ? ops.put(0) : op === 'get' ? ops.get() : ops.query());
const n = Number(process.env.N ?? (op === 'query' ? 400 : 4000));
for (let i = 0; i < n / 4; i++) await run();
const insp = new InspectorSession(); insp.connect();
if (process.env.PROFILE) { await insp.post('Profiler.enable'); await insp.post('Profiler.setSamplingInterval', { interval: 50 }); await insp.post('Profiler.start'); }
const t0 = performance.now(); const c0 = process.cpuUsage();
for (let i = 0; i < n; i++) await run();
const c = process.cpuUsage(c0);
console.log(process.env.WHO ?? 'dynagraph', op, ((performance.now() - t0) * 1000 / n).toFixed(1), 'µs/op wall', ((c.user + c.system) / n).toFixed(1), 'µs/op cpu');
if (process.env.PROFILE) { const { profile } = await insp.post('Profiler.stop'); writeFileSync(process.env.PROFILE, JSON.stringify(profile)); }
