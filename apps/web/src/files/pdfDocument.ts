import {
  GlobalWorkerOptions,
  InvalidPDFException,
  PDFDataRangeTransport,
  type PDFDocumentLoadingTask,
  type PDFDocumentProxy,
  PDFWorker,
  PasswordException,
  RenderingCancelledException,
  type RenderTask,
  VerbosityLevel,
  getDocument,
} from 'pdfjs-dist';
// Vite copies the worker into the build under a hashed name on this origin: `worker-src 'self'`, no CDN.
import workerUrl from 'pdfjs-dist/build/pdf.worker.min.mjs?url';

/**
 * PDFs through pdf.js, loaded only when a PDF is previewed or uploaded
 * (this module is imported dynamically). Bytes come from a range reader,
 * never a URL: pdf.js asks for the ranges it needs (the cross-reference
 * table at the end, then the objects of the page shown), so the first page
 * of a large PDF needs a few of its chunks rather than all of them.
 */

GlobalWorkerOptions.workerSrc = workerUrl;

/** Reads bytes `start` (inclusive) to `end` (exclusive) of the file. */
export type ReadRange = (start: number, end: number) => Promise<Uint8Array>;

/** What pdf.js asks for at a time: a chunk of the Drive is about 1 MiB, so one request rarely needs more than two. */
const RANGE_BYTES = 256 * 1024;

/** Why a PDF was not shown, in words; the reader's own failures (a refused chunk, no network) pass through as they are. */
export class PdfError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PdfError';
  }
}

/** One worker for every PDF of the session: starting it costs more than any first page. */
let sharedWorker: PDFWorker | null = null;
function worker(): PDFWorker {
  sharedWorker ??= new PDFWorker({ verbosity: VerbosityLevel.ERRORS });
  return sharedWorker;
}

/** pdf.js's view of the file: each range it asks for is read, and the first failure ends the document. */
class DriveRangeTransport extends PDFDataRangeTransport {
  readonly #read: ReadRange;
  readonly #fail: (error: unknown) => void;

  constructor(length: number, read: ReadRange, fail: (error: unknown) => void) {
    super(length, null);
    this.#read = read;
    this.#fail = fail;
  }

  override requestDataRange(begin: number, end: number): void {
    this.#read(begin, end).then(
      (bytes) => this.onDataRange(begin, bytes),
      (error: unknown) => this.#fail(error),
    );
  }
}

/** An open PDF: its page count, and pages drawn on a canvas. */
export class PdfFile {
  readonly pageCount: number;
  readonly #document: PDFDocumentProxy;
  readonly #task: PDFDocumentLoadingTask;
  /** Rejects when a range could not be read: pdf.js itself would wait for it forever. */
  readonly #failed: Promise<never>;
  #rendering: RenderTask | null = null;

  private constructor(task: PDFDocumentLoadingTask, document: PDFDocumentProxy, failed: Promise<never>) {
    this.#task = task;
    this.#document = document;
    this.#failed = failed;
    this.pageCount = document.numPages;
  }

  /** Opens a PDF of `length` bytes read through `read`; rejects with a {@link PdfError} or the reader's failure. */
  static async open(length: number, read: ReadRange): Promise<PdfFile> {
    let fail: (error: unknown) => void = () => undefined;
    const failed = new Promise<never>((_, reject) => {
      fail = reject;
    });
    failed.catch(() => undefined); // seen by whoever races it; never unhandled meanwhile
    const task = getDocument({
      range: new DriveRangeTransport(length, read, (error) => fail(error)),
      rangeChunkSize: RANGE_BYTES,
      // Only what the page shown needs: nothing fetched ahead, no stream of the whole file.
      disableAutoFetch: true,
      disableStream: true,
      worker: worker(),
      // Pages are drawn on this thread's canvas: pdf.js's second, rendering worker would be one more start-up.
      disableWorkerRendering: true,
      verbosity: VerbosityLevel.ERRORS,
    });
    try {
      return new PdfFile(task, await Promise.race([task.promise, failed]), failed);
    } catch (error) {
      void task.destroy();
      throw pdfError(error);
    }
  }

  /**
   * Draws page `number` (from 1) on `canvas`, as many CSS pixels wide as
   * `fit` says for the page's natural size, sharp on the screen's pixel
   * ratio; a page still being drawn is cancelled. Resolves with that width
   * once the page is on the canvas.
   */
  async renderPage(
    number: number,
    canvas: HTMLCanvasElement,
    fit: (width: number, height: number) => number,
    pixelRatio = 1,
  ): Promise<number> {
    this.#rendering?.cancel();
    const page = await Promise.race([this.#document.getPage(number), this.#failed]);
    const natural = page.getViewport({ scale: 1 });
    const cssWidth = Math.max(1, Math.floor(fit(natural.width, natural.height)));
    const scale = (cssWidth / natural.width) * pixelRatio;
    const viewport = page.getViewport({ scale });
    canvas.width = Math.max(1, Math.floor(viewport.width));
    canvas.height = Math.max(1, Math.floor(viewport.height));
    const task = page.render({ canvas, viewport });
    this.#rendering = task;
    try {
      await Promise.race([task.promise, this.#failed]);
      return cssWidth;
    } catch (error) {
      if (error instanceof RenderingCancelledException) return cssWidth;
      throw pdfError(error);
    } finally {
      if (this.#rendering === task) this.#rendering = null;
    }
  }

  /** The first page drawn to fit within `maxSide` pixels (the thumbnail made at upload). */
  async renderFirstPage(maxSide: number): Promise<HTMLCanvasElement> {
    const page = await Promise.race([this.#document.getPage(1), this.#failed]);
    const natural = page.getViewport({ scale: 1 });
    const viewport = page.getViewport({ scale: maxSide / Math.max(natural.width, natural.height) });
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.round(viewport.width));
    canvas.height = Math.max(1, Math.round(viewport.height));
    await Promise.race([page.render({ canvas, viewport }).promise, this.#failed]);
    return canvas;
  }

  /**
   * The text of the first `maxPages` pages, a line per line of the page as
   * pdf.js lays it out, stopped at `maxCharacters` (for the search index).
   */
  async text(maxPages: number, maxCharacters: number): Promise<string> {
    const lines: string[] = [];
    let length = 0;
    for (let number = 1; number <= Math.min(this.pageCount, maxPages) && length < maxCharacters; number += 1) {
      const page = await Promise.race([this.#document.getPage(number), this.#failed]);
      const content = await Promise.race([page.getTextContent(), this.#failed]);
      let line = '';
      for (const item of content.items) {
        if (!('str' in item)) continue;
        line += item.str;
        if (item.hasEOL) {
          lines.push(line);
          length += line.length + 1;
          line = '';
        }
      }
      if (line !== '') lines.push(line);
      length += line.length + 1;
      page.cleanup();
    }
    return lines.join('\n').slice(0, maxCharacters);
  }

  async destroy(): Promise<void> {
    this.#rendering?.cancel();
    // The document's end; the shared worker stays for the next PDF.
    await this.#task.destroy();
  }
}

/** pdf.js's exceptions in the words of the dialog; anything else (a refused chunk, no network) unchanged. */
function pdfError(error: unknown): unknown {
  if (error instanceof PasswordException) {
    return new PdfError(
      'This PDF is protected by a password, which the preview cannot ask for. Download it to open it.',
    );
  }
  if (error instanceof InvalidPDFException) {
    return new PdfError(
      'This file is not a valid PDF, or it is damaged, so it cannot be shown. You can still download it.',
    );
  }
  return error;
}
