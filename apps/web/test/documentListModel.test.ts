import { beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { ready } from '@coffre/crypto';
import { documentId } from '@coffre/protocol';
import type { ListedDocument } from '../src/workspace/AccountWorkspace.ts';
import { createFolder, listFolders, moveDocument, placementOf } from '../src/workspace/folderTree.ts';
import {
  type DocumentListInput,
  countSentence,
  documentListView,
  emptyFolderHeading,
  itemsInFolder,
  titledDocuments,
} from '../src/workspace/list/documentListModel.ts';

beforeAll(async () => {
  await ready();
});

const listed = (id: string, title: string, kind: 'document' | 'note' = 'document'): ListedDocument => ({
  id: documentId(id),
  title,
  role: 'owner',
  createdAt: '2026-12-01T10:00:00Z',
  kind,
});

/** Home holds a plan, a note and the folder Work; Work holds a budget and the folder Old. */
function fixture() {
  const doc = new Y.Doc();
  const work = createFolder(doc, 'Work', null);
  createFolder(doc, 'Old', work);
  moveDocument(doc, 'budget', work);
  const documents = titledDocuments(
    [listed('plan', 'Garden plan'), listed('note', '', 'note'), listed('budget', 'Budget')],
    (id) =>
      id === 'note' ? { title: 'Call the plumber', text: 'Call the plumber\ntomorrow', kind: 'note' } : undefined,
  );
  const folders = listFolders(doc);
  const input: DocumentListInput = {
    documents,
    folders,
    placementOf: (id) => placementOf(doc, id, folders),
    openFolder: null,
    filter: 'all',
    query: '',
  };
  return { doc, work, folders, documents, input };
}

describe('documents list model', () => {
  it('titles documents from what this device decrypted, the listing otherwise', () => {
    const { documents } = fixture();
    expect(documents.map((document) => [document.title, document.kind, document.text])).toEqual([
      ['Garden plan', 'document', ''],
      ['Call the plumber', 'note', 'Call the plumber\ntomorrow'],
      ['Budget', 'document', ''],
    ]);
  });

  it('shows the open folder’s documents and folders, and counts them in a sentence', () => {
    const { input, folders, work } = fixture();
    const home = documentListView(input);
    expect(home.shown.map((document) => document.id)).toEqual(['plan', 'note']);
    expect(home.subfolders.map((folder) => folder.name)).toEqual(['Work']);
    expect(home.countSentence).toBe('1 folder, 2 documents');
    const inWork = documentListView({ ...input, openFolder: folders.find((folder) => folder.id === work) ?? null });
    expect(inWork.shown.map((document) => document.id)).toEqual(['budget']);
    expect(inWork.countSentence).toBe('1 folder, 1 document in “Work”');
  });

  it('filters by kind: Notes shows notes only and counts notes', () => {
    const { input } = fixture();
    const notes = documentListView({ ...input, filter: 'note' });
    expect(notes.shown.map((document) => document.id)).toEqual(['note']);
    expect(notes.countSentence).toBe('1 folder, 1 note');
    const documents = documentListView({ ...input, filter: 'document' });
    expect(documents.shown.map((document) => document.id)).toEqual(['plan']);
  });

  it('searches every folder by title and text, shows no folder, and says how many match', () => {
    const { input } = fixture();
    const budget = documentListView({ ...input, query: 'budg' });
    expect(budget.searching).toBe(true);
    expect(budget.subfolders).toEqual([]);
    expect(budget.shown.map((document) => document.id)).toEqual(['budget']);
    expect(budget.countSentence).toBe('1 of 3 documents matches “budg”.');
    expect(documentListView({ ...input, query: 'tomorrow' }).shown.map((document) => document.id)).toEqual(['note']);
    expect(documentListView({ ...input, query: 'zzz', filter: 'note' }).countSentence).toBe('No note matches “zzz”.');
  });

  it('says an empty folder is empty, with no count sentence', () => {
    const { input, folders } = fixture();
    const old = folders.find((folder) => folder.name === 'Old') ?? null;
    const view = documentListView({ ...input, openFolder: old });
    expect(view.isEmpty).toBe(true);
    expect(view.countSentence).toBe('');
    expect(emptyFolderHeading(old, 'all')).toBe('“Old” is empty');
    expect(emptyFolderHeading(null, 'note')).toBe('No notes here');
    expect(emptyFolderHeading(null, 'all')).toBe('Nothing here');
  });

  it('counts a folder’s items: its folders and its documents of every kind', () => {
    const { input, work, folders, documents } = fixture();
    expect(itemsInFolder(work, folders, documents, input.placementOf)).toBe(2);
  });

  it('puts everything at Home before the folder document is open', () => {
    const { input } = fixture();
    const view = documentListView({ ...input, folders: [], placementOf: () => null });
    expect(view.shown.map((document) => document.id)).toEqual(['plan', 'note', 'budget']);
    expect(view.countSentence).toBe('3 documents');
  });

  it('names a single folder without documents, and nothing when Home is empty', () => {
    const base = { query: '', filter: 'all' as const, ofKind: [], openFolder: null };
    expect(countSentence({ ...base, shown: [], subfolders: [1] })).toBe('1 folder');
    expect(countSentence({ ...base, shown: [], subfolders: [] })).toBe('0 documents');
  });
});
