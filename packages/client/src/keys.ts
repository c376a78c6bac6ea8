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
}

/** Ed25519 public keys of the devices whose entries this replica trusts. */
export class DeviceDirectory {
  #keys = new Map<DeviceId, Uint8Array>();
  readonly #resolve: ((id: DeviceId) => Uint8Array | undefined) | undefined;

  constructor(devices: Iterable<readonly [DeviceId, Uint8Array]> = [], options: DeviceDirectoryOptions = {}) {
    for (const [id, publicKey] of devices) this.#keys.set(id, publicKey);
    this.#resolve = options.resolve;
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
