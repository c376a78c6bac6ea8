import type { Command } from 'commander';
import { documentIdFromInput } from '@coffre/client';
import type { CliContext } from '../CliContext.ts';
import { table, day } from '../table.ts';

/** `coffre members`: the organisation's members, or a document's. */
export function registerMemberCommands(program: Command, context: CliContext): void {
  const { print, signedIn, workspaceFor } = context;
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
        const members = await workspace.members(documentIdFromInput(documentId));
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
}
