import { type FormEvent, type KeyboardEvent, type ReactNode, useRef, useState } from 'react';
import type { Editor } from '@tiptap/core';
import { type ImageAttachments, insertImageFiles } from '@coffre/editor';
import {
  BulletListIcon,
  CodeBlockIcon,
  ImageIcon,
  LinkIcon,
  NumberedListIcon,
  QuoteIcon,
  RedoIcon,
  TableIcon,
  TaskListIcon,
  UndoIcon,
} from '../ui/icons.tsx';

interface ToolProps {
  label: string;
  /**
   * Text the button shows instead of an icon, when it is not a word of the
   * label (H1 for Heading 1): the accessible name then contains it too, so a
   * person who says what they see ("click H1") reaches the button.
   */
  text?: string;
  shortcut?: string;
  active?: boolean;
  disabled?: boolean;
  onClick: () => void;
  /** The icon, when the button shows no `text`. */
  children?: ReactNode;
}

/** A toolbar button: its name is spoken and shown as a tooltip; toggles say whether they are on. */
function Tool({ label, text, shortcut, active, disabled, onClick, children }: ToolProps) {
  return (
    <button
      type="button"
      className="tool"
      aria-label={text === undefined ? label : `${text}, ${label}`}
      title={shortcut ? `${label} (${shortcut})` : label}
      aria-pressed={active === undefined ? undefined : active}
      disabled={disabled}
      // Keeps the selection in the editor while clicking.
      onMouseDown={(event) => event.preventDefault()}
      onClick={onClick}
    >
      {/* One text node: "H" and "1" apart would read as two words, neither in the name. */}
      {text ?? children}
    </button>
  );
}

/** Arrow keys, Home and End move between the buttons of a toolbar, as screen-reader users expect. */
function moveFocus(event: KeyboardEvent<HTMLDivElement>): void {
  const keys = ['ArrowRight', 'ArrowLeft', 'Home', 'End'];
  if (!keys.includes(event.key)) return;
  const buttons = Array.from(event.currentTarget.querySelectorAll<HTMLButtonElement>('button:not(:disabled)'));
  const at = buttons.indexOf(event.target as HTMLButtonElement);
  if (at === -1 || buttons.length === 0) return;
  event.preventDefault();
  const next =
    event.key === 'Home'
      ? 0
      : event.key === 'End'
        ? buttons.length - 1
        : (at + (event.key === 'ArrowRight' ? 1 : -1) + buttons.length) % buttons.length;
  buttons[next]?.focus();
}

type Chain = ReturnType<Editor['chain']>;

const MOD = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform) ? '⌘' : 'Ctrl+';

/** Image types the file picker offers (those a document takes, see `checkNewAttachment`). */
const IMAGE_TYPES = 'image/png,image/jpeg,image/gif,image/webp,image/avif';

/**
 * Formatting controls of the editor, in the order people look for them;
 * _Insert image_ when `attachments` can add images (the keyboard's way to
 * what pasting and dropping do).
 */
export function EditorToolbar({
  editor,
  attachments = null,
}: {
  editor: Editor;
  attachments?: ImageAttachments | null;
}) {
  const picker = useRef<HTMLInputElement>(null);
  const [linking, setLinking] = useState<string | null>(null);
  const [linkError, setLinkError] = useState<string | null>(null);
  const [describing, setDescribing] = useState<string | null>(null);
  const chain = () => editor.chain().focus();
  const inTable = editor.isActive('table');
  const onImage = editor.isActive('image');
  /** A button turning a mark or a block type on and off. */
  const toggle = (label: string, name: string, command: (c: Chain) => Chain, icon: ReactNode, shortcut?: string) => (
    <Tool label={label} shortcut={shortcut} active={editor.isActive(name)} onClick={() => command(chain()).run()}>
      {icon}
    </Tool>
  );

  const openLink = () => {
    setLinkError(null);
    const current: unknown = editor.getAttributes('link')['href'];
    setLinking(typeof current === 'string' ? current : '');
  };

  const applyLink = (event: FormEvent) => {
    event.preventDefault();
    const href = (linking ?? '').trim();
    if (href === '') {
      chain().extendMarkRange('link').unsetLink().run();
      setLinking(null);
      return;
    }
    const applied = chain().extendMarkRange('link').setLink({ href }).run();
    if (!applied) {
      setLinkError('Only web (http, https), email (mailto) and phone (tel) links can be added.');
      return;
    }
    setLinking(null);
  };

  const openDescription = () => {
    const current: unknown = editor.getAttributes('image')['alt'];
    setDescribing(typeof current === 'string' ? current : '');
  };

  const applyDescription = (event: FormEvent) => {
    event.preventDefault();
    chain()
      .updateAttributes('image', { alt: (describing ?? '').trim() })
      .run();
    setDescribing(null);
  };

  return (
    <div className="toolbar-wrap">
      <div className="toolbar" role="toolbar" aria-label="Formatting" onKeyDown={moveFocus}>
        <div className="tool-group">
          {([1, 2, 3] as const).map((level) => (
            <Tool
              key={level}
              label={`Heading ${level}`}
              text={`H${level}`}
              active={editor.isActive('heading', { level })}
              onClick={() => chain().toggleHeading({ level }).run()}
            />
          ))}
        </div>
        <div className="tool-group">
          {toggle('Bold', 'bold', (c) => c.toggleBold(), <b>B</b>, `${MOD}B`)}
          {toggle('Italic', 'italic', (c) => c.toggleItalic(), <i>I</i>, `${MOD}I`)}
          {toggle('Strikethrough', 'strike', (c) => c.toggleStrike(), <s>S</s>)}
          <Tool label="Link" active={editor.isActive('link')} onClick={openLink}>
            <LinkIcon />
          </Tool>
        </div>
        <div className="tool-group">
          {toggle('Bulleted list', 'bulletList', (c) => c.toggleBulletList(), <BulletListIcon />)}
          {toggle('Numbered list', 'orderedList', (c) => c.toggleOrderedList(), <NumberedListIcon />)}
          {toggle('Task list', 'taskList', (c) => c.toggleTaskList(), <TaskListIcon />)}
        </div>
        <div className="tool-group">
          <Tool
            label="Table"
            active={inTable}
            onClick={() => chain().insertTable({ rows: 3, cols: 3, withHeaderRow: true }).run()}
            disabled={inTable}
          >
            <TableIcon />
          </Tool>
          {attachments?.add ? (
            <Tool label="Insert image" onClick={() => picker.current?.click()}>
              <ImageIcon />
            </Tool>
          ) : null}
          {toggle('Code block', 'codeBlock', (c) => c.toggleCodeBlock(), <CodeBlockIcon />)}
          {toggle('Quote', 'blockquote', (c) => c.toggleBlockquote(), <QuoteIcon />)}
        </div>
        <div className="tool-group">
          <Tool label="Undo" shortcut={`${MOD}Z`} disabled={!editor.can().undo()} onClick={() => chain().undo().run()}>
            <UndoIcon />
          </Tool>
          <Tool label="Redo" shortcut={`${MOD}Y`} disabled={!editor.can().redo()} onClick={() => chain().redo().run()}>
            <RedoIcon />
          </Tool>
        </div>
      </div>
      {attachments?.add ? (
        <input
          ref={picker}
          className="visually-hidden"
          type="file"
          accept={IMAGE_TYPES}
          multiple
          tabIndex={-1}
          aria-hidden="true"
          onChange={(event) => {
            const files = Array.from(event.currentTarget.files ?? []);
            event.currentTarget.value = '';
            void insertImageFiles(editor, attachments, files);
          }}
        />
      ) : null}
      {inTable ? (
        <div className="toolbar toolbar-secondary" role="toolbar" aria-label="Table" onKeyDown={moveFocus}>
          <Tool label="Add row below" onClick={() => chain().addRowAfter().run()}>
            + Row
          </Tool>
          <Tool label="Add column right" onClick={() => chain().addColumnAfter().run()}>
            + Column
          </Tool>
          <Tool label="Delete row" onClick={() => chain().deleteRow().run()}>
            − Row
          </Tool>
          <Tool label="Delete column" onClick={() => chain().deleteColumn().run()}>
            − Column
          </Tool>
          <Tool label="Delete table" onClick={() => chain().deleteTable().run()}>
            Delete table
          </Tool>
        </div>
      ) : null}
      {onImage ? (
        <div className="toolbar toolbar-secondary" role="toolbar" aria-label="Image" onKeyDown={moveFocus}>
          <Tool label="Describe the image" text="Alt text" onClick={openDescription} />
        </div>
      ) : null}
      {describing !== null && onImage ? (
        <form className="link-form" onSubmit={applyDescription} aria-label="Alt text">
          <label htmlFor="image-description">Alt text</label>
          <input
            className="input-box"
            id="image-description"
            type="text"
            value={describing}
            autoFocus
            maxLength={500}
            aria-describedby="image-description-hint"
            onChange={(event) => setDescribing(event.target.value)}
            onKeyDown={(event) => {
              if (event.key === 'Escape') setDescribing(null);
            }}
          />
          <button className="button button-primary" type="submit">
            Apply
          </button>
          <button className="button button-quiet" type="button" onClick={() => setDescribing(null)}>
            Cancel
          </button>
          <p className="link-hint" id="image-description-hint">
            What the image shows, for people who cannot see it. Leave it empty for an image that only decorates.
          </p>
        </form>
      ) : null}
      {linking !== null ? (
        <form className="link-form" onSubmit={applyLink} aria-label="Link">
          <label htmlFor="link-address">Link address</label>
          <input
            className="input-box"
            id="link-address"
            type="text"
            inputMode="url"
            value={linking}
            autoFocus
            placeholder="https://example.org"
            onChange={(event) => setLinking(event.target.value)}
            onKeyDown={(event) => {
              if (event.key === 'Escape') setLinking(null);
            }}
          />
          <button className="button button-primary" type="submit">
            Apply
          </button>
          {editor.isActive('link') ? (
            <button
              className="button"
              type="button"
              onClick={() => {
                chain().extendMarkRange('link').unsetLink().run();
                setLinking(null);
              }}
            >
              Remove link
            </button>
          ) : null}
          <button className="button button-quiet" type="button" onClick={() => setLinking(null)}>
            Cancel
          </button>
          {linkError ? (
            <p className="link-error" role="alert">
              {linkError}
            </p>
          ) : null}
        </form>
      ) : null}
    </div>
  );
}
