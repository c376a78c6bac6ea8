import { useEffect, useReducer, useRef, useState } from 'react';
import type { OpenedLink, SyncStatus, YjsEngine } from '@coffre/client';
import { ANONYMOUS_NAME, contentFragment, createCoffreEditor } from '@coffre/editor';
import '@coffre/editor/editor.css';
import type { Editor } from '@tiptap/core';
import { ErrorNotice } from '../ui/Notices.tsx';
import { EditorToolbar } from '../workspace/EditorToolbar.tsx';
import {
  MAX_TITLE_LENGTH,
  META_FIELD,
  displayTitle,
  documentTitle,
  givenTitle,
  setTitle,
} from '../workspace/documentMeta.ts';
import { syncStatusText } from '../workspace/syncStatusText.ts';
import '../workspace/documents.css';

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
  const mount = useRef<HTMLDivElement>(null);
  const [editor, setEditor] = useState<Editor | null>(null);
  const [, rerender] = useReducer((count: number) => count + 1, 0);
  const [status, setStatus] = useState<SyncStatus>(() => document.status);
  const [error, setError] = useState<string | null>(null);
  const [gone, setGone] = useState(false);
  const [title, setTitleState] = useState(() => givenTitle(doc));
  const [suggested, setSuggested] = useState(() => documentTitle(doc));

  useEffect(() => {
    const element = mount.current;
    if (!element) return;
    const created = createCoffreEditor({
      element,
      fragment: contentFragment(doc),
      // A reader of a view link connects read-only: no caret to publish.
      presence: editable ? document : null,
      user: { name: ANONYMOUS_NAME },
      editable,
      placeholder: editable ? 'Start writing…' : 'This document is empty.',
      onPresenceError: () => undefined,
    });
    created.setOptions({
      editorProps: {
        attributes: { role: 'textbox', 'aria-multiline': 'true', 'aria-label': 'Document text', class: 'doc-prose' },
      },
    });
    created.on('transaction', rerender);
    setEditor(created);
    return () => {
      created.off('transaction', rerender);
      created.destroy();
      setEditor(null);
    };
  }, [doc, document, editable]);

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
    const meta = doc.getMap(META_FIELD);
    const onMeta = () => setTitleState(givenTitle(doc));
    const onUpdate = () => setSuggested(documentTitle(doc));
    meta.observe(onMeta);
    doc.on('update', onUpdate);
    return () => {
      offStatus();
      offError();
      meta.unobserve(onMeta);
      doc.off('update', onUpdate);
    };
  }, [document, doc]);

  // Once the link is gone, edits could not be saved: stop taking them.
  useEffect(() => {
    if (gone) editor?.setEditable(false);
  }, [gone, editor]);

  const shownTitle = displayTitle(title.trim() === '' ? suggested : title);
  useEffect(() => {
    window.document.title = `${shownTitle} · Coffre`;
  }, [shownTitle]);

  return (
    <div className="doc-screen">
      <div className="doc-sticky">
        <div className="doc-topbar">
          <p className="doc-readonly">
            {editable
              ? 'You can edit this document through the link. Your changes are encrypted in this tab.'
              : 'You can read this document; the link does not let you edit it.'}
          </p>
          <div className="doc-topbar-end">
            <p className="sync-pill" data-state={gone ? 'offline' : status.state} role="status">
              <span className="sync-dot" aria-hidden="true" />
              <span className="sync-text">
                {gone
                  ? 'No longer shared'
                  : !editable && status.state === 'saved'
                    ? 'Up to date'
                    : syncStatusText(status)}
              </span>
            </p>
          </div>
        </div>
        {editor && editable ? <EditorToolbar editor={editor} /> : null}
      </div>
      <ErrorNotice
        message={
          gone
            ? 'This link does not work any more: it was revoked, or the document was deleted. What you see is the last version this tab received, and nothing you change here is saved.'
            : error
        }
      />
      <article className="doc-paper">
        <h1 className="visually-hidden">{shownTitle}</h1>
        <input
          className="doc-title"
          aria-label="Title"
          placeholder={suggested.trim() === '' ? 'Untitled document' : suggested}
          value={title}
          maxLength={MAX_TITLE_LENGTH}
          readOnly={!editable || gone}
          onChange={(event) => {
            setTitleState(event.target.value);
            setTitle(doc, event.target.value);
          }}
        />
        <div className="doc-body" ref={mount} />
      </article>
      <p className="doc-footer">
        Decrypted in this tab with the key in the link; the relay stores only ciphertext. Nothing is kept on this
        device.
      </p>
    </div>
  );
}
