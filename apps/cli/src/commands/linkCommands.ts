import { type Command, Option } from 'commander';
import {
  AccountError,
  YjsEngine,
  documentIdFromInput,
  linkIdFromInput,
  parseShareUrl,
  openLink,
  ready,
} from '@coffre/client';
import { type CliContext, DOCUMENT_TIMEOUT_MS } from '../CliContext.ts';
import { table, day } from '../table.ts';
import { UsageError, promptHidden, readAllStdin } from '../terminalInput.ts';

/** `coffre link`: share links, created, listed, opened and revoked. */
export function registerLinkCommands(program: Command, context: CliContext): void {
  const { io, print, relayOf, workspaceFor } = context;
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
        const created = await workspace.createLink(documentIdFromInput(documentId), { role: options.role, password });
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
      const links = await workspace.listLinks(documentIdFromInput(documentId));
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
    .argument(
      '[secret]',
      'the part after #/link/<organisation>/ (when the first argument is the organisation; put -- before a ' +
        'secret that starts with -)',
    )
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
    .description(
      'Revoke a link: it stops working at once, its open connections are closed, and the document moves to a new key the link does not hold.',
    )
    .argument('<documentId>', 'a document you own')
    .argument('<linkId>', 'from `coffre link list`')
    .action(async (documentId: string, linkId: string, _options: unknown, command: Command) => {
      const workspace = await workspaceFor(command);
      const document = documentIdFromInput(documentId);
      const result = await workspace.revokeLink(document, linkIdFromInput(linkId));
      print(`Revoked link ${linkId}; the document now uses key epoch ${result.currentEpoch}.`);
      const others = result.revokedLinks.filter((id) => id !== linkId);
      if (others.length > 0) print(`Also revoked (made elsewhere, so not re-sealed here): ${others.join(', ')}`);
    });
}
