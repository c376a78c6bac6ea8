import { hostname, homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { type Argon2idParameters, ready } from '@coffre/crypto';
import { AccountClient } from '../account/AccountClient.ts';
import { AccountError } from '../account/AccountError.ts';
import { YjsEngine } from '../engines/YjsEngine.ts';
import { settle } from '../settle.ts';
import { safetyNumber } from '../sharing/KnownContacts.ts';
import { parseShareUrl } from '../sharing/links.ts';
import { openLink } from '../sharing/openLink.ts';
import { Workspace } from '../sharing/Workspace.ts';
import { ProfileStore } from './ProfileStore.ts';
import { type CliIo, UsageError, promptHidden, promptLine, readAllStdin, readPassword } from './terminalInput.ts';

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

  /** The relay of the profile's session, unless --relay/COFFRE_RELAY says otherwise. */
  const relayFor = (command: Command, saved: string | undefined) => {
    const source = command.getOptionValueSourceWithGlobals('relay');
    return source === 'default' && saved !== undefined && saved !== '' ? saved : globals(command).relay;
  };

  /** The relay to use without needing a session (link open). */
  const relayOf = async (command: Command) =>
    relayFor(
      command,
      (
        await storeOf(command)
          .load()
          .catch(() => null)
      )?.relay,
    );

  /** The saved session of this profile, against the relay it was made with unless --relay/COFFRE_RELAY says otherwise. */
  const signedIn = async (command: Command) => {
    await ready();
    const store = storeOf(command);
    const state = await store.load();
    if (!state) throw new UsageError('Not signed in. Run `coffre login` (or `coffre register`) first.');
    return accountFor(command, store, relayFor(command, state.relay), state.session);
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

  const workspaceFor = async (command: Command) => {
    const account = await signedIn(command);
    const workspace = await Workspace.open({
      account,
      store: storeOf(command).sharingStore(),
      timeoutMs: DOCUMENT_TIMEOUT_MS,
    });
    workspace.on('contact-changed', (change) => {
      io.stderr.write(
        `Warning: the security keys of ${change.email} have changed.\n` +
          `  Safety number trusted so far: ${change.previousSafetyNumber}\n` +
          `  Safety number now served:     ${change.safetyNumber}\n` +
          `  Nothing is shared with them, and what they sign is not trusted, until you compare the new number\n` +
          `  with them (they see it with \`coffre whoami\`) and run \`coffre contacts accept ${change.email}\`.\n`,
      );
    });
    return workspace;
  };

  program
    .command('members')
    .description(
      "Without a document: list the organisation's members (organisation admins only). " +
        "With one: list the document's members, their roles and the safety numbers you trust for them.",
    )
    .argument('[documentId]', 'a document you are a member of')
    .action(async (documentId: string | undefined, _options: unknown, command: Command) => {
      if (documentId !== undefined) {
        const workspace = await workspaceFor(command);
        const members = await workspace.members(documentId);
        print(
          table([
            ['EMAIL', 'ROLE', 'SAFETY NUMBER'],
            ...members.map((member) => [
              member.self ? `${member.email} (you)` : member.email,
              member.role,
              member.keyChanged
                ? 'KEYS CHANGED: see coffre contacts'
                : (member.safetyNumber ?? 'not checked yet (opening the document checks it)'),
            ]),
          ]),
        );
        return;
      }
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

  const documentNote =
    '\nEach document has its own random key, sealed to every member (key grants) and replaced when a member\n' +
    'is removed. The relay stores only ciphertext and sealed keys.';
  const doc = program
    .command('doc')
    .description('Create, list, write and read end-to-end-encrypted text documents.')
    .addHelpText('after', documentNote);
  doc
    .command('create')
    .description('Create a document that you own; nobody else can read it until you share it.')
    .argument('<documentId>', "1-64 letters, digits, '-' or '_'")
    .action(async (documentId: string, _options: unknown, command: Command) => {
      const workspace = await workspaceFor(command);
      await workspace.createDocument(documentId);
      print(`Created ${documentId}. Share it with: coffre share ${documentId} <email> --role editor|viewer`);
    });
  doc
    .command('list')
    .description('List the documents you are a member of, with your role and the current key epoch.')
    .action(async (_options: unknown, command: Command) => {
      const workspace = await workspaceFor(command);
      const documents = await workspace.listDocuments();
      print(
        table([
          ['ID', 'ROLE', 'EPOCH', 'BYTES', 'CREATED'],
          ...documents.map((document) => [
            document.id,
            document.role,
            String(document.currentEpoch),
            String(document.sizeBytes),
            day(document.createdAt),
          ]),
        ]),
      );
    });
  doc
    .command('delete')
    .description('Delete a document you own, for every member (its links stop working).')
    .argument('<documentId>', 'a document you own')
    .action(async (documentId: string, _options: unknown, command: Command) => {
      const workspace = await workspaceFor(command);
      await workspace.deleteDocument(documentId);
      print(`Deleted ${documentId}.`);
    });
  doc
    .command('write')
    .description("Replace the document's text (encrypted and signed on this device) and wait until the relay saved it.")
    .argument('<documentId>', 'a document you can edit (coffre doc create makes one)')
    .argument('<text>', 'the new text')
    .action(async (documentId: string, text: string, _options: unknown, command: Command) => {
      const workspace = await workspaceFor(command);
      const document = await workspace.openDocument(documentId, new YjsEngine());
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
    .argument('<documentId>', 'a document you are a member of')
    .action(async (documentId: string, _options: unknown, command: Command) => {
      const workspace = await workspaceFor(command);
      const document = await workspace.openDocument(documentId, new YjsEngine());
      try {
        print(document.engine.doc.getText('body').toString());
      } finally {
        document.destroy();
      }
    });

  program
    .command('share')
    .description(
      'Share a document with a member of your organisation: their keys are checked against the ones you saw ' +
        'before (a change is refused until you accept it), and they get the key of every version, history included.',
    )
    .argument('<documentId>', 'a document you own')
    .argument('<email>', "the person's email address in this organisation")
    .addOption(new Option('--role <role>', 'what they may do').choices(['editor', 'viewer']).default('viewer'))
    .action(async (documentId: string, email: string, options: { role: 'editor' | 'viewer' }, command: Command) => {
      const workspace = await workspaceFor(command);
      const shared = await workspace.share(documentId, email, options.role);
      print(`Shared ${documentId} with ${shared.email} as ${shared.role}.`);
      print(`Safety number of ${shared.email}: ${shared.safetyNumber}`);
      if (shared.newContact) {
        print('First time you share with them: compare this number with theirs (coffre whoami) to be sure.');
      }
    });

  program
    .command('unshare')
    .description(
      'Remove a member from a document you own. The document key is rotated: they keep what they already had ' +
        'and can read nothing written from now on; links you created are re-sealed, others are revoked.',
    )
    .argument('<documentId>', 'a document you own')
    .argument('<email>', 'the member to remove')
    .action(async (documentId: string, email: string, _options: unknown, command: Command) => {
      const workspace = await workspaceFor(command);
      const wanted = email.trim().toLowerCase();
      const member = (await workspace.members(documentId)).find((candidate) => candidate.email === wanted);
      if (!member) throw new UsageError(`${wanted} is not a member of ${documentId}.`);
      const result = await workspace.removeMember(documentId, member.userId);
      print(`Removed ${wanted} from ${documentId}. New key epoch: ${result.currentEpoch}.`);
      if (result.revokedLinks.length > 0) {
        print(`Revoked ${result.revokedLinks.length} link(s) created elsewhere: ${result.revokedLinks.join(', ')}`);
      }
    });

  const link = program
    .command('link')
    .description('Share links: anyone with the link (and its password, if any) can open the document.')
    .addHelpText(
      'after',
      '\nA link looks like <relay>/#/link/<organisation>/<secret>. The secret after # is never sent to a server;\n' +
        'the relay only knows a hash of a proof derived from it. `coffre link open` takes the whole link, or\n' +
        'the organisation and the secret.',
    );
  link
    .command('create')
    .description('Create a link to a document you own and print it.')
    .argument('<documentId>', 'a document you own')
    .addOption(
      new Option('--role <role>', 'what people with the link may do').choices(['viewer', 'editor']).default('viewer'),
    )
    .option('--password-stdin', 'also protect the link with a password read from standard input')
    .action(
      async (documentId: string, options: { role: 'viewer' | 'editor'; passwordStdin?: boolean }, command: Command) => {
        const password = options.passwordStdin ? await readAllStdin(io.stdin) : undefined;
        if (password !== undefined && password.length === 0)
          throw new UsageError('The link password must not be empty.');
        const workspace = await workspaceFor(command);
        const created = await workspace.createLink(documentId, { role: options.role, password });
        print(created.url);
        print(
          `Link ${created.linkId}: ${created.role}${created.passwordProtected ? ', password protected' : ''}. ` +
            `Revoke it with: coffre link revoke ${documentId} ${created.linkId}`,
        );
      },
    );
  link
    .command('list')
    .description("List a document's links (the address of those created from this profile).")
    .argument('<documentId>', 'a document you own')
    .action(async (documentId: string, _options: unknown, command: Command) => {
      const workspace = await workspaceFor(command);
      const links = await workspace.listLinks(documentId);
      print(
        table([
          ['ID', 'ROLE', 'PASSWORD', 'CREATED', 'LINK'],
          ...links.map((entry) => [
            entry.linkId,
            entry.role,
            entry.passwordProtected ? 'yes' : 'no',
            day(entry.createdAt),
            entry.url ?? '(created elsewhere)',
          ]),
        ]),
      );
    });
  link
    .command('open')
    .description("Open a link and print the document's text; no account needed.")
    .argument('<link>', 'the whole link, or the organisation followed by the secret')
    .argument('[secret]', 'the part after #/link/<organisation>/ (when the first argument is the organisation)')
    .option('--password-stdin', "read the link's password from standard input (else asked on a terminal)")
    .action(
      async (first: string, secret: string | undefined, options: { passwordStdin?: boolean }, command: Command) => {
        await ready();
        const fromUrl = parseShareUrl(first);
        let baseUrl: string;
        let tenant: string;
        let fragment: string;
        if (fromUrl && secret === undefined) {
          const url = new URL(first.trim());
          baseUrl = `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
          ({ tenant, fragment } = fromUrl);
        } else {
          if (secret === undefined) throw new UsageError('Give the whole link, or the organisation and the secret.');
          baseUrl = await relayOf(command);
          tenant = first;
          fragment = secret;
        }
        let password = options.passwordStdin ? await readAllStdin(io.stdin) : undefined;
        const open = () =>
          openLink({ baseUrl, tenant, fragment, password, engine: new YjsEngine(), timeoutMs: DOCUMENT_TIMEOUT_MS });
        let opened;
        try {
          opened = await open();
        } catch (error) {
          const canAsk =
            error instanceof AccountError &&
            error.code === 'LINK_PASSWORD_REQUIRED' &&
            io.stdin.isTTY === true &&
            !options.passwordStdin;
          if (!canAsk) throw error;
          password = await promptHidden(io, 'Link password: ');
          opened = await open();
        }
        try {
          print(opened.document.engine.doc.getText('body').toString());
        } finally {
          opened.document.destroy();
        }
      },
    );
  link
    .command('revoke')
    .description('Revoke a link: it stops working at once, and its open connections are closed.')
    .argument('<documentId>', 'a document you own')
    .argument('<linkId>', 'from `coffre link list`')
    .action(async (documentId: string, linkId: string, _options: unknown, command: Command) => {
      const workspace = await workspaceFor(command);
      await workspace.revokeLink(documentId, linkId);
      print(`Revoked link ${linkId}.`);
    });

  const contacts = program
    .command('contacts')
    .description(
      'The people whose keys this profile has seen, with their safety numbers. Compare a safety number with the ' +
        'person (they see theirs with `coffre whoami`): if it matches, nobody, not even the relay, swapped their keys.',
    );
  contacts
    .command('list', { isDefault: true })
    .description('List known contacts and their safety numbers; contacts whose keys changed come first.')
    .action(async (_options: unknown, command: Command) => {
      const workspace = await workspaceFor(command);
      const list = workspace.contacts();
      if (list.length === 0) {
        print('No contacts yet: sharing a document or opening a shared one adds them.');
        return;
      }
      print(
        table([
          ['EMAIL', 'SAFETY NUMBER', 'STATUS'],
          ...list.map((contact) => [
            contact.email ?? contact.userId,
            contact.safetyNumber,
            contact.changedSafetyNumber === undefined
              ? 'trusted'
              : `KEYS CHANGED, new number ${contact.changedSafetyNumber}: compare, then coffre contacts accept`,
          ]),
        ]),
      );
    });
  contacts
    .command('accept')
    .description(
      "Trust a contact's new keys after comparing the new safety number with them (shown by `coffre contacts`).",
    )
    .argument('<email>', 'the contact whose keys changed')
    .option('--safety-number <digits>', 'the number you compared: refused unless it is the one of the new keys')
    .action(async (email: string, options: { safetyNumber?: string }, command: Command) => {
      const workspace = await workspaceFor(command);
      const accepted = await workspace.acceptContact(email, options.safetyNumber);
      print(`Accepted the new keys of ${accepted.email ?? email}. Safety number: ${accepted.safetyNumber}`);
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
