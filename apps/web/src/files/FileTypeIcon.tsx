import type { PreviewKind } from './previewKinds.ts';

/**
 * A file's icon by what it holds, shown until (or instead of) its
 * thumbnail: the page outline of `DocumentIcon` with a mark of the kind.
 * Hidden from screen readers; the row names the file.
 */
export function FileTypeIcon({ kind }: { kind: PreviewKind | null }) {
  return (
    <svg
      className={`document-icon file-type-icon file-type-${kind ?? 'other'}`}
      viewBox="0 0 24 24"
      aria-hidden="true"
      focusable="false"
    >
      <path
        d="M6 2.75h8.5L19.25 7.5v13a.75.75 0 0 1-.75.75h-12a.75.75 0 0 1-.75-.75V3.5A.75.75 0 0 1 6 2.75Z"
        fill="none"
        stroke="currentColor"
        strokeWidth="1.5"
      />
      <path d="M14.25 3v4.5h4.5" fill="none" stroke="currentColor" strokeWidth="1.5" />
      <KindMark kind={kind} />
    </svg>
  );
}

function KindMark({ kind }: { kind: PreviewKind | null }) {
  switch (kind) {
    case 'image':
      // A mountain under a sun.
      return (
        <>
          <circle cx="10" cy="11.5" r="1.4" fill="currentColor" />
          <path d="m7.5 18.5 3.5-4 2 2.2 1.6-1.7 2 3.5Z" fill="currentColor" />
        </>
      );
    case 'pdf':
      return <path d="M8.5 12.5h7M8.5 15.25h7M8.5 18h4.5" stroke="currentColor" strokeWidth="1.5" />;
    case 'text':
      // Angle brackets: text and code.
      return (
        <path
          d="m10 12.5-2.25 2.5L10 17.5M14 12.5l2.25 2.5L14 17.5"
          fill="none"
          stroke="currentColor"
          strokeWidth="1.5"
          strokeLinecap="round"
          strokeLinejoin="round"
        />
      );
    case 'audio':
      // A note.
      return (
        <>
          <path
            d="M13.25 11.5v5.25M13.25 11.5l2.75 1"
            fill="none"
            stroke="currentColor"
            strokeWidth="1.5"
            strokeLinecap="round"
          />
          <circle cx="11.6" cy="16.9" r="1.7" fill="currentColor" />
        </>
      );
    case 'video':
      // A play triangle.
      return <path d="M10 11.75v6.5l5.25-3.25Z" fill="currentColor" />;
    default:
      return <path d="M8.75 12h6.5M8.75 15.5h6.5" stroke="currentColor" strokeWidth="1.5" />;
  }
}
