import { resolve } from 'node:path';
import { defineBrowserSuite } from '../browser/defineBrowserSuite.ts';

// The local store contract suite on real IndexedDB in headless Chromium; each rule is its own test.
await defineBrowserSuite(resolve(import.meta.dirname, '../browser/localStoreContract.entry.ts'));
