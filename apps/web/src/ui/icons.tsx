import type { ReactNode } from 'react';

/**
 * Every icon of the app, drawn in the text colour and hidden from screen
 * readers (the control beside or around an icon carries the name). The
 * brand mark (BrandMark.tsx) and QR codes (QrCode.tsx) are pictures of
 * their own.
 */

/** A 20×20 toolbar icon. */
function ToolIcon({ children }: { children: ReactNode }) {
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

export function DocumentIcon() {
  return (
    <svg className="document-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path
        d="M6 2.75h8.5L19.25 7.5v13a.75.75 0 0 1-.75.75h-12a.75.75 0 0 1-.75-.75V3.5A.75.75 0 0 1 6 2.75Z"
        fill="none"
        stroke="currentColor"
        strokeWidth="1.5"
      />
      <path d="M14.25 3v4.5h4.5M8.75 12h6.5M8.75 15.5h6.5" stroke="currentColor" strokeWidth="1.5" />
    </svg>
  );
}

export function NoteIcon() {
  return (
    <svg className="document-icon note-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path
        d="M4.75 4.75h14.5v9.5l-5 5h-9.5Z"
        fill="none"
        stroke="currentColor"
        strokeWidth="1.5"
        strokeLinejoin="round"
      />
      <path d="M14.25 19.25v-5h5M8 9h8M8 12.5h4.5" stroke="currentColor" strokeWidth="1.5" />
    </svg>
  );
}

export function FolderIcon() {
  return (
    <svg className="document-icon folder-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path
        d="M2.75 6.5a1.75 1.75 0 0 1 1.75-1.75h4.75l2 2.25h8.25a1.75 1.75 0 0 1 1.75 1.75v9.75a1.75 1.75 0 0 1-1.75 1.75h-15a1.75 1.75 0 0 1-1.75-1.75Z"
        fill="currentColor"
        fillOpacity="0.15"
        stroke="currentColor"
        strokeWidth="1.5"
        strokeLinejoin="round"
      />
    </svg>
  );
}

export function HomeIcon() {
  return (
    <svg className="document-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path
        d="M3.75 11 12 4l8.25 7M6 9.25v10h4.5v-5.5h3v5.5H18v-10"
        fill="none"
        stroke="currentColor"
        strokeWidth="1.5"
        strokeLinejoin="round"
      />
    </svg>
  );
}

/** The magnifying glass of a search box. */
export function SearchIcon() {
  return (
    <svg viewBox="0 0 20 20" aria-hidden="true" focusable="false">
      <circle cx="8.5" cy="8.5" r="5.5" fill="none" stroke="currentColor" strokeWidth="2" />
      <path d="m13 13 4.5 4.5" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
    </svg>
  );
}

/** The large page drawn above "No documents here yet". */
export function EmptyDocumentsIllustration() {
  return (
    <svg className="empty-illustration" viewBox="0 0 64 64" aria-hidden="true" focusable="false">
      <rect x="14" y="8" width="36" height="48" rx="5" fill="none" stroke="currentColor" strokeWidth="2.5" />
      <path d="M22 22h20M22 30h20M22 38h12" stroke="currentColor" strokeWidth="2.5" strokeLinecap="round" />
    </svg>
  );
}

/** The large folder drawn above an empty folder's heading. */
export function EmptyFolderIllustration() {
  return (
    <svg className="empty-illustration" viewBox="0 0 64 64" aria-hidden="true" focusable="false">
      <path
        d="M8 18a4 4 0 0 1 4-4h13l5 6h22a4 4 0 0 1 4 4v24a4 4 0 0 1-4 4H12a4 4 0 0 1-4-4Z"
        fill="none"
        stroke="currentColor"
        strokeWidth="2.5"
        strokeLinejoin="round"
      />
    </svg>
  );
}

export function LinkIcon() {
  return (
    <ToolIcon>
      <Stroke d="M8.5 11.5a3.2 3.2 0 0 0 4.6 0l2.6-2.6a3.2 3.2 0 0 0-4.6-4.6l-.9.9M11.5 8.5a3.2 3.2 0 0 0-4.6 0l-2.6 2.6a3.2 3.2 0 0 0 4.6 4.6l.9-.9" />
    </ToolIcon>
  );
}

export function BulletListIcon() {
  return (
    <ToolIcon>
      <circle cx="4" cy="5.5" r="1.3" fill="currentColor" />
      <circle cx="4" cy="10" r="1.3" fill="currentColor" />
      <circle cx="4" cy="14.5" r="1.3" fill="currentColor" />
      <Stroke d="M8 5.5h9M8 10h9M8 14.5h9" />
    </ToolIcon>
  );
}

export function NumberedListIcon() {
  return (
    <ToolIcon>
      {/* The numerals are drawn, not <text>: text in an icon would be read as the button's visible label. */}
      <Stroke d="M2.6 3.6 3.9 2.8v5" width="1.2" />
      <Stroke d="M2.2 12.4a1.4 1.4 0 0 1 2.7.4c0 .9-2.7 2.6-2.7 3.4h2.8" width="1.2" />
      <Stroke d="M8 5.5h9M8 14.5h9" />
    </ToolIcon>
  );
}

export function TaskListIcon() {
  return (
    <ToolIcon>
      <rect x="2" y="3" width="5" height="5" rx="1" fill="none" stroke="currentColor" strokeWidth="1.4" />
      <Stroke d="m2.8 13.6 1.5 1.5 2.6-3" width="1.4" round={false} />
      <Stroke d="M10 5.5h7.5M10 13.5h7.5" />
    </ToolIcon>
  );
}

export function TableIcon() {
  return (
    <ToolIcon>
      <rect x="2.5" y="3.5" width="15" height="13" rx="1.5" fill="none" stroke="currentColor" strokeWidth="1.5" />
      <Stroke d="M2.5 8h15M2.5 12.3h15M10 3.5v13" width="1.3" round={false} />
    </ToolIcon>
  );
}

export function ImageIcon() {
  return (
    <ToolIcon>
      <rect x="2.5" y="3.5" width="15" height="13" rx="1.5" fill="none" stroke="currentColor" strokeWidth="1.5" />
      <circle cx="7" cy="8" r="1.5" fill="currentColor" />
      <Stroke d="M3 15l4.5-4.5 3 3 2.5-2.5 4 4" width="1.4" />
    </ToolIcon>
  );
}

export function CodeBlockIcon() {
  return (
    <ToolIcon>
      <Stroke d="m7 6-4 4 4 4M13 6l4 4-4 4" />
    </ToolIcon>
  );
}

export function QuoteIcon() {
  return (
    <ToolIcon>
      <Stroke d="M4 4v12" width="2" />
      <Stroke d="M8 7h9M8 11h9M8 15h5" />
    </ToolIcon>
  );
}

export function UndoIcon() {
  return (
    <ToolIcon>
      <Stroke d="M7 5 3 9l4 4M3.5 9H12a4.5 4.5 0 0 1 0 9h-2" />
    </ToolIcon>
  );
}

export function RedoIcon() {
  return (
    <ToolIcon>
      <Stroke d="m13 5 4 4-4 4M16.5 9H8a4.5 4.5 0 0 0 0 9h2" />
    </ToolIcon>
  );
}
