import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ready } from '@coffre/crypto';
import { tenantId, userId } from '@coffre/protocol';
import { YjsEngine } from '@coffre/client';
import { loadOrCreateTokenKeys, mintAccessToken } from '@coffre/sync-server';
import {
  type RelayHarness,
  TestWorkspace,
  appDatabaseUrl,
  openClient,
  storageEngine,
  waitFor,
} from './support/relayHarness.ts';

const CLI = resolve(import.meta.dirname, '../../packages/sync-server/src/bin/coffre-relay.ts');

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Starts `coffre-relay serve` as a child process and resolves once it logs "ready". */
async function startRelayProcess(dataDir: string, port: number): Promise<ChildProcess> {
  const adminUrl = process.env.DATABASE_URL;
  const args = [CLI, 'serve', '--port', String(port), '--data', dataDir, '--log-level', 'info'];
  if (adminUrl) args.push('--database-url', appDatabaseUrl(adminUrl), '--admin-database-url', adminUrl);
  const env = { ...process.env };
  delete env.DATABASE_URL;
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolveReady, reject) => {
    const timer = setTimeout(() => reject(new Error(`relay did not start:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('"msg":"ready"')) {
        clearTimeout(timer);
        resolveReady();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`relay exited with ${code}:\n${output}`));
    });
  });
  child.removeAllListeners('exit');
  return child;
}

function killHard(child: ChildProcess): Promise<void> {
  return new Promise((resolveExit) => {
    child.once('exit', () => resolveExit());
    child.kill('SIGKILL');
  });
}

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
      if (child.exitCode === null) await killHard(child);
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
    await killHard(child);
    const expected = body.toString();
    writer.destroy();

    child = await startRelayProcess(dataDir, port);
    const reader = await openClient({ harness, workspace, engine: new YjsEngine() });
    await reader.whenSynced();
    await waitFor(() => reader.engine.doc.getText('body').toString() === expected, 15_000, 'recovered content');
    expect(reader.engine.doc.getText('body').toString()).toBe(expected);
    reader.destroy();
    child.kill('SIGTERM');
  });
});
