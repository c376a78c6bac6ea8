import { useEffect, useId, useState, useSyncExternalStore } from 'react';
import { MAX_FILE_NAME_LENGTH } from '@coffre/client';
import type { DocumentId, DocumentRole } from '@coffre/protocol';
import { describeError } from '../ui/describeError.ts';
import { FolderIcon } from '../ui/icons.tsx';
import { NameForm } from '../ui/NameForm.tsx';
import { BusyNotice, ErrorNotice } from '../ui/Notices.tsx';
import type { AccountWorkspace } from '../workspace/AccountWorkspace.ts';
import { useAccountWorkspace } from '../workspace/WorkspaceContext.tsx';
import type { DriveView } from './DriveView.ts';

/** A shared folder as its row shows it: open (its name is sealed in it, and may still be on its way) and who shares it. */
export interface ListedSharedFolder {
  id: DocumentId;
  role: DocumentRole;
  view: DriveView;
  /** The owner's email; null when the user owns it. */
  sharedBy: string | null;
}

export const ROLE_NOTES: Record<DocumentRole, string> = {
  owner: 'you own it',
  editor: 'you can edit',
  viewer: 'you can view',
};

/** The shared folders the user is a member of, named and with their owner (read from the relay and each folder). */
export async function listSharedFolders(accountWorkspace: AccountWorkspace): Promise<ListedSharedFolder[]> {
  const workspace = await accountWorkspace.workspace();
  const folders = await accountWorkspace.sharedFolders();
  return Promise.all(
    folders.map(async ({ id, role }) => {
      const [view, members] = await Promise.all([
        accountWorkspace.sharedFolder(id).then(async (opened) => {
          await opened.whenLoaded();
          return opened;
        }),
        role === 'owner' ? Promise.resolve([]) : workspace.members(id).catch(() => []),
      ]);
      const owner = members.find((member) => member.role === 'owner');
      return { id, role, view, sharedBy: role === 'owner' ? null : (owner?.email ?? 'someone') };
    }),
  );
}

/**
 * The top of the user's own Files: their shared folders, each a space of
 * its own shared with members like a document, and a way to make one.
 */
export function SharedFolders({ onOpen }: { onOpen: (id: DocumentId) => void }) {
  const accountWorkspace = useAccountWorkspace();
  const headingId = useId();
  const [folders, setFolders] = useState<ListedSharedFolder[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [naming, setNaming] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);

  useEffect(() => {
    let live = true;
    listSharedFolders(accountWorkspace).then(
      (listed) => {
        if (live) setFolders(listed);
      },
      (failure: unknown) => {
        if (live) setError(describeError(failure));
      },
    );
    return () => {
      live = false;
    };
  }, [accountWorkspace]);

  const create = async () => {
    if (naming === null || naming.trim() === '') return;
    setError(null);
    setCreating(true);
    try {
      onOpen(await accountWorkspace.createSharedFolder(naming.trim()));
    } catch (failure) {
      setError(describeError(failure));
      setCreating(false);
    }
  };

  return (
    <section className="shared-folders" aria-labelledby={headingId}>
      <div className="shared-folders-bar">
        <h2 id={headingId} className="files-view-title">
          Shared folders
        </h2>
        {naming === null ? (
          <button className="button" type="button" onClick={() => setNaming('')}>
            New shared folder
          </button>
        ) : null}
      </div>
      {naming !== null ? (
        <NameForm
          label="New shared folder"
          inputLabel="Shared folder name"
          placeholder="Shared folder name"
          value={naming}
          maxLength={MAX_FILE_NAME_LENGTH}
          submitLabel="Create shared folder"
          busy={creating}
          folderIcon
          onChange={setNaming}
          onSubmit={() => void create()}
          onCancel={() => setNaming(null)}
        />
      ) : null}
      <ErrorNotice message={error} />
      <BusyNotice message={creating ? 'Creating the shared folder…' : folders === null && !error ? 'Loading…' : null} />
      {folders && folders.length === 0 && naming === null ? (
        <p className="shared-folders-empty">
          A shared folder has its own members, like a document: what you put in it is encrypted for them only.
        </p>
      ) : null}
      {folders && folders.length > 0 ? (
        <ul className="list documents-list" aria-label="Shared folders">
          {folders.map((folder) => (
            <SharedFolderRow key={folder.id} folder={folder} onOpen={onOpen} />
          ))}
        </ul>
      ) : null}
    </section>
  );
}

function SharedFolderRow({ folder, onOpen }: { folder: ListedSharedFolder; onOpen: (id: DocumentId) => void }) {
  // The name arrives with the folder's content, from this device or the relay.
  useSyncExternalStore(folder.view.subscribe, folder.view.getVersion);
  const name = folder.view.name;
  return (
    <li className="list-row">
      <span className="file-thumbnail">
        <FolderIcon />
      </span>
      <div className="list-main">
        <div className="list-title">
          <button
            className="document-link folder-open"
            type="button"
            aria-label={`Open shared folder ${name || 'without a name yet'}`}
            onClick={() => onOpen(folder.id)}
          >
            {name || 'Shared folder'}
          </button>
          <span className="badge badge-brand">Shared</span>
        </div>
        <div className="list-meta">
          {folder.sharedBy === null ? 'Shared by you' : `Shared by ${folder.sharedBy}`} · {ROLE_NOTES[folder.role]}
        </div>
      </div>
    </li>
  );
}
