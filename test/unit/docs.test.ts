/**
 * The API reference (`npm run docs`, TypeDoc over the TSDoc) builds without a warning, and
 * every export of `dynagraph`, `dynagraph/testing` and `dynagraph/graphql` is in it or, if hidden from it, named
 * in README.md. Converts and validates only (no HTML, no type-check: `npm test` does that).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect } from 'chai';
import ts from 'typescript';
import { Application, Converter, type Context } from 'typedoc';

const root = resolve(import.meta.dirname, '../..');

describe('API reference (TypeDoc)', function () {
  // TypeDoc type-checks three entry points: over a minute on a busy 2-core machine.
  this.timeout(300_000);

  it('builds with zero warnings and holds every public export', async () => {
    const app = await Application.bootstrapWithPlugins({
      options: resolve(root, 'typedoc.json'),
      tsconfig: resolve(root, 'tsconfig.build.json'),
      skipErrorChecking: true,
      logLevel: 'Warn',
    });
    let program: ts.Program | undefined;
    app.converter.on(Converter.EVENT_BEGIN, (context: Context) => void (program = context.programs[0]));
    const project = await app.convert();
    expect(project, 'TypeDoc conversion failed').to.exist;
    app.validate(project!);
    expect(app.logger.hasErrors(), 'TypeDoc errors (see output above)').to.equal(false);
    expect(app.logger.hasWarnings(), 'TypeDoc warnings (see output above)').to.equal(false);

    const readme = readFileSync(resolve(root, 'README.md'), 'utf8');
    const checker = program!.getTypeChecker();
    for (const [name, file] of [['dynagraph', 'src/index.ts'], ['dynagraph/testing', 'src/testing/index.ts'], ['dynagraph/graphql', 'src/graphql/index.ts']] as const) {
      const source = program!.getSourceFile(resolve(root, file))!;
      const exported = checker.getExportsOfModule(checker.getSymbolAtLocation(source)!).map((s) => s.name);
      const module = project!.getChildByName(name);
      const documented = new Set(module && 'children' in module ? (module.children as { name: string }[]).map((c) => c.name) : []);
      const missing = exported.filter((n) => !documented.has(n) && !readme.includes('`' + n));
      expect(exported.length, `exports of ${file}`).to.be.greaterThan(5);
      expect(missing, `exports of ${file} in neither the reference nor README.md`).to.deep.equal([]);
    }
  });
});
