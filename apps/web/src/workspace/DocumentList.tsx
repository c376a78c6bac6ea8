import { type FormEvent, useCallback, useEffect, useState, useSyncExternalStore } from 'react';
import type { SignedInState } from '../account/AccountController.ts';
import { Link } from '../router/Link.tsx';
import { documentRoute } from '../router/routes.ts';
import { navigate } from '../router/useHashLocation.ts';
import { Modal } from '../sharing/Modal.tsx';
import { describeError } from '../ui/describeError.ts';
import { formatDate } from '../ui/formatDate.ts';
import { BusyNotice, ErrorNotice, InfoNotice } from '../ui/Notices.tsx';
import type { DocumentListing, ListedDocument } from './AccountWorkspace.ts';
import { type DocumentKind, MAX_TITLE_LENGTH, displayTitle, setTitle } from './documentMeta.ts';
import type { FolderSpace } from './FolderSpace.ts';
import {
  type Folder,
  MAX_FOLDER_NAME_LENGTH,
  createFolder,
  deleteFolder,
  folderPath,
  folderTree,
  listFolders,
  moveDocument,
  placementOf,
  renameFolder,
} from './folderTree.ts';
import { matchesQuery, matchingLine } from './searchDocuments.ts';
import { useAccountWorkspace, useWorkspaceVersion } from './WorkspaceContext.tsx';
import './documents.css';
import './folders.css';
import '../sharing/sharing.css';

export interface DocumentListProps {
  /** The signed-in account: `account` for tokens and the sharing API, `vaultKey` for local storage. */
  signedIn: SignedInState;
}

type ListState =
  { status: 'loading' } | { status: 'error'; message: string } | { status: 'ready'; listing: DocumentListing };

type KindFilter = 'all' | DocumentKind;

const ROLE_LABELS = { owner: 'Owner', editor: 'Can edit', viewer: 'Can view' } as const;
const FILTERS: [KindFilter, string][] = [
  ['all', 'All'],
  ['document', 'Documents'],
  ['note', 'Notes'],
];

const noSubscription = () => () => undefined;
const noVersion = () => 0;

/**
 * The signed-in user's documents and notes, in folders: from the relay, or
 * from this device's catalog when offline, titled from decrypted content.
 * Folders and where each document is live in the user's own encrypted
 * folder document ({@link FolderSpace}); documents shared with the user that
 * they have not placed are at the top level. Create, rename, move, delete,
 * filter by kind and search titles and text read on this device.
 */
export function DocumentList(_props: DocumentListProps) {
  const workspace = useAccountWorkspace();
  useWorkspaceVersion(workspace);
  const [state, setState] = useState<ListState>({ status: 'loading' });
  const [generation, setGeneration] = useState(0);
  const [query, setQuery] = useState('');
  const [filter, setFilter] = useState<KindFilter>('all');
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [renaming, setRenaming] = useState<{ id: string; title: string } | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [indexing, setIndexing] = useState(0);
  const [space, setSpace] = useState<FolderSpace | null>(null);
  const [folderForm, setFolderForm] = useState<{ id: string | null; name: string } | null>(null);
  const [confirmingFolder, setConfirmingFolder] = useState<string | null>(null);
  const [moving, setMoving] = useState<ListedDocument | null>(null);
  const [, setOpened] = useState(0);
  useSyncExternalStore(space?.subscribe ?? noSubscription, space?.getVersion ?? noVersion);

  const reload = useCallback(() => setGeneration((value) => value + 1), []);

  useEffect(() => {
    let current = true;
    workspace.listDocuments().then(
      (listing) => {
        if (current) setState({ status: 'ready', listing });
      },
      (caught: unknown) => {
        if (current) setState({ status: 'error', message: describeError(caught) });
      },
    );
    return () => {
      current = false;
    };
  }, [workspace, generation]);

  // Back online, or back to this tab: the relay's list may say more than this device knew.
  useEffect(() => {
    const onVisible = () => {
      if (window.document.visibilityState === 'visible') reload();
    };
    window.addEventListener('online', reload);
    window.addEventListener('offline', reload);
    window.document.addEventListener('visibilitychange', onVisible);
    return () => {
      window.removeEventListener('online', reload);
      window.removeEventListener('offline', reload);
      window.document.removeEventListener('visibilitychange', onVisible);
    };
  }, [reload]);

  const listing = state.status === 'ready' ? state.listing : null;

  // The folder document: opened once the relay lists it (or, offline, from this device if it has it).
  const wantFolders = listing !== null && (listing.hasFolders || listing.offline);
  useEffect(() => {
    if (!wantFolders || space) return;
    let current = true;
    workspace.folders(false).then(
      async (opened) => {
        await opened.whenLoaded();
        if (current) setSpace(opened);
      },
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [workspace, wantFolders, space]);

  // Reads documents this tab has not read yet, one at a time: those without a title on this device at once,
  // the others once a search needs their text.
  const wantText = query.trim() !== '';
  useEffect(() => {
    if (!listing) return;
    let current = true;
    const unread = listing.documents.filter(
      (document) => !workspace.summary(document.id) && (wantText || document.title === ''),
    );
    if (unread.length === 0) return;
    void (async () => {
      for (const [index, document] of unread.entries()) {
        if (!current || workspace.closed) break;
        setIndexing(unread.length - index);
        await workspace.read(document.id).catch(() => null);
      }
      if (current) setIndexing(0);
    })();
    return () => {
      current = false;
      setIndexing(0);
    };
  }, [workspace, listing, wantText]);

  const folders = space ? listFolders(space.doc) : [];
  const openFolderId = space?.current && folders.some((folder) => folder.id === space.current) ? space.current : null;
  const path = space ? folderPath(space.doc, openFolderId) : [];
  const openFolder = path[path.length - 1] ?? null;

  const goTo = (id: string | null) => {
    if (space) space.current = id;
    setConfirmingFolder(null);
    setFolderForm(null);
    setDone(null);
    setOpened((value) => value + 1);
  };

  const withSpace = async (): Promise<FolderSpace> => {
    if (space) return space;
    const opened = await workspace.folders(!(listing?.hasFolders ?? false));
    await opened.whenLoaded();
    setSpace(opened);
    return opened;
  };

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

  const saveFolder = async (event: FormEvent, form: { id: string | null; name: string }) => {
    event.preventDefault();
    if (form.name.trim() === '') return;
    setError(null);
    setDone(null);
    setBusy(form.id ? 'Renaming the folder…' : 'Creating the folder…');
    try {
      const opened = await withSpace();
      if (form.id) {
        renameFolder(opened.doc, form.id, form.name);
        setDone(`Folder renamed to “${form.name.trim()}”.`);
      } else {
        createFolder(opened.doc, form.name, openFolderId);
      }
      setFolderForm(null);
    } catch (caught) {
      setError(describeError(caught));
    } finally {
      setBusy(null);
    }
  };

  const removeFolder = (folder: Folder) => {
    if (!space) return;
    deleteFolder(space.doc, folder.id);
    setConfirmingFolder(null);
    setDone(`Folder “${folder.name}” was deleted; what it held is in ${openFolder ? `“${openFolder.name}”` : 'Home'}.`);
  };

  const move = async (document: ListedDocument, folderId: string | null) => {
    setError(null);
    try {
      const opened = await withSpace();
      moveDocument(opened.doc, document.id, folderId);
      const target = folderId === null ? 'Home' : `“${folders.find((folder) => folder.id === folderId)?.name ?? ''}”`;
      setDone(`Moved “${displayTitle(document.title, document.kind)}” to ${target}.`);
      setMoving(null);
    } catch (caught) {
      setError(describeError(caught));
    }
  };

  const rename = async (event: FormEvent, id: string, title: string) => {
    event.preventDefault();
    setError(null);
    setBusy('Renaming…');
    try {
      const summary = await workspace.withDocument(id, ({ engine }) => setTitle(engine.doc, title.trim()));
      if (!summary) throw new Error('not loaded');
      setRenaming(null);
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

  const remove = async (document: ListedDocument) => {
    setError(null);
    setBusy(`Deleting “${displayTitle(document.title, document.kind)}”…`);
    try {
      await workspace.deleteDocument(document.id);
      if (space) moveDocument(space.doc, document.id, null);
      setConfirming(null);
      setDone(`“${displayTitle(document.title, document.kind)}” was deleted.`);
      reload();
    } catch (caught) {
      setError(describeError(caught));
    } finally {
      setBusy(null);
    }
  };

  if (state.status === 'loading') {
    return (
      <p className="loading" role="status">
        Loading your documents…
      </p>
    );
  }
  if (state.status === 'error') {
    return (
      <div className="card">
        <ErrorNotice message={state.message} />
        <button className="button" type="button" onClick={reload}>
          Try again
        </button>
      </div>
    );
  }

  const { documents, offline } = state.listing;
  const titled = documents.map((document) => {
    const summary = workspace.summary(document.id);
    return {
      ...document,
      title: summary?.title ?? document.title,
      kind: summary?.kind ?? document.kind,
      text: summary?.text ?? '',
    };
  });
  const searching = query.trim() !== '';
  const ofKind = titled.filter((document) => filter === 'all' || document.kind === filter);
  // A search looks in every folder; otherwise the list is the open folder's.
  const shown = searching
    ? ofKind.filter((document) => matchesQuery(query, document.title, document.text))
    : ofKind.filter((document) => (space ? placementOf(space.doc, document.id, folders) : null) === openFolderId);
  const subfolders = searching ? [] : folders.filter((folder) => folder.parent === openFolderId);
  const itemsIn = (folderId: string) =>
    folders.filter((folder) => folder.parent === folderId).length +
    (space ? titled.filter((document) => placementOf(space.doc, document.id, folders) === folderId).length : 0);
  const cannotCreate = offline ? 'Creating a document needs the relay: you are offline.' : undefined;
  const cannotFolder =
    offline && !space ? 'Your folders have not been opened on this device yet: go online once first.' : undefined;
  const kindWord = filter === 'note' ? 'note' : 'document';

  const newButtons = (
    <>
      <button
        className="button"
        type="button"
        disabled={busy !== null || cannotFolder !== undefined}
        title={cannotFolder}
        onClick={() => {
          setDone(null);
          setConfirmingFolder(null);
          setFolderForm({ id: null, name: '' });
        }}
      >
        New folder
      </button>
      <button
        className="button"
        type="button"
        disabled={busy !== null || offline}
        title={cannotCreate}
        onClick={() => void create('note')}
      >
        New note
      </button>
      <button
        className="button button-primary"
        type="button"
        disabled={busy !== null || offline}
        title={cannotCreate}
        onClick={() => void create('document')}
      >
        New document
      </button>
    </>
  );

  const folderNameForm = folderForm ? (
    <form
      className="rename-form folder-form"
      aria-label={folderForm.id ? 'Rename folder' : 'New folder'}
      onSubmit={(event) => void saveFolder(event, folderForm)}
    >
      <FolderIcon />
      <input
        className="input-box"
        aria-label="Folder name"
        placeholder="Folder name"
        value={folderForm.name}
        maxLength={MAX_FOLDER_NAME_LENGTH}
        autoFocus
        onChange={(event) => setFolderForm({ id: folderForm.id, name: event.target.value })}
        onKeyDown={(event) => {
          if (event.key === 'Escape') setFolderForm(null);
        }}
      />
      <button className="button button-primary" type="submit" disabled={busy !== null || folderForm.name.trim() === ''}>
        {folderForm.id ? 'Save' : 'Create folder'}
      </button>
      <button className="button" type="button" onClick={() => setFolderForm(null)}>
        Cancel
      </button>
    </form>
  ) : null;

  if (documents.length === 0 && folders.length === 0) {
    return (
      <>
        {offline ? <OfflineNotice /> : null}
        <ErrorNotice message={error} />
        {folderNameForm}
        <section className="empty-state" aria-labelledby="documents-empty-title">
          <svg className="empty-illustration" viewBox="0 0 64 64" aria-hidden="true" focusable="false">
            <rect x="14" y="8" width="36" height="48" rx="5" fill="none" stroke="currentColor" strokeWidth="2.5" />
            <path d="M22 22h20M22 30h20M22 38h12" stroke="currentColor" strokeWidth="2.5" strokeLinecap="round" />
          </svg>
          <h2 id="documents-empty-title">No documents here yet</h2>
          <p>
            No documents yet — create your first one. It is encrypted in this browser before anything is sent, and
            documents others share with you will appear here too.
          </p>
          <div className="empty-actions">{newButtons}</div>
          <BusyNotice message={busy} />
        </section>
      </>
    );
  }

  const isEmpty = subfolders.length === 0 && shown.length === 0 && !searching;
  const countText = searching
    ? shown.length === 0
      ? `No ${kindWord} matches “${query.trim()}”.`
      : `${shown.length} of ${ofKind.length} ${kindWord}${ofKind.length === 1 ? '' : 's'} match${shown.length === 1 ? 'es' : ''} “${query.trim()}”.`
    : `${[
        subfolders.length > 0 ? `${subfolders.length} folder${subfolders.length === 1 ? '' : 's'}` : '',
        shown.length > 0 || subfolders.length === 0
          ? `${shown.length} ${kindWord}${shown.length === 1 ? '' : 's'}`
          : '',
      ]
        .filter((part) => part !== '')
        .join(', ')}${openFolder ? ` in “${openFolder.name}”` : ''}`;

  return (
    <>
      <div className="documents-bar">
        <div className="documents-search">
          <svg viewBox="0 0 20 20" aria-hidden="true" focusable="false">
            <circle cx="8.5" cy="8.5" r="5.5" fill="none" stroke="currentColor" strokeWidth="2" />
            <path d="m13 13 4.5 4.5" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
          </svg>
          <input
            className="input-box"
            type="search"
            aria-label="Search documents"
            placeholder="Search titles and text"
            value={query}
            onChange={(event) => setQuery(event.target.value)}
          />
        </div>
        {newButtons}
      </div>
      <div className="folders-bar">
        <nav className="breadcrumb" aria-label="Folders">
          <ol>
            <li>
              {openFolder ? (
                <button className="breadcrumb-link" type="button" onClick={() => goTo(null)}>
                  Home
                </button>
              ) : (
                <span aria-current="page">Home</span>
              )}
            </li>
            {path.map((folder) => (
              <li key={folder.id}>
                <span className="breadcrumb-separator" aria-hidden="true">
                  /
                </span>
                {folder.id === openFolderId ? (
                  <span aria-current="page">{folder.name}</span>
                ) : (
                  <button className="breadcrumb-link" type="button" onClick={() => goTo(folder.id)}>
                    {folder.name}
                  </button>
                )}
              </li>
            ))}
          </ol>
        </nav>
        <div className="kind-filter" role="group" aria-label="Show">
          {FILTERS.map(([value, label]) => (
            <button
              key={value}
              className="kind-filter-button"
              type="button"
              aria-pressed={filter === value}
              onClick={() => setFilter(value)}
            >
              {label}
            </button>
          ))}
        </div>
      </div>
      {offline ? <OfflineNotice /> : null}
      {done ? <InfoNotice>{done}</InfoNotice> : null}
      <ErrorNotice message={error} />
      <BusyNotice message={busy} />
      {folderNameForm && folderForm?.id === null ? folderNameForm : null}
      <p className="documents-count" role="status">
        {isEmpty ? '' : countText}
        {indexing > 0 ? ` · reading ${indexing} on this device for search…` : ''}
      </p>
      {isEmpty ? (
        <section className="empty-state folder-empty" aria-labelledby="folder-empty-title">
          <svg className="empty-illustration" viewBox="0 0 64 64" aria-hidden="true" focusable="false">
            <path
              d="M8 18a4 4 0 0 1 4-4h13l5 6h22a4 4 0 0 1 4 4v24a4 4 0 0 1-4 4H12a4 4 0 0 1-4-4Z"
              fill="none"
              stroke="currentColor"
              strokeWidth="2.5"
              strokeLinejoin="round"
            />
          </svg>
          <h2 id="folder-empty-title">
            {openFolder
              ? `“${openFolder.name}” is empty`
              : filter === 'note'
                ? 'No notes here'
                : filter === 'document'
                  ? 'No documents here'
                  : 'Nothing here'}
          </h2>
          <p>
            {openFolder
              ? 'Create a document, a note or a folder in it with the buttons above, or use “Move to…” on a document elsewhere to put it here.'
              : 'Create one with the buttons above, or open a folder.'}
          </p>
        </section>
      ) : (
        <ul className="list documents-list" aria-label="Your documents">
          {subfolders.map((folder) => (
            <li key={folder.id} className="list-row folder-row">
              {folderForm?.id === folder.id ? (
                folderNameForm
              ) : (
                <>
                  <FolderIcon />
                  <div className="list-main">
                    <div className="list-title">
                      <button
                        className="folder-link"
                        type="button"
                        aria-label={`Open folder ${folder.name}`}
                        onClick={() => goTo(folder.id)}
                      >
                        {folder.name}
                      </button>
                    </div>
                    <div className="list-meta">
                      Folder · {itemsIn(folder.id)} item{itemsIn(folder.id) === 1 ? '' : 's'}
                    </div>
                  </div>
                  {confirmingFolder === folder.id ? (
                    <div key="confirm" className="confirm" role="group" aria-label={`Delete folder ${folder.name}?`}>
                      <span>
                        Delete the folder? What it holds goes to {openFolder ? `“${openFolder.name}”` : 'Home'}.
                      </span>
                      <button
                        className="button button-danger"
                        type="button"
                        autoFocus
                        onClick={() => removeFolder(folder)}
                      >
                        Delete folder
                      </button>
                      <button className="button" type="button" onClick={() => setConfirmingFolder(null)}>
                        Cancel
                      </button>
                    </div>
                  ) : (
                    <div key="actions" className="row-actions">
                      <button
                        className="button button-quiet"
                        type="button"
                        aria-label={`Rename folder ${folder.name}`}
                        onClick={() => {
                          setDone(null);
                          setFolderForm({ id: folder.id, name: folder.name });
                        }}
                      >
                        Rename
                      </button>
                      <button
                        className="button button-quiet"
                        type="button"
                        aria-label={`Delete folder ${folder.name}`}
                        onClick={() => {
                          setDone(null);
                          setConfirmingFolder(folder.id);
                        }}
                      >
                        Delete
                      </button>
                    </div>
                  )}
                </>
              )}
            </li>
          ))}
          {shown.map((document) => {
            const title = displayTitle(document.title, document.kind);
            const snippet = searching ? matchingLine(query, document.text) : null;
            const canDelete = document.role === 'owner';
            return (
              <li key={document.id} className="list-row">
                {renaming?.id === document.id ? (
                  <form
                    className="rename-form"
                    onSubmit={(event) => void rename(event, document.id, renaming.title)}
                    aria-label={`Rename ${title}`}
                  >
                    <input
                      className="input-box"
                      aria-label="New title"
                      value={renaming.title}
                      maxLength={MAX_TITLE_LENGTH}
                      autoFocus
                      onChange={(event) => setRenaming({ id: document.id, title: event.target.value })}
                      onKeyDown={(event) => {
                        if (event.key === 'Escape') setRenaming(null);
                      }}
                    />
                    <button className="button button-primary" type="submit" disabled={busy !== null}>
                      Save
                    </button>
                    <button className="button" type="button" onClick={() => setRenaming(null)}>
                      Cancel
                    </button>
                  </form>
                ) : (
                  <>
                    {document.kind === 'note' ? <NoteIcon /> : <DocumentIcon />}
                    <div className="list-main">
                      <div className="list-title">
                        <Link
                          to={documentRoute(document.id)}
                          className={`document-link${document.title.trim() === '' ? ' document-untitled' : ''}`}
                        >
                          {title}
                        </Link>
                        {document.kind === 'note' ? <span className="badge badge-note">Note</span> : null}
                        {document.role && document.role !== 'owner' ? (
                          <span className="badge">{ROLE_LABELS[document.role]}</span>
                        ) : null}
                      </div>
                      <div className="list-meta">
                        {snippet ? (
                          <span className="document-snippet">{snippet}</span>
                        ) : document.createdAt ? (
                          `Created ${formatDate(document.createdAt)}`
                        ) : (
                          'Kept on this device'
                        )}
                      </div>
                    </div>
                    {confirming === document.id ? (
                      <div key="confirm" className="confirm" role="group" aria-label={`Delete ${title}?`}>
                        <span>Delete it for everyone?</span>
                        <button
                          className="button button-danger"
                          type="button"
                          disabled={busy !== null}
                          autoFocus
                          onClick={() => void remove(document)}
                        >
                          Delete
                        </button>
                        <button className="button" type="button" onClick={() => setConfirming(null)}>
                          Cancel
                        </button>
                      </div>
                    ) : (
                      <div key="actions" className="row-actions">
                        {document.role !== 'viewer' ? (
                          <button
                            className="button button-quiet"
                            type="button"
                            aria-label={`Rename ${title}`}
                            onClick={() => {
                              setDone(null);
                              setRenaming({ id: document.id, title: document.title });
                            }}
                          >
                            Rename
                          </button>
                        ) : null}
                        {/* A viewer's row offers no action (webDocuments.e2e): it stays where it was shared, at Home. */}
                        {document.role !== 'viewer' ? (
                          <button
                            className="button button-quiet"
                            type="button"
                            aria-label={`Move ${title}`}
                            disabled={cannotFolder !== undefined}
                            title={cannotFolder}
                            onClick={() => {
                              setDone(null);
                              setMoving(document);
                            }}
                          >
                            Move to…
                          </button>
                        ) : null}
                        {canDelete ? (
                          <button
                            className="button button-quiet"
                            type="button"
                            aria-label={`Delete ${title}`}
                            disabled={offline}
                            onClick={() => {
                              setDone(null);
                              setConfirming(document.id);
                            }}
                          >
                            Delete
                          </button>
                        ) : null}
                      </div>
                    )}
                  </>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {moving ? (
        <MoveDialog
          document={moving}
          tree={space ? folderTree(space.doc) : []}
          current={space ? placementOf(space.doc, moving.id, folders) : null}
          onMove={(folderId) => void move(moving, folderId)}
          onClose={() => setMoving(null)}
        />
      ) : null}
    </>
  );
}

interface MoveDialogProps {
  document: ListedDocument;
  tree: { folder: Folder; depth: number }[];
  current: string | null;
  onMove: (folderId: string | null) => void;
  onClose: () => void;
}

/** Where to put a document: the folder tree as radio buttons (arrow keys move between them), then Move. */
function MoveDialog({ document, tree, current, onMove, onClose }: MoveDialogProps) {
  const [target, setTarget] = useState<string | null>(current);
  const title = displayTitle(document.title, document.kind);
  const options: { id: string | null; name: string; depth: number }[] = [
    { id: null, name: 'Home (no folder)', depth: 0 },
    ...tree.map(({ folder, depth }) => ({ id: folder.id, name: folder.name, depth: depth + 1 })),
  ];
  return (
    <Modal
      title={`Move “${title}”`}
      description="Folders are yours alone: they are encrypted on your devices and others do not see them."
      onClose={onClose}
    >
      <form
        className="move-form"
        onSubmit={(event) => {
          event.preventDefault();
          onMove(target);
        }}
      >
        <fieldset className="move-tree">
          <legend>Folder</legend>
          {options.map((option) => (
            <label
              key={option.id ?? ''}
              className="move-option"
              style={{ paddingInlineStart: `${option.depth * 1.5 + 0.75}rem` }}
            >
              <input
                type="radio"
                name="move-target"
                checked={target === option.id}
                data-autofocus={target === option.id ? '' : undefined}
                onChange={() => setTarget(option.id)}
              />
              {option.id === null ? <HomeIcon /> : <FolderIcon />}
              <span>{option.name}</span>
              {option.id === current ? <span className="badge">Here now</span> : null}
            </label>
          ))}
          {tree.length === 0 ? (
            <p className="move-hint">No folders yet: create one with “New folder” in the list.</p>
          ) : null}
        </fieldset>
        <div className="move-actions">
          <button className="button button-primary" type="submit" disabled={target === current}>
            Move
          </button>
          <button className="button" type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Modal>
  );
}

function OfflineNotice() {
  return (
    <InfoNotice>
      You are offline: these are the documents kept on this device. Changes are saved here and sent once the relay can
      be reached again.
    </InfoNotice>
  );
}

function DocumentIcon() {
  return (
    <svg className="document-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path
        d="M6 2.75h8.5L19.25 7.5v13a.75.75 0 0 1-.75.75h-12a.75.75 0 0 1-.75-.75V3.5A.75.75 0 0 1 6 2.75Z"
        fill="none"
        stroke="currentColor"
        strokeWidth="1.5"
      />
      <path d="M14.25 3v4.5h4.5M8.75 12h6.5M8.75 15.5h6.5" stroke="currentColor" strokeWidth="1.5" />
    </svg>
  );
}

function NoteIcon() {
  return (
    <svg className="document-icon note-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path
        d="M4.75 4.75h14.5v9.5l-5 5h-9.5Z"
        fill="none"
        stroke="currentColor"
        strokeWidth="1.5"
        strokeLinejoin="round"
      />
      <path d="M14.25 19.25v-5h5M8 9h8M8 12.5h4.5" stroke="currentColor" strokeWidth="1.5" />
    </svg>
  );
}

function FolderIcon() {
  return (
    <svg className="document-icon folder-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path
        d="M2.75 6.5a1.75 1.75 0 0 1 1.75-1.75h4.75l2 2.25h8.25a1.75 1.75 0 0 1 1.75 1.75v9.75a1.75 1.75 0 0 1-1.75 1.75h-15a1.75 1.75 0 0 1-1.75-1.75Z"
        fill="currentColor"
        fillOpacity="0.15"
        stroke="currentColor"
        strokeWidth="1.5"
        strokeLinejoin="round"
      />
    </svg>
  );
}

function HomeIcon() {
  return (
    <svg className="document-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path
        d="M3.75 11 12 4l8.25 7M6 9.25v10h4.5v-5.5h3v5.5H18v-10"
        fill="none"
        stroke="currentColor"
        strokeWidth="1.5"
        strokeLinejoin="round"
      />
    </svg>
  );
}
