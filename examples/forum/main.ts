/**
 * `npm run forum`: starts an embedded DynamoDB Local (or uses DYNAMODB_ENDPOINT, or real
 * AWS with --aws and the standard credential chain), creates and seeds the forum tables
 * if empty, prints a forum page, and compares what it cost with a naive resolution.
 */
import { Dynagraph } from '../../src/index.js';
import { startDynamoDBLocal, type LocalDynamoDB } from '../../src/testing/index.js';
import { forumModels, Forum } from './models.js';
import { forumPage, naiveForumPage, renderPage } from './page.js';
import { seedForum } from './seed.js';
import { COMMON_ENV, COMMON_FLAGS, helpText, parseFlags, runCommand } from './cli.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** How a forum command connects and seeds. */
export interface OpenForumOptions {
  /** Real AWS (standard credential chain) instead of DynamoDB Local. */
  aws?: boolean;
  /** Seed a small forum when the tables are empty. */
  small?: boolean;
}

/** Connects (starting DynamoDB Local when needed), ensures and seeds the tables. */
export async function openForum(options: OpenForumOptions = {}): Promise<{ db: Dynagraph; local?: LocalDynamoDB }> {
  let local: LocalDynamoDB | undefined;
  let db: Dynagraph;
  const prefix = process.env.FORUM_TABLE_PREFIX ?? 'forum-';
  if (options.aws) db = new Dynagraph({ tablePrefix: prefix });
  else {
    let endpoint = process.env.DYNAMODB_ENDPOINT;
    if (!endpoint) {
      local = await startDynamoDBLocal();
      endpoint = local.endpoint;
      console.log(`DynamoDB Local (in memory) on ${endpoint}, pid ${local.pid}`);
    }
    db = new Dynagraph({ endpoint, tablePrefix: prefix });
  }
  try {
    await seedIfEmpty(db, options.small === true);
  } catch (err) {
    await local?.stop();
    throw err;
  }
  return { db, local };
}

async function seedIfEmpty(db: Dynagraph, small: boolean): Promise<void> {
  await db.ensureTables([...forumModels]);
  const existing = await db.scan(Forum).first();
  if (!existing) {
    const counts = await seedForum(db, small ? { forums: 2, users: 10, threads: 20, replies: 100 } : {});
    console.log(`seeded ${Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', ')}`);
  }
}

function costTable(rows: [string, { requests: Record<string, number>; total: number; rounds: number }][]): string {
  const commands = [...new Set(rows.flatMap(([, c]) => Object.keys(c.requests)))].sort();
  const head = `| resolver | ${commands.join(' | ')} | requests | sequential rounds |`;
  const sep = `|${'---|'.repeat(commands.length + 3)}`;
  const body = rows.map(([name, c]) => `| ${name} | ${commands.map((k) => c.requests[k] ?? 0).join(' | ')} | ${c.total} | ${c.rounds} |`);
  return [head, sep, ...body].join('\n');
}

const HELP = helpText(
  'npm run forum -- [flags]',
  'Starts DynamoDB Local (Java 17+), creates and seeds the forum tables when empty, prints a forum page\nand what it cost against a naive one-item-at-a-time resolution.',
  COMMON_FLAGS, COMMON_ENV,
);

async function main(): Promise<void> {
  const flags = parseFlags(COMMON_FLAGS, process.argv.slice(2));
  if (flags.help) return void console.log(HELP);
  const { db, local } = await openForum(flags);
  try {
    const forum = (await db.scan(Forum).all()).map((f) => f.name).sort()[0];
    const { page, cost, trace } = await forumPage(db, forum);
    console.log(renderPage(page));
    console.log(`\nThe trace of this page (session.trace):\n\n${trace.text}`);
    const naive = await naiveForumPage(db, forum);
    const same = JSON.stringify(naive.page) === JSON.stringify(page);
    console.log('\nWhat this page cost:\n');
    console.log(costTable([['dynagraph', cost], ['naive (one item at a time)', naive.cost]]));
    console.log(`\nSame page both ways: ${same ? 'yes' : 'NO'}; dynagraph sent ${(naive.cost.total / cost.total).toFixed(1)}x fewer requests in ${cost.rounds} rounds instead of ${naive.cost.rounds}.`);
    if (!same) process.exitCode = 1;
  } finally {
    await local?.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await runCommand('forum', main);
