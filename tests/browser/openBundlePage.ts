import type { BrowserContext, Page } from 'playwright-core';
import { BUNDLE_LOADED } from './browserTestApi.ts';
import type { ServedBundle } from './serveBundle.ts';

export interface BundlePage {
  page: Page;
  /** Uncaught errors and unhandled rejections of the page since the last call, with mapped stacks. */
  takeErrors(): string[];
}

/**
 * Opens a served bundle in a new page of `context` and resolves once its
 * module has finished evaluating (top-level await included); rejects with
 * the page's error when the module throws. The page's console errors are
 * printed on stderr.
 */
export async function openBundlePage(context: BrowserContext, served: ServedBundle): Promise<BundlePage> {
  const page = await context.newPage();
  let errors: string[] = [];
  let failLoad: (error: Error) => void = () => undefined;
  const loadFailed = new Promise<never>((_resolve, reject) => {
    failLoad = reject;
  });
  page.on('pageerror', (error) => {
    const text = served.mapStack(error.stack ?? error.message);
    errors.push(text);
    failLoad(new Error(`the page failed while loading its bundle: ${text}`));
  });
  page.on('console', (message) => {
    if (message.type() === 'error') {
      console.error(`[chromium ${message.type()}] ${served.mapStack(message.text())}`);
    }
  });
  await page.goto(served.url);
  await Promise.race([
    page.waitForFunction((flag) => (globalThis as unknown as Record<string, unknown>)[flag] === true, BUNDLE_LOADED, {
      polling: 10,
    }),
    loadFailed,
  ]);
  failLoad = () => undefined;
  return {
    page,
    takeErrors: () => {
      const taken = errors;
      errors = [];
      return taken;
    },
  };
}
