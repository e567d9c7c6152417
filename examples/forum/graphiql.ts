/**
 * GraphiQL for `forum:serve`, served from installed packages (graphiql's UMD bundle and
 * React 18's UMD builds): nothing is loaded from a CDN, so it works without internet.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ServerResponse } from 'node:http';

const require = createRequire(import.meta.url);
const dir = (pkg: string) => dirname(require.resolve(`${pkg}/package.json`));

/** The assets by URL path: file and content type. */
const ASSETS: Record<string, { file: () => string; type: string }> = {
  '/graphiql/react.js': { file: () => join(dir('react'), 'umd/react.production.min.js'), type: 'text/javascript' },
  '/graphiql/react-dom.js': { file: () => join(dir('react-dom'), 'umd/react-dom.production.min.js'), type: 'text/javascript' },
  '/graphiql/graphiql.js': { file: () => join(dir('graphiql'), 'graphiql.min.js'), type: 'text/javascript' },
  '/graphiql/graphiql.css': { file: () => join(dir('graphiql'), 'graphiql.min.css'), type: 'text/css' },
};

const DEFAULT_QUERY = `# The forums, each with its first threads,
# their authors and reply counts.
{
  forums(first: 5) {
    edges {
      node {
        name
        threads(first: 3) {
          edges { node { subject replyCount user { name } } }
        }
      }
    }
  }
}
`;

/** The GraphiQL page, posting queries to `endpoint`. */
export function graphiqlPage(endpoint: string): string {
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>forum · GraphiQL</title>
  <link rel="stylesheet" href="/graphiql/graphiql.css">
  <style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
  <div id="graphiql">Loading GraphiQL…</div>
  <script src="/graphiql/react.js"></script>
  <script src="/graphiql/react-dom.js"></script>
  <script src="/graphiql/graphiql.js"></script>
  <script>
    const fetcher = GraphiQL.createFetcher({ url: ${JSON.stringify(endpoint)} });
    ReactDOM.createRoot(document.getElementById('graphiql')).render(
      React.createElement(GraphiQL, { fetcher, defaultQuery: ${JSON.stringify(DEFAULT_QUERY)} }),
    );
  </script>
</body>
</html>
`;
}

/** Serves an asset of GraphiQL; `false` when `path` is none. */
export function serveGraphiqlAsset(path: string, res: ServerResponse): boolean {
  const asset = ASSETS[path];
  if (!asset) return false;
  res.writeHead(200, { 'content-type': `${asset.type}; charset=utf-8`, 'cache-control': 'public, max-age=3600' }).end(readFileSync(asset.file()));
  return true;
}
