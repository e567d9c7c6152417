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

/** A GraphQL HTTP server over `db` at `/graphql`. */
export function forumServer(db: Dynagraph): Server {
  const handler = createHandler<ForumContext>({
    schema: forumSchema,
    context: () => ({ db, session: db.session({ maxRequests: 1000 }) }),
    // Report what the request cost next to its data.
    execute: async (args: ExecutionArgs) => {
      const result = await execute(args);
      const { session } = args.contextValue as ForumContext;
      return { ...result, extensions: { ...result.extensions, dynagraph: { ...session.stats } } };
    },
  });
  return createServer((req, res) => {
    if (req.url?.startsWith('/graphql')) handler(req, res);
    else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('POST GraphQL queries to /graphql\n');
    }
  });
}

async function main(): Promise<void> {
  const { db, local } = await openForum();
  const port = Number(process.env.PORT ?? 4000);
  const server = forumServer(db).listen(port, '127.0.0.1', () => console.log(`forum GraphQL API on http://127.0.0.1:${port}/graphql`));
  const stop = () => server.close(() => void local?.stop().then(() => process.exit(0)));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
