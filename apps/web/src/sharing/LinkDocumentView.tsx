import { useEffect, useMemo, useState } from 'react';
import { DocumentAttachments, type OpenedLink, type SyncStatus, type YjsEngine } from '@coffre/client';
import type { ImageAttachments } from '@coffre/editor';
import { describeAuthor } from '../history/versionAuthors.ts';
import { NamedPresence } from '../workspace/NamedPresence.ts';
import { DocumentSurface, SyncPill, useCoffreEditor, useDocumentTitle } from '../workspace/DocumentSurface.tsx';
import { documentTitle } from '../workspace/documentMeta.ts';
import { syncStatusText } from '../workspace/syncStatusText.ts';

const LINK_GONE = new Set<string>(['FORBIDDEN', 'NOT_FOUND', 'UNAUTHENTICATED']);

/**
 * A document opened through a share link: the app's TipTap editor (from
 * @coffre/editor, with the document screen's toolbar and title field),
 * editable for edit links and read-only for view links. Nothing is kept on
 * this device: closing the tab forgets the text.
 */
export function LinkDocumentView({ opened }: { opened: OpenedLink<YjsEngine> }) {
  const { document, role } = opened;
  const doc = document.envelope.engine.doc;
  const editable = role === 'editor';
  // A reader of a view link connects read-only: no caret to publish. Carets are named "A member" and
  // "Someone with a link": a link knows no member's name.
  const presence = useMemo(() => new NamedPresence(document, (author) => describeAuthor(author, null)), [document]);
  // The document's images, read with the link's token; a link adds none (the relay takes uploads from members only).
  const attachments = useMemo<ImageAttachments>(() => {
    const images = new DocumentAttachments({ doc, documentId: opened.documentId, client: opened.driveClient() });
    return { open: (reference) => images.open(reference) };
  }, [doc, opened]);
  const editing = useCoffreEditor(doc, editable ? presence : null, { name: '' }, editable, attachments);
  const { editor } = editing;
  const [status, setStatus] = useState<SyncStatus>(() => document.status);
  const [error, setError] = useState<string | null>(null);
  const [gone, setGone] = useState(false);
  const [suggested, setSuggested] = useState(() => documentTitle(doc));
  const title = useDocumentTitle(doc, suggested, 'Shared document');

  useEffect(() => {
    const update = () => setStatus(document.status);
    update();
    const offStatus = document.on('status', update);
    const offError = document.on('error', (event) => {
      // The relay refuses the link's token: revoked, or the document deleted, while this tab had it open.
      if (LINK_GONE.has(event.code)) {
        setGone(true);
        document.disconnect();
      } else setError(event.message);
    });
    const onUpdate = () => setSuggested(documentTitle(doc));
    doc.on('update', onUpdate);
    return () => {
      offStatus();
      offError();
      doc.off('update', onUpdate);
    };
  }, [document, doc]);

  // Once the link is gone, edits could not be saved: stop taking them.
  useEffect(() => {
    if (gone) editor?.setEditable(false);
  }, [gone, editor]);

  return (
    <DocumentSurface
      start={
        <p className="doc-readonly">
          {editable
            ? 'You can edit this document through the link. Your changes are encrypted in this tab.'
            : 'You can read this document; the link does not let you edit it.'}
        </p>
      }
      end={
        <SyncPill
          state={gone ? 'offline' : status.state}
          text={
            gone ? 'No longer shared' : !editable && status.state === 'saved' ? 'Up to date' : syncStatusText(status)
          }
        />
      }
      editing={editing}
      toolbar={editable}
      error={
        gone
          ? 'This link does not work any more: it was revoked, or the document was deleted. What you see is the last version this tab received, and nothing you change here is saved.'
          : error
      }
      title={title}
      titleReadOnly={!editable || gone}
      footer={
        <>
          Decrypted in this tab with the key in the link; the relay stores only ciphertext. Nothing is kept on this
          device.
        </>
      }
    />
  );
}
