/**
 * The file name an attachment's reference gives (what exports write in its
 * place: an attachment's bytes are sealed in the document's space and are
 * not part of an export), or null when it names none.
 */
export function attachmentName(reference: unknown): string | null {
  if (typeof reference !== 'string') return null;
  try {
    const name = (JSON.parse(reference) as { manifest?: { name?: unknown } } | null)?.manifest?.name;
    // eslint-disable-next-line no-control-regex
    return typeof name === 'string' && name !== '' ? name.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, 255) : null;
  } catch {
    return null;
  }
}

/** What exports write instead of an attachment image: "[Image: garden.png]". */
export function attachmentPlaceholder(reference: unknown): string {
  return `[Image: ${attachmentName(reference) ?? 'attachment'}]`;
}
