import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { Plugin, ResolvedConfig } from 'vite';

/** Where the worker is served: at the root, so its scope is the whole app. */
export const SERVICE_WORKER_FILE = 'sw.js';
const SERVICE_WORKER_SOURCE = new URL('./serviceWorker.ts', import.meta.url).pathname;

/** The app's brand colour (`--brand` in app.css): the browser's bar and the icon's background. */
const THEME_COLOUR = '#2f5d50';

/**
 * Makes the built app an installable, offline-starting PWA without a
 * runtime dependency: builds `src/pwa/serviceWorker.ts` into `/sw.js`,
 * prepends the list of files to precache (every file of the build and of
 * `public/`, source maps excepted) with a version hashed from their bytes,
 * and links the manifest from index.html. Only `vite build`; the dev server
 * registers no worker.
 */
export function coffrePwa(): Plugin {
  let config: ResolvedConfig | undefined;
  return {
    name: 'coffre-pwa',
    apply: 'build',
    config() {
      return { define: { __COFFRE_SERVICE_WORKER__: 'true' } };
    },
    configResolved(resolved) {
      config = resolved;
    },
    buildStart() {
      this.emitFile({ type: 'chunk', id: SERVICE_WORKER_SOURCE, fileName: SERVICE_WORKER_FILE });
    },
    transformIndexHtml() {
      return [
        { tag: 'link', attrs: { rel: 'manifest', href: '/manifest.webmanifest' }, injectTo: 'head' },
        { tag: 'meta', attrs: { name: 'theme-color', content: THEME_COLOUR }, injectTo: 'head' },
        { tag: 'link', attrs: { rel: 'apple-touch-icon', href: '/icon-192.png' }, injectTo: 'head' },
      ];
    },
    generateBundle: {
      order: 'post',
      async handler(_options, bundle) {
        const worker = bundle[SERVICE_WORKER_FILE];
        if (worker?.type !== 'chunk') throw new Error(`the service worker chunk ${SERVICE_WORKER_FILE} is missing`);
        const files = new Map<string, string | Uint8Array>();
        for (const output of Object.values(bundle)) {
          if (output.fileName === SERVICE_WORKER_FILE || output.fileName.endsWith('.map')) continue;
          files.set(output.fileName, output.type === 'chunk' ? output.code : output.source);
        }
        const publicDir = config?.publicDir;
        if (publicDir) {
          for (const path of await listFiles(publicDir)) {
            files.set(relative(publicDir, path).split(sep).join('/'), await readFile(path));
          }
        }
        const names = [...files.keys()].sort();
        const hash = createHash('sha256');
        for (const name of names)
          hash
            .update(name)
            .update('\0')
            .update(files.get(name) ?? '')
            .update('\0');
        const manifest = { version: hash.digest('hex').slice(0, 16), files: names.map((name) => `/${name}`) };
        worker.code = `self.__COFFRE_SHELL__ = ${JSON.stringify(manifest)};\n${worker.code}`;
      },
    },
  };
}

async function listFiles(folder: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(folder, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const entry of entries) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(path)));
    else if (entry.isFile() && !entry.name.startsWith('.')) out.push(path);
  }
  return out;
}
