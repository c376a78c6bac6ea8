import { chmod, mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { type SerializedSharingState, type SharedSessionStore, type SharingStore, Session } from '@coffre/client';

/** What the CLI keeps between runs: the relay it signed in to and the session. */
export interface ProfileState {
  relay: string;
  session: Session;
}

const STATE_FILE = 'session.json';
/** Known contacts (public keys, trust on first use) and the secrets of links this user created. */
const SHARING_FILE = 'sharing.json';
/** A lock older than this was left by a process that died holding it. */
const STALE_LOCK_MS = 30_000;
const LOCK_WAIT_MS = 15_000;
/** Numbers this process's temporary files, so that two writes at once never share one. */
let temporaryFiles = 0;

/**
 * The CLI's state folder (default ~/.config/coffre). The session file holds
 * the device's and the user's private keys and the refresh token, so it is
 * written with mode 0600 in a folder with mode 0700, atomically (a crash
 * never leaves half a file, and never a rotated-away refresh token).
 * Two `coffre` commands at once share the session through
 * {@link ProfileStore.sharedSession}: one refreshes, the other adopts.
 * Beside it, `sharing.json` (also 0600: it holds link secrets) keeps known
 * contacts and created links; signing out deletes both.
 */
export class ProfileStore {
  readonly directory: string;

  constructor(directory: string) {
    this.directory = directory;
  }

  get path(): string {
    return join(this.directory, STATE_FILE);
  }

  get sharingPath(): string {
    return join(this.directory, SHARING_FILE);
  }

  /** The saved state, or null when signed out. */
  async load(): Promise<ProfileState | null> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
    const relay = (json as { relay?: unknown } | null)?.relay;
    return {
      relay: typeof relay === 'string' ? relay : '',
      session: Session.fromJSON((json as { session?: unknown } | null)?.session),
    };
  }

  async save(state: ProfileState): Promise<void> {
    await this.#writePrivate(this.path, { relay: state.relay, session: state.session.toJSON() });
  }

  async clear(): Promise<void> {
    await rm(this.path, { force: true });
    await rm(this.sharingPath, { force: true });
  }

  /** Where a Workspace keeps contacts and link secrets for this profile. */
  sharingStore(): SharingStore {
    return {
      load: async () => {
        try {
          return JSON.parse(await readFile(this.sharingPath, 'utf8')) as unknown;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
          throw error;
        }
      },
      save: (state: SerializedSharingState) => this.#writePrivate(this.sharingPath, state),
    };
  }

  /** Writes JSON readable by this user only, atomically. */
  async #writePrivate(path: string, value: unknown): Promise<void> {
    await mkdir(this.directory, { recursive: true, mode: 0o700 });
    const temporary = `${path}.${process.pid}.${(temporaryFiles += 1)}.tmp`;
    const handle = await open(temporary, 'w', 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(value, null, 2)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    // open()'s mode is filtered by the umask and ignored for an existing file.
    await chmod(temporary, 0o600);
    await rename(temporary, path);
  }

  /** The session as {@link AccountClient} shares it between processes. */
  sharedSession(): SharedSessionStore {
    return {
      withLock: (task) => this.withLock(task),
      read: async () => (await this.load())?.session ?? null,
    };
  }

  /** Runs `task` holding `session.json.lock` (created exclusively; a stale one is taken over). */
  async withLock<T>(task: () => Promise<T>): Promise<T> {
    await mkdir(this.directory, { recursive: true, mode: 0o700 });
    const lockPath = `${this.path}.lock`;
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      try {
        const handle = await open(lockPath, 'wx', 0o600);
        await handle.close();
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const age = await stat(lockPath).then(
          (info) => Date.now() - info.mtimeMs,
          () => 0,
        );
        if (age > STALE_LOCK_MS) await rm(lockPath, { force: true });
        else if (Date.now() > deadline) {
          throw new Error(`${lockPath} is held by another coffre command`, { cause: error });
        } else await sleep(25);
      }
    }
    try {
      return await task();
    } finally {
      await rm(lockPath, { force: true });
    }
  }
}
