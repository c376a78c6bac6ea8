import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const WEB_APP = resolve(import.meta.dirname, '../../apps/web');

let built: Promise<string> | null = null;

/**
 * Builds apps/web with Vite into a fresh temporary folder (once per test
 * process) and resolves with that folder, so tests never race a developer's
 * `apps/web/dist` or another test run. `COFFRE_WEB_DIST` names a folder
 * already built instead (to rerun the browser tests without building).
 * Built for production, as `./run start` builds it: vitest sets NODE_ENV
 * to `test`, which Vite would pass on, and the tests would drive React's
 * development build (effects run twice, other timings) instead of what
 * people use.
 */
export function buildWebApp(): Promise<string> {
  const prebuilt = process.env.COFFRE_WEB_DIST;
  if (prebuilt) return Promise.resolve(resolve(prebuilt));
  built ??= (async () => {
    const outDir = await mkdtemp(join(tmpdir(), 'coffre-web-'));
    const vite = join(WEB_APP, 'node_modules', 'vite', 'bin', 'vite.js');
    await run(process.execPath, [vite, 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], {
      cwd: WEB_APP,
      env: { ...process.env, NODE_ENV: 'production' },
      maxBuffer: 16 * 1024 * 1024,
    });
    return outDir;
  })();
  return built;
}
