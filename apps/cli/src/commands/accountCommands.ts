import { hostname } from 'node:os';
import type { Command } from 'commander';
import { AccountError, safetyNumber } from '@coffre/client';
import type { CliContext } from '../CliContext.ts';
import { table } from '../table.ts';
import { promptLine, readPassword } from '../terminalInput.ts';

/** The name a new device gets unless --device-name says otherwise. */
function defaultDeviceName(): string {
  return `${hostname()} (coffre CLI)`.slice(0, 100);
}

/** Signing in and out: register, login, logout and whoami. */
export function registerAccountCommands(program: Command, context: CliContext): void {
  const { io, print, signedIn, freshProfile, accountFor, printSignedIn } = context;
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
}
