import { resolve } from 'node:path';
import type { Command } from 'commander';
import { type Argon2idParameters, AccountClient, Workspace, ready, safetyNumber } from '@coffre/client';
import { ProfileStore } from './ProfileStore.ts';
import { type CliIo, UsageError } from './terminalInput.ts';

/** How long a command waits for a document to open or be saved. */
export const DOCUMENT_TIMEOUT_MS = 30_000;

/** The options every command inherits from `coffre` itself. */
export interface GlobalOptions {
  relay: string;
  profile: string;
  insecureTestKdf?: Argon2idParameters;
}

/**
 * What the command groups share: the terminal, the profile folder and the
 * clients built from it. Each helper takes the running `command` because
 * the global options are read from it. Properties, not methods, so that a
 * command group can destructure the ones it uses.
 */
export interface CliContext {
  io: CliIo;
  /** Writes a line to standard output. */
  print: (text: string) => void;
  /** The signed-in account of this profile, or a UsageError saying how to sign in. */
  signedIn: (command: Command) => Promise<AccountClient>;
  /** For register and login: the profile (refused while signed in) and the relay to use. */
  freshProfile: (command: Command) => Promise<{ store: ProfileStore; relay: string }>;
  /** An account client for `relay` that saves its session in `store`. */
  accountFor: (
    command: Command,
    store: ProfileStore,
    relay: string,
    session: AccountClient['session'],
  ) => AccountClient;
  /** The relay to use without needing a session (link open). */
  relayOf: (command: Command) => Promise<string>;
  /** The signed-in account's documents, contacts and links; warns on stderr when a contact's keys change. */
  workspaceFor: (command: Command) => Promise<Workspace>;
  /** Prints who signed in and their safety number. */
  printSignedIn: (session: NonNullable<AccountClient['session']>, verb: string) => void;
}

export function createCliContext(io: CliIo): CliContext {
  const print = (text: string) => {
    io.stdout.write(`${text}\n`);
  };
  const globals = (command: Command): GlobalOptions => command.optsWithGlobals<GlobalOptions>();
  const storeOf = (command: Command) => new ProfileStore(resolve(globals(command).profile));

  const accountFor: CliContext['accountFor'] = (command, store, relay, session) => {
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

  const relayOf: CliContext['relayOf'] = async (command) =>
    relayFor(
      command,
      (
        await storeOf(command)
          .load()
          .catch(() => null)
      )?.relay,
    );

  /** The saved session of this profile, against the relay it was made with unless --relay/COFFRE_RELAY says otherwise. */
  const signedIn: CliContext['signedIn'] = async (command) => {
    await ready();
    const store = storeOf(command);
    const state = await store.load();
    if (!state) throw new UsageError('Not signed in. Run `coffre login` (or `coffre register`) first.');
    return accountFor(command, store, relayFor(command, state.relay), state.session);
  };

  /** Register and login: refuses to overwrite a session that was never signed out. */
  const freshProfile: CliContext['freshProfile'] = async (command) => {
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

  const workspaceFor: CliContext['workspaceFor'] = async (command) => {
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

  const printSignedIn: CliContext['printSignedIn'] = (session, verb) => {
    print(`${verb} ${session.email} in ${session.tenant} (${session.role}) on device ${session.deviceId}.`);
    print(
      `Safety number: ${safetyNumber({ signingPublicKey: session.identity.signing.publicKey, boxPublicKey: session.identity.box.publicKey })}`,
    );
  };

  return { io, print, signedIn, freshProfile, accountFor, relayOf, workspaceFor, printSignedIn };
}
