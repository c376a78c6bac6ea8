import { beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  createFolder,
  deleteFolder,
  folderDocumentId,
  folderPath,
  folderTree,
  listFolders,
  moveDocument,
  placementOf,
  renameFolder,
} from '../src/workspace/folderTree.ts';
import { displayTitle, documentKind, setKind, summarize } from '../src/workspace/documentMeta.ts';
import { ready } from '@coffre/crypto';
import { isValidId } from '@coffre/protocol';

beforeAll(async () => {
  await ready();
});

describe('folder tree', () => {
  it('names the folder document the same on every device of a user, with a valid document id', async () => {
    const first = await folderDocumentId('user-1');
    expect(await folderDocumentId('user-1')).toBe(first);
    expect(await folderDocumentId('user-2')).not.toBe(first);
    expect(isValidId(first)).toBe(true);
  });

  it('creates, renames and nests folders, and gives the path from the top level', () => {
    const doc = new Y.Doc();
    const projects = createFolder(doc, '  Projects\n', null);
    const garden = createFolder(doc, 'Garden', projects);
    renameFolder(doc, projects, 'Work');
    expect(listFolders(doc).map((folder) => folder.name)).toEqual(['Garden', 'Work']);
    expect(folderPath(doc, garden).map((folder) => folder.name)).toEqual(['Work', 'Garden']);
    expect(folderTree(doc).map(({ folder, depth }) => `${depth}:${folder.name}`)).toEqual(['0:Work', '1:Garden']);
  });

  it('puts a deleted folder’s documents and folders back in its parent', () => {
    const doc = new Y.Doc();
    const outer = createFolder(doc, 'Outer', null);
    const inner = createFolder(doc, 'Inner', outer);
    const deepest = createFolder(doc, 'Deepest', inner);
    moveDocument(doc, 'doc-a', inner);
    moveDocument(doc, 'doc-b', outer);
    deleteFolder(doc, inner);
    expect(placementOf(doc, 'doc-a')).toBe(outer);
    expect(listFolders(doc).find((folder) => folder.id === deepest)?.parent).toBe(outer);
    deleteFolder(doc, outer);
    expect(placementOf(doc, 'doc-a')).toBeNull();
    expect(placementOf(doc, 'doc-b')).toBeNull();
    expect(listFolders(doc).map((folder) => [folder.name, folder.parent])).toEqual([['Deepest', null]]);
  });

  it('lists at the top level a document placed in a folder another device deleted', () => {
    const doc = new Y.Doc();
    moveDocument(doc, 'doc-a', 'gone');
    expect(placementOf(doc, 'doc-a')).toBeNull();
  });

  it('merges folders made on two devices', () => {
    const laptop = new Y.Doc();
    const phone = new Y.Doc();
    createFolder(laptop, 'From the laptop', null);
    createFolder(phone, 'From the phone', null);
    Y.applyUpdate(laptop, Y.encodeStateAsUpdate(phone));
    Y.applyUpdate(phone, Y.encodeStateAsUpdate(laptop));
    expect(listFolders(phone).map((folder) => folder.name)).toEqual(['From the laptop', 'From the phone']);
  });

  it('cuts a loop two devices made by nesting folders in each other at the top level', () => {
    const doc = new Y.Doc();
    doc.getMap('folders').set('a', { name: 'A', parent: 'b' });
    doc.getMap('folders').set('b', { name: 'B', parent: 'a' });
    expect(listFolders(doc).every((folder) => folder.parent === null)).toBe(true);
  });
});

describe('notes', () => {
  it('says a document is a note when its meta says so, and names an empty note “Untitled note”', () => {
    const doc = new Y.Doc();
    expect(documentKind(doc)).toBe('document');
    setKind(doc, 'note');
    expect(summarize(doc).kind).toBe('note');
    expect(displayTitle('', 'note')).toBe('Untitled note');
    expect(displayTitle('', 'document')).toBe('Untitled document');
  });
});
