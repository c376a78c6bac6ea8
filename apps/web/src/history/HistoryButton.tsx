import { useState } from 'react';
import type { Session, YjsEngine } from '@coffre/client';
import type { DocumentRole } from '@coffre/protocol';
import type { LocalDocument } from '@coffre/storage';
import { useAccountWorkspace } from '../workspace/WorkspaceContext.tsx';
import { HistoryDialog } from './HistoryDialog.tsx';

export interface HistoryButtonProps {
  documentId: string;
  document: LocalDocument<YjsEngine>;
  role: DocumentRole;
  session: Session;
}

/** The document screen's History button and the dialog it opens. */
export function HistoryButton({ documentId, document, role, session }: HistoryButtonProps) {
  const accountWorkspace = useAccountWorkspace();
  const [open, setOpen] = useState(false);
  return (
    <>
      <button className="button button-quiet" type="button" aria-haspopup="dialog" onClick={() => setOpen(true)}>
        History
      </button>
      {open ? (
        <HistoryDialog
          documentId={documentId}
          document={document}
          role={role}
          accountWorkspace={accountWorkspace}
          session={session}
          onClose={() => setOpen(false)}
        />
      ) : null}
    </>
  );
}
