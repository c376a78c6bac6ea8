import { type FormEvent, type KeyboardEvent, type ReactNode, useState } from 'react';
import type { Editor } from '@tiptap/core';

interface ToolProps {
  label: string;
  shortcut?: string;
  active?: boolean;
  disabled?: boolean;
  onClick: () => void;
  children: ReactNode;
}

/** A toolbar button: its name is spoken and shown as a tooltip; toggles say whether they are on. */
function Tool({ label, shortcut, active, disabled, onClick, children }: ToolProps) {
  return (
    <button
      type="button"
      className="tool"
      aria-label={label}
      title={shortcut ? `${label} (${shortcut})` : label}
      aria-pressed={active === undefined ? undefined : active}
      disabled={disabled}
      // Keeps the selection in the editor while clicking.
      onMouseDown={(event) => event.preventDefault()}
      onClick={onClick}
    >
      {children}
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

/** A toolbar icon, hidden from screen readers (the button has the name). */
function Icon({ children }: { children: ReactNode }) {
  return (
    <svg viewBox="0 0 20 20" aria-hidden="true" focusable="false">
      {children}
    </svg>
  );
}

/** A line of an icon, drawn in the text colour. */
function Stroke({ d, width = '1.6', round = true }: { d: string; width?: string; round?: boolean }) {
  return (
    <path d={d} fill="none" stroke="currentColor" strokeWidth={width} strokeLinecap={round ? 'round' : undefined} />
  );
}

type Chain = ReturnType<Editor['chain']>;

const MOD = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform) ? '⌘' : 'Ctrl+';

/** Formatting controls of the editor, in the order people look for them. */
export function EditorToolbar({ editor }: { editor: Editor }) {
  const [linking, setLinking] = useState<string | null>(null);
  const [linkError, setLinkError] = useState<string | null>(null);
  const chain = () => editor.chain().focus();
  const inTable = editor.isActive('table');
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

  return (
    <div className="toolbar-wrap">
      <div className="toolbar" role="toolbar" aria-label="Formatting" onKeyDown={moveFocus}>
        <div className="tool-group">
          {([1, 2, 3] as const).map((level) => (
            <Tool
              key={level}
              label={`Heading ${level}`}
              active={editor.isActive('heading', { level })}
              onClick={() => chain().toggleHeading({ level }).run()}
            >
              H{level}
            </Tool>
          ))}
        </div>
        <div className="tool-group">
          {toggle('Bold', 'bold', (c) => c.toggleBold(), <b>B</b>, `${MOD}B`)}
          {toggle('Italic', 'italic', (c) => c.toggleItalic(), <i>I</i>, `${MOD}I`)}
          {toggle('Strikethrough', 'strike', (c) => c.toggleStrike(), <s>S</s>)}
          <Tool label="Link" active={editor.isActive('link')} onClick={openLink}>
            <Icon>
              <Stroke d="M8.5 11.5a3.2 3.2 0 0 0 4.6 0l2.6-2.6a3.2 3.2 0 0 0-4.6-4.6l-.9.9M11.5 8.5a3.2 3.2 0 0 0-4.6 0l-2.6 2.6a3.2 3.2 0 0 0 4.6 4.6l.9-.9" />
            </Icon>
          </Tool>
        </div>
        <div className="tool-group">
          {toggle(
            'Bulleted list',
            'bulletList',
            (c) => c.toggleBulletList(),
            <Icon>
              <circle cx="4" cy="5.5" r="1.3" fill="currentColor" />
              <circle cx="4" cy="10" r="1.3" fill="currentColor" />
              <circle cx="4" cy="14.5" r="1.3" fill="currentColor" />
              <Stroke d="M8 5.5h9M8 10h9M8 14.5h9" />
            </Icon>,
          )}
          {toggle(
            'Numbered list',
            'orderedList',
            (c) => c.toggleOrderedList(),
            <Icon>
              <text x="1.5" y="7.5" fontSize="6" fill="currentColor">
                1
              </text>
              <text x="1.5" y="16.5" fontSize="6" fill="currentColor">
                2
              </text>
              <Stroke d="M8 5.5h9M8 14.5h9" />
            </Icon>,
          )}
          {toggle(
            'Task list',
            'taskList',
            (c) => c.toggleTaskList(),
            <Icon>
              <rect x="2" y="3" width="5" height="5" rx="1" fill="none" stroke="currentColor" strokeWidth="1.4" />
              <Stroke d="m2.8 13.6 1.5 1.5 2.6-3" width="1.4" round={false} />
              <Stroke d="M10 5.5h7.5M10 13.5h7.5" />
            </Icon>,
          )}
        </div>
        <div className="tool-group">
          <Tool
            label="Table"
            active={inTable}
            onClick={() => chain().insertTable({ rows: 3, cols: 3, withHeaderRow: true }).run()}
            disabled={inTable}
          >
            <Icon>
              <rect
                x="2.5"
                y="3.5"
                width="15"
                height="13"
                rx="1.5"
                fill="none"
                stroke="currentColor"
                strokeWidth="1.5"
              />
              <Stroke d="M2.5 8h15M2.5 12.3h15M10 3.5v13" width="1.3" round={false} />
            </Icon>
          </Tool>
          {toggle(
            'Code block',
            'codeBlock',
            (c) => c.toggleCodeBlock(),
            <Icon>
              <Stroke d="m7 6-4 4 4 4M13 6l4 4-4 4" />
            </Icon>,
          )}
          {toggle(
            'Quote',
            'blockquote',
            (c) => c.toggleBlockquote(),
            <Icon>
              <Stroke d="M4 4v12" width="2" />
              <Stroke d="M8 7h9M8 11h9M8 15h5" />
            </Icon>,
          )}
        </div>
        <div className="tool-group">
          <Tool label="Undo" shortcut={`${MOD}Z`} disabled={!editor.can().undo()} onClick={() => chain().undo().run()}>
            <Icon>
              <Stroke d="M7 5 3 9l4 4M3.5 9H12a4.5 4.5 0 0 1 0 9h-2" />
            </Icon>
          </Tool>
          <Tool label="Redo" shortcut={`${MOD}Y`} disabled={!editor.can().redo()} onClick={() => chain().redo().run()}>
            <Icon>
              <Stroke d="m13 5 4 4-4 4M16.5 9H8a4.5 4.5 0 0 0 0 9h2" />
            </Icon>
          </Tool>
        </div>
      </div>
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
