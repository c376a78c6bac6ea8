import type { SigningKeyPair } from '@coffre/crypto';
import type { DeviceId } from '@coffre/protocol';

/** The device that writes: its id and Ed25519 key pair. */
export interface DeviceIdentity {
  id: DeviceId;
  signingKeyPair: SigningKeyPair;
}

/** Document keys by epoch. New entries use the highest epoch. */
export class DocumentKeyring {
  #keys = new Map<number, Uint8Array>();

  constructor(keys: Iterable<readonly [number, Uint8Array]> = []) {
    for (const [epoch, key] of keys) this.add(epoch, key);
  }

  add(epoch: number, key: Uint8Array): void {
    if (!Number.isInteger(epoch) || epoch < 0 || epoch > 0xffffffff) throw new RangeError('invalid key epoch');
    if (key.length !== 32) throw new RangeError('document keys are 32 bytes');
    this.#keys.set(epoch, key);
  }

  get(epoch: number): Uint8Array | undefined {
    return this.#keys.get(epoch);
  }

  /** Every epoch and its key. */
  entries(): [number, Uint8Array][] {
    return [...this.#keys.entries()];
  }

  get currentEpoch(): number {
    if (this.#keys.size === 0) throw new Error('the keyring holds no document key');
    return Math.max(...this.#keys.keys());
  }

  get current(): { epoch: number; key: Uint8Array } {
    const epoch = this.currentEpoch;
    return { epoch, key: this.#keys.get(epoch) as Uint8Array };
  }
}

export interface DeviceDirectoryOptions {
  /**
   * Asked for devices not in the directory: a device whose id carries its
   * own public key (share-link editors, see `linkDevicePublicKey`) can be
   * trusted this way without a certificate.
   */
  resolve?: (id: DeviceId) => Uint8Array | undefined;
  /**
   * The key epochs each listed device may write in, from the document's
   * verified membership (`verifyMembership`). Without it every trusted
   * device may write (the relay alone checks roles).
   */
  writers?: Iterable<readonly [DeviceId, Iterable<number>]>;
}

/**
 * Ed25519 public keys of the devices whose entries this replica trusts and,
 * once the document's membership is verified, the key epochs in which each
 * may write.
 */
export class DeviceDirectory {
  #keys = new Map<DeviceId, Uint8Array>();
  readonly #resolve: ((id: DeviceId) => Uint8Array | undefined) | undefined;
  #writers: Map<DeviceId, ReadonlySet<number>> | undefined;

  constructor(devices: Iterable<readonly [DeviceId, Uint8Array]> = [], options: DeviceDirectoryOptions = {}) {
    for (const [id, publicKey] of devices) this.#keys.set(id, publicKey);
    this.#resolve = options.resolve;
    if (options.writers) this.restrictWriters(options.writers);
  }

  /** From now on, a listed device writes only in these epochs (replacing what was set before). */
  restrictWriters(writers: Iterable<readonly [DeviceId, Iterable<number>]>): void {
    this.#writers = new Map([...writers].map(([id, epochs]) => [id, new Set(epochs)]));
  }

  /**
   * Whether an entry signed by `id` in key epoch `epoch` is acceptable:
   * always without writer restrictions; else only in the device's epochs.
   * Devices only resolvable (share-link editors) write as the relay lets them.
   */
  mayWrite(id: DeviceId, epoch: number): boolean {
    if (!this.#writers) return true;
    if (!this.#keys.has(id)) return this.#resolve?.(id) !== undefined;
    return this.#writers.get(id)?.has(epoch) ?? false;
  }

  /** The writer restrictions, as {@link DeviceDirectoryOptions.writers} takes them; undefined when there are none. */
  writerEntries(): [DeviceId, number[]][] | undefined {
    if (!this.#writers) return undefined;
    return [...this.#writers].map(([id, epochs]) => [id, [...epochs].sort((a, b) => a - b)]);
  }

  /** Takes the devices `fresher` lists that this directory lacks, and its writer restrictions. */
  update(fresher: DeviceDirectory): void {
    for (const [id, publicKey] of fresher.entries()) if (!this.#keys.has(id)) this.#keys.set(id, publicKey);
    const writers = fresher.writerEntries();
    if (writers) this.restrictWriters(writers);
  }

  set(id: DeviceId, publicKey: Uint8Array): void {
    this.#keys.set(id, publicKey);
  }

  get(id: DeviceId): Uint8Array | undefined {
    return this.#keys.get(id) ?? this.#resolve?.(id);
  }

  /** The listed devices (not those only resolvable). */
  entries(): [DeviceId, Uint8Array][] {
    return [...this.#keys.entries()];
  }

  /** True when the device is listed (not merely resolvable). */
  has(id: DeviceId): boolean {
    return this.#keys.has(id);
  }
}
