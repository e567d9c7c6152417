/**
 * `npm run bench`: runs every benchmark, each in its own Node process (so no run warms
 * up or pollutes another), prints the markdown tables and keeps them in RESULTS.md with
 * the machine they came from. Anything below the "Notes" heading of RESULTS.md is kept.
 *
 *   npm run bench                      # everything, full size; rewrites RESULTS.md
 *   npm run bench -- --quick           # smaller runs, RESULTS.md untouched
 *   npm run bench -- --only graph,overhead
 */
import './lib/env.js';
import { execSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { machine, machineLine } from './lib/machine.js';

const { values: args } = parseArgs({ options: { quick: { type: 'boolean', default: false }, only: { type: 'string' }, 'no-write': { type: 'boolean', default: false } } });
const HERE = dirname(fileURLToPath(import.meta.url));
const NOTES = '## Notes';

interface Bench { id: string; file: string; args: string[]; quick: string[]; env?: Record<string, string>; quickEnv?: Record<string, string> }
const BENCHES: Bench[] = [
  { id: 'overhead', file: 'overhead.ts', args: [], quick: ['--rounds', '5', '--warmup', '1', '--batch-ms', '40'] },
  { id: 'graph', file: 'graph.ts', args: [], quick: ['--runs', '3', '--naive-runs', '1'] },
  // Streaming memory (issue 7 item 3) is bench/reads.ts, shared with the reads benchmark.
  { id: 'stream', file: 'reads.ts', args: [], quick: [], env: { BENCH_ITEMS: '100000' }, quickEnv: { BENCH_ITEMS: '10000' } },
  { id: 'typecheck', file: 'typecheck.ts', args: [], quick: ['--repeat', '1'] },
];

function runOne(b: Bench): Promise<{ out: string; code: number; seconds: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', join(HERE, b.file), ...(args.quick ? b.quick : b.args)], {
      cwd: HERE,
      env: { ...process.env, ...(args.quick ? b.quickEnv ?? b.env : b.env) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ out: out.trim(), code: code ?? 1, seconds: (performance.now() - started) / 1000 }));
  });
}

const only = args.only?.split(',');
const selected = BENCHES.filter((b) => !only || only.includes(b.id));
const load = () => loadavg().map((x) => x.toFixed(2)).join(' / ');
const loadBefore = load();
const sections: string[] = [];
let failed = false;
for (const b of selected) {
  process.stderr.write(`\n== ${b.id} (${b.file})\n`);
  const { out, code, seconds } = await runOne(b);
  if (code !== 0) failed = true;
  const section = `${out || `(${b.file} printed nothing)`}\n\n_${b.file}: ${seconds.toFixed(0)} s${code !== 0 ? `, exit code ${code}` : ''}_`;
  sections.push(section);
  console.log(`\n${section}\n`);
}
const m = machine();
let commit = 'unknown';
try {
  commit = execSync('git rev-parse --short HEAD', { cwd: HERE, encoding: 'utf8' }).trim() + (execSync('git status --porcelain -- ../src', { cwd: HERE, encoding: 'utf8' }).trim() ? ' + uncommitted src changes' : '');
} catch {
  // not a git checkout
}
const header = [
  '# Benchmark results',
  '',
  `Latest full run of \`npm run bench\`: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, dynagraph ${commit}.`,
  '',
  `Machine: ${machineLine(m)} (\`nproc\` ${m.nproc}, \`node --version\` ${m.node}). Load average (1/5/15 min) before: ${loadBefore}; after: ${load()}.`,
  '',
].join('\n');
console.log(`Machine: ${machineLine(m)}; load average before ${loadBefore}, after ${load()}`);
if (!args.quick && !args['no-write'] && !only) {
  const file = join(HERE, 'RESULTS.md');
  const old = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const notes = old.includes(NOTES) ? old.slice(old.indexOf(NOTES)) : `${NOTES}\n`;
  writeFileSync(file, `${header}\n${sections.join('\n\n')}\n\n${notes}`);
  process.stderr.write(`wrote ${file}\n`);
}
if (failed) process.exitCode = 1;
