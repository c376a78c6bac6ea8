import type { Command } from 'commander';
import type { CliContext } from '../CliContext.ts';
import { table } from '../table.ts';

/** `coffre contacts`: the keys this profile has seen, and accepting changed ones. */
export function registerContactCommands(program: Command, context: CliContext): void {
  const { print, workspaceFor } = context;
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
}
