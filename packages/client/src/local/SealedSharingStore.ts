import { type LocalDatabase, type Vault, SealedRecords } from '@coffre/storage';
import type { SerializedSharingState, SharingStore } from '../sharing/SharingState.ts';

/** The keyring row of the sharing state. */
const ROW = 'sharing-state';

/**
 * A {@link SharingStore} on the device: the sharing state (known contacts,
 * link secrets) sealed with the local vault key in the Dexie keyring
 * ({@link SealedRecords}). A row that does not open reads as none, and
 * `Workspace.open` checks what does (`SharingState.fromJSON`).
 *
 * @example
 * const workspace = await Workspace.open({ account, store: new SealedSharingStore(database, vault) });
 */
export class SealedSharingStore implements SharingStore {
  readonly #records: SealedRecords<unknown>;

  constructor(database: LocalDatabase, vault: Vault) {
    this.#records = new SealedRecords({ table: database.keyring, vault, parse: (value) => value });
  }

  load(): Promise<unknown> {
    return this.#records.get(ROW);
  }

  save(state: SerializedSharingState): Promise<void> {
    return this.#records.put(ROW, state);
  }
}
