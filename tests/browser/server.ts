// A static file server for the browser tests: 127.0.0.1, an ephemeral port, GET and HEAD only, and only files
// under the given folders. Module scripts and module workers need a real HTTP origin with JavaScript MIME types
// (the HTML standard refuses module scripts served with another type), so file:// URLs will not do.

import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.map': 'application/json',
};

export interface StaticServer {
  /** e.g. http://127.0.0.1:41234 */
  readonly origin: string;
  close(): Promise<void>;
}

/**
 * Serves files of `root` whose path starts with one of `folders` (relative to root, e.g. 'dist'), with `headers`
 * added to every response (e.g. COOP and COEP for a crossOriginIsolated page).
 */
export async function serveStatic(root: string, folders: readonly string[], headers: Record<string, string> = {}): Promise<StaticServer> {
  const allowed = folders.map((folder) => join(root, folder) + sep);
  /** The file a request names and its content type, or undefined for anything outside the allowed folders. */
  function fileFor(url: string): { path: string; contentType: string } | undefined {
    const path = join(root, normalize(decodeURIComponent(new URL(url, 'http://localhost').pathname)));
    const contentType = CONTENT_TYPES[extname(path)];
    if (!contentType || !allowed.some((folder) => path.startsWith(folder))) return undefined;
    return { path, contentType };
  }

  const server = createServer(async (request, response) => {
    try {
      const file = fileFor(request.url ?? '/');
      if (!file || (request.method !== 'GET' && request.method !== 'HEAD')) throw new Error('not served');
      const body = await readFile(file.path);
      response.writeHead(200, { ...headers, 'content-type': file.contentType, 'content-length': body.length, 'cache-control': 'no-store' });
      response.end(request.method === 'HEAD' ? undefined : body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve, reject) => {
      server.closeAllConnections();
      server.close((error) => (error ? reject(error) : resolve()));
    }),
  };
}
