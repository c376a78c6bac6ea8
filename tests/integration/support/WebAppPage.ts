import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import axe from 'axe-core';
import type { AxeResults, Result, RunOptions } from 'axe-core';
import type { Page } from 'playwright-core';

/** Where the end-to-end tests leave a screenshot of every screen they visit. */
export const SCREENSHOT_DIR = process.env.COFFRE_SCREENSHOT_DIR ?? '/tmp/coffre-shots';

export interface Credentials {
  email: string;
  password: string;
}

/** Everything in IndexedDB, localStorage and sessionStorage of the page's origin, bytes as latin1 text. */
export interface BrowserStorageDump {
  text: string;
  databases: string[];
}

/** The impacts an accessibility audit fails on. */
const BLOCKING_IMPACTS: ReadonlySet<Result['impact']> = new Set(['serious', 'critical']);

/** Every WCAG 2.x A and AA rule of axe-core, and its best practices. */
const AXE_OPTIONS: RunOptions = {
  runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
  resultTypes: ['violations'],
};

/** One line per failing element: the rule, what it asks for, and where. */
function describeViolations(screen: string, violations: Result[]): string {
  const lines = violations.flatMap((violation) => [
    `${violation.id} (${violation.impact ?? 'unknown'}): ${violation.help} (${violation.helpUrl})`,
    ...violation.nodes.map(
      (node) => `  at ${node.target.join(' ')}: ${node.failureSummary?.replace(/\s+/g, ' ') ?? ''}`,
    ),
  ]);
  return `${violations.length} serious or critical accessibility problem(s) on the ${screen} screen:\n${lines.join('\n')}`;
}

/**
 * Runs axe-core on what `page` shows and fails with a readable list of every
 * serious or critical violation (rule id, help, target selectors). axe is
 * evaluated in the page's main world through the DevTools protocol, which the
 * app's Content-Security-Policy (no inline script) does not govern, so the
 * page under test keeps its real policy; a `<script>` tag would be refused.
 */
export async function auditAccessibility(page: Page, screen: string): Promise<void> {
  const present = await page.evaluate(() => 'axe' in window);
  if (!present) await page.evaluate(axe.source);
  const results = await page.evaluate(
    (options) =>
      (window as unknown as { axe: { run(context: Document, options: RunOptions): Promise<AxeResults> } }).axe.run(
        document,
        options,
      ),
    AXE_OPTIONS,
  );
  const blocking = results.violations.filter((violation) => BLOCKING_IMPACTS.has(violation.impact));
  if (blocking.length > 0) throw new Error(describeViolations(screen, blocking));
}

/**
 * A page object for the Coffre web app: the steps a person takes, by the
 * labels and button names they read, so the tests also check that every
 * control has one.
 */
export class WebAppPage {
  readonly page: Page;
  readonly baseUrl: string;

  constructor(page: Page, baseUrl: string) {
    this.page = page;
    this.baseUrl = baseUrl;
  }

  async open(route = '/'): Promise<void> {
    await this.page.goto(`${this.baseUrl}/#${route}`);
  }

  async screenshot(name: string): Promise<void> {
    await mkdir(SCREENSHOT_DIR, { recursive: true });
    await this.page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
  }

  /** Fails on any serious or critical accessibility violation of the screen shown (see {@link auditAccessibility}). */
  async audit(screen: string): Promise<void> {
    await auditAccessibility(this.page, screen);
  }

  heading(name: string) {
    return this.page.getByRole('heading', { level: 1, name });
  }

  async waitForHeading(name: string): Promise<void> {
    await this.heading(name).waitFor({ state: 'visible', timeout: 30_000 });
  }

  alert() {
    return this.page.getByRole('alert');
  }

  async fillSignUp(credentials: Credentials, deviceName?: string): Promise<void> {
    await this.waitForHeading('Create your account');
    await this.page.getByLabel('Email').fill(credentials.email);
    await this.page.getByLabel('Password', { exact: true }).fill(credentials.password);
    if (deviceName) await this.page.getByLabel('Name of this device').fill(deviceName);
  }

  async signUp(credentials: Credentials, options: { remember?: boolean } = {}): Promise<void> {
    await this.open('/signup');
    await this.fillSignUp(credentials);
    if (options.remember) await this.page.getByLabel('Keep me signed in on this device').check();
    await this.page.getByRole('button', { name: 'Create account' }).click();
    await this.waitForHeading('Documents');
  }

  async fillLogIn(credentials: Credentials): Promise<void> {
    await this.waitForHeading('Log in to Coffre');
    await this.page.getByLabel('Email').fill(credentials.email);
    await this.page.getByLabel('Password', { exact: true }).fill(credentials.password);
  }

  async submitLogIn(): Promise<void> {
    await this.page.getByRole('button', { name: 'Log in', exact: true }).click();
  }

  async logIn(credentials: Credentials): Promise<void> {
    await this.open('/login');
    await this.fillLogIn(credentials);
    await this.submitLogIn();
    await this.waitForHeading('Documents');
  }

  async logOut(): Promise<void> {
    await this.page.getByRole('button', { name: 'Log out' }).click();
    await this.waitForHeading('Log in to Coffre');
  }

  async goTo(linkName: 'Documents' | 'Files' | 'Security' | 'Devices' | 'Members'): Promise<void> {
    await this.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: linkName }).click();
    await this.waitForHeading(linkName);
  }

  /** A dump of what the origin keeps in the browser, to search for secrets in the clear. */
  async dumpStorage(): Promise<BrowserStorageDump> {
    return this.page.evaluate(async () => {
      // Bytes as one character each, in slices (a spread of a chunk of megabytes overflows the stack).
      const bytesText = (bytes: Uint8Array): string => {
        let text = '';
        for (let at = 0; at < bytes.length; at += 32_768)
          text += String.fromCharCode(...bytes.subarray(at, at + 32_768));
        return text;
      };
      const toText = (value: unknown): unknown => {
        if (value instanceof Uint8Array) return bytesText(value);
        if (value instanceof ArrayBuffer) return bytesText(new Uint8Array(value));
        if (value instanceof CryptoKey) return `[CryptoKey extractable=${String(value.extractable)}]`;
        if (Array.isArray(value)) return value.map(toText);
        if (typeof value === 'object' && value !== null) {
          return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, toText(inner)]));
        }
        return value;
      };
      const databases = (await indexedDB.databases()).map((database) => database.name ?? '');
      const parts: unknown[] = [];
      for (const name of databases) {
        const database = await new Promise<IDBDatabase>((resolve, reject) => {
          const request = indexedDB.open(name);
          request.onsuccess = () => resolve(request.result);
          request.onerror = () => reject(request.error ?? new Error('open failed'));
        });
        for (const store of Array.from(database.objectStoreNames)) {
          const values = await new Promise<unknown[]>((resolve, reject) => {
            const request = database.transaction(store).objectStore(store).getAll();
            request.onsuccess = () => resolve(request.result as unknown[]);
            request.onerror = () => reject(request.error ?? new Error('read failed'));
          });
          parts.push({ name, store, values: toText(values) });
        }
        database.close();
      }
      parts.push({ localStorage: { ...localStorage }, sessionStorage: { ...sessionStorage } });
      return { text: JSON.stringify(parts), databases };
    });
  }
}
