import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ready } from '@coffre/crypto';
import { tenantId, userId } from '@coffre/protocol';
import { YjsEngine } from '@coffre/client';
import { loadOrCreateTokenKeys, mintAccessToken } from '@coffre/sync-server';
import { type RelayHarness, TestWorkspace, openClient, storageEngine, waitFor } from './support/relayHarness.ts';
import { freePort, startRelayProcess, stopProcess } from './support/relayProcess.ts';

describe(`durability across kill -9 (${storageEngine})`, () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  it('every update acknowledged as saved survives kill -9 of the relay', async () => {
    await ready();
    const dataDir = await mkdtemp(join(tmpdir(), 'coffre-durable-'));
    cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
    const port = await freePort();
    let child = await startRelayProcess(dataDir, port);
    cleanup.push(async () => {
      await stopProcess(child, 'SIGKILL');
    });
    const keys = await loadOrCreateTokenKeys(join(dataDir, 'token-key.json'));
    const workspace = new TestWorkspace();
    const token = await mintAccessToken(keys, {
      tenant: tenantId(workspace.address.tenantId),
      sub: userId('u'),
      role: 'member',
    });
    const harness = {
      url: `ws://127.0.0.1:${port}/sync`,
      token: () => Promise.resolve(token),
    } as unknown as RelayHarness;

    const writer = await openClient({ harness, workspace, engine: new YjsEngine() });
    await writer.whenSynced();
    const body = writer.engine.doc.getText('body');
    for (let index = 0; index < 25; index += 1) {
      body.insert(body.length, `saved-${index};`);
      await writer.whenSaved();
    }
    // Acknowledged as saved: kill the relay at once, with no chance to flush anything.
    await stopProcess(child, 'SIGKILL');
    const expected = body.toString();
    writer.destroy();

    child = await startRelayProcess(dataDir, port);
    const reader = await openClient({ harness, workspace, engine: new YjsEngine() });
    await reader.whenSynced();
    await waitFor(() => reader.engine.doc.getText('body').toString() === expected, 15_000, 'recovered content');
    expect(reader.engine.doc.getText('body').toString()).toBe(expected);
    reader.destroy();
    await stopProcess(child);
  });
});
