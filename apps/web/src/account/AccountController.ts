import {
  type AccountKeyDerivation,
  AccountClient,
  AccountError,
  type Session,
  type VaultKeyMaterial,
} from '@coffre/client';
import type { SessionVault } from '../session/SessionVault.ts';
import { type LockedAccount } from '../session/SessionVault.ts';

/** Where the app stands with the account on this device. */
export type AccountState =
  { status: 'starting' } | SignedOutState | { status: 'locked'; account: LockedAccount } | SignedInState;

export interface SignedOutState {
  status: 'signed-out';
  /** Why the session ended, when the relay ended it (a revoked device, say). */
  notice: string | null;
  /** Who was signed in before, to fill the login form in again. */
  previous: { tenant: string; email: string } | null;
}

export interface SignedInState {
  status: 'signed-in';
  account: AccountClient;
  session: Session;
  /**
   * The local vault key of this account, in memory only while signed in.
   * The document layer seals what it keeps in IndexedDB with it (e.g.
   * `new Vault(vaultKey)` from @coffre/storage).
   */
  vaultKey: Uint8Array;
  /** "Keep me signed in on this device" is on. */
  remembered: boolean;
}

export interface SignUpInput {
  tenant: string;
  email: string;
  password: string;
  deviceName: string;
  remember: boolean;
}

export interface LogInInput extends SignUpInput {
  totp?: string;
  recoveryCode?: string;
}

export interface AccountControllerOptions {
  /** The relay's address; the page's own origin when the relay serves the app. */
  baseUrl: string;
  vault: SessionVault;
  /** Runs Argon2id at sign-up and log-in (the app's Web Worker; AccountClient's in-thread default otherwise). */
  deriveKeys?: AccountKeyDerivation;
}

/**
 * The account on this device as a small state machine the React tree
 * subscribes to: starting -> signed-out | locked | signed-in. Owns the
 * AccountClient and the vault key, and keeps the sealed session in
 * IndexedDB in step with every sign-in, refresh and sign-out.
 */
export class AccountController {
  readonly #baseUrl: string;
  readonly #vault: SessionVault;
  readonly #deriveKeys: AccountKeyDerivation | undefined;
  readonly #listeners = new Set<() => void>();
  #state: AccountState = { status: 'starting' };
  /** The client whose session changes count; a sign-in in progress has its own until it succeeds. */
  #current: AccountClient | null = null;
  /** The other tabs of this browser: a sign-out in one signs them all out, a sign-in offers them to unlock. */
  readonly #tabs: BroadcastChannel | null;

  constructor(options: AccountControllerOptions) {
    this.#baseUrl = options.baseUrl;
    this.#vault = options.vault;
    this.#deriveKeys = options.deriveKeys;
    this.#tabs = typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel(TABS_CHANNEL);
    this.#tabs?.addEventListener('message', (event: MessageEvent<unknown>) => {
      if (event.data === 'signed-out') this.#signedOutElsewhere();
      if (event.data === 'signed-in') void this.#signedInElsewhere();
    });
  }

  get state(): AccountState {
    return this.#state;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  getState = (): AccountState => this.#state;

  /** Decides the first screen: the remembered session, the unlock screen, or sign-in. */
  async start(): Promise<void> {
    const remembered = await this.#vault.unlockRemembered();
    if (remembered) {
      this.#signIn(remembered.session, remembered.vaultKey, true);
      return;
    }
    const locked = await this.#vault.locked();
    this.#set(locked ? { status: 'locked', account: locked } : { status: 'signed-out', notice: null, previous: null });
  }

  async signUp(input: SignUpInput): Promise<void> {
    await this.#start(input.remember, (client, onVaultKey) =>
      client.register(input.tenant, input.email, input.password, input.deviceName, { onVaultKey }),
    );
  }

  /** Rejects with AccountError `SECOND_FACTOR_REQUIRED` when the account needs a code. */
  async logIn(input: LogInInput): Promise<void> {
    await this.#start(input.remember, (client, onVaultKey) =>
      client.login(input.tenant, input.email, input.password, {
        deviceName: input.deviceName,
        ...(input.totp ? { totp: input.totp } : {}),
        ...(input.recoveryCode ? { recoveryCode: input.recoveryCode } : {}),
        onVaultKey,
      }),
    );
  }

  /**
   * Signs up or logs in through `enter` with a new client, then keeps the session; on
   * failure the vault key received so far is wiped and the client closed.
   */
  async #start(
    remember: boolean,
    enter: (client: AccountClient, onVaultKey: (received: VaultKeyMaterial) => void) => Promise<Session>,
  ): Promise<void> {
    let material: VaultKeyMaterial | null = null;
    const client = this.#client(null);
    try {
      const session = await enter(client, (received) => (material = received));
      await this.#saveNew(client, session, material, remember);
    } catch (error) {
      wipe(material);
      client.close();
      throw error;
    }
  }

  /** Opens the saved session with the password, offline; rejects with WrongPasswordError. */
  async unlock(password: string): Promise<void> {
    const { session, vaultKey } = await this.#vault.unlock(password);
    this.#signIn(session, vaultKey, false);
  }

  /** Signs this device out on the relay (when reachable) and forgets the session here in any case. */
  async logOut(): Promise<void> {
    const state = this.#state;
    if (state.status !== 'signed-in') return;
    try {
      await state.account.logout();
    } finally {
      await this.#forget(null);
    }
  }

  /** From the unlock screen: forget the saved session without the password (its tokens stay valid until they expire). */
  async forgetDevice(): Promise<void> {
    await this.#forget(null);
  }

  async setRemembered(remember: boolean): Promise<void> {
    const state = this.#state;
    if (state.status !== 'signed-in') return;
    await this.#vault.setRemembered(remember ? state.vaultKey : null);
    this.#set({ ...state, remembered: remember });
  }

  async #saveNew(
    client: AccountClient,
    session: Session,
    material: VaultKeyMaterial | null,
    remember: boolean,
  ): Promise<void> {
    if (!material) throw new Error('the sign-in returned no vault key');
    const received: VaultKeyMaterial = material;
    await this.#vault.save(session, received, { remember });
    this.#current?.close();
    this.#current = client;
    this.#signIn(session, received.vaultKey, remember, client);
    this.#tabs?.postMessage('signed-in');
  }

  #signIn(session: Session, vaultKey: Uint8Array, remembered: boolean, existing?: AccountClient): void {
    const account = existing ?? this.#client(session);
    this.#current = account;
    this.#set({ status: 'signed-in', account, session, vaultKey, remembered });
  }

  #client(session: Session | null): AccountClient {
    const client: AccountClient = new AccountClient({
      baseUrl: this.#baseUrl,
      session,
      autoRefresh: true,
      deriveKeys: this.#deriveKeys,
      sharedSession: this.#vault.sharedStore(() => (this.#state.status === 'signed-in' ? this.#state.vaultKey : null)),
      onSessionChange: async (next) => {
        // Sign-ins in progress save their session themselves once they succeed.
        if (client !== this.#current) return;
        const state = this.#state;
        if (state.status !== 'signed-in') return;
        if (next) {
          await this.#vault.update(next, state.vaultKey);
          this.#set({ ...state, session: next });
        } else {
          await this.#forget(await endingReason(client));
        }
      },
    });
    return client;
  }

  async #forget(notice: string | null): Promise<void> {
    const state = this.#state;
    let previous: SignedOutState['previous'] = null;
    if (state.status === 'signed-in') {
      state.account.close();
      state.vaultKey.fill(0);
      previous = { tenant: state.session.tenant, email: state.session.email };
    } else if (state.status === 'locked') {
      previous = state.account;
    }
    this.#current = null;
    await this.#vault.clear();
    this.#set({ status: 'signed-out', notice, previous });
    this.#tabs?.postMessage('signed-out');
  }

  /** Another tab logged out or was signed out: the session it shared with this one is gone. */
  #signedOutElsewhere(): void {
    const state = this.#state;
    if (state.status !== 'signed-in' && state.status !== 'locked') return;
    if (state.status === 'signed-in') {
      state.account.close();
      state.vaultKey.fill(0);
    }
    this.#current = null;
    const previous = state.status === 'signed-in' ? state.session : state.account;
    this.#set({
      status: 'signed-out',
      notice: 'You were signed out in another tab.',
      previous: { tenant: previous.tenant, email: previous.email },
    });
  }

  /** Another tab signed in: a signed-out tab offers to unlock the same session. */
  async #signedInElsewhere(): Promise<void> {
    if (this.#state.status !== 'signed-out') return;
    const locked = await this.#vault.locked();
    if (locked && this.#state.status === 'signed-out') this.#set({ status: 'locked', account: locked });
  }

  #set(state: AccountState): void {
    this.#state = state;
    for (const listener of this.#listeners) listener();
  }
}

/** Why the relay ended the session (revoked device, reused refresh token…), in the client's words. */
async function endingReason(client: AccountClient): Promise<string> {
  const fallback = 'You were signed out on this device. Sign in again to continue.';
  // An ended client answers every token request with the error that ended it.
  return client.getAccessToken().then(
    () => fallback,
    (error: unknown) => (error instanceof AccountError ? error.message : fallback),
  );
}

const TABS_CHANNEL = 'coffre-account';

function wipe(material: VaultKeyMaterial | null): void {
  material?.vaultKey.fill(0);
}
