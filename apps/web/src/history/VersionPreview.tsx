import { useEffect, useRef, useState } from 'react';
import * as Y from 'yjs';
import { coffreContentExtensions, contentFragment, toContentJson } from '@coffre/editor';
import { Editor } from '@tiptap/core';
import '@coffre/editor/editor.css';
import { givenTitle } from '../workspace/documentMeta.ts';

/**
 * A version's content, read-only: its state loaded into a Y.Doc of its own
 * and shown by an editor without collaboration (nothing it shows can reach
 * the document), the title it had above the text.
 */
export function VersionPreview({ state }: { state: Uint8Array }) {
  const mount = useRef<HTMLDivElement>(null);
  const [title, setTitle] = useState('');
  const [empty, setEmpty] = useState(false);

  useEffect(() => {
    const element = mount.current;
    if (!element) return;
    const doc = new Y.Doc();
    let editor: Editor | null = null;
    try {
      Y.applyUpdate(doc, state);
      const content = toContentJson(contentFragment(doc));
      setTitle(givenTitle(doc).trim());
      setEmpty((content.content ?? []).every((node) => (node.content ?? []).length === 0));
      editor = new Editor({
        element,
        editable: false,
        injectCSS: false,
        extensions: coffreContentExtensions({ placeholder: '' }),
        content,
      });
      editor.setOptions({
        editorProps: {
          attributes: { role: 'document', 'aria-label': 'Text of this version', class: 'doc-prose history-prose' },
        },
      });
    } catch {
      setEmpty(true);
    }
    return () => {
      editor?.destroy();
      doc.destroy();
    };
  }, [state]);

  return (
    <div className="history-paper">
      {title !== '' ? <p className="history-paper-title">{title}</p> : null}
      {empty ? <p className="history-empty-text">This version has no text.</p> : null}
      <div ref={mount} />
    </div>
  );
}
