import type { AccountClient } from '../account/AccountClient.ts';
import type { Session } from '../account/Session.ts';
import type { ContactTrust } from './ContactTrust.ts';
import type { SharingState } from './SharingState.ts';

/** What the workspace's parts (access, links, rotation) share: the account, the state and the contacts. */
export interface WorkspaceContext {
  readonly account: AccountClient;
  readonly state: SharingState;
  readonly contacts: ContactTrust;
  /** The signed-in session; `UNAUTHENTICATED` when signed out or signed in as someone else. */
  session(): Session;
  /** Saves the state when it changed. */
  persist(): Promise<void>;
}
