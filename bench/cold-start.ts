/**
 * Cold start (#16): how long a fresh Node process takes to import dynagraph's published
 * build (`dist/`, from `npm run build` at the root), beside the AWS SDK alone and the peers,
 * and the minified bundle size of a one-get Lambda handler for each library.
 *
 *   npx tsx cold-start.ts              # 10 fresh processes per contender, interleaved
 *   npx tsx cold-start.ts --runs 20    # more
 *   npx tsx cold-start.ts --no-unbundled --no-bundles
 *
 * Each process runs `await import(x)` (or `require(x)`) between two `performance.now()`
 * readings and prints the difference: import time only, Node's own start excluded. The
 * process's wall time (spawn to exit) is shown too. Rounds are interleaved (one process of
 * each contender per round) so a busy moment of a shared machine hits them all alike.
 * "unbundled (tsc)" is what dynagraph shipped before the bundled build: src compiled file by
 * file with tsc, into node_modules/.cache (rebuilt on every run).
 */
import { spawnSync, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { machineLine } from './lib/machine.js';

const bench = dirname(fileURLToPath(import.meta.url));
const root = resolve(bench, '..');
const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const RUNS = runsAt >= 0 ? Number(args[runsAt + 1]) : 10;
const withUnbundled = !args.includes('--no-unbundled');
const withBundles = !args.includes('--no-bundles');

const dist = join(root, 'dist');
if (!existsSync(join(dist, 'index.js')) || !existsSync(join(dist, 'index.cjs'))) {
  console.error('dist/ is missing: run `npm run build` at the repository root first.');
  process.exit(1);
}

interface Contender {
  name: string;
  /** ESM code importing the module(s), or CJS code requiring them. */
  code: string;
  cjs?: boolean;
  /** Where the process runs (bench/ by default). At the root, `dynagraph` resolves to the package itself, through its "exports". */
  cwd?: string;
}
const esmImport = (...specs: string[]): string => specs.map((s) => `await import(${JSON.stringify(s)});`).join(' ');
const fileUrl = (path: string): string => pathToFileURL(path).href;

const contenders: Contender[] = [
  { name: 'AWS SDK alone, `import` (client-dynamodb + lib-dynamodb + util-dynamodb)', code: esmImport('@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb', '@aws-sdk/util-dynamodb') },
  { name: 'AWS SDK alone, `require` (the same three)', code: `require('@aws-sdk/client-dynamodb'); require('@aws-sdk/lib-dynamodb'); require('@aws-sdk/util-dynamodb');`, cjs: true },
  { name: "**dynagraph**, `import('dynagraph')` (dist/index.mjs → index.cjs)", code: esmImport('dynagraph'), cwd: root },
  { name: "dynagraph, `require('dynagraph')` (dist/index.cjs)", code: `require('dynagraph');`, cjs: true, cwd: root },
  { name: 'dynagraph ESM bundle for bundlers, `import` (dist/index.js)', code: esmImport(fileUrl(join(dist, 'index.js'))) },
  { name: 'ElectroDB', code: esmImport('electrodb') },
  { name: 'ElectroDB + client-dynamodb (what a user imports)', code: esmImport('electrodb', '@aws-sdk/client-dynamodb') },
  { name: 'dynamodb-toolbox v2 + client-dynamodb', code: esmImport('dynamodb-toolbox', '@aws-sdk/client-dynamodb') },
];

if (withUnbundled) {
  const out = join(root, 'node_modules/.cache/dynagraph-cold-start/tsc');
  rmSync(out, { recursive: true, force: true });
  execFileSync(process.execPath, [
    join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json'),
    '--emitDeclarationOnly', 'false', '--declaration', 'false', '--outDir', out,
  ], { stdio: 'inherit' });
  // Under node_modules Node does not look further up for "type": "module".
  writeFileSync(join(out, 'package.json'), '{ "type": "module" }\n');
  contenders.splice(5, 0, { name: 'dynagraph unbundled (tsc, one file per module, as before #16)', code: esmImport(fileUrl(join(out, 'index.js'))) });
}

interface Sample { importMs: number; wallMs: number }
function once(c: Contender): Sample {
  const body = `const t = performance.now(); ${c.code} process.stdout.write(String(performance.now() - t));`;
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [...(c.cjs ? [] : ['--input-type=module']), '-e', body], { cwd: c.cwd ?? bench, encoding: 'utf8' });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) throw new Error(`${c.name}: exit ${r.status}\n${r.stderr}`);
  return { importMs: Number(r.stdout), wallMs };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const f1 = (n: number): string => n.toFixed(1);
const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' / ');

const loadBefore = load();
const samples = new Map<Contender, Sample[]>(contenders.map((c) => [c, []]));
for (const c of contenders) once(c); // warm the file system cache: every row measures the same thing
for (let round = 0; round < RUNS; round++) for (const c of contenders) samples.get(c)!.push(once(c));
const loadAfter = load();

const sdk = median(samples.get(contenders[0])!.map((s) => s.importMs));
const lines: string[] = [];
lines.push(`Machine: ${machineLine()}. Load average (1/5/15 min) before: ${loadBefore}; after: ${loadAfter}.`, '');
lines.push(`| contender | import ms (median of ${RUNS}) | min–max | − SDK alone | process wall ms (median) |`, '|---|---|---|---|---|');
for (const c of contenders) {
  const xs = samples.get(c)!;
  const im = xs.map((s) => s.importMs);
  lines.push(`| ${c.name} | ${f1(median(im))} | ${f1(Math.min(...im))}–${f1(Math.max(...im))} | ${c === contenders[0] ? '—' : `${median(im) - sdk >= 0 ? '+' : ''}${f1(median(im) - sdk)}`} | ${f1(median(xs.map((s) => s.wallMs)))} |`);
}

if (withBundles) {
  // One-get handlers, bundled as `esbuild --bundle --minify --platform=node` would (CJS, SDK included).
  const handlers: Record<string, string> = {
    'raw DocumentClient (baseline)': `
      import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
      import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
      const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));
      export const handler = async (e: { id: string }) => (await doc.send(new GetCommand({ TableName: 'users', Key: { id: e.id } }))).Item ?? null;`,
    dynagraph: `
      import { Dynagraph, Model, string } from ${JSON.stringify(join(dist, 'index.js'))};
      class User extends Model({ table: 'users', key: { hash: 'id' }, attributes: { id: string(), name: string() } }) {}
      new Dynagraph({ models: [User] });
      export const handler = async (e: { id: string }) => (await User.get({ id: e.id }))?.toJSON() ?? null;`,
    ElectroDB: `
      import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
      import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
      import { Entity } from 'electrodb';
      const User = new Entity({
        model: { entity: 'user', version: '1', service: 'app' },
        attributes: { id: { type: 'string', required: true }, name: { type: 'string', required: true } },
        indexes: { primary: { pk: { field: 'pk', composite: ['id'] }, sk: { field: 'sk', composite: [] } } },
      }, { client: DynamoDBDocumentClient.from(new DynamoDBClient({})), table: 'users' });
      export const handler = async (e: { id: string }) => (await User.get({ id: e.id }).go()).data;`,
    'dynamodb-toolbox v2': `
      import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
      import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
      import { Entity, GetItemCommand, item, string, Table } from 'dynamodb-toolbox';
      const table = new Table({ name: 'users', partitionKey: { name: 'id', type: 'string' }, documentClient: DynamoDBDocumentClient.from(new DynamoDBClient({})) });
      const User = new Entity({ name: 'user', table, schema: item({ id: string().key(), name: string() }) });
      export const handler = async (e: { id: string }) => (await User.build(GetItemCommand).key({ id: e.id }).send()).Item ?? null;`,
  };
  const tmp = mkdtempSync(join(tmpdir(), 'dynagraph-bundles-'));
  try {
    lines.push('', '| one-get handler, `esbuild --bundle --minify --platform=node` (CJS, SDK included) | bytes | KiB | gzip KiB | loads |', '|---|---|---|---|---|');
    for (const [name, contents] of Object.entries(handlers)) {
      const result = await build({
        stdin: { contents, resolveDir: bench, loader: 'ts', sourcefile: 'handler.ts' },
        bundle: true, minify: true, platform: 'node', format: 'cjs', target: 'node20', write: false, logLevel: 'error',
      });
      const code = result.outputFiles[0].contents;
      const file = join(tmp, `${name.replace(/\W+/g, '-')}.cjs`);
      writeFileSync(file, code);
      // The bundle must at least load and export its handler.
      const r = spawnSync(process.execPath, ['-e', `if (typeof require(${JSON.stringify(file)}).handler !== 'function') process.exit(3)`], { encoding: 'utf8' });
      lines.push(`| ${name} | ${code.length} | ${f1(code.length / 1024)} | ${f1(gzipSync(code).length / 1024)} | ${r.status === 0 ? 'yes' : `no: ${(r.stderr.trim().split('\n')[0] ?? '').slice(0, 80)}`} |`);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
mkdirSync(bench, { recursive: true });
console.log(lines.join('\n'));
