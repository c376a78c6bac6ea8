import type { TenantId } from '@coffre/protocol';

/** A share link's session, as its verified token says: the link and the one document it opens. */
export interface LinkReader {
  tenant: TenantId;
  linkId: string;
  documentId: string;
}

/**
 * The `sid` of the tokens a share link's sessions get: `l_` and the link id.
 * Connections are tracked by `sid`, so revoking the link closes them all.
 */
export function linkSessionId(linkId: string): string {
  return `l_${linkId}`;
}

/** The link id of a link session's `sid`, or null for any other `sid` (a login session's). */
export function linkIdOfSession(sid: string): string | null {
  const match = /^l_([0-9a-f]{32})$/.exec(sid);
  return match?.[1] ?? null;
}
