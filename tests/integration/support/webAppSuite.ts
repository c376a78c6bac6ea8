import type { Browser, BrowserContext, ConsoleMessage, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import type { TenantId } from '@coffre/protocol';
import { StaticSite, ensureTenant } from '@coffre/sync-server';
import { buildWebApp } from '../../support/buildWebApp.ts';
import { launchChromium, launchChromiumWithProfile } from '../../support/chromium.ts';
import { type RelayHarness, randomId, startRelay } from './relayHarness.ts';
import { type Credentials, WebAppPage } from './WebAppPage.ts';

/** The password of every account the web end-to-end tests create. */
export const PASSWORD = 'correct horse battery staple';
/** How long the web end-to-end tests wait for a screen or a state. */
export const TIMEOUT = 30_000;

/** A fresh account in the relay's default organisation (the first one to sign up becomes its admin). */
export function newCredentials(name: string): Credentials {
  return { email: `${name}-${Math.random().toString(36).slice(2, 8)}@example.test`, password: PASSWORD };
}

export interface BrowserOptions {
  colorScheme?: 'light' | 'dark';
  viewport?: { width: number; height: number };
}

export interface WebAppSuiteOptions extends BrowserOptions {
  /**
   * Whether a failed WebSocket connection in the console is expected (offline, a
   * refused or closed socket) rather than a problem. Defaults to true.
   */
  allowWebSocketErrors?: boolean;
  /** The time limit of the relay's and the browser's teardown, when not the default. */
  teardownTimeout?: number;
}

/** What the hooks of webAppSuite set up, read once beforeAll ran. */
export interface WebAppSuite {
  readonly harness: RelayHarness;
  readonly browser: Browser;
  /** The relay's default organisation. */
  readonly tenant: TenantId;
  /** A page in a new browser context (closed after each test), its problems watched. */
  newApp(options?: BrowserOptions): Promise<WebAppPage>;
  /**
   * A page in a browser of its own on the profile folder `userDataDir`, its problems
   * watched: closing `context` closes that browser normally, so it writes its
   * session and history files there (closed after the test if still open).
   */
  newPersistentApp(userDataDir: string): Promise<{ app: WebAppPage; context: BrowserContext }>;
  /** Any uncaught error or console error in `page` (CSP violations included) fails the test. */
  watch(page: Page): void;
}

/**
 * The web app, built with Vite and served by a real relay (port 0) whose default
 * organisation exists, and a headless Chromium: registers the describe block's
 * hooks. After each test its browser contexts close, and any problem watched
 * on their pages fails it.
 */
export function webAppSuite(options: WebAppSuiteOptions = {}): WebAppSuite {
  let harness: RelayHarness;
  let browser: Browser;
  let tenant: TenantId;
  const contexts: BrowserContext[] = [];
  const problems: string[] = [];
  const allowWebSocketErrors = options.allowWebSocketErrors ?? true;

  const watch = (page: Page) => {
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message: ConsoleMessage) => {
      const text = message.text();
      // A failed request (the relay's 4xx, or no network while offline) shows up as a console error too.
      if (message.type() !== 'error' || text.startsWith('Failed to load resource')) return;
      if (allowWebSocketErrors && /WebSocket connection to .* failed/.test(text)) return;
      problems.push(`console error: ${text}`);
    });
  };

  beforeAll(async () => {
    const [webDir] = await Promise.all([buildWebApp(), (async () => (browser = await launchChromium()))()]);
    tenant = randomId('org') as TenantId;
    harness = await startRelay({ webApp: new StaticSite(webDir), defaultTenant: tenant });
    await ensureTenant(harness.relay.database, tenant, 'Test organisation');
  });

  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((context) => context.close()));
    expect(problems.splice(0)).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await harness?.teardown();
  }, options.teardownTimeout);

  return {
    get harness() {
      return harness;
    },
    get browser() {
      return browser;
    },
    get tenant() {
      return tenant;
    },
    watch,
    async newApp(appOptions: BrowserOptions = {}): Promise<WebAppPage> {
      const colorScheme = appOptions.colorScheme ?? options.colorScheme;
      const context = await browser.newContext({
        viewport: appOptions.viewport ?? options.viewport ?? { width: 1280, height: 900 },
        ...(colorScheme ? { colorScheme } : {}),
      });
      contexts.push(context);
      const page = await context.newPage();
      watch(page);
      return new WebAppPage(page, harness.httpUrl);
    },
    async newPersistentApp(userDataDir: string) {
      const context = await launchChromiumWithProfile(userDataDir);
      contexts.push(context);
      const page = context.pages()[0] ?? (await context.newPage());
      watch(page);
      return { app: new WebAppPage(page, harness.httpUrl), context };
    },
  };
}

/** The document screen's (and the link screen's) editor, by the names a person reads. */
export function editorOf(app: WebAppPage) {
  const page = app.page;
  return {
    title: page.getByRole('textbox', { name: 'Title' }),
    text: page.getByRole('textbox', { name: 'Document text' }),
    status: page.locator('.sync-pill'),
    toolbar: page.getByRole('toolbar', { name: 'Formatting' }),
    async waitOpen(): Promise<void> {
      await page.getByRole('textbox', { name: 'Document text' }).waitFor({ state: 'visible', timeout: TIMEOUT });
    },
    /** The text, one line per paragraph, heading or code block, without the other editors' caret labels. */
    async bodyText(): Promise<string> {
      return page.locator('.doc-prose').evaluate((element) => {
        const copy = element.cloneNode(true) as HTMLElement;
        for (const caret of copy.querySelectorAll('.collaboration-carets__caret')) caret.remove();
        return Array.from(copy.querySelectorAll('p, h1, h2, h3, h4, pre'), (block) => block.textContent ?? '').join(
          '\n',
        );
      });
    },
    async statusText(): Promise<string> {
      return (await page.locator('.sync-pill').textContent()) ?? '';
    },
    /**
     * Puts the caret at the end of the text, as a person would (click, then
     * Ctrl+End), and waits until the editor itself has it there: it reads the
     * browser's selection on the next selectionchange event, so typing at once
     * could land where the caret was before.
     */
    async caretToEnd(): Promise<void> {
      await page.getByRole('textbox', { name: 'Document text' }).click();
      await page.keyboard.press('ControlOrMeta+End');
      await page.waitForFunction(
        () => {
          // TipTap keeps its editor on the ProseMirror element.
          type WithEditor = Element & {
            editor?: { state: { selection: { head: number }; doc: { content: { size: number } } } };
          };
          const element = document.querySelector<WithEditor>('.doc-prose');
          const state = element?.editor?.state;
          return state !== undefined && state.selection.head >= state.doc.content.size - 1;
        },
        undefined,
        { timeout: TIMEOUT },
      );
    },
  };
}

/** A new person signed up in a new browser context: their page and credentials. */
export async function signedUpApp(
  web: WebAppSuite,
  name: string,
): Promise<{ app: WebAppPage; credentials: Credentials }> {
  const app = await web.newApp();
  const credentials = newCredentials(name);
  await app.signUp(credentials);
  return { app, credentials };
}

/** Creates a document from the documents screen and waits for its editor; resolves to its id. */
export async function createDocument(app: WebAppPage): Promise<string> {
  await app.page.getByRole('button', { name: 'New document' }).click();
  await editorOf(app).waitOpen();
  const match = /#\/d\/([0-9a-f]{32})$/.exec(app.page.url());
  expect(match).not.toBeNull();
  return (match as RegExpExecArray)[1] as string;
}

/** Gives the open document a title and types `text` into it, then waits until it is saved. */
export async function writeDocument(app: WebAppPage, title: string, text: string): Promise<void> {
  const editor = editorOf(app);
  await editor.title.fill(title);
  await editor.text.click();
  await app.page.keyboard.type(text);
  await expect.poll(() => editor.statusText(), { timeout: TIMEOUT }).toBe('Saved');
}

/** Opens the document titled `title` from the documents screen's list and waits for its editor. */
export async function openFromList(app: WebAppPage, title: string): Promise<void> {
  await app.page
    .getByRole('list', { name: 'Your documents' })
    .getByRole('link', { name: title })
    .click({ timeout: TIMEOUT });
  await editorOf(app).waitOpen();
}

/** Leaves the open document for the documents screen. */
export async function backToDocuments(app: WebAppPage): Promise<void> {
  await app.page.getByRole('link', { name: '← Documents' }).click();
  await app.waitForHeading('Documents');
}
