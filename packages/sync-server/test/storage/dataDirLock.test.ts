import { existsSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { lockDataDir } from '../../src/storage/dataDirLock.ts';
import { tempDir } from './fixtures.ts';

describe('data directory lock', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  it('refuses a second open while the first holds the lock, and frees it on release', async () => {
    const dir = await tempDir('coffre-lock-');
    cleanups.push(() => dir.remove());
    const dataDir = `${dir.path}/pglite`;
    const release = lockDataDir(dataDir);
    expect(() => lockDataDir(dataDir)).toThrow(/already open/);
    release();
    expect(existsSync(`${dataDir}.lock`)).toBe(false);
    lockDataDir(dataDir)();
  });

  it('takes over a lock left by a process that no longer runs (kill -9)', async () => {
    const dir = await tempDir('coffre-lock-');
    cleanups.push(() => dir.remove());
    const dataDir = `${dir.path}/pglite`;
    writeFileSync(`${dataDir}.lock`, '2147483646'); // no such process
    const release = lockDataDir(dataDir);
    release();
  });
});
