import { type ReactNode, type RefObject, useEffect, useReducer, useRef, useState } from 'react';
import { type CoffreEditorOptions, type ImageAttachments, contentFragment, createCoffreEditor } from '@coffre/editor';
import '@coffre/editor/editor.css';
import type { Editor } from '@tiptap/core';
import type * as Y from 'yjs';
import { documentTabTitle, useShowTitlesInTab } from '../session/showTitlesInTab.ts';
import { ErrorNotice } from '../ui/Notices.tsx';
import { EditorToolbar } from './EditorToolbar.tsx';
import { MAX_TITLE_LENGTH, META_FIELD, displayTitle, documentKind, givenTitle, setTitle } from './documentMeta.ts';
import './documents.css';

export interface CoffreEditorMount {
  /** Where the editor mounts: the `doc-body` element of the surface. */
  mount: RefObject<HTMLDivElement | null>;
  /** The editor once mounted; null before and after. */
  editor: Editor | null;
}

/**
 * The app's TipTap editor bound to the document's content, mounted in the surface's
 * body, re-rendering the caller on each transaction (so the toolbar follows the
 * selection), destroyed on unmount. `attachments` (kept stable: a change makes a new
 * editor) shows the document's attached images and takes pasted and dropped ones.
 */
export function useCoffreEditor(
  doc: Y.Doc,
  presence: CoffreEditorOptions['presence'],
  user: { name: string; color?: string },
  editable: boolean,
  attachments: ImageAttachments | null = null,
): CoffreEditorMount {
  const mount = useRef<HTMLDivElement>(null);
  const [editor, setEditor] = useState<Editor | null>(null);
  const [, rerender] = useReducer((count: number) => count + 1, 0);
  const { name, color } = user;

  useEffect(() => {
    const element = mount.current;
    if (!element) return;
    const created = createCoffreEditor({
      element,
      fragment: contentFragment(doc),
      presence,
      user: color === undefined ? { name } : { name, color },
      editable,
      attachments,
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
  }, [doc, presence, editable, name, color, attachments]);

  return { mount, editor };
}

export interface DocumentTitle {
  /** The title as given in the title field (empty when none was given). */
  title: string;
  /** What the title field suggests when empty: the document's first line. */
  suggested: string;
  /** The title shown in the heading (and in the browser tab only when this device chose so). */
  shown: string;
  /** Sets the given title, in the field and in the document. */
  change: (value: string) => void;
}

/**
 * The document's title field, following the document (a peer may rename it), and
 * the browser tab's title. `suggested` is the caller's: when it catches up with edits
 * differs between the screens. The tab reads `tabName` ("Document", "Note" by the
 * document's kind when not given) unless this device opted in to titles there:
 * browsers keep tab titles in their history and session files, unencrypted.
 */
export function useDocumentTitle(doc: Y.Doc, suggested: string, tabName?: string): DocumentTitle {
  const [title, setTitleState] = useState(() => givenTitle(doc));
  const [kind, setKindState] = useState(() => documentKind(doc));

  useEffect(() => {
    const meta = doc.getMap(META_FIELD);
    const observer = () => {
      setTitleState(givenTitle(doc));
      setKindState(documentKind(doc));
    };
    meta.observe(observer);
    return () => meta.unobserve(observer);
  }, [doc]);

  const shown = displayTitle(title.trim() === '' ? suggested : title);
  const showInTab = useShowTitlesInTab();
  const tabTitle = documentTabTitle(shown, tabName ?? (kind === 'note' ? 'Note' : 'Document'), showInTab);
  useEffect(() => {
    window.document.title = tabTitle;
  }, [tabTitle]);

  return {
    title,
    suggested,
    shown,
    change: (value) => {
      setTitleState(value);
      setTitle(doc, value);
    },
  };
}

/** The sync status pill of the document screens' top bar. */
export function SyncPill({ state, text, hint }: { state: string; text: string; hint?: string }) {
  return (
    <p className="sync-pill" data-state={state} role="status" title={hint}>
      <span className="sync-dot" aria-hidden="true" />
      <span className="sync-text">{text}</span>
    </p>
  );
}

export interface DocumentSurfaceProps {
  /** The left of the top bar. */
  start: ReactNode;
  /** The right of the top bar: status and actions. */
  end: ReactNode;
  /** The editor from useCoffreEditor. */
  editing: CoffreEditorMount;
  /** Whether the formatting toolbar is shown. */
  toolbar: boolean;
  /** Images the toolbar's _Insert image_ adds (owners and editors of a member's document). */
  attachments?: ImageAttachments | null;
  error: string | null;
  title: DocumentTitle;
  titleReadOnly: boolean;
  /** Enter in the title field moves to the start of the text. */
  enterMovesToText?: boolean;
  /** Shown between the title field and the text. */
  notice?: ReactNode;
  footer: ReactNode;
}

/**
 * The document screen's layout, shared by members' documents and share links: the
 * sticky top bar and toolbar, errors, the title field and the editor's text.
 */
export function DocumentSurface({
  start,
  end,
  editing,
  toolbar,
  attachments = null,
  error,
  title,
  titleReadOnly,
  enterMovesToText = false,
  notice,
  footer,
}: DocumentSurfaceProps) {
  const { editor, mount } = editing;
  return (
    <div className="doc-screen">
      <div className="doc-sticky">
        <div className="doc-topbar">
          {start}
          <div className="doc-topbar-end">{end}</div>
        </div>
        {editor && toolbar ? <EditorToolbar editor={editor} attachments={attachments} /> : null}
      </div>
      <ErrorNotice message={error} />
      <article className="doc-paper">
        <h1 className="visually-hidden">{title.shown}</h1>
        <input
          className="doc-title"
          aria-label="Title"
          // Not among the entries the browser remembers for its suggestions.
          autoComplete="off"
          placeholder={title.suggested.trim() === '' ? 'Untitled document' : title.suggested}
          value={title.title}
          maxLength={MAX_TITLE_LENGTH}
          readOnly={titleReadOnly}
          onChange={(event) => title.change(event.target.value)}
          onKeyDown={
            enterMovesToText
              ? (event) => {
                  if (event.key === 'Enter') {
                    event.preventDefault();
                    editor?.commands.focus('start');
                  }
                }
              : undefined
          }
        />
        {notice}
        <div className="doc-body" ref={mount} />
      </article>
      <p className="doc-footer">{footer}</p>
    </div>
  );
}
