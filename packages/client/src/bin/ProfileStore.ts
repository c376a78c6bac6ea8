import { chmod, mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import type { SharedSessionStore } from '../account/AccountClient.ts';
import { Session } from '../account/Session.ts';

/** What the CLI keeps between runs: the relay it signed in to and the session. */
export interface ProfileState {
  relay: string;
  session: Session;
}

const STATE_FILE = 'session.json';
/** A lock older than this was left by a process that died holding it. */
const STALE_LOCK_MS = 30_000;
const LOCK_WAIT_MS = 15_000;

/**
 * The CLI's state folder (default ~/.config/coffre). The session file holds
 * the device's and the user's private keys and the refresh token, so it is
 * written with mode 0600 in a folder with mode 0700, atomically (a crash
 * never leaves half a file, and never a rotated-away refresh token).
 * Two `coffre` commands at once share the session through
 * {@link ProfileStore.sharedSession}: one refreshes, the other adopts.
 */
export class ProfileStore {
  readonly directory: string;

  constructor(directory: string) {
    this.directory = directory;
  }

  get path(): string {
    return join(this.directory, STATE_FILE);
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
    await mkdir(this.directory, { recursive: true, mode: 0o700 });
    const temporary = `${this.path}.${process.pid}.tmp`;
    const handle = await open(temporary, 'w', 0o600);
    try {
      await handle.writeFile(`${JSON.stringify({ relay: state.relay, session: state.session.toJSON() }, null, 2)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    // open()'s mode is filtered by the umask and ignored for an existing file.
    await chmod(temporary, 0o600);
    await rename(temporary, this.path);
  }

  async clear(): Promise<void> {
    await rm(this.path, { force: true });
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
