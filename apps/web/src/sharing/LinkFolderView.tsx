import { useCallback, useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import { type DriveFile, type DriveFolder, DriveSpace, type OpenedLink, type YjsEngine } from '@coffre/client';
import { DownloadButton } from '../files/DownloadButton.tsx';
import { FilePreview, type PreviewSource } from '../files/FilePreview.tsx';
import { FilePreviews } from '../files/FilePreviews.ts';
import { NodeThumbnail } from '../files/NodeThumbnail.tsx';
import { formatBytes, formatDay, itemCount } from '../files/formatFile.ts';
import { saveDriveFile } from '../files/saveStream.ts';
import { useSaveFile } from '../files/useSaveFile.ts';
import { BusyNotice, ErrorNotice } from '../ui/Notices.tsx';
import { PageHeading } from '../ui/PageHeading.tsx';
import { FolderBreadcrumb } from '../workspace/list/FolderBreadcrumb.tsx';
import { givenTitle } from '../workspace/documentMeta.ts';
import '../files/files.css';

/** The folder's space over the link's document, and what reads its files with the link's token. */
function useLinkFolder(opened: OpenedLink<YjsEngine>) {
  const doc = opened.document.envelope.engine.doc;
  const folder = useMemo(() => {
    const space = new DriveSpace(doc);
    const client = opened.driveClient();
    const previews = new FilePreviews(space, client);
    let version = 0;
    const source: PreviewSource = {
      previews,
      offlineState: () => null,
      save: (file, options) => saveDriveFile(space, client, file, options),
    };
    const subscribe = (listener: () => void) => {
      const changed = () => {
        version += 1;
        listener();
      };
      doc.on('update', changed);
      return () => doc.off('update', changed);
    };
    return { space, source, subscribe, getVersion: () => version };
  }, [doc, opened]);
  useSyncExternalStore(folder.subscribe, folder.getVersion);
  return folder;
}

/**
 * A shared folder opened through its share link: its folders and files,
 * each previewed or downloaded, decrypted in this tab. Read only: a link
 * may fetch the folder's chunks, never add any (the relay refuses).
 */
export function LinkFolderView({ opened }: { opened: OpenedLink<YjsEngine> }) {
  const { space, source } = useLinkFolder(opened);
  const doc = opened.document.envelope.engine.doc;
  const [current, setCurrent] = useState<string | null>(null);
  const [previewing, setPreviewing] = useState<string | null>(null);
  const closePreview = useCallback(() => setPreviewing(null), []);
  const name = givenTitle(doc) || 'Shared folder';
  useEffect(() => {
    window.document.title = `${name} · Coffre`;
  }, [name]);

  const open = current !== null && space.get(current)?.kind === 'folder' && !space.isTrashed(current) ? current : null;
  const path = open === null ? [] : [...space.path(open), space.get(open) as DriveFolder];
  const items = space.list(open);
  const files = items.filter((node): node is DriveFile => node.kind === 'file');
  const saving = useSaveFile(source);

  return (
    <div className="files link-folder">
      <header className="page-header">
        <PageHeading>{name}</PageHeading>
        <p className="page-lede">A shared folder: its files are decrypted in this tab, and nothing is kept here.</p>
      </header>
      <div className="folders-bar">
        <FolderBreadcrumb path={path} onOpen={setCurrent} />
      </div>
      <ErrorNotice message={saving.error} />
      <BusyNotice message={saving.progress} />
      {items.length === 0 ? (
        <div className="empty-state">
          <h2>Nothing here yet</h2>
          <p>Files added to this folder show here.</p>
        </div>
      ) : (
        <ul className="list documents-list" aria-label="Files">
          {items.map((node) => (
            <li className="list-row" key={node.id}>
              <NodeThumbnail node={node} previews={source.previews} />
              <div className="list-main">
                <div className="list-title">
                  <button
                    className="document-link folder-open"
                    type="button"
                    aria-haspopup={node.kind === 'file' ? 'dialog' : undefined}
                    aria-label={node.kind === 'folder' ? `Open folder ${node.name}` : undefined}
                    onClick={() => (node.kind === 'folder' ? setCurrent(node.id) : setPreviewing(node.id))}
                  >
                    {node.name}
                  </button>
                </div>
                <div className="list-meta">
                  {node.kind === 'folder'
                    ? itemCount(space.list(node.id).length)
                    : `${formatBytes(node.latest.size)} · ${formatDay(node.latest.modifiedAt)}`}
                </div>
              </div>
              {node.kind === 'file' ? (
                <div className="row-actions">
                  <DownloadButton file={node} save={saving.save} />
                </div>
              ) : null}
            </li>
          ))}
        </ul>
      )}
      {previewing !== null ? (
        <FilePreview view={source} files={files} fileId={previewing} onShow={setPreviewing} onClose={closePreview} />
      ) : null}
    </div>
  );
}
