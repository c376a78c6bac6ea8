import { useEffect, useMemo } from 'react';
import type { Session } from '@coffre/client';
import { type DocumentId, linkDevicePublicKey } from '@coffre/protocol';
import { type AuthorDirectory, describeAuthor, loadAuthorDirectory } from '../history/versionAuthors.ts';
import type { AccountWorkspace } from './AccountWorkspace.ts';
import { NamedPresence, type SignedPresenceSource } from './NamedPresence.ts';

/** At most one reload of the members' devices per this many milliseconds. */
const RELOAD_INTERVAL_MS = 2_000;

/**
 * The document's presence, each peer named by the device that signed it
 * (see {@link NamedPresence}): "You (another device)", a member's email,
 * "Someone with a link", "A member's device" until this device has verified
 * whose it is. A peer on a device not known yet makes the directory reload
 * (the workspace verifies new devices as their entries arrive).
 */
export function usePresenceNames(
  document: SignedPresenceSource,
  workspace: AccountWorkspace,
  documentId: DocumentId,
  session: Session,
): NamedPresence {
  const presence = useMemo(() => new NamedPresence(document, (author) => describeAuthor(author, null)), [document]);
  const { userId, deviceId } = session;

  useEffect(() => {
    let live = true;
    let directory: AuthorDirectory | null = null;
    let loading = false;
    let lastLoad = 0;
    const known = (author: string, loaded: AuthorDirectory) =>
      author === loaded.self.deviceId || loaded.owners.has(author) || linkDevicePublicKey(author) !== undefined;
    const load = () => {
      if (loading || Date.now() - lastLoad < RELOAD_INTERVAL_MS) return;
      loading = true;
      lastLoad = Date.now();
      loadAuthorDirectory(workspace, documentId, { userId, deviceId })
        .then((loaded) => {
          directory = loaded;
          if (live) presence.rename((author) => describeAuthor(author, loaded));
        })
        .catch(() => undefined)
        .finally(() => {
          loading = false;
        });
    };
    load();
    const off = document.on('presence', (peers) => {
      if (directory && peers.some((peer) => !known(peer.author, directory as AuthorDirectory))) load();
    });
    return () => {
      live = false;
      off();
    };
  }, [document, presence, workspace, documentId, userId, deviceId]);

  return presence;
}
