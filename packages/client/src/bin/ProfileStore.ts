import { chmod, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Session } from '../account/Session.ts';

/** What the CLI keeps between runs: the relay it signed in to and the session. */
export interface ProfileState {
  relay: string;
  session: Session;
}

const STATE_FILE = 'session.json';

/**
 * The CLI's state folder (default ~/.config/coffre). The session file holds
 * the device's and the user's private keys and the refresh token, so it is
 * written with mode 0600 in a folder with mode 0700, atomically (a crash
 * never leaves half a file, and never a rotated-away refresh token).
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
}
