import type * as Y from 'yjs';
import { contentFragment, plainText, suggestTitle } from '@coffre/editor';

/** The Y.Map of a document's own metadata: it travels sealed with the content, never in the clear. */
export const META_FIELD = 'meta';
const TITLE_KEY = 'title';
const KIND_KEY = 'kind';
export const MAX_TITLE_LENGTH = 200;

/** What the device knows of a document's content, decrypted: kept in memory, or sealed in the catalog. */
export interface DocumentSummary {
  /** The title the user gave, else the first heading or line; '' for an empty document. */
  title: string;
  /** The text, one line per block, for the search box (in memory only). */
  text: string;
  /** A note: a quick jotting, listed under its first line. */
  kind: DocumentKind;
}

/** A document, or a note (listed under its first line, with a note icon). */
export type DocumentKind = 'document' | 'note';

/** The kind the document's meta says, 'document' when it says none. */
export function documentKind(doc: Y.Doc): DocumentKind {
  return meta(doc).get(KIND_KEY) === 'note' ? 'note' : 'document';
}

export function setKind(doc: Y.Doc, kind: DocumentKind): void {
  if (documentKind(doc) === kind) return;
  doc.transact(() => meta(doc).set(KIND_KEY, kind));
}

function meta(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap(META_FIELD);
}

/** The title typed in the title field, '' when none. */
export function givenTitle(doc: Y.Doc): string {
  const value = meta(doc).get(TITLE_KEY);
  return typeof value === 'string' ? value : '';
}

/** Sets the document's title (inside the document, so it is sealed with the rest). */
export function setTitle(doc: Y.Doc, title: string): void {
  const clean = Array.from(title, (character) => (isControl(character) ? ' ' : character))
    .join('')
    .slice(0, MAX_TITLE_LENGTH);
  if (clean === givenTitle(doc)) return;
  doc.transact(() => meta(doc).set(TITLE_KEY, clean));
}

/** The title to show: the given one, else the editor's suggestion from the content. */
export function documentTitle(doc: Y.Doc): string {
  const given = givenTitle(doc).trim();
  return given === '' ? suggestTitle(contentFragment(doc)) : given;
}

export function summarize(doc: Y.Doc): DocumentSummary {
  return { title: documentTitle(doc), text: plainText(contentFragment(doc)), kind: documentKind(doc) };
}

/** The name a document is listed under. */
export function displayTitle(title: string | undefined, kind: DocumentKind = 'document'): string {
  return title && title.trim() !== '' ? title : kind === 'note' ? 'Untitled note' : 'Untitled document';
}

function isControl(character: string): boolean {
  const code = character.codePointAt(0) ?? 0;
  return code < 0x20 || code === 0x7f;
}
