import { homedir } from 'node:os';
import { join } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { type Argon2idParameters, AccountError } from '@coffre/client';
import { createCliContext } from './CliContext.ts';
import { registerAccountCommands } from './commands/accountCommands.ts';
import { registerContactCommands } from './commands/contactCommands.ts';
import { registerDeviceCommands } from './commands/deviceCommands.ts';
import { registerDocumentCommands } from './commands/documentCommands.ts';
import { registerLinkCommands } from './commands/linkCommands.ts';
import { registerMemberCommands } from './commands/memberCommands.ts';
import { registerSharingCommands } from './commands/sharingCommands.ts';
import { registerTwoFactorCommands } from './commands/twoFactorCommands.ts';
import { type CliIo, UsageError } from './terminalInput.ts';

export const DEFAULT_RELAY = 'http://127.0.0.1:8787';

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

/**
 * The `coffre` command line. Built per run around `io` so a test can run it
 * in-process; `coffre.ts` runs it on the real terminal. The commands are
 * registered by group (commands/*.ts), in the order `--help` lists them.
 */
export function createProgram(io: CliIo): Command {
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

  const context = createCliContext(io);
  registerAccountCommands(program, context);
  registerTwoFactorCommands(program, context);
  registerDeviceCommands(program, context);
  registerMemberCommands(program, context);
  registerDocumentCommands(program, context);
  registerSharingCommands(program, context);
  registerLinkCommands(program, context);
  registerContactCommands(program, context);
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
