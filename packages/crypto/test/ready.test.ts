import { describe, it, expect, vi } from 'vitest';

describe('ready', () => {
  it('functions throw a clear error before ready() resolves, then work', async () => {
    // A fresh instance of the package, whatever other test files have done.
    vi.resetModules();
    const crypto = await import('../src/index.ts');
    expect(() => crypto.hash(new Uint8Array(0))).toThrow(/await ready\(\)/);
    expect(() => crypto.generateSymmetricKey()).toThrow(/await ready\(\)/);
    await crypto.ready();
    expect(crypto.hash(new Uint8Array(0))).toHaveLength(32);
    await crypto.ready();
    expect(crypto.generateSymmetricKey()).toHaveLength(32);
  });
});
