import { afterAll, describe, expect, it } from 'vitest';
import { PgliteWorkerDatabase } from '../../src/storage/PgliteWorkerDatabase.ts';
import { tempDir } from './fixtures.ts';

describe('PGlite on a worker thread, closing', () => {
  const folders: { remove(): Promise<void> }[] = [];
  afterAll(async () => {
    for (const folder of folders) await folder.remove();
  });

  it('waits for a running transaction, and refuses new ones meanwhile', async () => {
    const dir = await tempDir('coffre-worker-close-');
    folders.push(dir);
    const db = await PgliteWorkerDatabase.open({ dataDir: dir.path });
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const running = db.withoutTenant(async (sql) => {
      await gate;
      return sql.query<{ one: number }>('select 1 as one');
    });
    // Let the transaction begin before closing.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const closed = db.close();
    await expect(db.withoutTenant((sql) => sql.query('select 1'))).rejects.toThrow(/closed/);
    release();
    await expect(running).resolves.toEqual([{ one: 1 }]);
    await closed;
  });
});
