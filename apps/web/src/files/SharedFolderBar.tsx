import { useSignedIn } from '../account/AccountContext.tsx';
import { ShareDialog } from '../sharing/ShareDialog.tsx';
import { DialogButton } from '../ui/DialogButton.tsx';
import { useAccountWorkspace } from '../workspace/WorkspaceContext.tsx';
import type { DriveView } from './DriveView.ts';

const BAR_NOTES = {
  owner: 'You own it',
  editor: 'You can edit',
  viewer: 'You can view: files open and download, nothing can be added or changed',
} as const;

/** Above a shared folder: the way back to the user's own files, its name, the user's role, and Share. */
export function SharedFolderBar({ view, onBack }: { view: DriveView; onBack: () => void }) {
  const accountWorkspace = useAccountWorkspace();
  const { session } = useSignedIn();
  const { role } = view;
  return (
    <div className="shared-folder-bar">
      <button className="button button-quiet" type="button" onClick={onBack}>
        ← My files
      </button>
      <h2 className="files-view-title">
        {view.name || 'Shared folder'} <span className="badge badge-brand">Shared</span>
      </h2>
      <span className="shared-folder-role">{BAR_NOTES[role]}</span>
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
  );
}
