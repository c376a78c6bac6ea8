import { useEffect, useRef, useState } from 'react';
import type { DriveFile } from '@coffre/client';
import { Modal } from '../ui/Modal.tsx';
import { BusyNotice, ErrorNotice, InfoNotice } from '../ui/Notices.tsx';
import type { DriveView } from './DriveView.ts';
import { TEXT_PREVIEW_BYTES, type TextPreview as TextContent, imageBlobType } from './FilePreviews.ts';
import { formatBytes, formatDay } from './formatFile.ts';
import type { PdfFile } from './pdfDocument.ts';
import { describePreviewError } from './previewErrors.ts';
import { type MediaFeed, openMediaStream } from './mediaStream.ts';
import { useSaveFile } from './useSaveFile.ts';
import { type PreviewKind, describeKind, previewKindOf } from './previewKinds.ts';
import './preview.css';

/** What a preview reads a file from: a space open in the Files screen, or a shared folder opened by link. */
export type PreviewSource = Pick<DriveView, 'previews' | 'offlineState' | 'save'>;

export interface FilePreviewProps {
  view: PreviewSource;
  /** The files of the folder shown, in the list's order: the arrow keys go through them. */
  files: readonly DriveFile[];
  fileId: string;
  /** Shows another file of `files` in the dialog. */
  onShow: (fileId: string) => void;
  onClose: () => void;
}

/**
 * A file shown in a dialog without downloading it: decrypted on this
 * device, from its copy here when kept offline, else from the relay. Left
 * and Right go to the previous and next file of the folder (around at the
 * ends), Escape closes, and Download saves it as the list's button does.
 */
export function FilePreview({ view, files, fileId, onShow, onClose }: FilePreviewProps) {
  const index = files.findIndex((found) => found.id === fileId);
  const file = files[index];
  const saving = useSaveFile(view);
  const keptNow = useRef(false);
  const [isKept] = useState(() => () => keptNow.current);
  const step = useRef((_by: number) => undefined as void);
  step.current = (by: number) => {
    const next = files[(index + by + files.length) % files.length];
    if (next && next.id !== fileId) onShow(next.id);
  };

  // Put in the trash or gone on another device: nothing left to show.
  useEffect(() => {
    if (!file) onClose();
  }, [file, onClose]);

  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
      if (event.key !== 'ArrowLeft' && event.key !== 'ArrowRight') return;
      // The arrows of a media player (seek), a text field or a slider are theirs.
      if (
        event.target instanceof Element &&
        event.target.closest('audio, video, input, textarea, select, [role="slider"]')
      ) {
        return;
      }
      event.preventDefault();
      step.current(event.key === 'ArrowLeft' ? -1 : 1);
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, []);

  if (!file) return null;
  const kind = previewKindOf(file.name, file.latest.mediaType);
  const kept = view.offlineState(file.id) === 'kept';
  keptNow.current = kept;

  return (
    <Modal
      title={file.name}
      description={`${describeKind(kind)} · ${formatBytes(file.latest.size)} · ${formatDay(file.latest.modifiedAt)}${
        kept ? ' · on this device' : ''
      }`}
      className="modal-preview"
      onClose={onClose}
    >
      <div className="preview-toolbar">
        {files.length > 1 ? (
          <div className="preview-steps">
            <button
              className="button button-quiet"
              type="button"
              aria-label="Previous file"
              aria-keyshortcuts="ArrowLeft"
              onClick={() => step.current(-1)}
            >
              ← Previous
            </button>
            <span className="preview-position" aria-live="polite">
              {index + 1} of {files.length}
            </span>
            <button
              className="button button-quiet"
              type="button"
              aria-label="Next file"
              aria-keyshortcuts="ArrowRight"
              onClick={() => step.current(1)}
              data-autofocus
            >
              Next →
            </button>
          </div>
        ) : null}
        <button
          className="button"
          type="button"
          aria-label={`Download ${file.name}`}
          disabled={saving.progress !== null}
          onClick={() => void saving.save(file)}
          {...(files.length > 1 ? {} : { 'data-autofocus': true })}
        >
          {saving.progress !== null ? 'Decrypting…' : 'Download'}
        </button>
      </div>
      <ErrorNotice message={saving.error} />
      <PreviewBody key={`${file.id}:${file.latest.version}`} view={view} file={file} kind={kind} isKept={isKept} />
    </Modal>
  );
}

interface BodyProps {
  view: PreviewSource;
  /**
   * The file as it was when this preview opened: the body is keyed by the
   * file and its version, and the list hands a new object at every change
   * of the Drive (an upload's progress), which must not read the file again.
   */
  file: DriveFile;
  kind: PreviewKind | null;
  /** Whether the file is kept on this device now (for the words of a failure). */
  isKept: () => boolean;
}

function PreviewBody(props: BodyProps) {
  const [file] = useState(props.file);
  props = { ...props, file };
  switch (props.kind) {
    case 'image':
      return <ImagePreview {...props} />;
    case 'pdf':
      return <PdfPreview {...props} />;
    case 'text':
      return <TextPreview {...props} />;
    case 'audio':
    case 'video':
      return <MediaPreview {...props} kind={props.kind} />;
    default:
      return (
        <div className="preview-frame">
          <InfoNotice>
            “{props.file.name}” cannot be previewed here ({props.file.latest.mediaType}). Download it to open it with an
            app of this device.
          </InfoNotice>
        </div>
      );
  }
}

/**
 * Tells that the first pixels of a preview are on screen (after the next
 * paint): `performance.mark('coffre-preview-shown')`, read by
 * `./run bench-preview` and harmless otherwise.
 */
function markShown(kind: PreviewKind): void {
  requestAnimationFrame(() => setTimeout(() => performance.mark('coffre-preview-shown', { detail: { kind } }), 0));
}

/**
 * The whole file read into a blob: URL (revoked when the preview goes),
 * with how far the reading got, or why it failed in words.
 */
function useWholeFile({ view, file, isKept }: BodyProps, type: string, enabled = true) {
  const [url, setUrl] = useState<string | null>(null);
  const [read, setRead] = useState(0);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!enabled) return;
    let live = true;
    let made: string | null = null;
    view.previews
      .readBlob(file, type, (bytes) => live && setRead(bytes))
      .then(
        (blob) => {
          if (!live) return;
          made = URL.createObjectURL(blob);
          setUrl(made);
        },
        (failure: unknown) => {
          if (live) setError(describePreviewError(failure, isKept()));
        },
      );
    return () => {
      live = false;
      if (made) URL.revokeObjectURL(made);
    };
  }, [view, file, type, isKept, enabled]);
  return { url, read, error, setError };
}

/**
 * A file served to a media element by the service worker, decrypted as the
 * element reads it (see `openMediaStream`); `fallback` when no worker
 * controls the page, and the file is then read whole.
 */
function useStreamedFile({ view, file, isKept }: BodyProps) {
  const [url, setUrl] = useState<string | null>(null);
  const [fallback, setFallback] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    let stream: MediaFeed | null = null;
    const reader = view.previews.rangeReader(file);
    const failed = (failure: unknown) => {
      if (live) setError(describePreviewError(failure, isKept()));
    };
    void openMediaStream(file.latest.size, file.latest.mediaType, reader.read, failed).then((opened) => {
      if (!live) return opened?.close();
      stream = opened;
      if (opened) setUrl(opened.url);
      else setFallback(true);
    });
    return () => {
      live = false;
      stream?.close();
    };
  }, [view, file, isKept]);
  return { url, fallback, error, setError };
}

/** While a file is fetched and decrypted: how much, for what takes more than a moment. */
function Reading({ file, read }: { file: DriveFile; read: number }) {
  return (
    <div className="preview-reading">
      <BusyNotice message={`Decrypting “${file.name}” on this device…`} />
      {file.latest.size > 2_000_000 ? (
        <progress max={file.latest.size} value={read} aria-label={`Decrypting ${file.name}`} />
      ) : null}
    </div>
  );
}

function ImagePreview(props: BodyProps) {
  const { file } = props;
  const { url, read, error, setError } = useWholeFile(props, imageBlobType(file.name, file.latest.mediaType));
  if (error) return <PreviewError message={error} />;
  if (!url) return <Reading file={file} read={read} />;
  return (
    <div className="preview-frame preview-image">
      {/* An <img>, never inline markup: an SVG shown this way runs no script and loads nothing. */}
      <img
        src={url}
        alt={file.name}
        onLoad={(event) => {
          void event.currentTarget.decode().then(
            () => markShown('image'),
            () => markShown('image'),
          );
        }}
        onError={() =>
          setError(
            'This image could not be decoded: it is damaged, or in a format this browser does not show. You can still download it.',
          )
        }
      />
    </div>
  );
}

/** Audio and video, streamed through the service worker where one controls the page, else read whole first. */
function MediaPreview(props: BodyProps & { kind: 'audio' | 'video' }) {
  const { file, kind } = props;
  const streamed = useStreamedFile(props);
  const whole = useWholeFile(props, file.latest.mediaType, streamed.fallback);
  const { url, error, setError } = streamed.fallback ? whole : streamed;
  if (error) return <PreviewError message={error} />;
  if (!url) return <Reading file={file} read={whole.read} />;
  // A piece that could not be decrypted said why already; the element's own error says less.
  const onError = () =>
    setError(
      (said) =>
        said ??
        `This browser cannot play this ${kind === 'audio' ? 'audio' : 'video'} (${file.latest.mediaType}), or the file is damaged. You can still download it.`,
    );
  return (
    <div className={`preview-frame preview-${kind}`}>
      {kind === 'audio' ? (
        <audio
          controls
          src={url}
          aria-label={file.name}
          onLoadedMetadata={() => markShown('audio')}
          onError={onError}
        />
      ) : (
        <video controls src={url} aria-label={file.name} onLoadedData={() => markShown('video')} onError={onError} />
      )}
    </div>
  );
}

function TextPreview({ view, file, isKept }: BodyProps) {
  const [content, setContent] = useState<TextContent | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    view.previews.readText(file).then(
      (found) => {
        if (!live) return;
        setContent(found);
        if (!found.binary) markShown('text');
      },
      (failure: unknown) => {
        if (live) setError(describePreviewError(failure, isKept()));
      },
    );
    return () => {
      live = false;
    };
  }, [view, file, isKept]);
  if (error) return <PreviewError message={error} />;
  if (!content) return <Reading file={file} read={0} />;
  if (content.binary) {
    return (
      <div className="preview-frame">
        <InfoNotice>
          “{file.name}” does not look like text, so it is not shown. Download it to open it with an app that reads it.
        </InfoNotice>
      </div>
    );
  }
  return (
    <div className="preview-frame preview-text-frame">
      {/* Plain text, never markup: Markdown and HTML files show as they are written. Focusable, so it scrolls with the keyboard. */}
      <pre className="preview-text" tabIndex={0} aria-label={`Text of ${file.name}`}>
        {content.text}
      </pre>
      {content.truncated ? (
        <p className="preview-note">
          Showing the first {formatBytes(TEXT_PREVIEW_BYTES)} of {formatBytes(file.latest.size)}. Download the file to
          read all of it.
        </p>
      ) : null}
    </div>
  );
}

/** The widest a PDF page is drawn when it fills the width, in CSS pixels (a line stays readable). */
const MAX_PAGE_WIDTH = 1000;
/** Room the page bar and the frame's padding take from the page (CSS pixels). */
const PAGE_MARGIN = 2 * 16 + 2;

function PdfPreview({ view, file, isKept }: BodyProps) {
  const [pdf, setPdf] = useState<PdfFile | null>(null);
  const [page, setPage] = useState(1);
  const [drawn, setDrawn] = useState(0);
  /** The whole page in view (first), or the page as wide as the dialog, to read it. */
  const [fitWidth, setFitWidth] = useState(false);
  const bar = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<string | null>(null);
  const frame = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const pageCount = pdf?.pageCount ?? 0;
  const turn = useRef((_by: number) => undefined as void);
  turn.current = (by: number) => setPage((current) => Math.min(Math.max(1, current + by), Math.max(1, pageCount)));

  useEffect(() => {
    let live = true;
    let opened: PdfFile | null = null;
    (async () => {
      // pdf.js (~2 MB with its worker) loads with the first PDF shown, not with the app.
      const { PdfFile: Pdf } = await import('./pdfDocument.ts');
      const reader = view.previews.rangeReader(file);
      opened = await Pdf.open(reader.size, reader.read);
      if (live) setPdf(opened);
      else void opened.destroy();
    })().catch((failure: unknown) => {
      if (live) setError(describePreviewError(failure, isKept()));
    });
    return () => {
      live = false;
      void opened?.destroy();
    };
  }, [view, file, isKept]);

  useEffect(() => {
    const target = canvas.current;
    if (!pdf || !target) return;
    let live = true;
    const room = frame.current;
    const roomWidth = Math.min(MAX_PAGE_WIDTH, (room?.clientWidth ?? MAX_PAGE_WIDTH) - PAGE_MARGIN);
    const roomHeight = (room?.clientHeight ?? 800) - PAGE_MARGIN - (bar.current?.offsetHeight ?? 0);
    const fit = (width: number, height: number) =>
      fitWidth ? roomWidth : Math.min(roomWidth, Math.max(200, roomHeight) * (width / height));
    pdf.renderPage(page, target, fit, window.devicePixelRatio || 1).then(
      (width) => {
        if (!live) return;
        target.style.width = `${width}px`;
        setDrawn((before) => {
          if (before === 0) markShown('pdf');
          return page;
        });
      },
      (failure: unknown) => {
        if (live) setError(describePreviewError(failure, isKept()));
      },
    );
    return () => {
      live = false;
    };
  }, [pdf, page, fitWidth, isKept]);

  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key !== 'PageDown' && event.key !== 'PageUp') return;
      event.preventDefault();
      turn.current(event.key === 'PageDown' ? 1 : -1);
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, []);

  if (error) return <PreviewError message={error} />;
  return (
    <div className="preview-frame preview-pdf" ref={frame}>
      {pdf ? (
        <div className="preview-pages" ref={bar}>
          {pageCount > 1 ? <PageSteps page={page} pageCount={pageCount} turn={(by) => turn.current(by)} /> : null}
          <button
            className="button button-quiet"
            type="button"
            aria-pressed={fitWidth}
            onClick={() => setFitWidth(!fitWidth)}
          >
            Fit width
          </button>
        </div>
      ) : null}
      {drawn === 0 ? <Reading file={file} read={0} /> : null}
      <canvas
        ref={canvas}
        className="preview-page"
        role="img"
        aria-label={`Page ${drawn || page} of ${pageCount || 1}, ${file.name}`}
        hidden={drawn === 0}
      />
    </div>
  );
}

/** Previous and next page, and where the reader is; PageUp and PageDown do the same. */
function PageSteps({ page, pageCount, turn }: { page: number; pageCount: number; turn: (by: number) => void }) {
  return (
    <>
      <button
        className="button button-quiet"
        type="button"
        aria-keyshortcuts="PageUp"
        aria-disabled={page <= 1}
        onClick={() => turn(-1)}
      >
        Previous page
      </button>
      <span aria-live="polite">
        Page {page} of {pageCount}
      </span>
      <button
        className="button button-quiet"
        type="button"
        aria-keyshortcuts="PageDown"
        aria-disabled={page >= pageCount}
        onClick={() => turn(1)}
      >
        Next page
      </button>
    </>
  );
}

function PreviewError({ message }: { message: string }) {
  return (
    <div className="preview-frame">
      <ErrorNotice message={message} />
    </div>
  );
}
