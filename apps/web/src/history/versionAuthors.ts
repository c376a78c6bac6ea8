import { type DeviceId, type DocumentId, linkDevicePublicKey } from '@coffre/protocol';
import type { AccountWorkspace } from '../workspace/AccountWorkspace.ts';

/** What it takes to name the device that saved a version. */
export interface AuthorDirectory {
  /** The signed-in session's user and device. */
  self: { userId: string; deviceId: string };
  /** Device id → user id, for certified devices this device has verified (its own account's included). */
  owners: ReadonlyMap<string, string>;
  /** User id → email, for members and known contacts. */
  emails: ReadonlyMap<string, string>;
}

export const UNKNOWN_AUTHOR = 'A member’s device';
/** A share link's throwaway device (its id is its key: nothing says who holds the link). */
export const LINK_AUTHOR = 'Someone with a link';

/**
 * The author of a version, or of a caret, in words: "You (this device)",
 * "You (another device)", a member's email, someone with a link. Without a
 * directory (a share link's view, which knows no member) every member is
 * "A member".
 */
export function describeAuthor(author: DeviceId | string, directory: AuthorDirectory | null): string {
  if (linkDevicePublicKey(author)) return LINK_AUTHOR;
  if (directory === null) return 'A member';
  if (author === directory.self.deviceId) return 'You (this device)';
  const userId = directory.owners.get(author);
  if (userId === undefined) return UNKNOWN_AUTHOR;
  if (userId === directory.self.userId) return 'You (another device)';
  return directory.emails.get(userId) ?? UNKNOWN_AUTHOR;
}

/**
 * Who owns which device, from the workspace: devices whose certificates this
 * device verified against their user's identity key (remembered in the
 * sharing state when the document's access was fetched), and the emails of
 * the document's members (from the relay; known contacts' when offline).
 */
export async function loadAuthorDirectory(
  accountWorkspace: AccountWorkspace,
  documentId: DocumentId,
  self: AuthorDirectory['self'],
): Promise<AuthorDirectory> {
  const workspace = await accountWorkspace.workspace();
  const contacts = workspace.state.contacts;
  const owners = new Map<string, string>();
  for (const device of contacts.toJSON().devices) owners.set(device.deviceId, device.userId);
  const emails = new Map<string, string>();
  for (const record of contacts.records()) if (record.email !== undefined) emails.set(record.userId, record.email);
  try {
    for (const member of await workspace.members(documentId)) emails.set(member.userId, member.email);
  } catch {
    // Offline: the contacts' emails are all there is.
  }
  return { self, owners, emails };
}
