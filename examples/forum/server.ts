/**
 * `npm run forum:serve`: the forum's generated GraphQL API over HTTP (graphql-http) — POST
 * /graphql — and GraphiQL on GET /graphql (from installed packages, no CDN); one dynagraph
 * session per request, the request's stats and trace in the response's `extensions`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createHandler } from 'graphql-http/lib/use/http';
import type { Dynagraph } from '../../src/index.js';
import type { GraphQLContext } from '../../src/graphql/index.js';
import { forumApi } from './graphql.js';
import { graphiqlPage, serveGraphiqlAsset } from './graphiql.js';
import { openForum } from './main.js';
import { checkPortFree, CliError, COMMON_ENV, COMMON_FLAGS, helpText, parseFlags, portError, runCommand, type Flag } from './cli.js';

/** Options of the forum server. */
export interface ForumServerOptions {
  /** Origins allowed by CORS: `'*'`, a list, or none (the default: same origin only). */
  cors?: string | readonly string[];
}

function allowCors(req: IncomingMessage, res: ServerResponse, cors: ForumServerOptions['cors']): void {
  const origin = req.headers.origin;
  if (!cors || !origin) return;
  const allowed = cors === '*' || (typeof cors === 'string' ? [cors] : cors).includes(origin);
  if (!allowed) return;
  res.setHeader('access-control-allow-origin', cors === '*' ? '*' : origin);
  res.setHeader('vary', 'origin');
  res.setHeader('access-control-allow-methods', 'GET, POST, OPTIONS');
  res.setHeader('access-control-allow-headers', 'content-type, accept');
}

/** A GraphQL HTTP server over `db` at `/graphql`: the API on POST, GraphiQL on GET from a browser. */
export function forumServer(db: Dynagraph, options: ForumServerOptions = {}): Server {
  const handler = createHandler<GraphQLContext>({
    schema: forumApi.schema,
    context: () => forumApi.context(db),
    execute: forumApi.execute,
  });
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    allowCors(req, res, options.cors);
    if (req.method === 'OPTIONS') return void res.writeHead(204).end();
    if (req.method === 'GET' && serveGraphiqlAsset(path, res)) return;
    if (path === '/favicon.ico') return void res.writeHead(204).end();
    if (path === '/graphql' || path === '/') {
      // A browser asking for a page gets GraphiQL; GraphQL clients (GET with ?query=, or POST) the API.
      if (req.method === 'GET' && !req.url?.includes('query=') && /text\/html/.test(req.headers.accept ?? '')) {
        return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(graphiqlPage('/graphql'));
      }
      if (path === '/graphql') return void handler(req, res);
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('POST GraphQL queries to /graphql; open /graphql in a browser for GraphiQL\n');
  });
}

const FLAGS = {
  port: { type: 'string', short: 'p', help: 'port to listen on at 127.0.0.1 (default: $PORT, else 4000)' },
  cors: { type: 'string', help: 'origins allowed by CORS, comma-separated, or * (default: $CORS_ORIGIN, else none)' },
  ...COMMON_FLAGS,
} as const satisfies Record<string, Flag>;

const HELP = helpText(
  'npm run forum:serve -- [flags]',
  'Serves the forum as a GraphQL API at http://127.0.0.1:<port>/graphql (POST; GraphiQL on GET from a browser),\non DynamoDB Local (Java 17+) seeded when empty. SIGINT or SIGTERM stops the server and DynamoDB Local.',
  FLAGS, { PORT: 'port to listen on (default 4000; --port wins)', CORS_ORIGIN: 'origins allowed by CORS (--cors wins)', ...COMMON_ENV },
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
  const corsText = flags.cors ?? process.env.CORS_ORIGIN;
  const cors = corsText === undefined || corsText === '' ? undefined : corsText === '*' ? '*' : corsText.split(',').map((o) => o.trim());
  const server = forumServer(db, { cors });
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
