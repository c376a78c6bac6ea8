import { useEffect, useState } from 'react';
import type { Session, SyncStatus } from '@coffre/client';
import type { DocumentId } from '@coffre/protocol';
import {
  type PresenceUser,
  contentFragment,
  isHexColor,
  labelTextColor,
  parsePeerPresence,
  toContentJson,
  toHtmlDocument,
  toMarkdown,
  userColor,
} from '@coffre/editor';
import type { JSONContent } from '@tiptap/core';
import { HistoryButton } from '../history/HistoryButton.tsx';
import { useAutoSaveVersions } from '../history/useDocumentHistory.ts';
import { Link } from '../router/Link.tsx';
import { ShareButton } from '../sharing/ShareButton.tsx';
import { routes } from '../router/routes.ts';
import type { OpenedDocument } from './AccountWorkspace.ts';
import { downloadFile, fileNameFor } from './downloadFile.ts';
import { DocumentSurface, SyncPill, useCoffreEditor, useDocumentTitle } from './DocumentSurface.tsx';
import { documentTitle, givenTitle, summarize } from './documentMeta.ts';
import { syncStatusHint, syncStatusText } from './syncStatusText.ts';
import { HeadsNotice } from './HeadsNotice.tsx';
import { IntegrityNotice } from './IntegrityNotice.tsx';
import { useImageAttachments } from './useImageAttachments.ts';
import { usePresenceNames } from './usePresenceNames.ts';
import { useAccountWorkspace } from './WorkspaceContext.tsx';

export interface DocumentEditorProps {
  documentId: DocumentId;
  opened: OpenedDocument;
  session: Session;
}

/** Milliseconds of quiet before the search index and the sealed title catch up with edits. */
const SUMMARY_DELAY_MS = 400;

/** The document's content with the title field as its first heading, for export. */
function exportContent(opened: OpenedDocument): JSONContent {
  const doc = opened.engine.doc;
  const content = toContentJson(contentFragment(doc));
  const given = givenTitle(doc).trim();
  const first = content.content?.[0];
  const firstText = (first?.content ?? []).map((node) => node.text ?? '').join('');
  if (given === '' || (first?.type === 'heading' && firstText.trim() === given)) return content;
  const heading: JSONContent = { type: 'heading', attrs: { level: 1 }, content: [{ type: 'text', text: given }] };
  return { ...content, content: [heading, ...(content.content ?? [])] };
}

/** Who else has the document open: a coloured initial each (their caret's colour), the names for everyone. */
function PeerList({ peers }: { peers: PresenceUser[] }) {
  const names = peers.map((peer) => peer.name).join(', ');
  return (
    <div className="doc-peers" title={`Also here: ${names}`}>
      <span className="visually-hidden">Also here: {names}</span>
      {peers.slice(0, 4).map((peer) => (
        <span
          key={peer.name}
          className="peer-chip"
          aria-hidden="true"
          ref={(element) => {
            // Through the CSSOM: the app's CSP allows no inline style attribute.
            element?.style.setProperty('--peer-color', isHexColor(peer.color) ? peer.color : '#66706b');
            element?.style.setProperty('--peer-ink', labelTextColor(isHexColor(peer.color) ? peer.color : '#66706b'));
          }}
        >
          {Array.from(peer.name)[0]?.toUpperCase() ?? '?'}
        </span>
      ))}
      {peers.length > 4 ? <span className="peer-more">+{peers.length - 4}</span> : null}
    </div>
  );
}

/** The editor of an opened document: title, toolbar, text, sync status, export and who else is here. */
export function DocumentEditor({ documentId, opened, session }: DocumentEditorProps) {
  const workspace = useAccountWorkspace();
  const { document, engine, role } = opened;
  const doc = engine.doc;
  const editable = role !== 'viewer';
  // Peers are named by the device that signed their presence, so this user publishes no name (no email).
  const presence = usePresenceNames(document, workspace, documentId, session);
  // The editor, bound to the decrypted content, with carets sealed through the document.
  const images = useImageAttachments(opened);
  const editing = useCoffreEditor(
    doc,
    presence,
    { name: '', color: userColor(session.deviceId) },
    editable,
    images.attachments,
  );
  const [status, setStatus] = useState<SyncStatus>(() => document.status);
  const [error, setError] = useState<string | null>(null);
  const [suggested, setSuggested] = useState(() => documentTitle(doc));
  const title = useDocumentTitle(doc, suggested);
  const [peers, setPeers] = useState<PresenceUser[]>([]);
  // Versions saved on leaving, on hiding the page and every 10 minutes of editing (by this device's writer tab).
  useAutoSaveVersions(document, editable);

  // Sync status, errors in plain words, and the browser's own offline signal.
  useEffect(() => {
    // The status is announced several times per keystroke; the screen re-renders only when what it shows changes.
    const update = () => {
      const next = document.status;
      setStatus((shown) => (shown.state === next.state && shown.unsaved === next.unsaved ? shown : next));
    };
    update();
    const offStatus = document.on('status', update);
    const offError = document.on('error', (event) => setError(event.message));
    const offPresence = presence.on('presence', (list) => {
      const users = new Map<string, PresenceUser>();
      for (const peer of list) {
        const parsed = parsePeerPresence(peer.state, doc, peer.clientId);
        if (parsed && !users.has(parsed.user.name)) users.set(parsed.user.name, parsed.user);
      }
      const next = [...users.values()].sort((a, b) => a.name.localeCompare(b.name));
      // Presence arrives with every caret move of every peer; the list changes far less often.
      const same = (shown: PresenceUser[]) =>
        shown.length === next.length &&
        shown.every((user, index) => user.name === next[index]?.name && user.color === next[index]?.color);
      setPeers((shown) => (same(shown) ? shown : next));
    });
    const goOffline = () => document.disconnect();
    const goOnline = () => {
      setError(null);
      document.connect();
    };
    window.addEventListener('offline', goOffline);
    window.addEventListener('online', goOnline);
    if (!navigator.onLine) goOffline();
    return () => {
      offStatus();
      offError();
      offPresence();
      window.removeEventListener('offline', goOffline);
      window.removeEventListener('online', goOnline);
    };
  }, [document, doc, presence]);

  // The in-memory search index and the sealed catalog title catch up after each pause in typing.
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const save = () => {
      const summary = summarize(doc);
      setSuggested(summary.title);
      workspace.remember(documentId, summary).catch(() => undefined);
    };
    save();
    const onUpdate = () => {
      clearTimeout(timer);
      timer = setTimeout(save, SUMMARY_DELAY_MS);
    };
    doc.on('update', onUpdate);
    return () => {
      doc.off('update', onUpdate);
      clearTimeout(timer);
      save();
    };
  }, [doc, documentId, workspace]);

  const exportAs = (kind: 'markdown' | 'html') => {
    const content = exportContent(opened);
    if (kind === 'markdown') downloadFile(fileNameFor(title.shown, 'md'), 'text/markdown', toMarkdown(content));
    else downloadFile(fileNameFor(title.shown, 'html'), 'text/html', toHtmlDocument(content, { title: title.shown }));
  };

  return (
    <DocumentSurface
      start={
        <nav className="doc-breadcrumb" aria-label="Breadcrumb">
          <Link to={routes.documents}>← Documents</Link>
        </nav>
      }
      end={
        <>
          {peers.length > 0 ? <PeerList peers={peers} /> : null}
          <SyncPill state={status.state} text={syncStatusText(status)} hint={syncStatusHint(status)} />
          <HistoryButton documentId={documentId} document={document} role={role} session={session} />
          <ShareButton documentId={documentId} role={role} />
          <div className="doc-export" role="group" aria-label="Export">
            <button className="button button-quiet" type="button" onClick={() => exportAs('markdown')}>
              Export Markdown
            </button>
            <button className="button button-quiet" type="button" onClick={() => exportAs('html')}>
              Export HTML
            </button>
          </div>
        </>
      }
      editing={editing}
      toolbar={editable}
      attachments={images.attachments}
      error={error ?? images.problem}
      title={title}
      titleReadOnly={!editable}
      enterMovesToText
      notice={
        <>
          {!editable ? (
            <p className="doc-readonly">You can read this document; its owner has not let you edit it.</p>
          ) : null}
          <HeadsNotice document={document} nameOf={(device) => presence.nameOf(device)} />
          <IntegrityNotice document={document} nameOf={(device) => presence.nameOf(device)} />
        </>
      }
      footer="Encrypted on this device: the relay stores only ciphertext, the title included."
    />
  );
}
