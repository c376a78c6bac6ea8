import type { LocalDocument, Session, YjsEngine } from '@coffre/client';
import type { DocumentId, DocumentRole } from '@coffre/protocol';
import { DialogButton } from '../ui/DialogButton.tsx';
import { useAccountWorkspace } from '../workspace/WorkspaceContext.tsx';
import { HistoryDialog } from './HistoryDialog.tsx';

export interface HistoryButtonProps {
  documentId: DocumentId;
  document: LocalDocument<YjsEngine>;
  role: DocumentRole;
  session: Session;
}

/** The document screen's History button and the dialog it opens. */
export function HistoryButton({ documentId, document, role, session }: HistoryButtonProps) {
  const accountWorkspace = useAccountWorkspace();
  return (
    <DialogButton
      label="History"
      className="button button-quiet"
      dialog={(close) => (
        <HistoryDialog
          documentId={documentId}
          document={document}
          role={role}
          accountWorkspace={accountWorkspace}
          session={session}
          onClose={close}
        />
      )}
    />
  );
}
