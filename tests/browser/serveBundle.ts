import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SourceMap, type SourceMapPayload } from 'node:module';
import { relative, resolve } from 'node:path';
import type { BrowserBundle } from './bundleForBrowser.ts';

export interface ServedBundle {
  /** The page that loads the bundle, e.g. `http://127.0.0.1:41234/`. */
  url: string;
  /** Rewrites a browser stack's bundle positions to the TypeScript sources they came from. */
  mapStack(stack: string): string;
  close(): Promise<void>;
}

const PAGE = `<!doctype html>
<html>
  <head><meta charset="utf-8"><title>coffre browser test</title></head>
  <body><script type="module" src="/bundle.js"></script></body>
</html>
`;

/**
 * Serves a bundle and a page that loads it from a loopback HTTP server on a
 * free port: IndexedDB, Web Locks and BroadcastChannel need a real origin, and
 * every page opened at this URL (several tabs, several contexts) shares it.
 */
export async function serveBundle(bundle: BrowserBundle): Promise<ServedBundle> {
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const body =
      path === '/bundle.js'
        ? { type: 'text/javascript', text: bundle.code }
        : path === '/bundle.js.map'
          ? { type: 'application/json', text: bundle.sourceMap }
          : path === '/' || path === '/index.html'
            ? { type: 'text/html', text: PAGE }
            : undefined;
    if (!body) {
      response.writeHead(path === '/favicon.ico' ? 204 : 404).end();
      return;
    }
    response.writeHead(200, { 'content-type': `${body.type}; charset=utf-8`, 'cache-control': 'no-store' });
    response.end(body.text);
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolveListen());
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const sourceMap = new SourceMap(JSON.parse(bundle.sourceMap) as SourceMapPayload);
  const position = new RegExp(`${origin.replaceAll('.', '\\.')}/bundle\\.js:(\\d+):(\\d+)`, 'g');

  return {
    url: `${origin}/`,
    mapStack: (stack) =>
      stack.replace(position, (match, line: string, column: string) => {
        const origin = sourceMap.findOrigin(Number(line), Number(column));
        if (!('fileName' in origin)) return match;
        const file = relative(process.cwd(), resolve(bundle.sourceRoot, origin.fileName));
        return `${file}:${origin.lineNumber}:${origin.columnNumber}`;
      }),
    close: () =>
      new Promise<void>((resolveClose) => {
        server.closeAllConnections();
        server.close(() => resolveClose());
      }),
  };
}
