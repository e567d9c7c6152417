/**
 * Runs every TypeScript snippet of README.md that imports 'dynagraph', against the test
 * DynamoDB Local: the README's examples are tested, and their `assert`s must hold.
 * Each snippet gets its own table prefix so snippets never collide.
 */
import { readFileSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'chai';

const root = resolve(import.meta.dirname, '../..');
const dir = join(root, 'test', '.readme-snippets');

/** Code blocks tagged ```ts that import from 'dynagraph'. */
function snippets(): { line: number; code: string }[] {
  const text = readFileSync(join(root, 'README.md'), 'utf8');
  const out: { line: number; code: string }[] = [];
  const re = /```ts\n([\s\S]*?)```/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (!/from 'dynagraph(\/testing|\/graphql)?'/.test(m[1])) continue;
    out.push({ line: text.slice(0, m.index).split('\n').length, code: m[1] });
  }
  return out;
}

describe('README snippets', function () {
  this.timeout(120_000);
  const list = snippets();
  before(() => mkdirSync(dir, { recursive: true }));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('has runnable snippets', () => {
    expect(list.length).to.be.greaterThan(5);
  });

  list.forEach(({ line, code }, i) => {
    it(`snippet at README.md line ${line} runs`, async () => {
      const source = code
        .replace(/from 'dynagraph\/testing'/g, `from '${pathToFileURL(join(root, 'src/testing/index.ts')).href}'`)
        .replace(/from 'dynagraph\/graphql'/g, `from '${pathToFileURL(join(root, 'src/graphql/index.ts')).href}'`)
        .replace(/from 'dynagraph'/g, `from '${pathToFileURL(join(root, 'src/index.ts')).href}'`)
        .replace(/from '\.\/examples\//g, `from '${pathToFileURL(join(root, 'examples')).href}/`)
        .replace(/new Dynagraph\(\{/g, `new Dynagraph({ tablePrefix: 'readme${i}-', `);
      const file = join(dir, `snippet-${i}.ts`);
      writeFileSync(file, `${source}\nexport {};\n`);
      await import(pathToFileURL(file).href);
    });
  });
});
