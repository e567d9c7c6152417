/**
 * Type-check cost (issues 7.4 and 12): the check phase of the TypeScript compiler, in CPU
 * seconds (user + system of the checking process, parse and bind excluded: see
 * lib/tsc-check-cpu.cjs), on the forum example's models and on generated schemas of 30, 60
 * and 120 models with relationships and usage, as a user compiles them — against
 * dynagraph's built declarations (dist/*.d.ts, built here into .gen/) — beside the
 * ElectroDB and dynamodb-toolbox equivalents of the same schemas (same attributes, index,
 * reads and writes; neither has relationships). Median of 3.
 *
 *   npx tsx typecheck.ts [--models 30,60,120] [--repeat 3]
 */
import './lib/env.js';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { dynagraphSchema, electroSchema, toolboxSchema } from './lib/typecheck-gen.js';
import { fixed, median, progress, table, verdict } from './lib/stats.js';

const { values: args } = parseArgs({ options: { models: { type: 'string', default: '30,60,120' }, repeat: { type: 'string', default: '3' } } });

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..');
const GEN = join(HERE, '.gen');
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

const COMPILER_OPTIONS = {
  target: 'ES2022', lib: ['ES2023'], module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: true, noEmit: true, types: ['node'],
};

interface Diagnostics { checkCpuS: number; totalCpuS: number; instantiations: number; types: number; memoryMB: number; files: number; errors: string[] }

function tsc(project: string): Diagnostics {
  const out = spawnSync(process.execPath, [join(HERE, 'lib', 'tsc-check-cpu.cjs'), project], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (out.status !== 0) throw new Error(`type-checking ${project} crashed:\n${out.stderr}`);
  const d = JSON.parse(out.stdout) as Diagnostics;
  if (d.errors.length) throw new Error(`${project} does not compile:\n${d.errors.join('\n')}`);
  return d;
}

function project(name: string, files: Record<string, string>): string {
  const dir = join(GEN, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: COMPILER_OPTIONS, files: Object.keys(files) }, null, 2));
  return join(dir, 'tsconfig.json');
}

export async function main(): Promise<string> {
  const sizes = String(args.models).split(',').map(Number);
  const repeat = Number(args.repeat);
  rmSync(GEN, { recursive: true, force: true });
  progress('building dynagraph declarations into .gen/dist');
  const build = spawnSync(process.execPath, [TSC, '-p', join(ROOT, 'tsconfig.build.json'), '--emitDeclarationOnly', '--declaration', '--declarationMap', 'false', '--sourceMap', 'false', '--outDir', join(GEN, 'dist')], { encoding: 'utf8' });
  if (build.status !== 0) progress(`(declaration build reported errors; using what it emitted)\n${build.stdout.slice(0, 2000)}`);
  const dist = '../dist/index.js';
  const forumSource = readFileSync(join(ROOT, 'examples', 'forum', 'models.ts'), 'utf8');
  const forumUsage = (lib: string) => `import type { Dynagraph } from '${lib}';
import { Forum, Thread } from './models.js';
export async function page(db: Dynagraph): Promise<string[]> {
  const s = db.session();
  const forum = await s.get(Forum, { name: 'AWS' });
  if (!forum) return [];
  const { items } = await forum.threads.page({ limit: 20 });
  const loaded = await s.load(items, { user: true, replies: { $limit: 3, $reverse: true, user: true } });
  const more = await s.query(Thread, { forum_name: 'AWS' }).include({ user: { threads: true } }).all();
  return [...loaded.flatMap((t) => t.replies.get().map((r) => r.user.get()?.name ?? '')), ...more.map((t) => t.user.get()?.email ?? '')];
}
`;
  const cases: { id: string; name: string; project: string }[] = [
    { id: 'baseline', name: 'baseline: one trivial model (dist .d.ts)', project: project('baseline', {
      'models.ts': `import { Model, string } from '${dist}';\nexport class A extends Model({ table: 'a', key: { hash: 'id' }, attributes: { id: string() } }) {}\n`,
    }) },
    { id: 'forum', name: 'forum models + a page resolver (dist .d.ts)', project: project('forum', {
      'models.ts': forumSource.replace("'../../src/index.js'", `'${dist}'`), 'usage.ts': forumUsage(dist),
    }) },
  ];
  for (const n of sizes) {
    const gen = dynagraphSchema(n, dist);
    const electro = electroSchema(n);
    const toolbox = toolboxSchema(n);
    cases.push(
      { id: `gen-${n}`, name: `dynagraph: ${n} generated models with relationships + usage`, project: project(`gen-${n}`, { 'models.ts': gen.models, 'usage.ts': gen.usage }) },
      { id: `electro-${n}`, name: `ElectroDB: the same ${n} entities + usage`, project: project(`electro-${n}`, { 'models.ts': electro.models, 'usage.ts': electro.usage }) },
      { id: `toolbox-${n}`, name: `dynamodb-toolbox: the same ${n} entities + usage`, project: project(`toolbox-${n}`, { 'models.ts': toolbox.models, 'usage.ts': toolbox.usage }) },
    );
  }
  const results = new Map<string, Diagnostics[]>();
  for (let r = 0; r < repeat; r++) {
    for (const c of cases) {
      const d = tsc(c.project);
      (results.get(c.id) ?? results.set(c.id, []).get(c.id)!).push(d);
      progress(`${c.name}: check CPU ${d.checkCpuS.toFixed(2)}s (process ${d.totalCpuS.toFixed(2)}s), ${d.instantiations} instantiations`);
    }
  }
  const row = (id: string) => {
    const list = results.get(id)!;
    return { check: median(list.map((d) => d.checkCpuS)), total: median(list.map((d) => d.totalCpuS)), inst: list[0].instantiations, types: list[0].types, mem: median(list.map((d) => d.memoryMB)), files: list[0].files };
  };
  const tsVersion = JSON.parse(readFileSync(join(ROOT, 'node_modules', 'typescript', 'package.json'), 'utf8')).version;
  const out: string[] = [];
  out.push(`### Type-check cost: check-phase CPU (TypeScript ${tsVersion}, strict, skipLibCheck), median of ${repeat}`, '');
  out.push(table(['project', 'check CPU s', 'parse+bind+check CPU s', 'instantiations', 'types', 'heap MB', 'files'],
    cases.map((c) => {
      const x = row(c.id);
      return [c.name, fixed(x.check, 2), fixed(x.total, 2), x.inst.toLocaleString('en-US'), x.types.toLocaleString('en-US'), fixed(x.mem, 0), x.files];
    })));
  out.push('', table(['models', 'dynagraph check CPU s', 'ElectroDB check CPU s', 'dynamodb-toolbox check CPU s', 'dynagraph / ElectroDB'],
    sizes.map((n) => [n, fixed(row(`gen-${n}`).check, 2), fixed(row(`electro-${n}`).check, 2), fixed(row(`toolbox-${n}`).check, 2), fixed(row(`gen-${n}`).check / row(`electro-${n}`).check, 2)])));
  out.push('', 'Check CPU is the user + system CPU of the type-checking process while it checks (after parse and bind), which a busy machine does not inflate as it does wall time.', '');
  out.push('**Target**', '');
  for (const n of sizes) {
    const g = row(`gen-${n}`).check, e = row(`electro-${n}`).check;
    out.push(`- ${verdict(g <= e, `at ${n} models dynagraph's check CPU ≤ ElectroDB's (${fixed(g, 2)} s vs ${fixed(e, 2)} s; dynamodb-toolbox ${fixed(row(`toolbox-${n}`).check, 2)} s)`)}`);
  }
  if (sizes.length > 1) {
    const [a, b] = [sizes[0], sizes[sizes.length - 1]];
    const base = row('baseline').check;
    const perModel = (n: number) => (row(`gen-${n}`).check - base) / n;
    out.push(`- ${verdict(perModel(b) <= perModel(a) * 1.25, `growth linear: ${fixed(perModel(a) * 1000, 1)} ms per model at ${a}, ${fixed(perModel(b) * 1000, 1)} ms per model at ${b} (above the one-model baseline)`)}`);
  }
  return out.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await main());
