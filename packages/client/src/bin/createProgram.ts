import { hostname, homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { type Argon2idParameters, ready } from '@coffre/crypto';
import { AccountClient } from '../account/AccountClient.ts';
import { AccountError } from '../account/AccountError.ts';
import { openSoloDocument, settle } from '../account/openSoloDocument.ts';
import { YjsEngine } from '../engines/YjsEngine.ts';
import { safetyNumber } from '../sharing/KnownContacts.ts';
import { ProfileStore } from './ProfileStore.ts';
import { type CliIo, UsageError, promptLine, readPassword } from './terminalInput.ts';

export const DEFAULT_RELAY = 'http://127.0.0.1:8787';
const DOCUMENT_TIMEOUT_MS = 30_000;

interface GlobalOptions {
  relay: string;
  profile: string;
  insecureTestKdf?: Argon2idParameters;
}

function defaultProfile(env: NodeJS.ProcessEnv): string {
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'coffre');
}

function parseRelay(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError('not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidArgumentError('use http:// or https://');
  return value.replace(/\/+$/, '');
}

function parseTestKdf(value: string): Argon2idParameters {
  const match = /^(\d+):(\d+)$/.exec(value);
  if (!match) throw new InvalidArgumentError('use <passes>:<MiB>, e.g. 1:8');
  return { opsLimit: Number(match[1]), memLimit: Number(match[2]) * 1024 * 1024 };
}

function defaultDeviceName(): string {
  return `${hostname()} (coffre CLI)`.slice(0, 100);
}

/** Columns padded to their widest cell, for lists on a terminal. */
function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, index) => (widths[index] = Math.max(widths[index] ?? 0, cell.length)));
  return rows
    .map((row) =>
      row
        .map((cell, index) => cell.padEnd(widths[index] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function day(iso: string | null): string {
  return iso === null ? '-' : iso.slice(0, 16).replace('T', ' ');
}

/**
 * The `coffre` command line. Built per run around `io` so a test can run it
 * in-process; `bin/coffre.ts` runs it on the real terminal.
 */
export function createProgram(io: CliIo): Command {
  const print = (text: string) => io.stdout.write(`${text}\n`);

  const program = new Command()
    .name('coffre')
    .description(
      'Coffre from the command line: your account, devices and end-to-end-encrypted documents.\n' +
        'The password never leaves this computer; the relay only sees a key derived from it.',
    )
    .addOption(
      new Option('--relay <url>', 'relay address').env('COFFRE_RELAY').default(DEFAULT_RELAY).argParser(parseRelay),
    )
    .addOption(
      new Option('--profile <dir>', 'folder holding the session (mode 0600 file)')
        .env('COFFRE_PROFILE')
        .default(defaultProfile(io.env), '~/.config/coffre'),
    )
    .addOption(
      // Tests only: cheap Argon2id for new accounts, and accepted at login. Never for real accounts.
      new Option('--insecure-test-kdf <passes:MiB>').env('COFFRE_INSECURE_TEST_KDF').argParser(parseTestKdf).hideHelp(),
    )
    .showHelpAfterError()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });

  const globals = (command: Command): GlobalOptions => command.optsWithGlobals<GlobalOptions>();
  const storeOf = (command: Command) => new ProfileStore(resolve(globals(command).profile));

  /** An account client; `relay` is where its session lives. */
  const accountFor = (command: Command, store: ProfileStore, relay: string, session: AccountClient['session']) => {
    const options = globals(command);
    return new AccountClient({
      baseUrl: relay,
      session,
      ...(options.insecureTestKdf
        ? { kdfParameters: options.insecureTestKdf, minimumKdfParameters: options.insecureTestKdf }
        : {}),
      sharedSession: store.sharedSession(),
      onSessionChange: (next) => (next ? store.save({ relay, session: next }) : store.clear()),
    });
  };

  /** The saved session of this profile, against the relay it was made with unless --relay/COFFRE_RELAY says otherwise. */
  const signedIn = async (command: Command) => {
    await ready();
    const store = storeOf(command);
    const state = await store.load();
    if (!state) throw new UsageError('Not signed in. Run `coffre login` (or `coffre register`) first.');
    const source = command.getOptionValueSourceWithGlobals('relay');
    const relay = source === 'default' && state.relay !== '' ? state.relay : globals(command).relay;
    return accountFor(command, store, relay, state.session);
  };

  /** Register and login: refuses to overwrite a session that was never signed out. */
  const freshProfile = async (command: Command) => {
    await ready();
    const store = storeOf(command);
    const existing = await store.load().catch(() => null);
    if (existing) {
      throw new UsageError(
        `This profile is signed in as ${existing.session.email} (${existing.session.tenant}). ` +
          'Run `coffre logout` first, or use another --profile.',
      );
    }
    return { store, relay: globals(command).relay };
  };

  const printSignedIn = (session: NonNullable<AccountClient['session']>, verb: string) => {
    print(`${verb} ${session.email} in ${session.tenant} (${session.role}) on device ${session.deviceId}.`);
    print(
      `Safety number: ${safetyNumber({ signingPublicKey: session.identity.signing.publicKey, boxPublicKey: session.identity.box.publicKey })}`,
    );
  };

  program
    .command('register')
    .description('Create an account in an organisation and sign this computer in as its first device.')
    .requiredOption('--tenant <slug>', 'organisation (created by the relay admin: coffre-relay tenant create)')
    .requiredOption('--email <email>', 'your email address')
    .option('--password-stdin', 'read the password from standard input (else COFFRE_PASSWORD, else a prompt)')
    .option('--device-name <name>', 'name of this device in your device list', defaultDeviceName())
    .action(
      async (
        options: { tenant: string; email: string; passwordStdin?: boolean; deviceName: string },
        command: Command,
      ) => {
        const { store, relay } = await freshProfile(command);
        const password = await readPassword(io, { passwordStdin: options.passwordStdin, confirm: true });
        const account = accountFor(command, store, relay, null);
        const session = await account.register(options.tenant, options.email, password, options.deviceName);
        printSignedIn(session, 'Registered');
      },
    );

  program
    .command('login')
    .description('Sign this computer in with your password (and a code once two-factor authentication is on).')
    .requiredOption('--tenant <slug>', 'organisation')
    .requiredOption('--email <email>', 'your email address')
    .option('--password-stdin', 'read the password from standard input (else COFFRE_PASSWORD, else a prompt)')
    .option('--totp <code>', '6-digit code from your authenticator app (asked for when needed on a terminal)')
    .option('--recovery-code <code>', 'one of your recovery codes, instead of --totp')
    .option('--device-name <name>', 'name of this device in your device list', defaultDeviceName())
    .action(
      async (
        options: {
          tenant: string;
          email: string;
          passwordStdin?: boolean;
          totp?: string;
          recoveryCode?: string;
          deviceName: string;
        },
        command: Command,
      ) => {
        const { store, relay } = await freshProfile(command);
        const password = await readPassword(io, { passwordStdin: options.passwordStdin });
        const account = accountFor(command, store, relay, null);
        const login = (totp?: string) =>
          account.login(options.tenant, options.email, password, {
            deviceName: options.deviceName,
            totp,
            recoveryCode: options.recoveryCode,
          });
        let session;
        try {
          session = await login(options.totp);
        } catch (error) {
          const canAsk =
            error instanceof AccountError &&
            error.code === 'SECOND_FACTOR_REQUIRED' &&
            io.stdin.isTTY === true &&
            !options.passwordStdin;
          if (!canAsk) throw error;
          session = await login(await promptLine(io, 'Code from your authenticator app: '));
        }
        printSignedIn(session, 'Signed in as');
      },
    );

  program
    .command('logout')
    .description('Sign this computer out: the relay revokes its session and the saved keys are deleted.')
    .action(async (_options: unknown, command: Command) => {
      const account = await signedIn(command);
      const email = account.session?.email;
      await account.logout();
      print(`Signed out ${email ?? ''}.`.replace(' .', '.'));
    });

  program
    .command('whoami')
    .description('Show who this profile is signed in as, and your safety number (compare it with contacts).')
    .action(async (_options: unknown, command: Command) => {
      const account = await signedIn(command);
      const session = account.session;
      if (!session) throw new AccountError('UNAUTHENTICATED');
      print(
        table([
          ['email', session.email],
          ['organisation', session.tenant],
          ['role', session.role],
          ['user', session.userId],
          ['device', session.deviceId],
          ['relay', account.api.baseUrl],
          [
            'safety number',
            safetyNumber({
              signingPublicKey: session.identity.signing.publicKey,
              boxPublicKey: session.identity.box.publicKey,
            }),
          ],
        ]),
      );
    });

  const twoFactor = program.command('2fa').description('Two-factor authentication (TOTP, RFC 6238).');
  twoFactor
    .command('enable')
    .description(
      'Turn on two-factor authentication: prints a secret and an otpauth:// URI for your authenticator app, ' +
        'then asks for a code (or run again with --code <code>) and prints ten single-use recovery codes.',
    )
    .option('--code <code>', 'a current code, to finish setting up the secret printed by a previous run')
    .action(async (options: { code?: string }, command: Command) => {
      const account = await signedIn(command);
      let code = options.code;
      if (code === undefined) {
        const { secret, uri } = await account.setupTotp();
        print(`Secret: ${secret}`);
        print(`URI:    ${uri}`);
        if (!io.stdin.isTTY) {
          print('Add it to your authenticator app, then run: coffre 2fa enable --code <code>');
          return;
        }
        code = await promptLine(io, 'Code from your authenticator app: ');
      }
      const recoveryCodes = await account.confirmTotp(code);
      print('Two-factor authentication is on. Keep these recovery codes somewhere safe; each works once:');
      for (const recoveryCode of recoveryCodes) print(`  ${recoveryCode}`);
    });
  twoFactor
    .command('disable')
    .description('Turn off two-factor authentication (needs a current code or a recovery code).')
    .option('--code <code>', 'a current code from your authenticator app')
    .option('--recovery-code <code>', 'an unused recovery code')
    .action(async (options: { code?: string; recoveryCode?: string }, command: Command) => {
      const account = await signedIn(command);
      let code = options.code;
      if (code === undefined && options.recoveryCode === undefined) {
        code = await promptLine(io, 'Code from your authenticator app: ');
      }
      await account.disableTotp({ code, recoveryCode: options.recoveryCode });
      print('Two-factor authentication is off.');
    });

  const devices = program.command('devices').description('The devices signed in to your account.');
  devices
    .command('list')
    .description('List your devices; the current one is marked with *.')
    .action(async (_options: unknown, command: Command) => {
      const account = await signedIn(command);
      const list = await account.listDevices();
      print(
        table([
          ['', 'ID', 'NAME', 'ADDED', 'LAST SEEN', 'STATUS'],
          ...list.map((device) => [
            device.current ? '*' : '',
            device.id,
            device.name,
            day(device.createdAt),
            day(device.lastSeenAt),
            device.revokedAt === null ? 'active' : `revoked ${day(device.revokedAt)}`,
          ]),
        ]),
      );
    });
  devices
    .command('revoke')
    .description('Revoke a device: its sessions end and it must sign in again with the password.')
    .argument('<deviceId>', 'id from `coffre devices list`')
    .action(async (id: string, _options: unknown, command: Command) => {
      const account = await signedIn(command);
      await account.revokeDevice(id);
      print(`Revoked device ${id}.`);
    });

  program
    .command('members')
    .description("List the organisation's members (organisation admins only).")
    .action(async (_options: unknown, command: Command) => {
      const account = await signedIn(command);
      const members = await account.listMembers();
      print(
        table([
          ['EMAIL', 'ROLE', '2FA', 'ID', 'JOINED'],
          ...members.map((member) => [
            member.email,
            member.role,
            member.twoFactor ? 'on' : 'off',
            member.id,
            day(member.createdAt),
          ]),
        ]),
      );
    });

  const soloNote =
    '\nLimitation: documents are personal for now. Their key is derived from your identity, so any of\n' +
    'your devices opens them and nobody else can; sharing with other members (key grants) comes next.';
  const doc = program
    .command('doc')
    .description('Write and read end-to-end-encrypted text documents through the relay.')
    .addHelpText('after', soloNote);
  doc
    .command('write')
    .description("Replace the document's text (encrypted and signed on this device) and wait until the relay saved it.")
    .argument('<documentId>', "1-64 letters, digits, '-' or '_'")
    .argument('<text>', 'the new text')
    .addHelpText('after', soloNote)
    .action(async (documentId: string, text: string, _options: unknown, command: Command) => {
      const account = await signedIn(command);
      const document = await openSoloDocument(account, documentId, new YjsEngine(), {
        timeoutMs: DOCUMENT_TIMEOUT_MS,
      });
      try {
        const body = document.engine.doc.getText('body');
        document.engine.doc.transact(() => {
          body.delete(0, body.length);
          body.insert(0, text);
        });
        await settle(document, document.whenSaved(), DOCUMENT_TIMEOUT_MS);
      } finally {
        document.destroy();
      }
      print(`Saved ${documentId}.`);
    });
  doc
    .command('read')
    .description("Print the document's text.")
    .argument('<documentId>', "1-64 letters, digits, '-' or '_'")
    .addHelpText('after', soloNote)
    .action(async (documentId: string, _options: unknown, command: Command) => {
      const account = await signedIn(command);
      const document = await openSoloDocument(account, documentId, new YjsEngine(), {
        timeoutMs: DOCUMENT_TIMEOUT_MS,
      });
      try {
        print(document.engine.doc.getText('body').toString());
      } finally {
        document.destroy();
      }
    });

  return program;
}

/** What the CLI prints for an error: the sentence for the user, then any detail. */
export function describeError(error: unknown): string {
  if (error instanceof AccountError) {
    return error.detail && error.detail !== error.message ? `${error.message}\n  (${error.detail})` : error.message;
  }
  if (error instanceof UsageError) return error.message;
  return `Something went wrong: ${error instanceof Error ? error.message : String(error)}`;
}
