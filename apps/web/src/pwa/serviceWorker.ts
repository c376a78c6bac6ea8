/**
 * Coffre's service worker, built by {@link ./pwaPlugin.ts} into `/sw.js`.
 *
 * It keeps the app shell (index.html, the hashed scripts, styles and
 * WebAssembly, the icons and manifest) in one cache per version, so the app
 * starts with no network and opens the documents this device holds in
 * IndexedDB. Navigations get the cached index.html (the app routes in the
 * URL fragment); the relay's API, the sync WebSocket and anything not in the
 * shell always go to the network and are never stored. A new version waits
 * until the page asks it to take over (see registerServiceWorker.ts).
 *
 * It also serves what a page decrypts for it: streamed downloads
 * (downloadStreams.ts) and audio and video previews (mediaStreams.ts).
 *
 * The build prepends `self.__COFFRE_SHELL__ = { version, files }`.
 */

import { answerDownload, takeDownloadOffer } from './downloadStreams.ts';
import { answerMedia, takeMediaOffer } from './mediaStreams.ts';

/** What the build injects: a version (a hash of every file of the shell) and the URL paths to keep. */
interface ShellManifest {
  version: string;
  files: string[];
}

/** The parts of the service worker scope this file uses (the DOM library of this program has none of them). */
interface ExtendableEvent extends Event {
  waitUntil(promise: Promise<unknown>): void;
}

interface FetchEvent extends ExtendableEvent {
  readonly request: Request;
  respondWith(response: Promise<Response>): void;
}

interface ServiceWorkerScope {
  readonly __COFFRE_SHELL__: ShellManifest;
  readonly location: Location;
  readonly clients: { claim(): Promise<void> };
  skipWaiting(): Promise<void>;
  addEventListener(type: 'install' | 'activate', listener: (event: ExtendableEvent) => void): void;
  addEventListener(type: 'fetch', listener: (event: FetchEvent) => void): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<unknown>) => void): void;
}

const worker = globalThis as unknown as ServiceWorkerScope;
const shell = worker.__COFFRE_SHELL__;
const CACHE_PREFIX = 'coffre-shell-';
const cacheName = `${CACHE_PREFIX}${shell.version}`;
const precached = new Set(shell.files);
const SHELL_PAGE = '/index.html';

/** The relay's own routes: answers that depend on the account or the moment, never from a cache. */
const NETWORK_ONLY = ['/v1/', '/v1', '/sync', '/healthz', '/status', '/openapi.json', '/sw.js'];

function networkOnly(pathname: string): boolean {
  return NETWORK_ONLY.some(
    (prefix) => pathname === prefix || pathname.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`),
  );
}

/** A client-side route: `/` or a path whose last segment has no extension (as the relay's StaticSite answers). */
function isAppRoute(pathname: string): boolean {
  const last = pathname.slice(pathname.lastIndexOf('/') + 1);
  return !last.includes('.');
}

worker.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(cacheName);
      // `reload` skips the HTTP cache, so a file of the previous version is never stored under this one.
      await cache.addAll(shell.files.map((path) => new Request(path, { cache: 'reload' })));
    })(),
  );
});

worker.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith(CACHE_PREFIX) && name !== cacheName) await caches.delete(name);
      }
      await worker.clients.claim();
    })(),
  );
});

worker.addEventListener('message', (event) => {
  const data = event.data;
  if (takeDownloadOffer(data, event.ports) || takeMediaOffer(data, event.ports)) return;
  if (typeof data === 'object' && data !== null && 'type' in data && data.type === 'skip-waiting') {
    void worker.skipWaiting();
  }
});

worker.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== worker.location.origin || networkOnly(url.pathname)) return;
  const fed = answerDownload(url) ?? answerMedia(url, request.headers.get('range'));
  if (fed) {
    event.respondWith(Promise.resolve(fed));
    return;
  }
  if (request.mode === 'navigate') {
    if (isAppRoute(url.pathname)) event.respondWith(fromShell(SHELL_PAGE, request));
    return;
  }
  if (precached.has(url.pathname)) event.respondWith(fromShell(url.pathname, request));
});

/** The cached file of this version, else the network (a cache cleared by the browser under storage pressure). */
async function fromShell(path: string, request: Request): Promise<Response> {
  const cache = await caches.open(cacheName);
  const cached = await cache.match(path);
  if (cached) return cached;
  return fetch(request);
}
