// npm run explorer: serves the explorer page (docs/explorer/) on 127.0.0.1 with the package's built files beside
// it, the way the page finds them: it is /docs/explorer/ and imports ../../dist/, i.e. /dist/. Any static server
// run from the repository's root serves the same paths; this one serves only docs/ and dist/, GET and HEAD.
//
//   npm run explorer [-- --port N]      (default: an ephemeral port, printed)

import { createServer, type Server } from 'node:http';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FOLDERS = ['docs', 'dist'];
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.wasm': 'application/wasm',
  '.md': 'text/markdown; charset=utf-8',
  '.png': 'image/png',
  '.map': 'application/json',
};

export interface ExplorerServer {
  /** e.g. http://127.0.0.1:41234 */
  readonly origin: string;
  /** The page: origin + /docs/explorer/ */
  readonly url: string;
  close(): Promise<void>;
}

/** The file a URL path names under docs/ or dist/ (a folder's index.html), or undefined. */
async function fileFor(pathname: string, root: string): Promise<string | undefined> {
  let path = join(root, normalize(decodeURIComponent(pathname)));
  if (!FOLDERS.some((folder) => path.startsWith(join(root, folder) + sep))) return undefined;
  if ((await stat(path).catch(() => undefined))?.isDirectory()) path = join(path, 'index.html');
  return CONTENT_TYPES[extname(path)] ? path : undefined;
}

export async function serveExplorer(options: { port?: number; root?: string } = {}): Promise<ExplorerServer> {
  const root = options.root ?? ROOT;
  const server: Server = createServer(async (request, response) => {
    try {
      const { pathname } = new URL(request.url ?? '/', 'http://localhost');
      if (pathname === '/' || pathname === '/docs/explorer') {
        response.writeHead(302, { location: '/docs/explorer/' }).end();
        return;
      }
      const path = await fileFor(pathname, root);
      if (!path || (request.method !== 'GET' && request.method !== 'HEAD')) throw new Error('not served');
      const body = await readFile(path);
      response.writeHead(200, { 'content-type': CONTENT_TYPES[extname(path)], 'content-length': body.length, 'cache-control': 'no-store' });
      response.end(request.method === 'HEAD' ? undefined : body);
    } catch {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    url: `${origin}/docs/explorer/`,
    close: () => new Promise<void>((resolve, reject) => {
      server.closeAllConnections();
      server.close((error) => (error ? reject(error) : resolve()));
    }),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const at = process.argv.indexOf('--port');
  const port = at >= 0 ? Number(process.argv[at + 1]) : 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`npm run explorer: --port: expected an integer in [0, 65535], got ${JSON.stringify(process.argv[at + 1])}`);
    process.exit(2);
  }
  if (!existsSync(join(ROOT, 'dist', 'index.js'))) {
    console.error('npm run explorer: dist/ is not built; run npm run build (npm ci builds it too)');
    process.exit(1);
  }
  const server = await serveExplorer({ port });
  console.log(`nninit explorer: ${server.url}  (Ctrl-C stops it)`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
