import type { DriveFile } from '@coffre/client';
import type { FilePreviews } from '../files/FilePreviews.ts';
import { previewKindOf } from '../files/previewKinds.ts';

/** How much of a file's content is indexed: the start of a text file, the first pages of a PDF. */
export const TEXT_INDEX_BYTES = 1024 * 1024;
export const PDF_INDEX_PAGES = 50;
export const PDF_INDEX_CHARACTERS = 1024 * 1024;

/** Whether the search index reads a file's content (text, Markdown, code and PDF), not only its name. */
export function indexesContent(file: DriveFile): boolean {
  const kind = previewKindOf(file.name, file.latest.mediaType);
  return kind === 'text' || kind === 'pdf';
}

/**
 * A file's text for the search index, decrypted on this device through the
 * preview's readers (chunks from the device when the file is kept offline,
 * else from the relay, each checked): the first {@link TEXT_INDEX_BYTES} of
 * a text file, or what pdf.js finds on the first {@link PDF_INDEX_PAGES}
 * pages of a PDF. Null for a file with no text to read (binary content).
 */
export async function fileText(previews: FilePreviews, file: DriveFile): Promise<string | null> {
  const kind = previewKindOf(file.name, file.latest.mediaType);
  if (kind === 'text') {
    const text = await previews.readText(file, TEXT_INDEX_BYTES);
    return text.binary ? null : text.text;
  }
  if (kind !== 'pdf') return null;
  const { PdfFile } = await import('../files/pdfDocument.ts');
  const reader = previews.rangeReader(file);
  const pdf = await PdfFile.open(file.latest.size, reader.read);
  try {
    return await pdf.text(PDF_INDEX_PAGES, PDF_INDEX_CHARACTERS);
  } finally {
    await pdf.destroy();
  }
}
