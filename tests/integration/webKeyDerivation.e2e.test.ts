import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { storageEngine } from './support/relayHarness.ts';
import type { WebAppPage } from './support/WebAppPage.ts';
import { TIMEOUT, newCredentials, webAppSuite } from './support/webAppSuite.ts';

/** The User Timing measure the app records for each Argon2id derivation (apps/web/src/account/deriveKeysInWorker.ts). */
const ARGON2_MEASURE = 'coffre-argon2';
/** A main-thread task longer than this during a derivation fails the test: a generous bound on a loaded machine. */
const LONGEST_TASK_MS = 200;

interface Timeline {
  /** requestAnimationFrame timestamps from when the probe started. */
  frames: number[];
  longTasks: { start: number; duration: number }[];
  derivations: { start: number; duration: number; worker: boolean }[];
}

/** Starts recording every frame and every long task of the page (until it navigates away). */
async function startProbe(page: Page): Promise<void> {
  await page.evaluate(() => {
    const probe = { frames: [] as number[], longTasks: [] as { start: number; duration: number }[] };
    (window as unknown as { coffreProbe: typeof probe }).coffreProbe = probe;
    const frame = (time: number) => {
      probe.frames.push(time);
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) probe.longTasks.push({ start: entry.startTime, duration: entry.duration });
    }).observe({ type: 'longtask' });
  });
}

async function readProbe(page: Page): Promise<Timeline> {
  return page.evaluate((measure) => {
    const probe = (window as unknown as { coffreProbe: Omit<Timeline, 'derivations'> }).coffreProbe;
    const derivations = performance.getEntriesByName(measure, 'measure').map((entry) => ({
      start: entry.startTime,
      duration: entry.duration,
      worker: ((entry as PerformanceMeasure).detail as { worker?: unknown } | null)?.worker === true,
    }));
    return { frames: [...probe.frames], longTasks: [...probe.longTasks], derivations };
  }, ARGON2_MEASURE);
}

/** The longest time without a frame, and the longest main-thread task, while the last derivation ran. */
function duringLastDerivation(timeline: Timeline) {
  const derivation = timeline.derivations.at(-1);
  if (!derivation) throw new Error('no Argon2id derivation was measured');
  const end = derivation.start + derivation.duration;
  const frames = timeline.frames.filter((time) => time >= derivation.start && time <= end);
  const edges = [derivation.start, ...frames, end];
  const longestGap = Math.max(...edges.slice(1).map((time, index) => time - (edges[index] as number)));
  const overlapping = timeline.longTasks.filter(
    (task) => task.start < end && task.start + task.duration > derivation.start,
  );
  const longestTask = Math.max(0, ...overlapping.map((task) => task.duration));
  return { derivation, longestGap, longestTask, frames: frames.length };
}

/** The longest time without a frame, and the longest main-thread task, over the whole timeline. */
function overall(timeline: Timeline) {
  const gaps = timeline.frames.slice(1).map((time, index) => time - (timeline.frames[index] as number));
  return {
    longestGap: Math.max(0, ...gaps),
    longestTask: Math.max(0, ...timeline.longTasks.map((task) => task.duration)),
  };
}

/** Runs `act` with the probe on and checks that the page kept drawing while Argon2id ran. */
async function expectSmooth(app: WebAppPage, step: string, act: () => Promise<void>): Promise<void> {
  await startProbe(app.page);
  await act();
  const timeline = await readProbe(app.page);
  const whole = overall(timeline);
  const figures = duringLastDerivation(timeline);
  console.info(
    `${step}, from the click to the next screen: longest gap between frames ${whole.longestGap.toFixed(0)} ms, ` +
      `longest main-thread task ${whole.longestTask.toFixed(0)} ms`,
  );
  console.info(
    `${step}: Argon2id ${figures.derivation.duration.toFixed(0)} ms in ${figures.derivation.worker ? 'the worker' : 'the page'}, ` +
      `${figures.frames} frames meanwhile, longest gap between frames ${figures.longestGap.toFixed(0)} ms, ` +
      `longest main-thread task ${figures.longestTask.toFixed(0)} ms`,
  );
  expect(figures.derivation.worker).toBe(true);
  expect(figures.longestTask).toBeLessThan(LONGEST_TASK_MS);
}

/**
 * Argon2id (64 MiB, two passes) runs in a module Web Worker, so the page keeps
 * drawing its progress while sign-up, log-in and unlock derive the account
 * keys, offline too (the worker's script is in the service worker's cache).
 */
describe(`web app key derivation off the main thread in Chromium (${storageEngine})`, () => {
  const web = webAppSuite();

  it('derives the keys in a Web Worker at sign-up, log-in and unlock, online and offline, while the page keeps drawing', async () => {
    const app = await web.newApp();
    const page = app.page;
    const workers: string[] = [];
    const warnings: string[] = [];
    page.on('worker', (worker) => workers.push(new URL(worker.url()).pathname));
    page.on('console', (message) => {
      if (message.type() === 'warning') warnings.push(message.text());
    });
    const credentials = newCredentials('wren');

    await app.open('/signup');
    await app.fillSignUp(credentials);
    await expectSmooth(app, 'sign-up', async () => {
      await page.getByRole('button', { name: 'Create account' }).click();
      await app.waitForHeading('Documents');
    });

    await app.logOut();
    await app.fillLogIn(credentials);
    await expectSmooth(app, 'log-in', async () => {
      await app.submitLogIn();
      await app.waitForHeading('Documents');
    });

    await page.reload();
    await app.waitForHeading('Unlock Coffre');
    await page.getByLabel('Password', { exact: true }).fill(credentials.password);
    await expectSmooth(app, 'unlock', async () => {
      await page.getByRole('button', { name: 'Unlock' }).click();
      await app.waitForHeading('Documents');
    });

    // Offline, the worker's script comes from the service worker's cache.
    await page.waitForFunction(() => navigator.serviceWorker.controller?.state === 'activated', undefined, {
      timeout: TIMEOUT,
    });
    await page.context().setOffline(true);
    await page.reload();
    await app.waitForHeading('Unlock Coffre');
    await page.getByLabel('Password', { exact: true }).fill(credentials.password);
    await expectSmooth(app, 'unlock offline', async () => {
      await page.getByRole('button', { name: 'Unlock' }).click();
      await app.waitForHeading('Documents');
    });
    await page.context().setOffline(false);

    expect(workers.filter((path) => /^\/assets\/argon2\.worker-[\w-]+\.js$/.test(path))).toHaveLength(4);
    expect(warnings.filter((text) => text.includes('Argon2id'))).toEqual([]);
  });
});
