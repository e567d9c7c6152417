/**
 * Type-check cost (issue 7, item 4): `tsc --extendedDiagnostics --noEmit` on the forum
 * example's models and on a generated 30-model schema with relationships, as a user
 * compiles them — against dynagraph's built declarations (dist/*.d.ts, built here into
 * .gen/) — plus the forum models against src/ as this repository checks them, and the
 * ElectroDB equivalent of the 30 models. Prints check time (median of 3) and type
 * instantiations.
 *
 *   npx tsx typecheck.ts [--models 30] [--repeat 3]
 */
import './lib/env.js';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { dynagraphSchema, electroSchema } from './lib/typecheck-gen.js';
import { fixed, median, progress, table, verdict } from './lib/stats.js';

const { values: args } = parseArgs({ options: { models: { type: 'string', default: '30' }, repeat: { type: 'string', default: '3' } } });

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..');
const GEN = join(HERE, '.gen');
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

const COMPILER_OPTIONS = {
  target: 'ES2022', lib: ['ES2023'], module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: true, noEmit: true, types: ['node'],
};

interface Diagnostics { checkS: number; totalS: number; cpuS: number; instantiations: number; types: number; memoryMB: number; files: number }

function tsc(project: string): Diagnostics {
  const out = spawnSync(process.execPath, [join(HERE, 'lib', 'tsc-cpu.cjs'), '-p', project, '--extendedDiagnostics'], { encoding: 'utf8' });
  const text = out.stdout + out.stderr;
  if (out.status !== 0) throw new Error(`tsc -p ${project} failed:\n${text.split('\n').filter((l) => /error/.test(l)).slice(0, 20).join('\n')}`);
  const num = (label: string) => {
    const m = new RegExp(`^${label}:\\s+([\\d.]+)`, 'm').exec(text);
    if (!m) throw new Error(`no "${label}" in tsc output:\n${text}`);
    return Number(m[1]);
  };
  return { checkS: num('Check time'), totalS: num('Total time'), cpuS: num('CPU seconds'), instantiations: num('Instantiations'), types: num('Types'), memoryMB: num('Memory used') / 1024, files: num('Files') };
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
  const n = Number(args.models);
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
  const gen = dynagraphSchema(n, dist);
  const electro = electroSchema(n);
  const cases: { id: string; name: string; project: string }[] = [
    { id: 'baseline', name: 'baseline: one trivial model (dist .d.ts)', project: project('baseline', {
      'models.ts': `import { Model, string } from '${dist}';\nexport class A extends Model({ table: 'a', key: { hash: 'id' }, attributes: { id: string() } }) {}\n`,
    }) },
    { id: 'forum', name: 'forum models + a page resolver (dist .d.ts)', project: project('forum', {
      'models.ts': forumSource.replace("'../../src/index.js'", `'${dist}'`), 'usage.ts': forumUsage(dist),
    }) },
    { id: 'forum-src', name: 'forum models + a page resolver (against src/*.ts, as this repo checks them)', project: project('forum-src', {
      'models.ts': forumSource.replace("'../../src/index.js'", "'../../../src/index.js'"), 'usage.ts': forumUsage('../../../src/index.js'),
    }) },
    { id: 'gen-models', name: `${n} generated models with relationships, declarations only (dist .d.ts)`, project: project('gen-models', { 'models.ts': gen.models }) },
    { id: 'gen', name: `${n} generated models with relationships + usage (dist .d.ts)`, project: project('gen', { 'models.ts': gen.models, 'usage.ts': gen.usage }) },
    { id: 'electro', name: `ElectroDB: the same ${n} entities + usage (no relationships)`, project: project('electro', { 'models.ts': electro.models, 'usage.ts': electro.usage }) },
  ];
  const results = new Map<string, Diagnostics[]>();
  for (let r = 0; r < repeat; r++) {
    for (const c of cases) {
      const d = tsc(c.project);
      (results.get(c.id) ?? results.set(c.id, []).get(c.id)!).push(d);
      progress(`${c.name}: check ${d.checkS}s (process CPU ${d.cpuS}s), ${d.instantiations} instantiations`);
    }
  }
  const row = (id: string) => {
    const list = results.get(id)!;
    return { check: median(list.map((d) => d.checkS)), total: median(list.map((d) => d.totalS)), cpu: median(list.map((d) => d.cpuS)), inst: list[0].instantiations, types: list[0].types, mem: median(list.map((d) => d.memoryMB)), files: list[0].files };
  };
  const tsVersion = JSON.parse(readFileSync(join(ROOT, 'node_modules', 'typescript', 'package.json'), 'utf8')).version;
  const out: string[] = [];
  out.push(`### Type-check cost: \`tsc --extendedDiagnostics --noEmit\` (TypeScript ${tsVersion}, strict, skipLibCheck), median of ${repeat}`, '');
  out.push(table(['project', 'check time s', 'total time s', 'tsc process CPU s', 'instantiations', 'types', 'memory MB', 'files'],
    cases.map((c) => {
      const x = row(c.id);
      return [c.name, fixed(x.check, 2), fixed(x.total, 2), fixed(x.cpu, 2), x.inst.toLocaleString('en-US'), x.types.toLocaleString('en-US'), fixed(x.mem, 0), x.files];
    })));
  const g = row('gen');
  out.push('', 'Check time is wall time as tsc reports it; the CPU column is the whole tsc process (parse, bind, check), which a busy machine does not inflate.', '');
  out.push('**Target**', '', `- ${verdict(g.check < 3, `check time of the ${n}-model schema < 3 s (${fixed(g.check, 2)} s; ${fixed(g.check - row('baseline').check, 2)} s above the one-model baseline; ElectroDB's equivalent ${fixed(row('electro').check, 2)} s)`)}`);
  return out.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await main());
