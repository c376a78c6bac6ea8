import { type FileManifest, ManifestError, manifestToJSON, parseManifest } from './FileManifest.ts';

/** Largest image a document takes as an attachment: 20 MiB. */
export const MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024;

/** Image types shown from attachments (raster only, as for `data:` images: an SVG is never put in a document). */
export const ATTACHMENT_MEDIA_TYPES: ReadonlySet<string> = new Set([
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'image/avif',
]);

/** The longest reference an image node may carry (a 20 MiB image is about 25 chunks of ~130 bytes each). */
const MAX_REFERENCE_LENGTH = 64 * 1024;
const SECRET_ID = /^[0-9a-f]{32}$/;

/**
 * An image attached to a document: the secret of the document's space its
 * chunks were sealed under, and the file's manifest (chunk addresses and
 * keys, size, type, name). It travels in the image node of the document's
 * encrypted content, so it is sealed and signed with the document's entries.
 */
export interface AttachmentReference {
  secretId: string;
  manifest: FileManifest;
}

/** Why an attachment cannot be shown or added, in words for the person (`message`). */
export class AttachmentError extends Error {
  readonly code: 'malformed' | 'too-large' | 'unsupported-type' | 'unknown-secret' | 'refused' | 'unreachable';
  constructor(code: AttachmentError['code'], message: string) {
    super(message);
    this.name = 'AttachmentError';
    this.code = code;
  }
}

/**
 * Refuses, before anything is read or sealed, an image a document does not
 * take: empty, over {@link MAX_ATTACHMENT_BYTES}, or not a raster image type.
 */
export function checkNewAttachment(size: number, mediaType: string): void {
  if (!ATTACHMENT_MEDIA_TYPES.has(mediaType)) {
    throw new AttachmentError('unsupported-type', 'only PNG, JPEG, GIF, WebP and AVIF images can go in a document.');
  }
  if (size > MAX_ATTACHMENT_BYTES) {
    throw new AttachmentError('too-large', 'it is larger than the 20 MB a document takes.');
  }
  if (size === 0) throw new AttachmentError('malformed', 'the file is empty.');
}

/** The reference as an image node's `attachment` attribute holds it (JSON text). */
export function formatAttachmentReference(reference: AttachmentReference): string {
  return JSON.stringify({ secret: reference.secretId, manifest: manifestToJSON(reference.manifest) });
}

/**
 * Reads and checks an image node's `attachment` attribute: a known layout,
 * a manifest that adds up (`parseManifest`), an image type shown here and a
 * size within {@link MAX_ATTACHMENT_BYTES}. Throws {@link AttachmentError}
 * (`malformed`, `unsupported-type`, `too-large`) with a sentence to show.
 */
export function parseAttachmentReference(value: unknown): AttachmentReference {
  if (typeof value !== 'string' || value.length > MAX_REFERENCE_LENGTH) {
    throw new AttachmentError('malformed', 'its description in the document is damaged.');
  }
  let record: unknown;
  try {
    record = JSON.parse(value);
  } catch {
    throw new AttachmentError('malformed', 'its description in the document is damaged.');
  }
  const { secret, manifest: wire } = (record ?? {}) as { secret?: unknown; manifest?: unknown };
  if (typeof secret !== 'string' || !SECRET_ID.test(secret)) {
    throw new AttachmentError('malformed', 'its description in the document is damaged (no valid key name).');
  }
  let manifest: FileManifest;
  try {
    manifest = parseManifest(wire);
  } catch (error) {
    const detail = error instanceof ManifestError ? error.message.replace(/^file manifest refused: /, '') : 'unknown';
    throw new AttachmentError('malformed', `its description in the document is damaged (${detail}).`);
  }
  if (!ATTACHMENT_MEDIA_TYPES.has(manifest.mediaType)) {
    throw new AttachmentError('unsupported-type', `${manifest.mediaType} is not an image type documents show.`);
  }
  if (manifest.size > MAX_ATTACHMENT_BYTES) {
    throw new AttachmentError('too-large', 'it is larger than the 20 MB documents take.');
  }
  return { secretId: secret, manifest };
}
