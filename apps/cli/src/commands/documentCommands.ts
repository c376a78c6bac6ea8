import type { Command } from 'commander';
import { YjsEngine, documentIdFromInput, settle } from '@coffre/client';
import { type CliContext, DOCUMENT_TIMEOUT_MS } from '../CliContext.ts';
import { table, day } from '../table.ts';

/** `coffre doc`: creating, listing, writing and reading documents. */
export function registerDocumentCommands(program: Command, context: CliContext): void {
  const { print, workspaceFor } = context;
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
      await workspace.createDocument(documentIdFromInput(documentId));
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
      await workspace.deleteDocument(documentIdFromInput(documentId));
      print(`Deleted ${documentId}.`);
    });
  doc
    .command('write')
    .description("Replace the document's text (encrypted and signed on this device) and wait until the relay saved it.")
    .argument('<documentId>', 'a document you can edit (coffre doc create makes one)')
    .argument('<text>', 'the new text')
    .action(async (documentId: string, text: string, _options: unknown, command: Command) => {
      const workspace = await workspaceFor(command);
      const document = await workspace.openDocument(documentIdFromInput(documentId), new YjsEngine());
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
      const document = await workspace.openDocument(documentIdFromInput(documentId), new YjsEngine());
      try {
        print(document.engine.doc.getText('body').toString());
      } finally {
        document.destroy();
      }
    });
}
