import type { Command } from 'commander';
import type { CliContext } from '../CliContext.ts';
import { promptLine } from '../terminalInput.ts';

/** `coffre 2fa`: turning two-factor authentication (TOTP) on and off. */
export function registerTwoFactorCommands(program: Command, context: CliContext): void {
  const { io, print, signedIn } = context;
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
}
