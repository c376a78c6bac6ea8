import { existsSync } from 'node:fs';
import { type Browser, type BrowserContext, chromium } from 'playwright-core';

/** Debian's Chromium (`apt-get install -y chromium`); a test tool's own browser download does not work here. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** True when the Chromium the browser tests drive is installed. */
export function hasChromium(): boolean {
  return existsSync(CHROMIUM_PATH);
}

/**
 * Starts headless Chromium through playwright-core. Fails with the command
 * that installs it when it is missing, rather than skipping browser tests.
 */
export async function launchChromium(): Promise<Browser> {
  if (!hasChromium()) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM_PATH}: run "apt-get update && apt-get install -y chromium" (or set CHROMIUM_PATH)`,
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

/**
 * Starts headless Chromium on a profile folder that outlives it, so what a
 * page stored (IndexedDB on disk) is there when it is started again: a cold
 * start. Fails like {@link launchChromium} when Chromium is missing.
 */
export async function launchChromiumWithProfile(userDataDir: string): Promise<BrowserContext> {
  if (!hasChromium()) await launchChromium();
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
  });
}
