import { type Command, Option } from 'commander';
import { documentIdFromInput } from '@coffre/client';
import type { CliContext } from '../CliContext.ts';
import { UsageError } from '../terminalInput.ts';

/** `coffre share` and `coffre unshare`: a document's members. */
export function registerSharingCommands(program: Command, context: CliContext): void {
  const { print, workspaceFor } = context;
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
      const shared = await workspace.share(documentIdFromInput(documentId), email, options.role);
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
      const document = documentIdFromInput(documentId);
      const member = (await workspace.members(document)).find((candidate) => candidate.email === wanted);
      if (!member) throw new UsageError(`${wanted} is not a member of ${documentId}.`);
      const result = await workspace.removeMember(document, member.userId);
      print(`Removed ${wanted} from ${documentId}. New key epoch: ${result.currentEpoch}.`);
      if (result.revokedLinks.length > 0) {
        print(`Revoked ${result.revokedLinks.length} link(s) created elsewhere: ${result.revokedLinks.join(', ')}`);
      }
    });
}
