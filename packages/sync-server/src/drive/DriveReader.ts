import type { AccessClaims, DocumentId, TenantId } from '@coffre/protocol';
import type { AccountSession } from '../accounts/AccountSession.ts';
import { linkIdOfSession } from '../sharing/linkSessionId.ts';

/**
 * A share link's session reading a space's chunks: the one document (space)
 * its token names, while the link is live. It may fetch chunks and ask
 * "which do you hold" (claiming nothing), never upload or sweep.
 */
export interface LinkReader {
  kind: 'link';
  tenant: TenantId;
  linkId: string;
  /** The space the link opens (the token's `doc`). */
  space: DocumentId;
}

/** Who reads a space's chunks: an account's session (a member of the space) or a share link's session. */
export type DriveReader = AccountSession | LinkReader;

/** The link reader of a link session's claims (`doc` and an `l_` session id), or null for any other token. */
export function linkReaderOf(claims: AccessClaims): LinkReader | null {
  if (claims.doc === undefined || claims.sid === undefined) return null;
  const linkId = linkIdOfSession(claims.sid);
  if (linkId === null) return null;
  return { kind: 'link', tenant: claims.tenant, linkId, space: claims.doc as DocumentId };
}

export function isLinkReader(reader: DriveReader): reader is LinkReader {
  return 'kind' in reader && reader.kind === 'link';
}
