/**
 * `npm run forum:serve`: the forum's GraphQL API over HTTP (graphql-http), one dynagraph
 * session per request, the request's stats in the response's `extensions`.
 */
import { createServer, type Server } from 'node:http';
import { execute, type ExecutionArgs } from 'graphql';
import { createHandler } from 'graphql-http/lib/use/http';
import type { Dynagraph } from '../../src/index.js';
import { forumSchema, type ForumContext } from './graphql.js';
import { openForum } from './main.js';
import { checkPortFree, CliError, COMMON_ENV, COMMON_FLAGS, helpText, parseFlags, portError, runCommand, type Flag } from './cli.js';

/** A GraphQL HTTP server over `db` at `/graphql`. */
export function forumServer(db: Dynagraph): Server {
  const handler = createHandler<ForumContext>({
    schema: forumSchema,
    context: () => ({ db, session: db.session({ maxRequests: 1000 }) }),
    // Report what the request cost next to its data.
    execute: async (args: ExecutionArgs) => {
      const result = await execute(args);
      const { session } = args.contextValue as ForumContext;
      // The trace's rows: per round and edge, requests, keys, items, capacity and milliseconds.
      const { rows, rounds, totals } = session.trace;
      return { ...result, extensions: { ...result.extensions, dynagraph: { ...session.stats, trace: { rows, rounds, totals } } } };
    },
  });
  return createServer((req, res) => {
    if (req.url?.startsWith('/graphql')) handler(req, res);
    else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('POST GraphQL queries to /graphql\n');
    }
  });
}

const FLAGS = {
  port: { type: 'string', short: 'p', help: 'port to listen on at 127.0.0.1 (default: $PORT, else 4000)' },
  ...COMMON_FLAGS,
} as const satisfies Record<string, Flag>;

const HELP = helpText(
  'npm run forum:serve -- [flags]',
  'Serves the forum as a GraphQL API at http://127.0.0.1:<port>/graphql, on DynamoDB Local (Java 17+)\nseeded when empty. SIGINT or SIGTERM stops the server and DynamoDB Local.',
  FLAGS, { PORT: 'port to listen on (default 4000; --port wins)', ...COMMON_ENV },
);

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text.trim()) || port > 65535) throw new CliError(`"${text}" is not a port number (0 to 65535)`, 2);
  return port;
}

async function main(): Promise<void> {
  const flags = parseFlags(FLAGS, process.argv.slice(2));
  if (flags.help) return void console.log(HELP);
  const port = parsePort(flags.port ?? process.env.PORT ?? '4000');
  // Before DynamoDB Local is started and the tables seeded: a taken port fails at once.
  await checkPortFree(port);
  const { db, local } = await openForum(flags);
  const server = forumServer(db);
  try {
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
  } catch (err) {
    await local?.stop();
    throw portError(port, err as NodeJS.ErrnoException);
  }
  const address = server.address();
  console.log(`forum GraphQL API on http://127.0.0.1:${typeof address === 'object' && address ? address.port : port}/graphql (pid ${process.pid})`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    // Open keep-alive connections would hold close() for minutes: end them too.
    server.close();
    server.closeAllConnections();
    void (local?.stop() ?? Promise.resolve()).then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // `npm run` starts us under `sh -c`; a shell that dies of SIGTERM without passing it on
  // (dash, Debian's sh) leaves us orphaned: a parent gone is a SIGTERM too.
  const parent = process.ppid;
  setInterval(() => process.ppid !== parent && stop(), 500).unref();
}

if (import.meta.url === `file://${process.argv[1]}`) await runCommand('forum:serve', main);
