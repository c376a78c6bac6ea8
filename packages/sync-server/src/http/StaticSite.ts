import { createReadStream, existsSync, realpathSync, statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';

/**
 * The web app's Content-Security-Policy: scripts, styles and everything else
 * from the relay's own origin only, no inline script; `wasm-unsafe-eval`
 * lets libsodium compile its WebAssembly; `connect-src` adds the sync
 * WebSocket. `blob:` serves what the device decrypted itself: Drive
 * previews and thumbnails (`img-src`), audio and video previews
 * (`media-src`); `worker-src` also takes the app's own workers (Argon2id,
 * pdf.js). No framing, no plug-ins, no `<base>` rewriting.
 */
export const WEB_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "font-src 'self'",
  "connect-src 'self' ws: wss:",
  "worker-src 'self' blob:",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Headers on every answer of the web app. `Referrer-Policy: no-referrer`
 * matters most: share links carry their secret in the URL fragment, and no
 * request the page makes may name the page it came from.
 */
export const WEB_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': WEB_CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
};

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Vite puts content-hashed file names under `assets/`: they never change, so browsers may keep them for a year. */
const HASHED_ASSETS_PREFIX = '/assets/';
const IMMUTABLE = 'public, max-age=31536000, immutable';

/** What {@link StaticSite.resolve} found for a request path. */
export type StaticTarget =
  | { kind: 'file'; path: string; contentType: string; cacheControl: string }
  | { kind: 'bad-path' }
  | { kind: 'not-found' };

/**
 * Serves a built single-page app (Vite's `dist`) from one folder: files
 * with their content type, `index.html` for `/` and for any path that names
 * no file and has no extension (client-side routes), immutable caching for
 * hashed assets and `no-cache` for the rest, and the security headers of
 * {@link WEB_SECURITY_HEADERS} on every answer. A path that decodes to a
 * `..` segment, a NUL, a backslash or anything outside the folder is
 * refused before the file system is asked.
 *
 * @example
 * const site = StaticSite.fromDirectory('apps/web/dist');
 * if (site && (await site.handle(request, response))) return;
 */
export class StaticSite {
  /** The folder, resolved through symbolic links. */
  readonly root: string;

  constructor(root: string) {
    this.root = realpathSync(root);
  }

  /** A site for `directory` when it holds an `index.html`, else null. */
  static fromDirectory(directory: string): StaticSite | null {
    try {
      if (!statSync(join(directory, 'index.html')).isFile()) return null;
    } catch {
      return null;
    }
    return new StaticSite(directory);
  }

  /** True when the folder holds a built app. */
  get available(): boolean {
    return existsSync(join(this.root, 'index.html'));
  }

  /**
   * Answers a GET or HEAD; resolves false (and writes nothing) for other
   * methods so the caller can route them elsewhere.
   */
  async handle(request: IncomingMessage, response: ServerResponse): Promise<boolean> {
    if (request.method !== 'GET' && request.method !== 'HEAD') return false;
    const target = await this.resolve(rawPathname(request.url ?? '/'));
    if (target.kind === 'bad-path') {
      sendText(response, 400, 'Bad request path.');
      return true;
    }
    if (target.kind === 'not-found') {
      sendText(response, 404, 'Not found.');
      return true;
    }
    let size: number;
    try {
      size = (await stat(target.path)).size;
    } catch {
      sendText(response, 404, 'Not found.');
      return true;
    }
    response.writeHead(200, {
      ...WEB_SECURITY_HEADERS,
      'content-type': target.contentType,
      'content-length': String(size),
      'cache-control': target.cacheControl,
    });
    if (request.method === 'HEAD') {
      response.end();
      return true;
    }
    try {
      await pipeline(createReadStream(target.path), response);
    } catch (error) {
      // The browser went away mid-file (a closed tab, a cancelled load): nothing to answer.
      if (!isPrematureClose(error)) throw error;
    }
    return true;
  }

  /** Maps a raw (still percent-encoded) URL path to a file of the site. */
  async resolve(rawPath: string): Promise<StaticTarget> {
    let decoded: string;
    try {
      decoded = decodeURIComponent(rawPath);
    } catch {
      return { kind: 'bad-path' };
    }
    if (!decoded.startsWith('/') || decoded.includes('\0') || decoded.includes('\\')) return { kind: 'bad-path' };
    const segments = decoded.split('/').filter((segment) => segment.length > 0);
    if (segments.some((segment) => segment === '..' || segment === '.')) return { kind: 'bad-path' };
    if (segments.some((segment) => segment.startsWith('.'))) return { kind: 'not-found' };
    const index = this.#file(join(this.root, 'index.html'), '/index.html');
    if (segments.length === 0) return index;
    const candidate = join(this.root, ...segments);
    if (!candidate.startsWith(this.root + sep)) return { kind: 'bad-path' };
    const found = await fileInside(this.root, candidate);
    if (found) return this.#file(found, decoded);
    // A client-side route (no extension) gets the app; a missing file stays missing.
    if (extname(segments[segments.length - 1] ?? '') === '') return index;
    return { kind: 'not-found' };
  }

  #file(path: string, urlPath: string): StaticTarget {
    const contentType = CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
    const cacheControl = urlPath.startsWith(HASHED_ASSETS_PREFIX) ? IMMUTABLE : 'no-cache';
    return { kind: 'file', path, contentType, cacheControl };
  }
}

/** The real path of a regular file under `root`, or null (missing, a folder, or a link leading out). */
async function fileInside(root: string, candidate: string): Promise<string | null> {
  try {
    const info = await stat(candidate);
    if (!info.isFile()) return null;
    const real = realpathSync(candidate);
    return real.startsWith(root + sep) ? real : null;
  } catch {
    return null;
  }
}

/** The path of a request target without query, not yet percent-decoded (URL parsing would fold `..` away). */
function rawPathname(url: string): string {
  const end = url.search(/[?#]/);
  return end === -1 ? url : url.slice(0, end);
}

function isPrematureClose(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'ERR_STREAM_PREMATURE_CLOSE';
}

function sendText(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, {
    ...WEB_SECURITY_HEADERS,
    'content-type': 'text/plain; charset=utf-8',
    'cache-control': 'no-store',
  });
  response.end(text);
}
