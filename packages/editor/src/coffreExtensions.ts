import { type AnyExtension, Extension } from '@tiptap/core';
import Collaboration from '@tiptap/extension-collaboration';
import CollaborationCaret from '@tiptap/extension-collaboration-caret';
import { TaskItem, TaskList } from '@tiptap/extension-list';
import { TableKit } from '@tiptap/extension-table';
import { Placeholder } from '@tiptap/extensions';
import StarterKit from '@tiptap/starter-kit';
import type * as Y from 'yjs';
import { type PresenceSource, PresenceAwareness } from './PresenceAwareness.ts';
import { AlignedTableCell, AlignedTableHeader } from './alignedTableCells.ts';
import type { ImageAttachments } from './attachmentImages.ts';
import { SafeImage } from './SafeImage.ts';
import { sanitizeUser } from './presenceState.ts';
import { renderCaret, renderSelection } from './renderCaret.ts';
import { isSafeLinkUrl } from './safeUrls.ts';

/** The name of the content doc's `Y.XmlFragment` that holds a rich-text document. */
export const DEFAULT_FIELD = 'content';

/** Heading levels the editor offers (and Markdown export writes as `#` to `####`). */
export const HEADING_LEVELS = [1, 2, 3, 4] as const;

/** The rich-text fragment of a content doc. */
export function contentFragment(doc: Y.Doc, field: string = DEFAULT_FIELD): Y.XmlFragment {
  return doc.getXmlFragment(field);
}

export interface CoffreContentOptions {
  /** Shown in an empty document. */
  placeholder?: string;
  /** Images attached to the document (sealed chunks of its space); without it only `data:` images show. */
  attachments?: ImageAttachments | null;
}

export interface CoffreExtensionsOptions extends CoffreContentOptions {
  /** Where the document lives, e.g. `contentFragment(engine.doc)`; it must belong to a Y.Doc. */
  fragment: Y.XmlFragment;
  /** Sealed presence (an `EncryptedDocument`); without it no carets are shown or published. */
  presence?: PresenceSource | null;
  /** This user's name and colour as peers see them; the colour defaults to one derived from the name. */
  user?: { name: string; color?: string };
  /** Called when publishing presence fails; the editor keeps working. */
  onPresenceError?: (error: unknown) => void;
  /** At most one caret update per this many ms is sealed and sent (default 80; see {@link PresenceAwareness}). */
  presenceIntervalMs?: number;
}

/**
 * The document model without collaboration: StarterKit (headings, lists, code blocks, quotes,
 * links with safe protocols only, bold, italic, strike, underline, code), task lists, tables and
 * images. Also what {@link coffreSchema} is built from.
 */
export function coffreContentExtensions(options: CoffreContentOptions = {}): AnyExtension[] {
  return [
    StarterKit.configure({
      // History comes from Collaboration's Y.UndoManager, which only undoes this user's changes.
      undoRedo: false,
      // Every client would append its own trailing paragraph to a shared document.
      trailingNode: false,
      heading: { levels: [...HEADING_LEVELS] },
      link: {
        openOnClick: false,
        autolink: true,
        defaultProtocol: 'https',
        isAllowedUri: (url) => isSafeLinkUrl(url),
        HTMLAttributes: { target: '_blank', rel: 'noopener noreferrer nofollow', class: null },
      },
    }),
    TaskList,
    TaskItem.configure({ nested: true }),
    TableKit.configure({ table: { resizable: false }, tableCell: false, tableHeader: false }),
    AlignedTableCell,
    AlignedTableHeader,
    SafeImage.configure({ allowBase64: true, attachments: options.attachments ?? null }),
    Placeholder.configure({ placeholder: options.placeholder ?? 'Write something…' }),
  ];
}

/**
 * Every extension of the Coffre editor: {@link coffreContentExtensions} bound to `fragment` with
 * Collaboration (undo and redo through Y.UndoManager), and carets of the other editors when
 * `presence` is given. Call it once per editor: the presence adapter it creates is destroyed
 * with the editor.
 *
 * @example
 * const editor = new Editor({
 *   element,
 *   extensions: coffreExtensions({ fragment: contentFragment(engine.doc), presence: encryptedDocument, user }),
 * });
 */
export function coffreExtensions(options: CoffreExtensionsOptions): AnyExtension[] {
  const { fragment } = options;
  const doc = fragment.doc;
  if (doc === null) throw new TypeError('The fragment must belong to a Y.Doc (use contentFragment(doc)).');
  const extensions = [...coffreContentExtensions(options), Collaboration.configure({ fragment })];
  if (!options.presence) return extensions;

  const awareness = new PresenceAwareness(doc, options.presence, {
    ...(options.onPresenceError ? { onError: options.onPresenceError } : {}),
    ...(options.presenceIntervalMs === undefined ? {} : { publishIntervalMs: options.presenceIntervalMs }),
  });
  const name = options.user?.name ?? '';
  const user = sanitizeUser({ name, color: options.user?.color }, name);
  return [
    ...extensions,
    CollaborationCaret.configure({
      provider: { awareness },
      user,
      render: renderCaret,
      selectionRender: renderSelection,
    }),
    Extension.create({
      name: 'coffrePresence',
      addStorage: () => ({ awareness }),
      onDestroy: () => awareness.destroy(),
    }),
  ];
}
