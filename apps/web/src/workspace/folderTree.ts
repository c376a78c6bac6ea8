import type * as Y from 'yjs';
import { toHex } from '@coffre/crypto';
import { type DocumentId, documentId as parseDocumentId } from '@coffre/protocol';

/**
 * The user's folders live in one private Coffre document per user (sealed
 * like any other, so folder names never reach the relay in the clear):
 * `folders` maps a folder id to its name and parent, `placement` maps a
 * document id to the folder it is in. A document not placed, or placed in a
 * folder that no longer exists, is at the top level.
 */
export const FOLDERS_FIELD = 'folders';
export const PLACEMENT_FIELD = 'placement';
export const MAX_FOLDER_NAME_LENGTH = 120;

export interface Folder {
  id: string;
  name: string;
  /** null at the top level. */
  parent: string | null;
}

interface StoredFolder {
  name: string;
  parent: string | null;
}

function foldersMap(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap(FOLDERS_FIELD);
}

function placementMap(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap(PLACEMENT_FIELD);
}

function readFolder(value: unknown): StoredFolder | null {
  if (typeof value !== 'object' || value === null) return null;
  const { name, parent } = value as Record<string, unknown>;
  if (typeof name !== 'string') return null;
  return { name, parent: typeof parent === 'string' ? parent : null };
}

/** The id of the document holding a user's folders: the same on every device of the user. */
export async function folderDocumentId(userId: string): Promise<DocumentId> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`coffre-folders:${userId}`));
  return parseDocumentId(`folders-${toHex(new Uint8Array(digest)).slice(0, 32)}`);
}

/** Every folder, by name; a folder whose parent is gone, or which sits in a loop, is at the top level. */
export function listFolders(doc: Y.Doc): Folder[] {
  const stored = new Map<string, StoredFolder>();
  for (const [id, value] of foldersMap(doc).entries()) {
    const folder = readFolder(value);
    if (folder) stored.set(id, folder);
  }
  const folders: Folder[] = [];
  for (const [id, folder] of stored) {
    let parent = folder.parent !== null && stored.has(folder.parent) ? folder.parent : null;
    // Two devices moving folders into each other offline could make a loop: cut it at the top level.
    const seen = new Set([id]);
    for (let step = parent; step !== null; step = stored.get(step)?.parent ?? null) {
      if (seen.has(step)) {
        parent = null;
        break;
      }
      seen.add(step);
    }
    folders.push({ id, name: folder.name, parent });
  }
  return folders.sort((a, b) => a.name.localeCompare(b.name));
}

export function findFolder(doc: Y.Doc, id: string | null): Folder | null {
  if (id === null) return null;
  return listFolders(doc).find((folder) => folder.id === id) ?? null;
}

/** The folders from the top level down to `id`, included. */
export function folderPath(doc: Y.Doc, id: string | null): Folder[] {
  const byId = new Map(listFolders(doc).map((folder): [string, Folder] => [folder.id, folder]));
  const path: Folder[] = [];
  for (let folder = id === null ? undefined : byId.get(id); folder;) {
    path.unshift(folder);
    folder = folder.parent === null ? undefined : byId.get(folder.parent);
  }
  return path;
}

/** Folders as a tree, depth first, each with its depth: for the Move dialog. */
export function folderTree(doc: Y.Doc): { folder: Folder; depth: number }[] {
  const folders = listFolders(doc);
  const out: { folder: Folder; depth: number }[] = [];
  const walk = (parent: string | null, depth: number) => {
    for (const folder of folders.filter((candidate) => candidate.parent === parent)) {
      out.push({ folder, depth });
      walk(folder.id, depth + 1);
    }
  };
  walk(null, 0);
  return out;
}

export function cleanFolderName(name: string): string {
  return Array.from(name, (character) => ((character.codePointAt(0) ?? 0) < 0x20 ? ' ' : character))
    .join('')
    .trim()
    .slice(0, MAX_FOLDER_NAME_LENGTH);
}

export function createFolder(doc: Y.Doc, name: string, parent: string | null): string {
  const id = toHex(crypto.getRandomValues(new Uint8Array(12)));
  doc.transact(() => foldersMap(doc).set(id, { name: cleanFolderName(name), parent }));
  return id;
}

export function renameFolder(doc: Y.Doc, id: string, name: string): void {
  const folder = readFolder(foldersMap(doc).get(id));
  if (!folder) return;
  doc.transact(() => foldersMap(doc).set(id, { name: cleanFolderName(name), parent: folder.parent }));
}

/** Deletes a folder: the folders and documents in it go to its parent. */
export function deleteFolder(doc: Y.Doc, id: string): void {
  const folder = findFolder(doc, id);
  if (!folder) return;
  doc.transact(() => {
    for (const child of listFolders(doc)) {
      if (child.parent === id) foldersMap(doc).set(child.id, { name: child.name, parent: folder.parent });
    }
    for (const [documentId, placed] of placementMap(doc).entries()) {
      if (placed !== id) continue;
      if (folder.parent === null) placementMap(doc).delete(documentId);
      else placementMap(doc).set(documentId, folder.parent);
    }
    foldersMap(doc).delete(id);
  });
}

/** The folder a document is in, null at the top level. */
export function placementOf(doc: Y.Doc, documentId: string, folders: Folder[] = listFolders(doc)): string | null {
  const placed = placementMap(doc).get(documentId);
  return typeof placed === 'string' && folders.some((folder) => folder.id === placed) ? placed : null;
}

export function moveDocument(doc: Y.Doc, documentId: string, folderId: string | null): void {
  doc.transact(() => {
    if (folderId === null) placementMap(doc).delete(documentId);
    else placementMap(doc).set(documentId, folderId);
  });
}
