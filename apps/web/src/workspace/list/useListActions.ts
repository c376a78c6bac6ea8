import { useState } from 'react';
import type { DocumentId } from '@coffre/protocol';
import { documentRoute } from '../../router/routes.ts';
import { navigate } from '../../router/useHashLocation.ts';
import { describeError } from '../../ui/describeError.ts';
import type { AccountWorkspace, ListedDocument } from '../AccountWorkspace.ts';
import { type DocumentKind, displayTitle, setTitle } from '../documentMeta.ts';
import { type Folder, createFolder, deleteFolder, moveDocument, renameFolder } from '../folderTree.ts';
import { parentName } from './documentListModel.ts';
import type { Folders } from './useFolders.ts';

/** What the list says about the last action: in progress, failed, or done. */
export interface ListFeedback {
  busy: string | null;
  error: string | null;
  done: string | null;
  /** Forgets the last "done" sentence (a new step begins). */
  clearDone: () => void;
}

export interface ListActions extends ListFeedback {
  /** Creates a document or a note in the open folder and opens it. */
  create: (kind: DocumentKind) => Promise<void>;
  /** Creates a folder in the open folder (`id` null) or renames one; `onSaved` closes the form. */
  saveFolder: (form: { id: string | null; name: string }, onSaved: () => void) => Promise<void>;
  /** Deletes a folder; what it held goes to the open folder. */
  removeFolder: (folder: Folder) => void;
  move: (document: ListedDocument, folderId: string | null, onMoved: () => void) => Promise<void>;
  rename: (id: DocumentId, title: string, onRenamed: () => void) => Promise<void>;
  /** Deletes a document for everyone, then lists again. */
  remove: (document: ListedDocument, onRemoved: () => void) => Promise<void>;
}

/**
 * The list's actions on documents and folders, each saying what it does
 * while it runs (`busy`), what went wrong (`error`) or what it did (`done`).
 */
export function useListActions(workspace: AccountWorkspace, folders: Folders, reload: () => void): ListActions {
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const { space, openFolder, ensureSpace } = folders;
  const openFolderId = openFolder?.id ?? null;

  const create = async (kind: DocumentKind) => {
    setError(null);
    setDone(null);
    setBusy(kind === 'note' ? 'Creating an encrypted note…' : 'Creating an encrypted document…');
    try {
      const id = await workspace.createDocument(kind);
      if (space && openFolderId !== null) moveDocument(space.doc, id, openFolderId);
      navigate(documentRoute(id));
    } catch (caught) {
      setError(describeError(caught));
      setBusy(null);
    }
  };

  const saveFolder = async (form: { id: string | null; name: string }, onSaved: () => void) => {
    if (form.name.trim() === '') return;
    setError(null);
    setDone(null);
    setBusy(form.id ? 'Renaming the folder…' : 'Creating the folder…');
    try {
      const opened = await ensureSpace();
      if (form.id) {
        renameFolder(opened.doc, form.id, form.name);
        setDone(`Folder renamed to “${form.name.trim()}”.`);
      } else {
        createFolder(opened.doc, form.name, openFolderId);
      }
      onSaved();
    } catch (caught) {
      setError(describeError(caught));
    } finally {
      setBusy(null);
    }
  };

  const removeFolder = (folder: Folder) => {
    if (!space) return;
    deleteFolder(space.doc, folder.id);
    setDone(`Folder “${folder.name}” was deleted; what it held is in ${parentName(openFolder)}.`);
  };

  const move = async (document: ListedDocument, folderId: string | null, onMoved: () => void) => {
    setError(null);
    try {
      const opened = await ensureSpace();
      moveDocument(opened.doc, document.id, folderId);
      const target =
        folderId === null ? 'Home' : `“${folders.folders.find((folder) => folder.id === folderId)?.name ?? ''}”`;
      setDone(`Moved “${displayTitle(document.title, document.kind)}” to ${target}.`);
      onMoved();
    } catch (caught) {
      setError(describeError(caught));
    }
  };

  const rename = async (id: DocumentId, title: string, onRenamed: () => void) => {
    setError(null);
    setBusy('Renaming…');
    try {
      const summary = await workspace.withDocument(id, ({ engine }) => setTitle(engine.doc, title.trim()));
      if (!summary) throw new Error('not loaded');
      onRenamed();
      setDone(`Renamed to “${displayTitle(summary.title, summary.kind)}”.`);
    } catch (caught) {
      setError(
        caught instanceof Error && caught.message === 'not loaded'
          ? 'This document could not be opened on this device to rename it. Try again once you are online.'
          : describeError(caught),
      );
    } finally {
      setBusy(null);
    }
  };

  const remove = async (document: ListedDocument, onRemoved: () => void) => {
    setError(null);
    setBusy(`Deleting “${displayTitle(document.title, document.kind)}”…`);
    try {
      await workspace.deleteDocument(document.id);
      if (space) moveDocument(space.doc, document.id, null);
      onRemoved();
      setDone(`“${displayTitle(document.title, document.kind)}” was deleted.`);
      reload();
    } catch (caught) {
      setError(describeError(caught));
    } finally {
      setBusy(null);
    }
  };

  return { busy, error, done, clearDone: () => setDone(null), create, saveFolder, removeFolder, move, rename, remove };
}
