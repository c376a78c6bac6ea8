import { useEffect, useState } from 'react';
import { documentIdFromInput } from '@coffre/client';
import { useSignedIn } from '../account/AccountContext.tsx';
import { Link } from '../router/Link.tsx';
import { routes } from '../router/routes.ts';
import { describeError } from '../ui/describeError.ts';
import { ErrorNotice } from '../ui/Notices.tsx';
import type { OpenedDocument } from '../workspace/AccountWorkspace.ts';
import { DocumentEditor } from '../workspace/DocumentEditor.tsx';
import { useAccountWorkspace } from '../workspace/WorkspaceContext.tsx';
import '../workspace/documents.css';

type OpenState =
  | { status: 'opening'; slow: boolean }
  | { status: 'error'; message: string }
  | { status: 'ready'; opened: OpenedDocument };

/** Seconds before the opening screen says it is waiting for the relay. */
const SLOW_OPEN_MS = 8_000;

/**
 * A document in the editor (`#/d/<id>`): its keys from the relay or, offline,
 * from this device's sealed cache; its content from IndexedDB first, then
 * synced through the relay. Closed (editor, then document) on leaving.
 */
export function DocumentScreen({ documentId }: { documentId: string }) {
  const workspace = useAccountWorkspace();
  const { session } = useSignedIn();
  const [state, setState] = useState<OpenState>({ status: 'opening', slow: false });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let current = true;
    let opened: OpenedDocument | null = null;
    let offAdmitted = () => {};
    let offRefused = () => {};
    setState({ status: 'opening', slow: false });
    const slow = setTimeout(() => {
      if (current)
        setState((previous) => (previous.status === 'opening' ? { status: 'opening', slow: true } : previous));
    }, SLOW_OPEN_MS);
    // The route checked the id's characters only: one that is no document id fails with INVALID_DOCUMENT_NAME
    // once the workspace is open (as when the workspace checked it), shown like any reason it did not open.
    workspace
      .workspace()
      .then(() => workspace.openDocument(documentIdFromInput(documentId)))
      .then(async (document) => {
        if (!current) {
          void document.document.destroy().finally(() => document.engine.destroy());
          return;
        }
        opened = document;
        // Opened from this device's keys: until the relay has let this session in once, a refusal (the user was
        // removed, the document deleted) means it cannot be opened, as when the keys came from the relay.
        let admitted = false;
        offAdmitted = document.document.on('status', (status) => {
          if (status.state === 'saved') admitted = true;
        });
        offRefused = document.document.on('error', (event) => {
          if (!admitted && current && (event.code === 'FORBIDDEN' || event.code === 'NOT_FOUND')) {
            setState({ status: 'error', message: event.message });
          }
        });
        await document.document.whenLoaded();
        if (current)
          setState((previous) => (previous.status === 'error' ? previous : { status: 'ready', opened: document }));
      })
      .catch((error: unknown) => {
        if (current) setState({ status: 'error', message: describeError(error) });
      })
      .finally(() => clearTimeout(slow));
    return () => {
      current = false;
      offAdmitted();
      offRefused();
      clearTimeout(slow);
      const closing = opened;
      // After the editor's own cleanup, so its presence goes before the document does.
      setTimeout(() => {
        if (!closing) return;
        void closing.document.destroy().finally(() => closing.engine.destroy());
      }, 0);
    };
  }, [workspace, documentId, attempt]);

  if (state.status === 'ready') {
    return (
      <DocumentEditor key={documentId} documentId={state.opened.documentId} opened={state.opened} session={session} />
    );
  }
  return (
    <>
      <nav className="doc-breadcrumb" aria-label="Breadcrumb">
        <Link to={routes.documents}>← Documents</Link>
      </nav>
      <h1 className="page-title">{state.status === 'error' ? 'This document could not be opened' : 'Opening…'}</h1>
      {state.status === 'opening' ? (
        <div className="doc-opening" role="status">
          <span className="busy-bar" aria-hidden="true" />
          <p>
            {state.slow
              ? 'Still waiting for the relay: this document is not stored on this device yet, so it needs a connection the first time.'
              : 'Decrypting the document on this device…'}
          </p>
        </div>
      ) : (
        <div className="card">
          <ErrorNotice message={state.message} />
          <div className="actions">
            <button className="button" type="button" onClick={() => setAttempt((value) => value + 1)}>
              Try again
            </button>
            <Link className="button button-quiet" to={routes.documents}>
              Back to documents
            </Link>
          </div>
        </div>
      )}
    </>
  );
}
