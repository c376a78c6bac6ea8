/**
 * What the preview dialog can show of a file, from its media type and its
 * name. Browsers often give no type (`.md`, `.yaml`) or a wrong one (`.ts`
 * comes as `video/mp2t`), so a known extension of text or code wins over
 * the type; a file that turns out not to be text says so when opened.
 */
export type PreviewKind = 'image' | 'pdf' | 'text' | 'audio' | 'video';

/** Images every browser the app supports decodes in an `<img>`. SVG too: as an image, its scripts never run. */
const IMAGE_TYPES: ReadonlySet<string> = new Set([
  'image/jpeg',
  'image/png',
  'image/gif',
  'image/webp',
  'image/avif',
  'image/svg+xml',
  'image/bmp',
]);
const IMAGE_EXTENSIONS: ReadonlySet<string> = new Set(['jpg', 'jpeg', 'png', 'gif', 'webp', 'avif', 'svg', 'bmp']);

/** Application types that are text in practice. */
const TEXT_TYPES: ReadonlySet<string> = new Set([
  'application/json',
  'application/ld+json',
  'application/xml',
  'application/javascript',
  'application/x-javascript',
  'application/typescript',
  'application/x-sh',
  'application/x-yaml',
  'application/yaml',
  'application/toml',
  'application/sql',
  'application/x-tex',
]);

/** Names of text, Markdown and source files, whatever type the browser gave them. */
const TEXT_EXTENSIONS: ReadonlySet<string> = new Set([
  'txt',
  'text',
  'md',
  'markdown',
  'csv',
  'tsv',
  'log',
  'json',
  'jsonl',
  'xml',
  'yaml',
  'yml',
  'toml',
  'ini',
  'cfg',
  'conf',
  'env',
  'ts',
  'tsx',
  'mts',
  'cts',
  'js',
  'jsx',
  'mjs',
  'cjs',
  'css',
  'scss',
  'html',
  'htm',
  'py',
  'rb',
  'go',
  'rs',
  'java',
  'kt',
  'swift',
  'c',
  'h',
  'cc',
  'cpp',
  'hpp',
  'cs',
  'php',
  'sh',
  'bash',
  'zsh',
  'sql',
  'tex',
  'diff',
  'patch',
]);

const AUDIO_EXTENSIONS: ReadonlySet<string> = new Set(['mp3', 'wav', 'ogg', 'oga', 'opus', 'flac', 'm4a', 'aac']);
const VIDEO_EXTENSIONS: ReadonlySet<string> = new Set(['mp4', 'm4v', 'webm', 'ogv', 'mov']);

/** The lower-case extension of a name (`"Report.PDF"` gives `"pdf"`), or an empty string. */
export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? '' : name.slice(dot + 1).toLowerCase();
}

/** How a file can be previewed, or null when it cannot (an archive, a spreadsheet...). */
export function previewKindOf(name: string, mediaType: string): PreviewKind | null {
  const extension = extensionOf(name);
  const type = mediaType.toLowerCase();
  if (TEXT_EXTENSIONS.has(extension)) return 'text';
  if (IMAGE_TYPES.has(type) || IMAGE_EXTENSIONS.has(extension)) return 'image';
  if (type === 'application/pdf' || extension === 'pdf') return 'pdf';
  if (type.startsWith('text/') || TEXT_TYPES.has(type) || type.endsWith('+json') || type.endsWith('+xml')) {
    return 'text';
  }
  if (type.startsWith('audio/') || AUDIO_EXTENSIONS.has(extension)) return 'audio';
  if (type.startsWith('video/') || VIDEO_EXTENSIONS.has(extension)) return 'video';
  return null;
}

/** Whether a thumbnail is made at upload: raster images the browser decodes, and PDFs (their first page). */
export function makesThumbnail(name: string, mediaType: string): boolean {
  const kind = previewKindOf(name, mediaType);
  if (kind === 'pdf') return true;
  // An SVG is drawn from markup the device would have to render into a canvas: not worth it for a thumbnail.
  return kind === 'image' && mediaType !== 'image/svg+xml' && extensionOf(name) !== 'svg';
}

/** What the dialog says a file is, in words ("PDF document", "Image"). */
export function describeKind(kind: PreviewKind | null): string {
  switch (kind) {
    case 'image':
      return 'Image';
    case 'pdf':
      return 'PDF document';
    case 'text':
      return 'Text';
    case 'audio':
      return 'Audio';
    case 'video':
      return 'Video';
    default:
      return 'File';
  }
}
