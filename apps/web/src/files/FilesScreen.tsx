import { type DragEvent, type MouseEvent, useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { type DriveFile, type DriveFolder, type DriveNode, MAX_FILE_NAME_LENGTH } from '@coffre/client';
import { describeError } from '../ui/describeError.ts';
import { NameForm } from '../ui/NameForm.tsx';
import { EmptyFolderIllustration, FolderIcon } from '../ui/icons.tsx';
import { BusyNotice, ErrorNotice, InfoNotice } from '../ui/Notices.tsx';
import { PageHeading } from '../ui/PageHeading.tsx';
import { FolderBreadcrumb } from '../workspace/list/FolderBreadcrumb.tsx';
import { useAccountWorkspace } from '../workspace/WorkspaceContext.tsx';
import type { DocumentId } from '@coffre/protocol';
import type { DriveView } from './DriveView.ts';
import { DownloadButton } from './DownloadButton.tsx';
import { FilePreview } from './FilePreview.tsx';
import { MoveToSpaceDialog } from './MoveToSpaceDialog.tsx';
import { SharedFolderBar } from './SharedFolderBar.tsx';
import { SharedFolders } from './SharedFolders.tsx';
import { NodeThumbnail } from './NodeThumbnail.tsx';
import { FileTypeIcon } from './FileTypeIcon.tsx';
import { formatBytes, formatDay, itemCount } from './formatFile.ts';
import { previewKindOf } from './previewKinds.ts';
import { ACTIVE_STATES, uploadStatus } from './uploadStatus.ts';
import { useSaveFile } from './useSaveFile.ts';
import { VersionsDialog } from './VersionsDialog.tsx';
import './files.css';

/** The Files screen; `show` opens it at a node (from the search): a folder's content, or a file's preview in its folder. */
export function FilesScreen({ show }: { show?: string }) {
  const workspace = useAccountWorkspace();
  const [view, setView] = useState<DriveView | null>(null);
  const [error, setError] = useState<string | null>(null);
  /** The shared folder open, or null for the user's own files. */
  const [space, setSpace] = useState<DocumentId | null>(null);
  const [ownDrive, setOwnDrive] = useState<DocumentId | null>(null);
  // A search result is in the user's own files.
  useEffect(() => {
    if (show !== undefined) setSpace(null);
  }, [show]);
  useEffect(() => {
    let live = true;
    setView(null);
    setError(null);
    void workspace.driveDocumentId().then(setOwnDrive);
    (space === null ? workspace.drive() : workspace.sharedFolder(space)).then(
      async (opened) => {
        await opened.whenLoaded();
        if (live) setView(opened);
      },
      (failure: unknown) => {
        if (live) setError(describeError(failure));
      },
    );
    return () => {
      live = false;
    };
  }, [workspace, space]);
  return (
    <>
      <header className="page-header">
        <PageHeading>Files</PageHeading>
        <p className="page-lede">
          Encrypted on this device before they are sent: the relay never sees a file&rsquo;s name, content or folder.
        </p>
      </header>
      {view && ownDrive ? (
        <FileBrowser
          key={`${view.id}:${show ?? ''}`}
          view={view}
          ownDriveId={ownDrive}
          onOpenSpace={setSpace}
          show={view.id === ownDrive ? show : undefined}
        />
      ) : (
        <ErrorNotice message={error} />
      )}
      {!view && !error ? <BusyNotice message="Opening your files…" /> : null}
    </>
  );
}

/** The open folder of the Drive: its folders and files, uploads in progress, and what can be done to each. */
function FileBrowser({
  view,
  ownDriveId,
  onOpenSpace,
  show,
}: {
  view: DriveView;
  ownDriveId: DocumentId;
  /** Opens a shared folder, or (null) the user's own files. */
  onOpenSpace: (id: DocumentId | null) => void;
  /** A node to open at (from the search): a folder's content, or a file's preview in its folder. */
  show: string | undefined;
}) {
  useSyncExternalStore(view.subscribe, view.getVersion);
  const { space, canWrite } = view;
  const own = view.id === ownDriveId;
  const [moving, setMoving] = useState<DriveNode | null>(null);
  const shown = show === undefined ? null : space.get(show);
  const [folder, setFolder] = useState<string | null>(
    shown ? (shown.kind === 'folder' ? shown.id : shown.parent) : view.current,
  );
  const [naming, setNaming] = useState<Naming | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [trashed, setTrashed] = useState<DriveNode | null>(null);
  const [dragging, setDragging] = useState(false);
  const [showTrash, setShowTrash] = useState(false);
  /** The file shown in the preview dialog, and the one whose name gets the focus back when it closes. */
  const [previewing, setPreviewing] = useState<string | null>(shown?.kind === 'file' ? shown.id : null);
  const [lastPreviewed, setLastPreviewed] = useState<string | null>(previewing);
  const [versionsOf, setVersionsOf] = useState<DriveFile | null>(null);
  const picker = useRef<HTMLInputElement>(null);
  const list = useRef<HTMLUListElement>(null);
  const closePreview = useCallback(() => setPreviewing(null), []);

  // A folder put in the trash on another device closes here too.
  const openFolder =
    folder !== null && space.get(folder)?.kind === 'folder' && !space.isTrashed(folder) ? folder : null;
  const path = openFolder === null ? [] : [...space.path(openFolder), space.get(openFolder) as DriveFolder];
  const items = space.list(openFolder);
  const files = items.filter((node): node is DriveFile => node.kind === 'file');
  const showPreview = (id: string) => {
    setPreviewing(id);
    setLastPreviewed(id);
  };
  // The dialog gives the focus back to what opened it; after stepping through files, the one shown last gets it.
  useEffect(() => {
    if (previewing !== null || lastPreviewed === null) return;
    list.current?.querySelector<HTMLElement>(`[data-file-open="${CSS.escape(lastPreviewed)}"]`)?.focus();
  }, [previewing, lastPreviewed]);
  const goTo = (id: string | null) => {
    view.current = id;
    setFolder(id);
    setTrashed(null);
  };
  const act = (work: () => void) => {
    setError(null);
    try {
      work();
    } catch (failure) {
      setError(describeError(failure));
    }
  };
  const upload = (files: readonly File[]) => {
    if (files.length === 0 || !canWrite) return;
    setError(null);
    setTrashed(null);
    void view.upload(files, openFolder);
  };
  const saving = useSaveFile(view);
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    upload([...event.dataTransfer.files]);
  };

  return (
    <div
      className={`files${dragging ? ' files-dropping' : ''}`}
      onDragOver={(event) => {
        event.preventDefault();
        setDragging(canWrite);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
    >
      {own ? null : <SharedFolderBar view={view} onBack={() => onOpenSpace(null)} />}
      <div className="documents-bar">
        <div className="files-actions">
          {canWrite ? (
            <button className="button button-primary" type="button" onClick={() => picker.current?.click()}>
              Upload files
            </button>
          ) : null}
          <input
            ref={picker}
            className="visually-hidden"
            type="file"
            multiple
            tabIndex={-1}
            aria-hidden="true"
            onChange={(event) => {
              upload([...(event.target.files ?? [])]);
              event.target.value = '';
            }}
          />
          {canWrite ? (
            <button
              className="button"
              type="button"
              onClick={() => setNaming({ id: null, of: 'New folder', name: '' })}
            >
              New folder
            </button>
          ) : null}
          <button
            className="button button-quiet"
            type="button"
            aria-pressed={showTrash}
            onClick={() => {
              setShowTrash(!showTrash);
              setTrashed(null);
            }}
          >
            Trash ({space.trashed().length})
          </button>
        </div>
      </div>
      <div className="folders-bar">
        {showTrash ? <h2 className="files-view-title">Trash</h2> : <FolderBreadcrumb path={path} onOpen={goTo} />}
      </div>
      {naming ? (
        <NamingForm
          naming={naming}
          onChange={setNaming}
          onCancel={() => setNaming(null)}
          onSubmit={() =>
            act(() => {
              if (naming.id === null) space.createFolder(naming.name.trim(), openFolder);
              else space.rename(naming.id, naming.name.trim());
              setNaming(null);
            })
          }
        />
      ) : null}
      <Uploads view={view} />
      <ErrorNotice message={error ?? saving.error} />
      <BusyNotice message={saving.progress} />
      {trashed ? (
        <InfoNotice>
          “{trashed.name}” is in the trash.{' '}
          <button
            className="button button-quiet"
            type="button"
            onClick={() =>
              act(() => {
                space.restore(trashed.id);
                setTrashed(null);
              })
            }
          >
            Undo
          </button>
        </InfoNotice>
      ) : null}
      {own && openFolder === null && !showTrash ? <SharedFolders onOpen={onOpenSpace} /> : null}
      {showTrash && view.role === 'owner' ? (
        <EmptyTrash view={view} count={space.trashed().length} onError={setError} />
      ) : null}
      {showTrash ? (
        <TrashList nodes={space.trashed()} onRestore={canWrite ? (node) => act(() => space.restore(node.id)) : null} />
      ) : items.length === 0 ? (
        <div className="empty-state">
          <EmptyFolderIllustration />
          <h2>{openFolder === null ? 'No files here yet' : `“${path.at(-1)?.name ?? ''}” is empty`}</h2>
          <p>
            {canWrite ? 'Upload files with the button above, or drop them here.' : 'Files its editors add show here.'}
          </p>
        </div>
      ) : (
        <ul className="list documents-list" aria-label={own ? 'Your files' : 'Files'} ref={list}>
          {items.map((node) => (
            <li
              className={node.kind === 'file' ? 'list-row list-row-file' : 'list-row'}
              key={node.id}
              onClick={node.kind === 'file' ? (event) => openFromRow(event, () => showPreview(node.id)) : undefined}
            >
              <NodeThumbnail node={node} previews={view.previews} />
              <div className="list-main">
                <div className="list-title">
                  {node.kind === 'folder' ? (
                    <button
                      className="document-link folder-open"
                      type="button"
                      aria-label={`Open folder ${node.name}`}
                      onClick={() => goTo(node.id)}
                    >
                      {node.name}
                    </button>
                  ) : (
                    <button
                      className="document-link file-open"
                      type="button"
                      aria-haspopup="dialog"
                      data-file-open={node.id}
                      onClick={() => showPreview(node.id)}
                    >
                      {node.name}
                    </button>
                  )}
                </div>
                <div className="list-meta">
                  {node.kind === 'folder'
                    ? itemCount(space.list(node.id).length)
                    : `${formatBytes(node.latest.size)} · ${formatDay(node.latest.modifiedAt)}${
                        node.latest.version > 1 ? ` · version ${node.latest.version}` : ''
                      }${OFFLINE_NOTES[view.offlineState(node.id) ?? 'none']}`}
                </div>
              </div>
              <div className="row-actions">
                {node.kind === 'file' ? <DownloadButton file={node} save={saving.save} /> : null}
                {node.kind === 'file' ? (
                  <button
                    className="button button-quiet"
                    type="button"
                    aria-pressed={view.offlineState(node.id) !== null}
                    aria-label={`Keep offline, ${node.name}`}
                    onClick={() => {
                      const keeping = view.offlineState(node.id) !== null;
                      void (keeping ? view.stopKeeping(node) : view.keepOffline(node)).catch((failure: unknown) =>
                        setError(describeError(failure)),
                      );
                    }}
                  >
                    Keep offline
                  </button>
                ) : null}
                {node.kind === 'file' ? (
                  <button
                    className="button button-quiet"
                    type="button"
                    aria-haspopup="dialog"
                    aria-label={`Versions of ${node.name}`}
                    onClick={() => setVersionsOf(node)}
                  >
                    Versions
                  </button>
                ) : null}
                {canWrite ? (
                  <>
                    <button
                      className="button button-quiet"
                      type="button"
                      aria-haspopup="dialog"
                      aria-label={`Move to…, ${node.name}`}
                      onClick={() => setMoving(node)}
                    >
                      Move to…
                    </button>
                    <button
                      className="button button-quiet"
                      type="button"
                      aria-label={`Rename ${node.name}`}
                      onClick={() => setNaming({ id: node.id, of: `Rename ${node.name}`, name: node.name })}
                    >
                      Rename
                    </button>
                    <button
                      className="button button-quiet"
                      type="button"
                      aria-label={`Move to trash, ${node.name}`}
                      onClick={() =>
                        act(() => {
                          space.trash(node.id);
                          setTrashed(node);
                        })
                      }
                    >
                      Move to trash
                    </button>
                  </>
                ) : null}
              </div>
            </li>
          ))}
        </ul>
      )}
      {previewing !== null ? (
        <FilePreview view={view} files={files} fileId={previewing} onShow={showPreview} onClose={closePreview} />
      ) : null}
      {versionsOf !== null ? (
        <VersionsDialog view={view} file={versionsOf} onClose={() => setVersionsOf(null)} />
      ) : null}
      {moving ? (
        <MoveToSpaceDialog view={view} node={moving} ownDriveId={ownDriveId} onClose={() => setMoving(null)} />
      ) : null}
    </div>
  );
}

/** A click on a file's row opens its preview, unless it was on one of the row's own buttons. */
function openFromRow(event: MouseEvent<HTMLElement>, open: () => void): void {
  if (event.target instanceof Element && event.target.closest('button, a, input, form')) return;
  open();
}

/** What was put in the trash, newest first, each with a way back. */
/** "Empty trash": asks first, then deletes for good and says what the relay freed. */
function EmptyTrash({
  view,
  count,
  onError,
}: {
  view: DriveView;
  count: number;
  onError: (error: string | null) => void;
}) {
  const [confirming, setConfirming] = useState(false);
  const [freed, setFreed] = useState<string | null>(null);
  if (count === 0 && !view.collecting) {
    return freed ? <InfoNotice>{freed}</InfoNotice> : null;
  }
  const empty = async () => {
    setConfirming(false);
    onError(null);
    setFreed(null);
    try {
      const result = await view.emptyTrash();
      const items = result.purged.length === 1 ? '1 item' : `${result.purged.length} items`;
      setFreed(`Deleted ${items} for good; ${formatBytes(result.bytesFreed)} freed on the relay.`);
    } catch (failure) {
      onError(describeError(failure));
    }
  };
  if (view.collecting) return <BusyNotice message="Emptying the trash…" />;
  return (
    <div className="files-trash-bar">
      {confirming ? (
        <div role="alertdialog" aria-label="Empty the trash?" className="files-trash-confirm">
          <p>
            Delete the {count === 1 ? 'item' : `${count} items`} in the trash for good, on every device? This cannot be
            undone.
          </p>
          <button className="button button-danger" type="button" onClick={() => void empty()} autoFocus>
            Delete for good
          </button>
          <button className="button" type="button" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </div>
      ) : (
        <>
          <p className="files-trash-note">Items stay in the trash for 30 days, then are deleted for good.</p>
          <button className="button" type="button" onClick={() => setConfirming(true)}>
            Empty trash
          </button>
        </>
      )}
    </div>
  );
}

function TrashList({
  nodes,
  onRestore,
}: {
  nodes: readonly DriveNode[];
  /** Null for a viewer, who restores nothing. */
  onRestore: ((node: DriveNode) => void) | null;
}) {
  if (nodes.length === 0) {
    return (
      <div className="empty-state">
        <h2>The trash is empty</h2>
        <p>Files and folders you move to the trash wait here until you restore them.</p>
      </div>
    );
  }
  return (
    <ul className="list documents-list" aria-label="Trash">
      {nodes.map((node) => (
        <li className="list-row" key={node.id}>
          <span className="file-thumbnail">
            {node.kind === 'folder' ? (
              <FolderIcon />
            ) : (
              <FileTypeIcon kind={previewKindOf(node.name, node.latest.mediaType)} />
            )}
          </span>
          <div className="list-main">
            <div className="list-title">
              <span className="file-name">{node.name}</span>
            </div>
            <div className="list-meta">In the trash since {formatDay(node.trashedAt ?? 0)}</div>
          </div>
          {onRestore ? (
            <div className="row-actions">
              <button
                className="button button-quiet"
                type="button"
                aria-label={`Restore ${node.name}`}
                onClick={() => onRestore(node)}
              >
                Restore
              </button>
            </div>
          ) : null}
        </li>
      ))}
    </ul>
  );
}

/** A folder being created (`id` null), or a folder or file being renamed. */
interface Naming {
  id: string | null;
  /** What the form is for, as a screen reader says it. */
  of: string;
  name: string;
}

/** The name, inline above the list. Escape cancels. */
function NamingForm({
  naming,
  onChange,
  onSubmit,
  onCancel,
}: {
  naming: Naming;
  onChange: (naming: Naming) => void;
  onSubmit: () => void;
  onCancel: () => void;
}) {
  const folder = naming.id === null;
  return (
    <NameForm
      label={naming.of}
      inputLabel={folder ? 'Folder name' : 'New name'}
      placeholder={folder ? 'Folder name' : 'Name'}
      value={naming.name}
      maxLength={MAX_FILE_NAME_LENGTH}
      submitLabel={folder ? 'Create folder' : 'Save'}
      folderIcon={folder}
      onChange={(name) => onChange({ ...naming, name })}
      onSubmit={onSubmit}
      onCancel={onCancel}
    />
  );
}

/** Files on their way to the relay, each with a bar and pause, resume and cancel; what finished can be cleared. */
function Uploads({ view }: { view: DriveView }) {
  const { uploads, refusals, outbox } = view;
  if (uploads.length === 0 && refusals.length === 0) return null;
  const active = uploads.filter((upload) => ACTIVE_STATES.has(upload.state));
  const finished = uploads.length > active.length || refusals.length > 0;
  const total = active.reduce((sum, upload) => sum + upload.size, 0);
  const saved = active.reduce((sum, upload) => sum + upload.saved, 0);
  return (
    <section className="uploads card" aria-label="Uploads">
      {active.length > 0 ? (
        <p className="uploads-summary" role="status">
          {active.length === 1 ? '1 file' : `${active.length} files`} on the way: {formatBytes(saved)} of{' '}
          {formatBytes(total)} uploaded
        </p>
      ) : null}
      <ul className="uploads-list">
        {uploads.map((upload) => (
          <li key={upload.id} className={`upload upload-${upload.state}`}>
            <span className="upload-name">{upload.name}</span>
            <progress
              max={Math.max(1, upload.size)}
              value={upload.state === 'done' ? Math.max(1, upload.size) : upload.saved}
              aria-label={`Uploading ${upload.name}`}
            />
            <span className="upload-state">{uploadStatus(upload)}</span>
            <span className="upload-actions">
              {upload.state === 'paused' ? (
                <button className="button button-quiet" type="button" onClick={() => void outbox.resume(upload.id)}>
                  Resume<span className="visually-hidden"> {upload.name}</span>
                </button>
              ) : ACTIVE_STATES.has(upload.state) ? (
                <button className="button button-quiet" type="button" onClick={() => void outbox.pause(upload.id)}>
                  Pause<span className="visually-hidden"> {upload.name}</span>
                </button>
              ) : null}
              {ACTIVE_STATES.has(upload.state) || upload.state === 'failed' ? (
                <button className="button button-quiet" type="button" onClick={() => void outbox.cancel(upload.id)}>
                  Cancel<span className="visually-hidden"> {upload.name}</span>
                </button>
              ) : null}
            </span>
          </li>
        ))}
        {refusals.map((refusal, index) => (
          <li key={`refused-${index}`} className="upload upload-failed">
            <span className="upload-name">{refusal.name}</span>
            <span className="upload-state">{describeError(refusal.error)}</span>
          </li>
        ))}
      </ul>
      {finished ? (
        <div className="uploads-footer">
          <button className="button button-quiet" type="button" onClick={() => view.clearUploads()}>
            Clear finished
          </button>
        </div>
      ) : null}
    </section>
  );
}

/** What the file's line says about its copy on this device. */
const OFFLINE_NOTES = {
  none: '',
  fetching: ' · saving on this device…',
  kept: ' · on this device',
  failed: ' · not on this device yet (offline?)',
} as const;
