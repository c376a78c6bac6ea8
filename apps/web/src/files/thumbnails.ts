import type { ChunkRef, FileManifest } from '@coffre/client';
import { makesThumbnail } from './previewKinds.ts';

/**
 * Thumbnails, made on the device at upload: a small WebP (JPEG where the
 * browser cannot encode WebP) of an image or of a PDF's first page, sealed
 * like a chunk under the space's secret and recorded in the manifest, so
 * the relay holds one more opaque chunk and never the picture.
 */

/** The longest side of a thumbnail, in pixels: sharp in a list row on a 2x screen, ~10 kB. */
export const THUMBNAIL_PIXELS = 256;
/** Files above this are not decoded for a thumbnail (a panorama of hundreds of megapixels would stall the upload). */
const MAX_SOURCE_BYTES = 64 * 1024 * 1024;
/** Lossy quality of the thumbnail: invisible at its size, a third of the bytes of 0.92. */
const QUALITY = 0.8;

/**
 * The thumbnail's bytes (WebP or JPEG), or null when this file gets none
 * (not an image or a PDF, too large). The outbox seals it with the file and
 * sends it with the file's chunks (`OutgoingSource.thumbnail`).
 */
export async function makeThumbnail(file: File): Promise<Uint8Array | null> {
  if (file.size === 0 || file.size > MAX_SOURCE_BYTES || !makesThumbnail(file.name, file.type)) return null;
  if (file.type === 'application/pdf' || file.name.toLowerCase().endsWith('.pdf')) return pdfThumbnail(file);
  // Decoded off the main thread, turned upright by its EXIF orientation.
  const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  try {
    const { width, height } = fit(bitmap.width, bitmap.height);
    return await encode(width, height, (context) => context.drawImage(bitmap, 0, 0, width, height));
  } finally {
    bitmap.close();
  }
}

/** A PDF's first page, read from the file on disk by ranges (pdf.js loads only when a PDF is uploaded). */
async function pdfThumbnail(file: File): Promise<Uint8Array | null> {
  const { PdfFile } = await import('./pdfDocument.ts');
  const pdf = await PdfFile.open(
    file.size,
    async (start, end) => new Uint8Array(await file.slice(start, end).arrayBuffer()),
  );
  try {
    const page = await pdf.renderFirstPage(THUMBNAIL_PIXELS);
    return await encode(page.width, page.height, (context) => context.drawImage(page, 0, 0));
  } finally {
    await pdf.destroy();
  }
}

/** The size that fits within the thumbnail's square, keeping the aspect ratio (never enlarged). */
export function fit(width: number, height: number, max = THUMBNAIL_PIXELS): { width: number; height: number } {
  const scale = Math.min(1, max / Math.max(width, height, 1));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

type Context2D = OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D;

/** Draws on a canvas of that size and encodes it: WebP, or JPEG on a white ground where WebP cannot be encoded. */
async function encode(width: number, height: number, draw: (context: Context2D) => void): Promise<Uint8Array> {
  const canvas = newCanvas(width, height);
  const context = context2d(canvas);
  if (!context) throw new Error('no 2D canvas on this device');
  context.imageSmoothingQuality = 'high';
  draw(context);
  let blob = await toBlob(canvas, 'image/webp');
  if (blob.type !== 'image/webp') {
    // Safari encodes no WebP (it hands back a PNG): JPEG instead, which has no transparency, so a white ground.
    context.globalCompositeOperation = 'destination-over';
    context.fillStyle = '#ffffff';
    context.fillRect(0, 0, width, height);
    blob = await toBlob(canvas, 'image/jpeg');
  }
  return new Uint8Array(await blob.arrayBuffer());
}

function newCanvas(width: number, height: number): OffscreenCanvas | HTMLCanvasElement {
  if (typeof OffscreenCanvas !== 'undefined') return new OffscreenCanvas(width, height);
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  return canvas;
}

/**
 * The canvas's 2D context, one branch per kind of canvas: the union's own
 * `getContext` is typed differently by the DOM library of the web app's
 * TypeScript program and of the repository's, so an assertion on it was
 * needed under one and refused by the linter under the other (a lint
 * failure seen on one CI run and not the next).
 */
function context2d(canvas: OffscreenCanvas | HTMLCanvasElement): Context2D | null {
  return canvas instanceof HTMLCanvasElement ? canvas.getContext('2d') : canvas.getContext('2d');
}

function toBlob(canvas: OffscreenCanvas | HTMLCanvasElement, type: string): Promise<Blob> {
  if (!(canvas instanceof HTMLCanvasElement)) return canvas.convertToBlob({ type, quality: QUALITY });
  return new Promise((resolve, reject) =>
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('the canvas did not encode'))), type, QUALITY),
  );
}

/** What the device keeps of a version to show it offline: its chunks, and its thumbnail for the list. */
export function chunksToKeep(manifest: FileManifest | undefined): ChunkRef[] | undefined {
  if (!manifest) return undefined;
  return manifest.thumbnail ? [...manifest.chunks, manifest.thumbnail] : manifest.chunks;
}

/** The image type of a thumbnail's bytes, from their first bytes (a manifest does not record it), or null. */
export function thumbnailType(bytes: Uint8Array): 'image/webp' | 'image/jpeg' | 'image/png' | null {
  const ascii = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
  if (bytes.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'image/webp';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.length >= 8 && ascii(1, 4) === 'PNG' && bytes[0] === 0x89) return 'image/png';
  return null;
}
