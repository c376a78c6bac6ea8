import type { DocumentId, DocumentRole } from '@coffre/protocol';
import { useSignedIn } from '../account/AccountContext.tsx';
import { DialogButton } from '../ui/DialogButton.tsx';
import { useAccountWorkspace } from '../workspace/WorkspaceContext.tsx';
import { ShareDialog } from './ShareDialog.tsx';

/** The document screen's Share button and the dialog it opens. */
export function ShareButton({ documentId, role }: { documentId: DocumentId; role: DocumentRole }) {
  const accountWorkspace = useAccountWorkspace();
  const { session } = useSignedIn();
  return (
    <DialogButton
      label="Share"
      className={role === 'owner' ? 'button button-primary' : 'button button-quiet'}
      dialog={(close) => (
        <ShareDialog
          documentId={documentId}
          role={role}
          accountWorkspace={accountWorkspace}
          session={session}
          onClose={close}
        />
      )}
    />
  );
}
