import type * as Y from 'yjs';
import { fromBase64Url, randomBytes, toBase64Url, toHex } from '@coffre/crypto';
import { ChunkSealer, SPACE_SECRET_BYTES } from './ChunkSealer.ts';

/** Where the secrets live in the space's Yjs document (the same maps in a Drive space and in a document with attachments). */
const SECRETS = 'drive.secrets';
const META = 'drive.meta';

export class SpaceSecretError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SpaceSecretError';
  }
}

/**
 * The chunk secrets of a space, kept in its encrypted Yjs content (the
 * maps `drive.secrets`, secret id to secret, and `drive.meta`, whose
 * `current` names the secret new chunks are sealed under). Each sealed
 * thing names its secret, so a secret can be added (after a member left)
 * without re-sealing old chunks, and two devices that both create a first
 * one lose nothing. Used by `DriveSpace` (a Drive) and `DocumentAttachments`
 * (images in a document).
 */
export class SpaceSecrets {
  readonly #doc: Y.Doc;
  readonly #secrets: Y.Map<string>;
  readonly #meta: Y.Map<unknown>;
  readonly #sealers = new Map<string, ChunkSealer>();

  constructor(doc: Y.Doc) {
    this.#doc = doc;
    this.#secrets = doc.getMap(SECRETS);
    this.#meta = doc.getMap(META);
  }

  /** Whether the space has this secret. */
  has(secretId: string): boolean {
    return this.#secrets.has(secretId);
  }

  /** The secret new chunks are sealed under, created (written into the document) on first use. */
  currentId(): string {
    const current = this.#meta.get('current');
    if (typeof current === 'string' && this.#secrets.has(current)) return current;
    const known = [...this.#secrets.keys()].sort();
    return known[0] ?? this.rotate();
  }

  /** Adds a new secret for what is sealed from now on (after a member left); returns its id. */
  rotate(): string {
    const id = toHex(randomBytes(16));
    this.#doc.transact(() => {
      this.#secrets.set(id, toBase64Url(randomBytes(SPACE_SECRET_BYTES)));
      this.#meta.set('current', id);
    });
    return id;
  }

  /** The sealer of one of the space's secrets; throws {@link SpaceSecretError} for an unknown one. */
  sealer(secretId: string): ChunkSealer {
    let sealer = this.#sealers.get(secretId);
    if (!sealer) {
      const secret = this.#secrets.get(secretId);
      if (secret === undefined) throw new SpaceSecretError(`this space has no secret ${secretId}`);
      sealer = new ChunkSealer(fromBase64Url(secret));
      this.#sealers.set(secretId, sealer);
    }
    return sealer;
  }
}
