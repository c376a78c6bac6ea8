/**
 * What a page bundled by {@link bundleForBrowser} tells Node about the vitest
 * suites it declared, and how Node runs them one test at a time. The page side
 * is `vitestInBrowser.ts`; the Node side is `defineBrowserSuite.ts`.
 */

/** One `describe` block (the root has the name '' and stands for the entry module). */
export interface BrowserSuiteInfo {
  id: number;
  name: string;
  suites: BrowserSuiteInfo[];
  tests: BrowserTestInfo[];
}

export interface BrowserTestInfo {
  id: number;
  name: string;
  skip: boolean;
}

/**
 * A test or hook's outcome; an error keeps the browser's message and stack,
 * and an assertion's actual and expected values when they can be cloned (for vitest's diff).
 */
export type BrowserTestResult =
  | { ok: true }
  | { ok: false; name: string; message: string; stack: string; diff?: { actual: unknown; expected: unknown } };

/** The test API a bundled page installs on `window` (see {@link BROWSER_TEST_API}). */
export interface BrowserTestApi {
  /** The tree of suites and tests the entry declared. */
  suites(): BrowserSuiteInfo;
  /** Runs the beforeAll hooks not run yet, the beforeEach hooks, the test and the afterEach hooks. */
  run(testId: number): Promise<BrowserTestResult>;
  /** Runs a suite's afterAll hooks (when its beforeAll hooks ran). */
  finish(suiteId: number): Promise<BrowserTestResult>;
}

/** Name of the `window` property holding the {@link BrowserTestApi}. */
export const BROWSER_TEST_API = '__coffreBrowserTests';

/** Set on `window` once the bundle's module (top-level await included) has finished evaluating. */
export const BUNDLE_LOADED = '__coffreBundleLoaded';
