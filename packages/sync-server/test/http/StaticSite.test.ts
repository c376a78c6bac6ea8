import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StaticSite, WEB_CONTENT_SECURITY_POLICY } from '../../src/http/StaticSite.ts';

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A request whose path goes out exactly as written (fetch and URL would fold `..` away). */
function rawGet(port: number, path: string, method = 'GET'): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port, path, method }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    });
    request.on('error', reject);
    request.end();
  });
}

describe('StaticSite', () => {
  let folder: string;
  let server: Server;
  let port: number;
  const unhandled: unknown[] = [];
  /** Every request's handling, to wait for the server side of a request the client dropped. */
  const handling: Promise<unknown>[] = [];

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'coffre-static-'));
    const site = join(folder, 'dist');
    await mkdir(join(site, 'assets'), { recursive: true });
    await writeFile(join(site, 'index.html'), '<!doctype html><title>Coffre</title>');
    await writeFile(join(site, 'assets', 'index-B2x9kQ.js'), 'console.log(1)');
    await writeFile(join(site, 'assets', 'index-C3y0.css'), 'body{}');
    await writeFile(join(site, 'favicon.svg'), '<svg/>');
    await writeFile(join(site, '.env'), 'SECRET=1');
    await writeFile(join(folder, 'secret.txt'), 'outside the site');
    await symlink(join(folder, 'secret.txt'), join(site, 'leak.txt'));
    const staticSite = new StaticSite(site);
    server = createServer((request, response) => {
      const handled = staticSite.handle(request, response);
      handling.push(handled);
      handled.then(
        (handled) => {
          if (!handled) response.writeHead(405).end();
        },
        (error: unknown) => {
          unhandled.push(error);
          response.destroy();
        },
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(folder, { recursive: true, force: true });
  });

  it('serves index.html at / with the security headers and no long-term caching', async () => {
    const response = await rawGet(port, '/');
    expect(response.status).toBe(200);
    expect(response.body).toContain('<title>Coffre</title>');
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['cache-control']).toBe('no-cache');
    expect(response.headers['content-security-policy']).toBe(WEB_CONTENT_SECURITY_POLICY);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['referrer-policy']).toBe('no-referrer');
  });

  it('has a Content-Security-Policy without inline scripts that lets libsodium compile WebAssembly', () => {
    expect(WEB_CONTENT_SECURITY_POLICY).toContain("default-src 'self'");
    expect(WEB_CONTENT_SECURITY_POLICY).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(WEB_CONTENT_SECURITY_POLICY).toContain("connect-src 'self' ws: wss:");
    expect(WEB_CONTENT_SECURITY_POLICY).not.toContain('unsafe-inline');
    expect(WEB_CONTENT_SECURITY_POLICY).not.toMatch(/'unsafe-eval'/);
  });

  it('lets the Drive show what the device decrypted (blob: images and media) and run pdf.js from its own origin', () => {
    expect(WEB_CONTENT_SECURITY_POLICY).toContain("img-src 'self' data: blob:");
    expect(WEB_CONTENT_SECURITY_POLICY).toContain("media-src 'self' blob:");
    expect(WEB_CONTENT_SECURITY_POLICY).toContain("worker-src 'self' blob:");
    // Nothing from elsewhere: no CDN for pdf.js's worker, no remote media.
    expect(WEB_CONTENT_SECURITY_POLICY).not.toMatch(/https?:/);
  });

  it('serves hashed assets with their content type and immutable caching', async () => {
    const script = await rawGet(port, '/assets/index-B2x9kQ.js');
    expect(script.status).toBe(200);
    expect(script.body).toBe('console.log(1)');
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const styles = await rawGet(port, '/assets/index-C3y0.css');
    expect(styles.headers['content-type']).toBe('text/css; charset=utf-8');
    const icon = await rawGet(port, '/favicon.svg');
    expect(icon.headers['content-type']).toBe('image/svg+xml');
    expect(icon.headers['cache-control']).toBe('no-cache');
  });

  it('answers a HEAD with the headers and no body', async () => {
    const response = await rawGet(port, '/assets/index-B2x9kQ.js', 'HEAD');
    expect(response.status).toBe(200);
    expect(response.headers['content-length']).toBe(String('console.log(1)'.length));
    expect(response.body).toBe('');
  });

  it('answers client-side routes with the app and missing files with 404', async () => {
    const route = await rawGet(port, '/settings/devices?tab=1');
    expect(route.status).toBe(200);
    expect(route.body).toContain('<title>Coffre</title>');
    const missing = await rawGet(port, '/assets/missing-123.js');
    expect(missing.status).toBe(404);
    expect(missing.headers['x-content-type-options']).toBe('nosniff');
  });

  it.each([
    ['/../secret.txt'],
    ['/assets/../../secret.txt'],
    ['/%2e%2e/secret.txt'],
    ['/%2E%2E%2Fsecret.txt'],
    ['/assets/%2e%2e/%2e%2e/secret.txt'],
    ['/..%5csecret.txt'],
    ['/index.html%00.js'],
    ['/%'],
  ])('refuses the path %s without reading outside the folder', async (path) => {
    const response = await rawGet(port, path);
    expect(response.status).toBe(400);
    expect(response.body).not.toContain('outside the site');
  });

  it('does not follow a symbolic link out of the folder, nor serve dot files', async () => {
    const link = await rawGet(port, '/leak.txt');
    expect(link.status).toBe(404);
    expect(link.body).not.toContain('outside the site');
    const dotFile = await rawGet(port, '/.env');
    expect(dotFile.status).toBe(404);
    expect(dotFile.body).not.toContain('SECRET');
  });

  it('shrugs off a browser that goes away in the middle of a file', async () => {
    await writeFile(join(folder, 'dist', 'assets', 'big-D4t4.js'), 'x'.repeat(8 * 1024 * 1024));
    await new Promise<void>((resolve) => {
      const request = httpRequest({ host: '127.0.0.1', port, path: '/assets/big-D4t4.js' }, (response) => {
        response.once('data', () => {
          response.destroy();
          resolve();
        });
      });
      request.end();
    });
    await Promise.allSettled(handling);
    expect(unhandled).toEqual([]);
    const after = await rawGet(port, '/');
    expect(after.status).toBe(200);
  });

  it('leaves other methods to the caller', async () => {
    const response = await rawGet(port, '/', 'POST');
    expect(response.status).toBe(405);
  });

  it('is found only in a folder that holds an index.html', () => {
    expect(StaticSite.fromDirectory(join(folder, 'dist'))).not.toBeNull();
    expect(StaticSite.fromDirectory(folder)).toBeNull();
    expect(StaticSite.fromDirectory(join(folder, 'nowhere'))).toBeNull();
  });
});
