import { Editor } from '@tiptap/core';
import { type CoffreExtensionsOptions, coffreExtensions } from './coffreExtensions.ts';

export interface CoffreEditorOptions extends CoffreExtensionsOptions {
  /** Where to mount; omit to mount later with `editor.mount(element)`. */
  element?: HTMLElement | null;
  /** False for read-only members and link viewers. Defaults to true. */
  editable?: boolean;
  /** Focus the editor once mounted (`'start'`, `'end'`, true). */
  autofocus?: boolean | 'start' | 'end';
}

/**
 * A TipTap editor bound to a document's rich-text fragment, with carets of the other editors
 * when `presence` is given. Destroying the editor stops publishing presence. Import
 * `@coffre/editor/editor.css` once: TipTap's own inline stylesheet is not injected.
 *
 * @example
 * const editor = createCoffreEditor({
 *   element: document.querySelector('#editor'),
 *   fragment: contentFragment(encryptedDocument.engine.doc),
 *   presence: encryptedDocument,
 *   user: { name: 'Ada Lovelace' },
 *   editable: role !== 'viewer',
 * });
 */
export function createCoffreEditor(options: CoffreEditorOptions): Editor {
  return new Editor({
    element: options.element ?? null,
    editable: options.editable ?? true,
    autofocus: options.autofocus ?? false,
    // The web app's CSP (style-src 'self') refuses inline <style>; editor.css carries those rules.
    injectCSS: false,
    extensions: coffreExtensions(options),
  });
}
