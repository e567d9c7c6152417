/**
 * A minified bundle behaves exactly like the unbundled package. The handler in
 * ./bundle-fixture is bundled with esbuild (minified, no keepNames, the SDK inlined) as CJS
 * and as ESM, each bundle runs in its own process against the harness's DynamoDB Local,
 * and the JSON it prints — stats by command, consumed capacity, pages read with cursors
 * over bigint keys, error names, codes and classes, the stored transaction name — must equal
 * the unbundled run's (tsx over the sources). Minifiers rename classes, so anything that
 * identifies a command, a value or an error by `constructor.name` shows up here.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { build, type BuildOptions } from 'esbuild';
import { testEndpoint } from '../harness/client.js';

const run = promisify(execFile);
const here = fileURLToPath(new URL('.', import.meta.url));
const entry = join(here, 'bundle-fixture', 'main.ts');

/**
 * ESM output cannot `require()` the Node builtins the SDK's CommonJS builds use (esbuild
 * prefers `main` on platform node): "Dynamic require of "node:https" is not supported".
 * Either fix from the README makes the ESM bundle work; both are tested.
 */
const CREATE_REQUIRE = "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

const variants: Record<string, { file: string; options: BuildOptions }> = {
  cjs: { file: 'handler.cjs', options: { format: 'cjs' } },
  'esm-banner': { file: 'handler-banner.mjs', options: { format: 'esm', banner: { js: CREATE_REQUIRE } } },
  'esm-module-fields': { file: 'handler-module.mjs', options: { format: 'esm', mainFields: ['module', 'main'] } },
};

type Report = Record<string, unknown> & {
  pages: string[][];
  stats: { requests: Record<string, number> };
  conflict: { name: string };
  invalid: { name: string };
  logged: string[];
  transaction: { records: { name: string }[] };
};

async function report(prefix: string, args: string[]): Promise<Report> {
  const { NODE_OPTIONS: _ignored, ...env } = process.env;
  try {
    const { stdout } = await run(process.execPath, args, {
      env: { ...env, DYNAMODB_ENDPOINT: testEndpoint(), BUNDLE_TABLE_PREFIX: prefix, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      maxBuffer: 1 << 22,
    });
    return JSON.parse(stdout.trim().split('\n').pop()!) as Report;
  } catch (err) {
    // A run that throws still gets compared, so each variant's test says what went wrong.
    const stderr = String((err as { stderr?: string }).stderr ?? (err as Error).message);
    return { failed: stderr.split('\n').filter((l) => /Error|error:|invalid/.test(l)).slice(0, 3).map((l) => l.slice(0, 300)) } as never;
  }
}

describe('minified bundles (esbuild, no keepNames) behave like the unbundled package', function () {
  this.timeout(90_000);
  let dir: string;
  const reports: Record<string, Report> = {};

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dynagraph-bundle-'));
    for (const { file, options } of Object.values(variants)) {
      await build({
        entryPoints: [entry], outfile: join(dir, file), bundle: true, minify: true, keepNames: false,
        platform: 'node', target: 'node20', logLevel: 'silent', ...options,
      });
    }
    const runs = await Promise.all([
      report('bundle-tsx-', ['--import', 'tsx', entry]),
      ...Object.entries(variants).map(([name, { file }]) => report(`bundle-${name}-`, [join(dir, file)])),
    ]);
    ['unbundled', ...Object.keys(variants)].forEach((name, i) => (reports[name] = runs[i]));
  });
  after(() => dir && rm(dir, { recursive: true, force: true }));

  it('the unbundled run reports what the handler did', () => {
    const r = reports.unbundled;
    expect(r.pages.map((p) => p.length)).to.deep.equal([3, 3, 1]);
    expect(r.stats.requests).to.deep.equal({ Query: 3, BatchGetItem: 1 });
    expect(r).to.deep.include({ sessionCapacityPositive: true });
    expect(r.conflict).to.deep.include({ name: 'VersionConflictError', code: 'VERSION_CONFLICT', isVersionConflictError: true });
    expect(r.invalid).to.deep.include({ name: 'ValidationError', code: 'VALIDATION', isValidationError: true });
    expect(r.transaction.records.map((x) => x.name)).to.deep.equal(['Bump']);
    expect((r as any).graphql).to.deep.include({ more: [true, false], errors: ['INVALID_CURSOR', null, null], requests: { Query: 1 } });
    expect((r as any).graphql.pages.map((p: string[]) => p.length)).to.deep.equal([4, 3]);
    expect(r.logged).to.include.members([
      'database-access GetItem docs capacity>0:true ok',
      'database-access PutItem docs capacity>0:false CONDITION_FAILED ConditionalCheckFailedException',
      'transactions TransactWriteItems docs capacity>0:true ok',
    ]);
  });

  for (const name of Object.keys(variants)) {
    it(`${name}: stats, capacity, cursor pages, errors and the stored transaction name equal the unbundled run`, () => {
      expect(reports[name]).to.deep.equal(reports.unbundled);
    });
  }
});
