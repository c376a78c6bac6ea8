/**
 * The part of vitest's API a contract suite uses, for a page bundled by
 * `bundleForBrowser` (which aliases `vitest` to this module): describe, it /
 * test, the four hooks and `expect` (vitest's own matchers from
 * `@vitest/expect`). It only records the suites; Node runs each test through
 * the {@link BrowserTestApi} on `window`, so every test is reported by name.
 */
import {
  ASYMMETRIC_MATCHERS_OBJECT,
  type ExpectStatic,
  GLOBAL_EXPECT,
  JestAsymmetricMatchers,
  JestChaiExpect,
  JestExtend,
  chai,
  getState,
  setState,
} from '@vitest/expect';
import {
  BROWSER_TEST_API,
  type BrowserSuiteInfo,
  type BrowserTestApi,
  type BrowserTestResult,
} from './browserTestApi.ts';

type Hook = () => unknown;

interface Suite {
  id: number;
  name: string;
  parent: Suite | null;
  skip: boolean;
  suites: Suite[];
  tests: Test[];
  beforeAll: Hook[];
  afterAll: Hook[];
  beforeEach: Hook[];
  afterEach: Hook[];
  /** Cleanups returned by beforeAll hooks, run after the afterAll hooks. */
  cleanups: Hook[];
  /** The beforeAll hooks' run, once started. */
  started: Promise<BrowserTestResult> | null;
}

interface Test {
  id: number;
  name: string;
  suite: Suite;
  fn: Hook | undefined;
  skip: boolean;
}

const suites: Suite[] = [];
const tests: Test[] = [];

function newSuite(name: string, parent: Suite | null, skip: boolean): Suite {
  const suite: Suite = {
    id: suites.length,
    name,
    parent,
    skip,
    suites: [],
    tests: [],
    beforeAll: [],
    afterAll: [],
    beforeEach: [],
    afterEach: [],
    cleanups: [],
    started: null,
  };
  suites.push(suite);
  parent?.suites.push(suite);
  return suite;
}

const root = newSuite('', null, false);
let current = root;

function collect(name: string, body: () => unknown, skip: boolean): void {
  const suite = newSuite(name, current, skip || current.skip);
  const parent = current;
  current = suite;
  try {
    if (body() instanceof Promise) throw new Error(`describe('${name}') must not be async in the browser runner`);
  } finally {
    current = parent;
  }
}

function addTest(name: string, fn: Hook | undefined, skip: boolean): void {
  const test: Test = { id: tests.length, name, suite: current, fn, skip: skip || current.skip || !fn };
  tests.push(test);
  current.tests.push(test);
}

export const describe = Object.assign((name: string, body: () => unknown) => collect(name, body, false), {
  skip: (name: string, body: () => unknown) => collect(name, body, true),
});

export const it = Object.assign((name: string, fn?: Hook) => addTest(name, fn, false), {
  skip: (name: string, fn?: Hook) => addTest(name, fn, true),
  todo: (name: string) => addTest(name, undefined, true),
});
export const test = it;

export function beforeAll(hook: Hook): void {
  current.beforeAll.push(hook);
}
export function afterAll(hook: Hook): void {
  current.afterAll.push(hook);
}
export function beforeEach(hook: Hook): void {
  current.beforeEach.push(hook);
}
export function afterEach(hook: Hook): void {
  current.afterEach.push(hook);
}

chai.use(JestExtend);
chai.use(JestChaiExpect);
chai.use(JestAsymmetricMatchers);

/** vitest's `expect`, built as vitest builds it (assertion count, asymmetric matchers). */
export const expect = ((value: unknown, message?: string) => {
  const { assertionCalls } = getState(expect);
  setState({ assertionCalls: assertionCalls + 1 }, expect);
  return chai.expect(value, message);
}) as ExpectStatic;
Object.assign(expect, chai.expect);
Object.assign(expect, (globalThis as unknown as Record<symbol, object>)[ASYMMETRIC_MATCHERS_OBJECT]);
expect.getState = () => getState(expect);
expect.setState = (state) => setState(state, expect);
(globalThis as unknown as Record<symbol, unknown>)[GLOBAL_EXPECT] = expect;

function resetExpectState(currentTestName: string): void {
  setState(
    {
      assertionCalls: 0,
      isExpectingAssertions: false,
      isExpectingAssertionsError: null,
      expectedAssertionsNumber: null,
      expectedAssertionsNumberErrorGen: null,
      currentTestName,
    },
    expect,
  );
}

function failure(error: unknown): BrowserTestResult {
  if (error instanceof Error) {
    const result: BrowserTestResult = { ok: false, name: error.name, message: error.message, stack: error.stack ?? '' };
    const { actual, expected, showDiff } = error as Error & {
      actual?: unknown;
      expected?: unknown;
      showDiff?: boolean;
    };
    if (showDiff !== false && (actual !== undefined || expected !== undefined)) {
      try {
        result.diff = structuredClone({ actual, expected });
      } catch {
        // Values that cannot cross to Node (functions, DOM nodes) leave the message alone to tell.
      }
    }
    return result;
  }
  return { ok: false, name: 'Error', message: `thrown: ${String(error)}`, stack: '' };
}

/** Runs hooks one after another; returns the first failure, still running the rest when `runAll`. */
async function runHooks(hooks: Hook[], runAll: boolean, cleanups?: Hook[]): Promise<BrowserTestResult> {
  let result: BrowserTestResult = { ok: true };
  for (const hook of hooks) {
    try {
      const cleanup = await hook();
      if (typeof cleanup === 'function' && cleanups) cleanups.unshift(cleanup as Hook);
    } catch (error) {
      if (result.ok) result = failure(error);
      if (!runAll) break;
    }
  }
  return result;
}

function chainOf(suite: Suite): Suite[] {
  const chain: Suite[] = [];
  for (let at: Suite | null = suite; at; at = at.parent) chain.unshift(at);
  return chain;
}

function fullName(test: Test): string {
  return [...chainOf(test.suite).map((suite) => suite.name), test.name].filter(Boolean).join(' > ');
}

async function run(testId: number): Promise<BrowserTestResult> {
  const test = tests[testId];
  if (!test) return failure(new Error(`no test ${testId}`));
  const chain = chainOf(test.suite);
  for (const suite of chain) {
    suite.started ??= runHooks(suite.beforeAll, false, suite.cleanups);
    const started = await suite.started;
    if (!started.ok) return started;
  }
  resetExpectState(fullName(test));
  const cleanups: Hook[] = [];
  let result = await runHooks(
    chain.flatMap((suite) => suite.beforeEach),
    false,
    cleanups,
  );
  if (result.ok && test.fn) {
    try {
      await test.fn();
    } catch (error) {
      result = failure(error);
    }
  }
  // After-hooks run in reverse order of declaration, as vitest's default 'stack' order does.
  const after = await runHooks([...cleanups, ...chain.flatMap((suite) => suite.afterEach).reverse()], true);
  return result.ok ? after : result;
}

async function finish(suiteId: number): Promise<BrowserTestResult> {
  const suite = suites[suiteId];
  if (!suite) return failure(new Error(`no suite ${suiteId}`));
  if (!suite.started) return { ok: true };
  return runHooks([...[...suite.afterAll].reverse(), ...suite.cleanups], true);
}

function describeSuite(suite: Suite): BrowserSuiteInfo {
  return {
    id: suite.id,
    name: suite.name,
    suites: suite.suites.map(describeSuite),
    tests: suite.tests.map((test) => ({ id: test.id, name: test.name, skip: test.skip })),
  };
}

const api: BrowserTestApi = { suites: () => describeSuite(root), run, finish };
(globalThis as unknown as Record<string, BrowserTestApi>)[BROWSER_TEST_API] = api;
