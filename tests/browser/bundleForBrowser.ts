import { dirname, resolve } from 'node:path';
import { build } from 'esbuild';
import { BUNDLE_LOADED } from './browserTestApi.ts';

/** The in-browser stand-in for `vitest` (describe, it, hooks, expect). */
const VITEST_IN_BROWSER = resolve(import.meta.dirname, 'vitestInBrowser.ts');

export interface BrowserBundle {
  /** The ES module, ending by setting `window.__coffreBundleLoaded`. */
  code: string;
  /** Its source map (v3 JSON); `sources` are relative to {@link sourceRoot}. */
  sourceMap: string;
  /** The folder the source map's relative `sources` start from. */
  sourceRoot: string;
}

/**
 * Bundles a browser entry and everything it imports (workspace packages,
 * libsodium's WebAssembly, which that package embeds in its JavaScript) into
 * one ES module with esbuild, in memory. `vitest` is replaced by a small
 * runner, so a contract suite written for vitest runs in the page as it is.
 *
 * @example
 * const bundle = await bundleForBrowser(resolve(import.meta.dirname, '../browser/localStoreContract.entry.ts'));
 */
export async function bundleForBrowser(entry: string): Promise<BrowserBundle> {
  const outfile = resolve(dirname(entry), 'bundle.js');
  const result = await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'chrome120',
    sourcemap: 'external',
    sourcesContent: false,
    alias: { vitest: VITEST_IN_BROWSER },
    // Automerge's "browser" build imports its .wasm as an ES module, which esbuild cannot bundle;
    // its "webpack" build embeds the WebAssembly as base64 instead, as libsodium's does.
    conditions: ['webpack'],
    footer: { js: `globalThis.${BUNDLE_LOADED} = true;` },
    logLevel: 'silent',
  });
  const code = result.outputFiles.find((file) => file.path === outfile)?.text;
  const sourceMap = result.outputFiles.find((file) => file.path === `${outfile}.map`)?.text;
  if (code === undefined || sourceMap === undefined) throw new Error(`esbuild produced no bundle for ${entry}`);
  return { code, sourceMap, sourceRoot: dirname(outfile) };
}
