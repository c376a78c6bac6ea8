/** Every route of the app, so links and the router cannot disagree. */
export const routes = {
  documents: '/',
  files: '/files',
  signUp: '/signup',
  logIn: '/login',
  security: '/settings/security',
  devices: '/settings/devices',
  members: '/admin/members',
  /** Kept for the link-open screen: `#/link/<tenant>/<secret>` (see `formatShareUrl` in @coffre/client). */
  linkPrefix: '/link/',
  /** A document in the editor: `#/d/<documentId>` (see {@link documentRoute}). */
  documentPrefix: '/d/',
  /** A file of the Drive, shown in the Files screen at its folder: `#/files/<nodeId>` (see {@link fileRoute}). */
  filePrefix: '/files/',
} as const;

/** The editor route of a document. */
export function documentRoute(documentId: string): string {
  return `${routes.documentPrefix}${encodeURIComponent(documentId)}`;
}

/** The Files screen showing a file's preview (or a folder's content). */
export function fileRoute(nodeId: string): string {
  return `${routes.filePrefix}${encodeURIComponent(nodeId)}`;
}

/** The Drive node id of a file route, or null when `path` is not one. */
export function fileIdOf(path: string): string | null {
  return idAfter(routes.filePrefix, path);
}

/** The document id of an editor route, or null when `path` is not one. */
export function documentIdOf(path: string): string | null {
  return idAfter(routes.documentPrefix, path);
}

/** The id that follows `prefix` in `path`, or null when `path` is not such a route or the id is not one. */
function idAfter(prefix: string, path: string): string | null {
  if (!path.startsWith(prefix)) return null;
  try {
    const id = decodeURIComponent(path.slice(prefix.length));
    return /^[A-Za-z0-9_-]{1,64}$/.test(id) ? id : null;
  } catch {
    return null;
  }
}
