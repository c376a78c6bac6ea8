import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { appDatabaseUrl } from './relayHarness.ts';

export const RELAY_CLI = resolve(import.meta.dirname, '../../../packages/sync-server/src/bin/coffre-relay.ts');

/** A free loopback port (the relay is restarted on the same one). */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * Starts a Node script as a child process and resolves once it logs a line
 * containing `readyText`. Used for `coffre-relay serve` and the plain
 * Hocuspocus baseline, so relays run in their own process as in production.
 */
export async function startProcess(
  args: string[],
  readyText: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ChildProcess> {
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolveReady, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args[0]} did not start:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(readyText)) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stderr?.off('data', onData);
        child.stdout?.resume();
        child.stderr?.resume();
        resolveReady();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${args[0]} exited with ${code}:\n${output}`));
    });
  });
  child.removeAllListeners('exit');
  return child;
}

/**
 * `coffre-relay serve` on PGlite in `dataDir`, or on DATABASE_URL (as the
 * application role) when set, with `extraArgs` after the usual ones.
 */
export function startRelayProcess(dataDir: string, port: number, extraArgs: string[] = []): Promise<ChildProcess> {
  const adminUrl = process.env.DATABASE_URL;
  const args = [RELAY_CLI, 'serve', '--port', String(port), '--data', dataDir, '--log-level', 'info', ...extraArgs];
  if (adminUrl) args.push('--database-url', appDatabaseUrl(adminUrl), '--admin-database-url', adminUrl);
  const env = { ...process.env };
  delete env.DATABASE_URL;
  return startProcess(args, '"msg":"ready"', env);
}

/** Ends a child process with a signal and waits for it to exit. */
export function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveExit) => {
    child.once('exit', () => resolveExit());
    child.kill(signal);
  });
}
