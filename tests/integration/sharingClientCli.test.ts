import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_MESSAGES } from '@coffre/protocol';
import { CLIENT_ERROR_MESSAGES } from '@coffre/client';
import { type RelayHarness, randomId, startRelay, storageEngine } from './support/relayHarness.ts';

const COFFRE_CLI = resolve(import.meta.dirname, '../../apps/cli/src/coffre.ts');
const PASSWORD = 'correct horse battery staple';

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

describe(`sharing with the coffre CLI as a child process (${storageEngine})`, () => {
  let harness: RelayHarness;
  let tenant: string;
  const folders: string[] = [];

  /** Runs `coffre` with `args`; `input` goes to standard input. */
  const cli = (profile: string, args: string[], input?: string): Promise<Result> =>
    new Promise((resolveRun) => {
      const child = execFile(
        process.execPath,
        [COFFRE_CLI, ...args],
        {
          env: {
            ...process.env,
            COFFRE_RELAY: harness.httpUrl,
            COFFRE_PROFILE: profile,
            COFFRE_PASSWORD: PASSWORD,
            COFFRE_INSECURE_TEST_KDF: '1:8',
          },
          timeout: 60_000,
        },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
          resolveRun({ code, stdout, stderr });
        },
      );
      child.stdin?.end(input ?? '');
    });
  const ok = async (profile: string, args: string[], input?: string): Promise<string> => {
    const result = await cli(profile, args, input);
    expect(result.stderr, `coffre ${args.join(' ')}`).toBe('');
    expect(result.code, `coffre ${args.join(' ')}`).toBe(0);
    return result.stdout;
  };
  const profile = async () => {
    const folder = await mkdtemp(join(tmpdir(), 'coffre-cli-'));
    folders.push(folder);
    return join(folder, 'profile');
  };
  const safetyNumberIn = (text: string) => /safety number\s+([\d ]+\d)/i.exec(text)?.[1];

  beforeAll(async () => {
    harness = await startRelay();
    tenant = randomId('tenant');
    await harness.relay.accounts?.createTenant(tenant, 'Sharing CLI test');
  });

  afterAll(async () => {
    for (const folder of folders) await rm(folder, { recursive: true, force: true });
    await harness.teardown();
  });

  it('shares a document, the member reads it, safety numbers match, unshare and links work', async () => {
    const alice = await profile();
    const bob = await profile();
    const aliceEmail = `${randomId('alice')}@example.test`;
    const bobEmail = `${randomId('bob')}@example.test`;
    const documentId = randomId('cli-plans');
    await ok(alice, ['register', '--tenant', tenant, '--email', aliceEmail]);
    await ok(bob, ['register', '--tenant', tenant, '--email', bobEmail]);

    await ok(alice, ['doc', 'create', documentId]);
    await ok(alice, ['doc', 'write', documentId, 'Written by Alice, read by Bob.']);
    expect(await ok(alice, ['doc', 'list'])).toMatch(new RegExp(`${documentId}\\s+owner\\s+0`));

    const shared = await ok(alice, ['share', documentId, bobEmail, '--role', 'editor']);
    expect(shared).toContain(`Shared ${documentId} with ${bobEmail} as editor.`);
    const bobNumberAtAlice = /Safety number of \S+: ([\d ]+\d)/.exec(shared)?.[1];
    expect(bobNumberAtAlice).toBe(safetyNumberIn(await ok(bob, ['whoami'])));
    expect(await ok(bob, ['doc', 'read', documentId])).toBe('Written by Alice, read by Bob.\n');
    // Bob now knows Alice as a contact, with the number Alice sees for herself.
    const contacts = await ok(bob, ['contacts']);
    expect(contacts).toContain(aliceEmail);
    expect(contacts).toContain(safetyNumberIn(await ok(alice, ['whoami'])) ?? 'no number');
    expect((await stat(join(bob, 'sharing.json'))).mode & 0o777).toBe(0o600);

    const members = await ok(alice, ['members', documentId]);
    expect(members).toMatch(new RegExp(`${aliceEmail.replace(/[.]/g, '\\.')} \\(you\\)\\s+owner`));
    expect(members).toMatch(new RegExp(`${bobEmail.replace(/[.]/g, '\\.')}\\s+editor\\s+${bobNumberAtAlice ?? ''}`));

    // A password-protected link, opened without an account.
    const created = await ok(alice, ['link', 'create', documentId, '--password-stdin'], 'link password\n');
    const url = created.split('\n')[0] ?? '';
    const linkId = /Link ([0-9a-f]{32})/.exec(created)?.[1] ?? '';
    expect(url).toMatch(new RegExp(`^${harness.httpUrl}/#/link/${tenant}/[A-Za-z0-9_-]{43}$`));
    const stranger = await profile();
    expect(await ok(stranger, ['link', 'open', url, '--password-stdin'], 'link password\n')).toBe(
      'Written by Alice, read by Bob.\n',
    );
    const wrong = await cli(stranger, ['link', 'open', url, '--password-stdin'], 'not it\n');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr.trim()).toBe(CLIENT_ERROR_MESSAGES.LINK_PASSWORD_WRONG);

    // Removing Bob rotates the key; the link, whose secret Alice's profile keeps, goes on working.
    const removed = await ok(alice, ['unshare', documentId, bobEmail]);
    expect(removed).toContain('New key epoch: 1.');
    await ok(alice, ['doc', 'write', documentId, 'After Bob left.']);
    const refused = await cli(bob, ['doc', 'read', documentId]);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toBe(ERROR_MESSAGES.FORBIDDEN);
    const fragment = url.split('/').at(-1) ?? '';
    expect(await ok(stranger, ['link', 'open', tenant, fragment, '--password-stdin'], 'link password\n')).toBe(
      'After Bob left.\n',
    );

    await ok(alice, ['link', 'revoke', documentId, linkId]);
    const revoked = await cli(stranger, ['link', 'open', url, '--password-stdin'], 'link password\n');
    expect(revoked.code).toBe(1);
    expect(revoked.stderr.trim()).toBe(CLIENT_ERROR_MESSAGES.LINK_UNAVAILABLE);
  });

  it('every new command explains itself with --help', async () => {
    const folder = await profile();
    for (const command of [
      ['doc', 'create'],
      ['doc', 'list'],
      ['doc', 'delete'],
      ['share'],
      ['unshare'],
      ['members'],
      ['link', 'create'],
      ['link', 'open'],
      ['link', 'revoke'],
      ['link', 'list'],
      ['contacts'],
      ['contacts', 'accept'],
    ]) {
      const help = await ok(folder, [...command, '--help']);
      expect(help, command.join(' ')).toContain(`Usage: coffre ${command.join(' ')}`);
    }
  });
});
