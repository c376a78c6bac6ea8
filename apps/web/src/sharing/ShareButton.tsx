import { useState } from 'react';
import type { DocumentRole } from '@coffre/protocol';
import { useSignedIn } from '../account/AccountContext.tsx';
import { useAccountWorkspace } from '../workspace/WorkspaceContext.tsx';
import { ShareDialog } from './ShareDialog.tsx';

/** The document screen's Share button and the dialog it opens. */
export function ShareButton({ documentId, role }: { documentId: string; role: DocumentRole }) {
  const accountWorkspace = useAccountWorkspace();
  const { session } = useSignedIn();
  const [open, setOpen] = useState(false);
  return (
    <>
      <button
        className={role === 'owner' ? 'button button-primary' : 'button button-quiet'}
        type="button"
        aria-haspopup="dialog"
        onClick={() => setOpen(true)}
      >
        Share
      </button>
      {open ? (
        <ShareDialog
          documentId={documentId}
          role={role}
          accountWorkspace={accountWorkspace}
          session={session}
          onClose={() => setOpen(false)}
        />
      ) : null}
    </>
  );
}
