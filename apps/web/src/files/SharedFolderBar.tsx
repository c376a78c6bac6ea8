import { useState, useSyncExternalStore } from 'react';
import { MAX_FILE_NAME_LENGTH } from '@coffre/client';
import { useSignedIn } from '../account/AccountContext.tsx';
import { ShareDialog } from '../sharing/ShareDialog.tsx';
import { DialogButton } from '../ui/DialogButton.tsx';
import { describeError } from '../ui/describeError.ts';
import { NameForm } from '../ui/NameForm.tsx';
import { BusyNotice, ErrorNotice } from '../ui/Notices.tsx';
import { useAccountWorkspace } from '../workspace/WorkspaceContext.tsx';
import type { DriveView } from './DriveView.ts';

const BAR_NOTES = {
  owner: 'You own it',
  editor: 'You can edit',
  viewer: 'You can view: files open and download, nothing can be added or changed',
} as const;

/**
 * Above a shared folder: the way back to the user's own files, its name,
 * the user's role, Share, Rename (owners and editors: the name is sealed in
 * the folder, so every member sees the new one) and Delete (owners: for
 * every member, with its files).
 */
export function SharedFolderBar({ view, onBack }: { view: DriveView; onBack: () => void }) {
  const accountWorkspace = useAccountWorkspace();
  const { session } = useSignedIn();
  useSyncExternalStore(view.subscribe, view.getVersion);
  const { role } = view;
  const name = view.name || 'Shared folder';
  const [renaming, setRenaming] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const rename = () => {
    if (renaming === null || renaming.trim() === '') return;
    view.rename(renaming.trim());
    setRenaming(null);
  };

  const remove = async () => {
    setError(null);
    setDeleting(true);
    try {
      await accountWorkspace.deleteSharedFolder(view.id);
      onBack();
    } catch (failure) {
      setError(describeError(failure));
      setDeleting(false);
      setConfirming(false);
    }
  };

  return (
    <>
      <div className="shared-folder-bar">
        <button className="button button-quiet" type="button" onClick={onBack}>
          ← My files
        </button>
        {renaming === null ? (
          <h2 className="files-view-title">
            {name} <span className="badge badge-brand">Shared</span>
          </h2>
        ) : (
          <NameForm
            label="Rename the shared folder"
            inputLabel="Shared folder name"
            value={renaming}
            maxLength={MAX_FILE_NAME_LENGTH}
            submitLabel="Save"
            folderIcon
            onChange={setRenaming}
            onSubmit={rename}
            onCancel={() => setRenaming(null)}
          />
        )}
        <span className="shared-folder-role">{BAR_NOTES[role]}</span>
        {confirming ? (
          <div className="confirm" role="group" aria-label={`Delete ${name}?`}>
            <span>Delete this folder and its files for every member?</span>
            <button
              className="button button-danger"
              type="button"
              disabled={deleting}
              autoFocus
              onClick={() => void remove()}
            >
              Delete
            </button>
            <button className="button" type="button" disabled={deleting} onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </div>
        ) : (
          <div className="shared-folder-actions">
            {role !== 'viewer' && renaming === null ? (
              <button
                className="button button-quiet"
                type="button"
                aria-label={`Rename shared folder ${name}`}
                onClick={() => setRenaming(view.name)}
              >
                Rename
              </button>
            ) : null}
            {role === 'owner' ? (
              <button
                className="button button-quiet"
                type="button"
                aria-label={`Delete shared folder ${name}`}
                onClick={() => setConfirming(true)}
              >
                Delete
              </button>
            ) : null}
            <DialogButton
              label="Share"
              className={role === 'owner' ? 'button button-primary' : 'button button-quiet'}
              dialog={(close) => (
                <ShareDialog
                  documentId={view.id}
                  role={role}
                  accountWorkspace={accountWorkspace}
                  session={session}
                  onClose={close}
                  noun="folder"
                  onAccessRemoved={() => view.rotateSecret()}
                />
              )}
            />
          </div>
        )}
      </div>
      <ErrorNotice message={error} />
      <BusyNotice message={deleting ? 'Deleting the shared folder…' : null} />
    </>
  );
}
