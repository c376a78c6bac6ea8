import type { ListedDocument } from '../AccountWorkspace.ts';
import type { DocumentKind, DocumentSummary } from '../documentMeta.ts';
import type { Folder } from '../folderTree.ts';
import { matchesQuery } from '../searchDocuments.ts';

/**
 * What the documents list shows, as plain functions of what it knows: the
 * documents (titled from what this device decrypted), the folders, where each
 * document is, the open folder, the kind filter and the search. No React, no
 * Y.Doc: the list's components render a {@link DocumentListView} and nothing
 * else decides what is in it.
 */

/** The kind filter above the list. */
export type KindFilter = 'all' | DocumentKind;

/** The filter's buttons, in order, with their labels. */
export const KIND_FILTERS: readonly (readonly [KindFilter, string])[] = [
  ['all', 'All'],
  ['document', 'Documents'],
  ['note', 'Notes'],
];

/** A listed document with what this device read of it: its title and kind, and its text for the search. */
export interface ListEntry extends ListedDocument {
  kind: DocumentKind;
  text: string;
}

/** The listed documents with the titles, kinds and text this device decrypted (the listing's otherwise). */
export function titledDocuments(
  documents: readonly ListedDocument[],
  summaryOf: (documentId: string) => DocumentSummary | null | undefined,
): ListEntry[] {
  return documents.map((document) => {
    const summary = summaryOf(document.id);
    return {
      ...document,
      title: summary?.title ?? document.title,
      kind: summary?.kind ?? document.kind,
      text: summary?.text ?? '',
    };
  });
}

export interface DocumentListInput {
  documents: readonly ListEntry[];
  folders: readonly Folder[];
  /** The folder a document is in, null at the top level (always null before the folder document is open). */
  placementOf: (documentId: string) => string | null;
  /** The open folder, null at Home. */
  openFolder: Folder | null;
  filter: KindFilter;
  query: string;
  /** The search index's matches, best first (see `SearchIndexer`); without them, the substring matcher decides. */
  matches?: readonly string[];
}

export interface DocumentListView {
  /** A search is typed: the list holds matches from every folder and no folder. */
  searching: boolean;
  /** The documents of the filtered kind, in every folder. */
  ofKind: ListEntry[];
  /** The documents shown: the matches when searching, else those of the kind in the open folder. */
  shown: ListEntry[];
  /** The folders shown: those in the open folder, none when searching. */
  subfolders: Folder[];
  /** The folder is empty (no search): the list shows its empty state instead of rows. */
  isEmpty: boolean;
  /** The sentence above the rows ('' when the folder is empty). */
  countSentence: string;
}

/** "note" when only notes are shown, else "document": the noun of the count sentence. */
export function kindWord(filter: KindFilter): 'note' | 'document' {
  return filter === 'note' ? 'note' : 'document';
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** What the documents list shows for `input`. */
export function documentListView(input: DocumentListInput): DocumentListView {
  const { documents, folders, placementOf, openFolder, filter, query, matches } = input;
  const openFolderId = openFolder?.id ?? null;
  const searching = query.trim() !== '';
  const ofKind = documents.filter((document) => filter === 'all' || document.kind === filter);
  // A search looks in every folder; otherwise the list is the open folder's.
  const shown = !searching
    ? ofKind.filter((document) => placementOf(document.id) === openFolderId)
    : matches
      ? inOrderOf(matches, ofKind)
      : ofKind.filter((document) => matchesQuery(query, document.title, document.text));
  const subfolders = searching ? [] : folders.filter((folder) => folder.parent === openFolderId);
  const isEmpty = subfolders.length === 0 && shown.length === 0 && !searching;
  return {
    searching,
    ofKind,
    shown,
    subfolders,
    isEmpty,
    countSentence: isEmpty ? '' : countSentence({ query, filter, shown, ofKind, subfolders, openFolder }),
  };
}

/** The sentence above the results when the search found files too: "1 document and 2 files match “plan”." */
export function searchSentence(query: string, documents: number, files: number): string {
  const verb = documents + files === 1 ? 'matches' : 'match';
  const found =
    documents === 0 ? plural(files, 'file') : `${plural(documents, 'document')} and ${plural(files, 'file')}`;
  return `${found} ${verb} “${query.trim()}”.`;
}

/** The documents whose ids are in `ids`, in that order. */
function inOrderOf(ids: readonly string[], documents: readonly ListEntry[]): ListEntry[] {
  const byId = new Map<string, ListEntry>(documents.map((document) => [document.id, document]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/** The path of a folder from Home ("Work / 2027"), '' for Home itself: where a search result lives. */
export function folderPath(folderId: string | null, folders: readonly Folder[]): string {
  const byId = new Map(folders.map((folder) => [folder.id, folder]));
  const names: string[] = [];
  for (
    let at = folderId === null ? undefined : byId.get(folderId);
    at;
    at = at.parent ? byId.get(at.parent) : undefined
  ) {
    names.unshift(at.name);
    if (names.length > folders.length) break;
  }
  return names.join(' / ');
}

/**
 * The sentence above the rows: "3 of 5 documents match “plan”." when
 * searching, else what the folder holds ("1 folder, 2 documents in “Work”").
 */
export function countSentence(input: {
  query: string;
  filter: KindFilter;
  shown: readonly unknown[];
  ofKind: readonly unknown[];
  subfolders: readonly unknown[];
  openFolder: Folder | null;
}): string {
  const { query, filter, shown, ofKind, subfolders, openFolder } = input;
  const word = kindWord(filter);
  if (query.trim() !== '') {
    return shown.length === 0
      ? `No ${word} matches “${query.trim()}”.`
      : `${shown.length} of ${plural(ofKind.length, word)} match${shown.length === 1 ? 'es' : ''} “${query.trim()}”.`;
  }
  const parts = [
    subfolders.length > 0 ? plural(subfolders.length, 'folder') : '',
    shown.length > 0 || subfolders.length === 0 ? plural(shown.length, word) : '',
  ].filter((part) => part !== '');
  return `${parts.join(', ')}${openFolder ? ` in “${openFolder.name}”` : ''}`;
}

/** How many folders and documents (of any kind) are directly in `folderId`: the folder row's "3 items". */
export function itemsInFolder(
  folderId: string,
  folders: readonly Folder[],
  documents: readonly ListedDocument[],
  placementOf: (documentId: string) => string | null,
): number {
  return (
    folders.filter((folder) => folder.parent === folderId).length +
    documents.filter((document) => placementOf(document.id) === folderId).length
  );
}

/** The heading of an empty folder's state. */
export function emptyFolderHeading(openFolder: Folder | null, filter: KindFilter): string {
  if (openFolder) return `“${openFolder.name}” is empty`;
  return filter === 'note' ? 'No notes here' : filter === 'document' ? 'No documents here' : 'Nothing here';
}

/** Where the contents of a deleted folder go, for the sentences that say so. */
export function parentName(openFolder: Folder | null): string {
  return openFolder ? `“${openFolder.name}”` : 'Home';
}
