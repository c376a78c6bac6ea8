import { useRef, useState } from 'react';
import type { SignedInState } from '../account/AccountController.ts';
import { FileResultRow } from '../search/FileResultRow.tsx';
import { onResultsKey, onSearchBoxKey } from '../search/resultKeys.ts';
import { useSearch } from '../search/useSearch.ts';
import { ErrorNotice, BusyNotice, InfoNotice } from '../ui/Notices.tsx';
import type { ListedDocument } from './AccountWorkspace.ts';
import { folderTree } from './folderTree.ts';
import {
  type KindFilter,
  documentListView,
  emptyFolderHeading,
  folderPath,
  itemsInFolder,
  parentName,
  searchSentence,
  titledDocuments,
} from './list/documentListModel.ts';
import { DocumentRow } from './list/DocumentRow.tsx';
import { DocumentsToolbar } from './list/DocumentsToolbar.tsx';
import { EmptyFolder, NoDocumentsYet, OfflineNotice } from './list/EmptyStates.tsx';
import { FolderBreadcrumb } from './list/FolderBreadcrumb.tsx';
import { type FolderForm, FolderNameForm } from './list/FolderNameForm.tsx';
import { FolderRow } from './list/FolderRow.tsx';
import { KindFilterGroup } from './list/KindFilterGroup.tsx';
import { MoveDialog } from './list/MoveDialog.tsx';
import { NewButtons } from './list/NewButtons.tsx';
import { useDocumentIndex } from './list/useDocumentIndex.ts';
import { useDocumentSearch } from './list/useDocumentSearch.ts';
import { useFolders } from './list/useFolders.ts';
import { useListActions } from './list/useListActions.ts';
import { useAccountWorkspace, useWorkspaceVersion } from './WorkspaceContext.tsx';
import './documents.css';
import './folders.css';

export interface DocumentListProps {
  /** The signed-in account: `account` for tokens and the sharing API, `vaultKey` for local storage. */
  signedIn: SignedInState;
}

/**
 * The signed-in user's documents and notes, in folders: from the relay, or
 * from this device's catalog when offline, titled from decrypted content.
 * Folders and where each document is live in the user's own encrypted
 * folder document ({@link FolderSpace}); documents shared with the user that
 * they have not placed are at the top level. Create, rename, move, delete,
 * filter by kind and search titles and text read on this device.
 *
 * What is shown is decided by list/documentListModel.ts; the data come from
 * the hooks beside it (listing, folders, search, actions); this component
 * keeps only which row is being renamed, confirmed or moved.
 */
export function DocumentList(_props: DocumentListProps) {
  const workspace = useAccountWorkspace();
  useWorkspaceVersion(workspace);
  const { state, reload } = useDocumentIndex(workspace);
  const listing = state.status === 'ready' ? state.listing : null;
  const folders = useFolders(workspace, listing);
  const { query, setQuery, indexing } = useDocumentSearch(workspace, listing);
  const actions = useListActions(workspace, folders, reload);
  const [filter, setFilter] = useState<KindFilter>('all');
  const [renaming, setRenaming] = useState<{ id: string; title: string } | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [folderForm, setFolderForm] = useState<FolderForm | null>(null);
  const [confirmingFolder, setConfirmingFolder] = useState<string | null>(null);
  const [moving, setMoving] = useState<ListedDocument | null>(null);
  const [searchBox, setSearchBox] = useState<HTMLInputElement | null>(null);
  const results = useRef<HTMLUListElement>(null);
  const search = useSearch(workspace, query, filter, searchBox !== null || query.trim() !== '');
  const { space, openFolder, path, placementOf } = folders;
  const busy = actions.busy !== null;

  const goTo = (id: string | null) => {
    setConfirmingFolder(null);
    setFolderForm(null);
    actions.clearDone();
    folders.open(id);
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
  const titled = titledDocuments(documents, (id) => workspace.summary(id));
  const view = documentListView({
    documents: titled,
    folders: folders.folders,
    placementOf,
    openFolder,
    filter,
    query,
    ...(search.documents ? { matches: search.documents.map((hit) => hit.id) } : {}),
  });
  const hitOf = new Map(search.documents?.map((hit) => [hit.id, hit]));
  const sentence =
    view.searching && search.files.length > 0
      ? searchSentence(query, view.shown.length, search.files.length)
      : view.countSentence;
  const indexingCount = indexing + search.pending;
  const cannotFolder =
    offline && !space ? 'Your folders have not been opened on this device yet: go online once first.' : undefined;

  const newButtons = (
    <NewButtons
      busy={busy}
      offline={offline}
      cannotFolder={cannotFolder}
      onNewFolder={() => {
        actions.clearDone();
        setConfirmingFolder(null);
        setFolderForm({ id: null, name: '' });
      }}
      onCreate={(kind) => void actions.create(kind)}
    />
  );

  const folderNameForm = folderForm ? (
    <FolderNameForm
      form={folderForm}
      busy={busy}
      onChange={setFolderForm}
      onSubmit={() => void actions.saveFolder(folderForm, () => setFolderForm(null))}
      onCancel={() => setFolderForm(null)}
    />
  ) : null;

  if (documents.length === 0 && folders.folders.length === 0) {
    return (
      <>
        {offline ? <OfflineNotice /> : null}
        <ErrorNotice message={actions.error} />
        {folderNameForm}
        <NoDocumentsYet busy={actions.busy}>{newButtons}</NoDocumentsYet>
      </>
    );
  }

  return (
    <>
      <DocumentsToolbar
        query={query}
        onQueryChange={setQuery}
        onSearchFocus={setSearchBox}
        onSearchKey={(event) => onSearchBoxKey(event, results.current)}
      >
        {newButtons}
      </DocumentsToolbar>
      <div className="folders-bar">
        <FolderBreadcrumb path={path} onOpen={goTo} />
        <KindFilterGroup filter={filter} onChange={setFilter} />
      </div>
      {offline ? <OfflineNotice /> : null}
      {actions.done ? <InfoNotice>{actions.done}</InfoNotice> : null}
      <ErrorNotice message={actions.error} />
      <BusyNotice message={actions.busy} />
      {folderNameForm && folderForm?.id === null ? folderNameForm : null}
      <p className="documents-count" role="status">
        {sentence}
        {view.searching && indexingCount > 0
          ? ` · Indexing ${indexingCount} item${indexingCount === 1 ? '' : 's'}…`
          : indexing > 0
            ? ` · reading ${indexing} on this device…`
            : ''}
      </p>
      {view.isEmpty ? (
        <EmptyFolder heading={emptyFolderHeading(openFolder, filter)} inFolder={openFolder !== null} />
      ) : (
        <ul
          ref={results}
          className="list documents-list"
          aria-label="Your documents"
          onKeyDown={view.searching ? (event) => onResultsKey(event, searchBox) : undefined}
        >
          {view.subfolders.map((folder) => (
            <FolderRow
              key={folder.id}
              folder={folder}
              items={itemsInFolder(folder.id, folders.folders, titled, placementOf)}
              renameForm={folderForm?.id === folder.id ? folderNameForm : null}
              confirmingDelete={confirmingFolder === folder.id}
              parentName={parentName(openFolder)}
              onOpen={() => goTo(folder.id)}
              onRename={() => {
                actions.clearDone();
                setFolderForm({ id: folder.id, name: folder.name });
              }}
              onAskDelete={() => {
                actions.clearDone();
                setConfirmingFolder(folder.id);
              }}
              onDelete={() => {
                setConfirmingFolder(null);
                actions.removeFolder(folder);
              }}
              onCancelDelete={() => setConfirmingFolder(null)}
            />
          ))}
          {view.shown.map((document) => (
            <DocumentRow
              key={document.id}
              document={document}
              snippet={view.searching ? (hitOf.get(document.id)?.line ?? null) : null}
              where={view.searching ? folderPath(placementOf(document.id), folders.folders) || 'Home' : null}
              renaming={renaming?.id === document.id ? renaming.title : null}
              confirmingDelete={confirming === document.id}
              busy={busy}
              offline={offline}
              cannotFolder={cannotFolder}
              onRename={() => {
                actions.clearDone();
                setRenaming({ id: document.id, title: document.title });
              }}
              onRenamingChange={(title) => setRenaming({ id: document.id, title })}
              onSaveRename={() => {
                if (renaming) void actions.rename(document.id, renaming.title, () => setRenaming(null));
              }}
              onCancelRename={() => setRenaming(null)}
              onMove={() => {
                actions.clearDone();
                setMoving(document);
              }}
              onAskDelete={() => {
                actions.clearDone();
                setConfirming(document.id);
              }}
              onDelete={() => void actions.remove(document, () => setConfirming(null))}
              onCancelDelete={() => setConfirming(null)}
            />
          ))}
          {view.searching ? search.files.map((hit) => <FileResultRow key={hit.id} hit={hit} />) : null}
        </ul>
      )}
      {moving ? (
        <MoveDialog
          document={moving}
          tree={space ? folderTree(space.doc) : []}
          current={placementOf(moving.id)}
          onMove={(folderId) => void actions.move(moving, folderId, () => setMoving(null))}
          onClose={() => setMoving(null)}
        />
      ) : null}
    </>
  );
}
