import { describe, expect, it } from 'vitest';
import { GroupCommit } from '../../src/storage/GroupCommit.ts';

/** A batch runner that records its batches and finishes each when told. */
function recorder() {
  const batches: { key: string; jobs: number[] }[] = [];
  const finishers: (() => void)[] = [];
  const group = new GroupCommit<number, string>(async (key, jobs) => {
    batches.push({ key, jobs });
    await new Promise<void>((resolve) => finishers.push(resolve));
    if (jobs.includes(-1)) throw new Error('the transaction failed');
    return jobs.map((job) => (job % 2 === 0 ? `done ${job}` : new Error(`refused ${job}`)));
  }, 3);
  const finishNext = async () => {
    await Promise.resolve();
    finishers.shift()?.();
    await new Promise((resolve) => setTimeout(resolve, 0));
  };
  return { group, batches, finishNext };
}

/** A job's outcome, its rejection handled at once (a batch may settle before the test looks). */
const settle = (promise: Promise<string>) =>
  promise.then(
    (value) => ({ value }),
    (error: Error) => ({ error: error.message }),
  );

describe('GroupCommit', () => {
  it('runs a lone job at once, and those arriving meanwhile together next, at most maxBatch at a time', async () => {
    const { group, batches, finishNext } = recorder();
    const first = group.submit('tenant-a', 0);
    const later = [2, 4, 6, 8].map((job) => group.submit('tenant-a', job));
    expect(batches).toEqual([{ key: 'tenant-a', jobs: [0] }]);
    await finishNext();
    expect(await first).toBe('done 0');
    expect(batches.at(-1)).toEqual({ key: 'tenant-a', jobs: [2, 4, 6] });
    await finishNext();
    expect(batches.at(-1)).toEqual({ key: 'tenant-a', jobs: [8] });
    await finishNext();
    expect(await Promise.all(later)).toEqual(['done 2', 'done 4', 'done 6', 'done 8']);
    expect(batches).toHaveLength(3);
  });

  it('keeps keys apart: another tenant does not wait for this one', async () => {
    const { group, batches, finishNext } = recorder();
    void group.submit('tenant-a', 0);
    void group.submit('tenant-b', 2);
    expect(batches).toEqual([
      { key: 'tenant-a', jobs: [0] },
      { key: 'tenant-b', jobs: [2] },
    ]);
    await finishNext();
    await finishNext();
  });

  it('rejects only the job a batch refused, and every job of a batch whose transaction failed', async () => {
    const { group, finishNext } = recorder();
    const first = [0, 1, 2].map((job) => settle(group.submit('tenant-a', job)));
    await finishNext();
    await finishNext();
    expect(await Promise.all(first)).toEqual([{ value: 'done 0' }, { error: 'refused 1' }, { value: 'done 2' }]);

    const failed = settle(group.submit('tenant-a', -1));
    const next = [2, 4].map((job) => settle(group.submit('tenant-a', job)));
    await finishNext();
    expect(await failed).toEqual({ error: 'the transaction failed' });
    // The jobs queued behind the failed batch run next: a failure does not stop the queue.
    await finishNext();
    expect(await Promise.all(next)).toEqual([{ value: 'done 2' }, { value: 'done 4' }]);
  });
});
