import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DocumentId, ERROR_MESSAGES, documentId as toDocumentId } from '@coffre/protocol';
import {
  AccountClient,
  AccountError,
  type EncryptedDocument,
  Session,
  Workspace,
  YjsEngine,
  settle,
} from '@coffre/client';
import { type RelayHarness, randomId, startRelay, storageEngine } from './support/relayHarness.ts';

const run = promisify(execFile);
const COFFRE_CLI = resolve(import.meta.dirname, '../../apps/cli/src/coffre.ts');
/** Cheap Argon2id for tests only; real accounts use ACCOUNT_KDF_PARAMETERS. */
const FAST = { opsLimit: 1, memLimit: 8 * 1024 * 1024 };
const PASSWORD = 'correct horse battery staple';

/** The current TOTP code of a base32 secret, `stepsAhead` periods from now. */
function totpCode(secret: string, stepsAhead = 0): string {
  return TOTP.generate({
    secret: Secret.fromBase32(secret),
    algorithm: 'SHA1',
    digits: 6,
    period: 30,
    timestamp: Date.now() + stepsAhead * 30_000,
  });
}

async function rejection(attempt: Promise<unknown>): Promise<AccountError> {
  try {
    await attempt;
  } catch (caught) {
    expect(caught).toBeInstanceOf(AccountError);
    return caught as AccountError;
  }
  throw new Error('expected the call to reject');
}

const body = (document: EncryptedDocument<YjsEngine>) => document.engine.doc.getText('body').toString();

/** Creates a document owned by the account's user and opens it. */
async function createAndOpen(client: AccountClient, documentId: DocumentId): Promise<EncryptedDocument<YjsEngine>> {
  const workspace = new Workspace({ account: client });
  await workspace.createDocument(documentId);
  return workspace.openDocument(documentId, new YjsEngine());
}

describe(`accounts from the client, through a real relay (${storageEngine})`, () => {
  let harness: RelayHarness;
  let baseUrl: string;
  let tenant: string;
  const accounts: AccountClient[] = [];
  const folders: string[] = [];

  const account = () => {
    const client = new AccountClient({ baseUrl, kdfParameters: FAST, minimumKdfParameters: FAST });
    accounts.push(client);
    return client;
  };
  const email = () => `${randomId('user')}@example.test`;

  beforeAll(async () => {
    harness = await startRelay();
    baseUrl = harness.httpUrl;
    tenant = randomId('tenant');
    if (!harness.relay.accounts) throw new Error('the relay was started without the accounts API');
    await harness.relay.accounts.createTenant(tenant, 'Accounts client test');
  });

  afterAll(async () => {
    for (const client of accounts) client.close();
    for (const folder of folders) await rm(folder, { recursive: true, force: true });
    await harness.teardown();
  });

  it('a second device logs in with the password and opens the same identity keys', async () => {
    const address = email();
    const laptop = await account().register(tenant, address, PASSWORD, 'laptop');
    const phoneClient = account();
    const phone = await phoneClient.login(tenant, address, PASSWORD, { deviceName: 'phone' });

    expect(phone.identity).toEqual(laptop.identity);
    expect(phone.userId).toBe(laptop.userId);
    expect(phone.deviceId).not.toBe(laptop.deviceId);
    const devices = await phoneClient.listDevices();
    expect(devices.map((device) => [device.name, device.current]).sort()).toEqual([
      ['laptop', false],
      ['phone', true],
    ]);
  });

  it('refuses a wrong password with INVALID_CREDENTIALS, and an unknown email the same way', async () => {
    const address = email();
    await account().register(tenant, address, PASSWORD, 'laptop');
    const wrong = await rejection(account().login(tenant, address, 'not the password', { deviceName: 'phone' }));
    expect(wrong.code).toBe('INVALID_CREDENTIALS');
    expect(wrong.message).toBe(ERROR_MESSAGES.INVALID_CREDENTIALS);
    // The relay answers unknown emails with its default (production) parameters: accept them here.
    const unknownEmailClient = new AccountClient({ baseUrl, kdfParameters: FAST });
    const unknown = await rejection(unknownEmailClient.login(tenant, email(), PASSWORD, { deviceName: 'phone' }));
    expect(unknown.code).toBe('INVALID_CREDENTIALS');
  });

  it('with two-factor on, login needs a current code, refuses a replayed one, takes a recovery code once; off again with another', async () => {
    const address = email();
    const laptop = account();
    await laptop.register(tenant, address, PASSWORD, 'laptop');
    const { secret, uri } = await laptop.setupTotp();
    expect(uri).toContain(`secret=${secret}`);
    const recoveryCodes = await laptop.confirmTotp(totpCode(secret));
    expect(recoveryCodes).toHaveLength(10);

    const missing = await rejection(account().login(tenant, address, PASSWORD, { deviceName: 'phone' }));
    expect(missing.code).toBe('SECOND_FACTOR_REQUIRED');
    const wrong = await rejection(
      account().login(tenant, address, PASSWORD, { deviceName: 'phone', totp: totpCode(secret, -5) }),
    );
    expect(wrong.code).toBe('INVALID_SECOND_FACTOR');
    // The code of the next period is accepted (clock drift) and is newer than the one used to confirm.
    const nextCode = totpCode(secret, 1);
    const phone = await account().login(tenant, address, PASSWORD, { deviceName: 'phone', totp: nextCode });
    expect(phone.email).toBe(address);
    const replayed = await rejection(
      account().login(tenant, address, PASSWORD, { deviceName: 'tablet', totp: nextCode }),
    );
    expect(replayed.code).toBe('INVALID_SECOND_FACTOR');

    const recoveryCode = recoveryCodes[0] ?? '';
    const tablet = await account().login(tenant, address, PASSWORD, { deviceName: 'tablet', recoveryCode });
    expect(tablet.identity).toEqual(phone.identity);
    const reused = await rejection(account().login(tenant, address, PASSWORD, { deviceName: 'watch', recoveryCode }));
    expect(reused.code).toBe('INVALID_SECOND_FACTOR');

    await laptop.disableTotp({ recoveryCode: recoveryCodes[1] ?? '' });
    const withoutSecondFactor = await account().login(tenant, address, PASSWORD, { deviceName: 'watch' });
    expect(withoutSecondFactor.email).toBe(address);
  });

  it('a document written on one device reads on another, and another member cannot open it', async () => {
    const address = email();
    const laptopClient = account();
    await laptopClient.register(tenant, address, PASSWORD, 'laptop');
    const documentId = toDocumentId(randomId('notes'));

    const writer = await createAndOpen(laptopClient, documentId);
    writer.engine.doc.getText('body').insert(0, 'Meet at noon. Bring the keys.');
    await settle(writer, writer.whenSaved(), 10_000);
    writer.destroy();

    const phoneClient = account();
    await phoneClient.login(tenant, address, PASSWORD, { deviceName: 'phone' });
    const reader = await new Workspace({ account: phoneClient }).openDocument(documentId, new YjsEngine());
    expect(body(reader)).toBe('Meet at noon. Bring the keys.');
    reader.destroy();

    const strangerClient = account();
    await strangerClient.register(tenant, email(), PASSWORD, 'laptop');
    const refused = await rejection(
      new Workspace({ account: strangerClient }).openDocument(documentId, new YjsEngine()),
    );
    expect(refused.code).toBe('FORBIDDEN');
  });

  it('logout makes getAccessToken fail with TOKEN_REVOKED, on this client and on a copy of the session', async () => {
    const client = account();
    const session = await client.register(tenant, email(), PASSWORD, 'laptop');
    const copy = new AccountClient({ baseUrl, session: Session.fromJSON(session.toJSON()) });
    accounts.push(copy);
    const document = await createAndOpen(client, toDocumentId(randomId('doc')));
    const closed = new Promise<string>((resolveClosed) => document.on('error', (error) => resolveClosed(error.code)));

    await client.logout();

    const failure = await rejection(client.getAccessToken());
    expect(failure.code).toBe('TOKEN_REVOKED');
    expect(failure.message).toBe(ERROR_MESSAGES.TOKEN_REVOKED);
    // The copy's access token has not expired yet, but the relay knows its session is over.
    expect((await rejection(copy.listDevices())).code).toBe('TOKEN_REVOKED');
    expect((await rejection(copy.getAccessToken())).code).toBe('TOKEN_REVOKED');
    expect(
      (await rejection(new AccountClient({ baseUrl, session: Session.fromJSON(session.toJSON()) }).refresh())).code,
    ).toBe('TOKEN_REVOKED');
    // Open documents of the session are closed by the relay.
    expect(await closed).toBe('TOKEN_REVOKED');
    document.destroy();
  });

  it('refreshes the access token and keeps working, and a reused refresh token signs both copies out', async () => {
    const client = account();
    const session = await client.register(tenant, email(), PASSWORD, 'laptop');
    const stale = new AccountClient({ baseUrl, session: Session.fromJSON(session.toJSON()) });
    accounts.push(stale);
    const [first, second] = await Promise.all([client.refresh(), client.refresh()]);
    expect(first).toBe(second);
    expect(first.refreshToken).not.toBe(session.refreshToken);
    expect(await client.listDevices()).toHaveLength(1);

    expect((await rejection(stale.refresh())).code).toBe('REFRESH_TOKEN_REUSED');
    expect((await rejection(client.refresh())).code).toBe('TOKEN_REVOKED');
  });

  it('revoking a device from another one signs it out and closes its documents', async () => {
    const address = email();
    const laptop = account();
    await laptop.register(tenant, address, PASSWORD, 'laptop');
    const phone = account();
    const phoneSession = await phone.login(tenant, address, PASSWORD, { deviceName: 'phone' });
    const document = await createAndOpen(phone, toDocumentId(randomId('doc')));
    const closed = new Promise<string>((resolveClosed) => document.on('error', (error) => resolveClosed(error.code)));

    await laptop.revokeDevice(phoneSession.deviceId);

    expect((await rejection(phone.listDevices())).code).toBe('DEVICE_REVOKED');
    expect(phone.session).toBeNull();
    expect(await closed).toBe('DEVICE_REVOKED');
    document.destroy();
    const devices = await laptop.listDevices();
    expect(devices.find((device) => device.id === phoneSession.deviceId)?.revokedAt).not.toBeNull();
  });

  it('lists members for the tenant admin only', async () => {
    const otherTenant = randomId('tenant');
    await harness.relay.accounts?.createTenant(otherTenant, 'Members test');
    const admin = account();
    const adminEmail = email();
    await admin.register(otherTenant, adminEmail, PASSWORD, 'laptop');
    const member = account();
    const memberEmail = email();
    await member.register(otherTenant, memberEmail, PASSWORD, 'laptop');

    const members = await admin.listMembers();
    expect(members.map((entry) => [entry.email, entry.role]).sort()).toEqual(
      [
        [adminEmail, 'tenant-admin'],
        [memberEmail, 'member'],
      ].sort(),
    );
    expect((await rejection(member.listMembers())).code).toBe('FORBIDDEN');
  });

  describe('the coffre CLI as a child process', () => {
    const cli = async (profile: string, args: string[], extraEnv: Record<string, string> = {}) => {
      try {
        const { stdout, stderr } = await run(process.execPath, [COFFRE_CLI, ...args], {
          env: {
            ...process.env,
            COFFRE_RELAY: baseUrl,
            COFFRE_PROFILE: profile,
            COFFRE_PASSWORD: PASSWORD,
            COFFRE_INSECURE_TEST_KDF: '1:8',
            ...extraEnv,
          },
          timeout: 60_000,
        });
        return { code: 0, stdout, stderr };
      } catch (error) {
        const failed = error as { code?: number; stdout?: string; stderr?: string };
        return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
      }
    };
    const profile = async () => {
      const folder = await mkdtemp(join(tmpdir(), 'coffre-cli-'));
      folders.push(folder);
      return join(folder, 'profile');
    };

    it('registers, writes on one device, logs in and reads on another, and signs out', async () => {
      const address = email();
      const laptop = await profile();
      const phone = await profile();
      const documentId = randomId('cli-doc');

      const registered = await cli(laptop, ['register', '--tenant', tenant, '--email', address]);
      expect(registered.stderr).toBe('');
      expect(registered.code).toBe(0);
      expect(registered.stdout).toContain(`Registered ${address}`);
      expect((await stat(join(laptop, 'session.json'))).mode & 0o777).toBe(0o600);

      const created = await cli(laptop, ['doc', 'create', documentId]);
      expect(created.stderr).toBe('');
      expect(created.code).toBe(0);
      const written = await cli(laptop, ['doc', 'write', documentId, 'Written by the CLI on the laptop.']);
      expect(written.stderr).toBe('');
      expect(written.code).toBe(0);

      const loggedIn = await cli(phone, ['login', '--tenant', tenant, '--email', address, '--device-name', 'phone']);
      expect(loggedIn.code).toBe(0);
      const read = await cli(phone, ['doc', 'read', documentId]);
      expect(read.stderr).toBe('');
      expect(read.stdout).toBe('Written by the CLI on the laptop.\n');

      const whoami = await cli(phone, ['whoami']);
      expect(whoami.stdout).toContain(address);
      const laptopWhoami = await cli(laptop, ['whoami']);
      const safetyNumber = (text: string) => /safety number\s+([\d ]+)/.exec(text)?.[1];
      expect(safetyNumber(whoami.stdout)).toBeDefined();
      expect(safetyNumber(whoami.stdout)).toBe(safetyNumber(laptopWhoami.stdout));
      const devices = await cli(phone, ['devices', 'list']);
      expect(devices.stdout).toMatch(/\*\s+\S+\s+phone/);

      expect((await cli(phone, ['logout'])).code).toBe(0);
      const afterLogout = await cli(phone, ['doc', 'read', documentId]);
      expect(afterLogout.code).toBe(1);
      expect(afterLogout.stderr).toContain('Not signed in');
    });

    it('turns two-factor authentication on, and login then needs --totp', async () => {
      // A tenant of its own, so that this user is its first member and admin.
      const ownTenant = randomId('tenant');
      await harness.relay.accounts?.createTenant(ownTenant, 'CLI two-factor test');
      const address = email();
      const laptop = await profile();
      expect((await cli(laptop, ['register', '--tenant', ownTenant, '--email', address])).code).toBe(0);

      // Without a terminal, `2fa enable` prints the secret and leaves confirming to `--code`.
      const started = await cli(laptop, ['2fa', 'enable']);
      expect(started.code).toBe(0);
      const secret = /Secret: (\S+)/.exec(started.stdout)?.[1] ?? '';
      expect(started.stdout).toMatch(/URI: +otpauth:\/\/totp\//);
      const confirmed = await cli(laptop, ['2fa', 'enable', '--code', totpCode(secret)]);
      expect(confirmed.stderr).toBe('');
      expect(confirmed.stdout.match(/^ {2}[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}$/gm)).toHaveLength(10);

      const phone = await profile();
      const withoutCode = await cli(phone, ['login', '--tenant', ownTenant, '--email', address]);
      expect(withoutCode.code).toBe(1);
      expect(withoutCode.stderr.trim()).toBe(ERROR_MESSAGES.SECOND_FACTOR_REQUIRED);
      const totpArgs = ['--totp', totpCode(secret, 1)];
      const withCode = await cli(phone, ['login', '--tenant', ownTenant, '--email', address, ...totpArgs]);
      expect(withCode.stderr).toBe('');
      expect(withCode.code).toBe(0);

      const members = await cli(laptop, ['members']);
      expect(members.stderr).toBe('');
      expect(members.stdout).toMatch(new RegExp(`${address.replace(/[.]/g, '\\.')}\\s+tenant-admin\\s+on`));
    });

    it('commands run at once on one profile refresh the session once between them, not once each', async () => {
      // A relay whose access tokens are always due for refresh: every command refreshes.
      const shortTokens = await startRelay({ accounts: { accessTokenSeconds: 1 } });
      try {
        const ownTenant = randomId('tenant');
        await shortTokens.relay.accounts?.createTenant(ownTenant, 'Concurrent CLI test');
        const laptop = await profile();
        const env = { COFFRE_RELAY: shortTokens.httpUrl };
        expect((await cli(laptop, ['register', '--tenant', ownTenant, '--email', email()], env)).code).toBe(0);

        const results = await Promise.all([1, 2, 3, 4].map(() => cli(laptop, ['devices', 'list'], env)));
        for (const result of results) {
          expect(result.stderr).toBe('');
          expect(result.code).toBe(0);
        }
        expect((await cli(laptop, ['devices', 'list'], env)).code).toBe(0);
      } finally {
        await shortTokens.teardown();
      }
    });

    it('prints the protocol sentence and exits 1 on a wrong password', async () => {
      const address = email();
      await account().register(tenant, address, PASSWORD, 'laptop');
      const result = await cli(await profile(), ['login', '--tenant', tenant, '--email', address], {
        COFFRE_PASSWORD: 'wrong password',
      });
      expect(result.code).toBe(1);
      expect(result.stderr.trim()).toBe(ERROR_MESSAGES.INVALID_CREDENTIALS);
    });

    it('reads the password from standard input with --password-stdin', async () => {
      const address = email();
      await account().register(tenant, address, PASSWORD, 'laptop');
      const folder = await profile();
      const child = execFile(
        process.execPath,
        [COFFRE_CLI, 'login', '--tenant', tenant, '--email', address, '--password-stdin'],
        { env: { ...process.env, COFFRE_RELAY: baseUrl, COFFRE_PROFILE: folder, COFFRE_INSECURE_TEST_KDF: '1:8' } },
      );
      child.stdin?.end(`${PASSWORD}\n`);
      const code = await new Promise<number | null>((resolveExit) => child.once('exit', resolveExit));
      expect(code).toBe(0);
      expect((await cli(folder, ['whoami'])).stdout).toContain(address);
    });
  });
});
