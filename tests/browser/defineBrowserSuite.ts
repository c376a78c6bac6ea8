import { afterAll, describe, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../support/chromium.ts';
import {
  BROWSER_TEST_API,
  type BrowserSuiteInfo,
  type BrowserTestApi,
  type BrowserTestResult,
} from './browserTestApi.ts';
import { bundleForBrowser } from './bundleForBrowser.ts';
import { type BundlePage, openBundlePage } from './openBundlePage.ts';
import { type ServedBundle, serveBundle } from './serveBundle.ts';

type Call = 'run' | 'finish';

/**
 * Runs the vitest suites a browser entry declares in headless Chromium and
 * reports each of their tests as a vitest test of the calling file, under the
 * same describe blocks, so a failing rule shows by name. Await it at the top
 * level of a test file: it bundles the entry once, serves it on a loopback
 * port, opens one page and asks it which tests exist. Without Chromium it
 * throws (the file fails) with the command that installs it.
 *
 * @example
 * await defineBrowserSuite(resolve(import.meta.dirname, '../browser/localStoreContract.entry.ts'));
 */
export async function defineBrowserSuite(entry: string): Promise<void> {
  const bundle = await bundleForBrowser(entry);
  const served = await serveBundle(bundle);
  let browser: Browser | undefined;
  let opened: BundlePage;
  let root: BrowserSuiteInfo;
  try {
    browser = await launchChromium();
    opened = await openBundlePage(await browser.newContext(), served);
    const declared = await opened.page.evaluate(
      (name) => (globalThis as unknown as Record<string, BrowserTestApi>)[name]?.suites(),
      BROWSER_TEST_API,
    );
    if (!declared) throw new Error(`${entry} does not import the vitest runner (it declares no suite)`);
    root = declared;
  } catch (error) {
    await browser?.close();
    await served.close();
    throw error;
  }
  const { page } = opened;

  const call = async (method: Call, id: number): Promise<void> => {
    const result = await page.evaluate(
      ([name, method, id]) => (globalThis as unknown as Record<string, BrowserTestApi>)[name]?.[method](id),
      [BROWSER_TEST_API, method, id] as const,
    );
    throwOnFailure(result, served);
    const uncaught = opened.takeErrors();
    if (uncaught.length > 0) throw new Error(`uncaught in the page:\n${uncaught.join('\n')}`);
  };

  const register = (suite: BrowserSuiteInfo): void => {
    for (const test of suite.tests) {
      if (test.skip) it.skip(test.name);
      else it(test.name, () => call('run', test.id));
    }
    for (const inner of suite.suites) {
      describe(inner.name, () => {
        register(inner);
        afterAll(() => call('finish', inner.id));
      });
    }
  };
  register(root);
  afterAll(async () => {
    try {
      await call('finish', root.id);
    } finally {
      await browser.close();
      await served.close();
    }
  });
}

function throwOnFailure(result: BrowserTestResult | undefined, served: ServedBundle): void {
  if (!result) throw new Error('the page lost its test runner (did it navigate or reload?)');
  if (result.ok) return;
  const error = Object.assign(new Error(result.message), result.diff ?? {});
  error.name = result.name;
  // The browser's own stack, mapped to the TypeScript sources, replaces the Node one.
  error.stack = served.mapStack(result.stack || `${result.name}: ${result.message}`);
  throw error;
}
