import * as Y from 'yjs';
import { randomBytes, toHex } from '@coffre/crypto';
import type { ChunkSealer } from './ChunkSealer.ts';
import type { DriveClient, UploadProgress } from './DriveClient.ts';
import {
  type FileManifest,
  isValidFileName,
  isValidMediaType,
  manifestToJSON,
  parseManifest,
  readFile,
  readFileRange,
} from './FileManifest.ts';
import { SpaceSecretError, SpaceSecrets } from './SpaceSecrets.ts';

/** A folder or a file of a space; `parent` null is the space's top level. */
interface NodeBase {
  id: string;
  name: string;
  parent: string | null;
  createdAt: number;
  /** When it was put in the trash itself (not through a folder above it), or null. */
  trashedAt: number | null;
}
export interface DriveFolder extends NodeBase {
  kind: 'folder';
}
export interface DriveFile extends NodeBase {
  kind: 'file';
  /** The newest version that checks out. */
  latest: FileManifest;
}
export type DriveNode = DriveFolder | DriveFile;

/** One version of a file, with the space secret its chunks were sealed under. */
export interface DriveVersion {
  manifest: FileManifest;
  secretId: string;
  /** When the version was recorded in the space (absent in versions recorded before this was kept). */
  addedAt?: number;
  /** The version it brings back, when it was made by {@link DriveSpace.restoreVersion}. */
  restoredFrom?: number;
}

/** A file version to add: what the device knows of the file and what sealing it gave. */
export interface NewVersion {
  /** The file to add a version to; absent for a new file. */
  fileId?: string;
  name: string;
  mediaType: string;
  modifiedAt: number;
  /** Where a new file goes (ignored for a new version). */
  parent?: string | null;
  size: number;
  chunks: FileManifest['chunks'];
  secretId: string;
  /** The device's upload this version comes from (see `UploadOutbox`), so sending it again records nothing twice. */
  uploadId?: string;
  /** A small image of the content made on the device, sealed under the same secret and held by the relay. */
  thumbnail?: FileManifest['thumbnail'];
  /** The version this one brings back (see {@link DriveSpace.restoreVersion}). */
  restoredFrom?: number;
}

export class DriveSpaceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DriveSpaceError';
  }
}

/** How long a node stays in the trash before {@link DriveSpace.purgeTrash} removes it: 30 days. */
export const TRASH_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;

/** A node {@link DriveSpace.purgeTrash} removed. */
export interface PurgedNode {
  id: string;
  kind: 'file' | 'folder' | 'unknown';
  name: string;
  /** The latest time it or a folder above it was put in the trash. */
  trashedAt: number;
}

/** A chunk address as manifests write it (see `FileManifest`). */
const CHUNK_ADDRESS = /^[0-9a-f]{64}$/;

/** A version as the space's document holds it (written by any writer: every field is checked on reading). */
interface StoredVersion {
  secret?: unknown;
  manifest?: unknown;
  added?: unknown;
  upload?: unknown;
  restoredFrom?: unknown;
}

function isTime(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isVersionNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1;
}

/** Where things live in the space's Yjs document. */
const NODES = 'drive.nodes';

/**
 * A space of the Drive (a user's drive, a shared folder): its folder tree
 * and every version of every file, kept in a Coffre document's Yjs content.
 * So what the relay and outsiders cannot do to documents they cannot do
 * here either: every folder, name and manifest is sealed and signed as the
 * document's entries are, only its writers can add one, and a member's
 * removal rotates the document key.
 *
 * The chunks' secrets are kept here too, by id: each version names the
 * secret its chunks were sealed under, so secrets can be added (a new one
 * after someone leaves, see {@link rotateSecret}) without re-sealing old
 * files, and two devices that both create a first one lose nothing.
 *
 * The tree is a CRDT of nodes, each naming its parent. Concurrent moves
 * can make a loop; a node whose parents loop, or whose parent is gone or
 * is a file, is shown at the top level. A node is in the trash when it or a
 * folder above it was put there.
 */
export class DriveSpace {
  readonly doc: Y.Doc;
  readonly #nodes: Y.Map<Y.Map<unknown>>;
  readonly #secrets: SpaceSecrets;
  /** Parsed manifests (or why they were refused) by the stored entry (see {@link #parse}). */
  readonly #parsed = new WeakMap<object, FileManifest | Error>();
  readonly #now: () => number;

  constructor(doc: Y.Doc, options: { now?: () => number } = {}) {
    this.doc = doc;
    this.#nodes = doc.getMap(NODES);
    this.#secrets = new SpaceSecrets(doc);
    this.#now = options.now ?? Date.now;
  }

  /** The secret new uploads are sealed under, created on first use. */
  currentSecretId(): string {
    return this.#secrets.currentId();
  }

  /** Adds a new secret for what is uploaded from now on (after a member left); returns its id. */
  rotateSecret(): string {
    return this.#secrets.rotate();
  }

  /** The sealer of one of the space's secrets. */
  sealer(secretId = this.currentSecretId()): ChunkSealer {
    try {
      return this.#secrets.sealer(secretId);
    } catch (error) {
      throw error instanceof SpaceSecretError ? new DriveSpaceError(error.message) : error;
    }
  }

  createFolder(name: string, parent: string | null = null): DriveFolder {
    checkName(name);
    this.#requireFolder(parent);
    const id = newId();
    this.doc.transact(() => this.#nodes.set(id, nodeMap('folder', name, parent, this.#now())));
    return this.get(id) as DriveFolder;
  }

  /** Records a version of a file (a new file when `fileId` is absent); returns the file as it is now. */
  addVersion(version: NewVersion): DriveFile {
    checkName(version.name);
    if (!this.#secrets.has(version.secretId)) throw new DriveSpaceError(`this space has no secret ${version.secretId}`);
    const existing = version.fileId === undefined ? undefined : this.#nodes.get(version.fileId);
    if (version.fileId !== undefined && existing?.get('kind') !== 'file') {
      throw new DriveSpaceError(`no file ${version.fileId} in this space`);
    }
    const fileId = version.fileId ?? newId();
    const number = existing ? Math.max(0, ...this.versions(fileId).map((found) => found.manifest.version)) + 1 : 1;
    const manifest: FileManifest = {
      fileId,
      version: number,
      name: version.name,
      mediaType: version.mediaType,
      size: version.size,
      modifiedAt: version.modifiedAt,
      chunks: version.chunks,
      ...(version.thumbnail ? { thumbnail: version.thumbnail } : {}),
    };
    parseManifest(manifestToJSON(manifest));
    const parent = version.parent ?? null;
    if (!existing) this.#requireFolder(parent);
    this.doc.transact(() => {
      let node = existing;
      if (!node) {
        node = nodeMap('file', version.name, parent, this.#now());
        node.set('versions', new Y.Array());
        this.#nodes.set(fileId, node);
      } else {
        node.set('name', version.name);
      }
      (node.get('versions') as Y.Array<unknown>).push([
        {
          secret: version.secretId,
          manifest: manifestToJSON(manifest),
          added: this.#now(),
          ...(version.uploadId === undefined ? {} : { upload: version.uploadId }),
          ...(version.restoredFrom === undefined ? {} : { restoredFrom: version.restoredFrom }),
        },
      ]);
    });
    return this.get(fileId) as DriveFile;
  }

  /**
   * Cuts, seals and uploads a file, then records it (a new file, or a new
   * version of `fileId`): only once every chunk is held by the relay, so
   * no one is shown a file that cannot be read.
   */
  async upload(
    client: DriveClient,
    source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    file: Omit<NewVersion, 'size' | 'chunks' | 'secretId'>,
    onProgress?: (progress: UploadProgress) => void,
  ): Promise<DriveFile> {
    // What the manifest will refuse is refused before anything is sent.
    checkName(file.name);
    if (!isValidMediaType(file.mediaType)) throw new DriveSpaceError(`not a media type: ${file.mediaType}`);
    if (file.fileId !== undefined && this.#nodes.get(file.fileId)?.get('kind') !== 'file') {
      throw new DriveSpaceError(`no file ${file.fileId} in this space`);
    }
    const secretId = this.currentSecretId();
    const { chunks, size } = await client.uploadFile(source, this.sealer(secretId), onProgress);
    return this.addVersion({ ...file, size, chunks, secretId });
  }

  /**
   * Makes an old version of a file the newest again, as a new version with
   * the old one's content (its chunks, under their secret: nothing is
   * sealed or sent again, and the old version stays in the list). The name
   * stays the file's current one.
   */
  restoreVersion(fileId: string, version: number): DriveFile {
    const current = this.get(fileId);
    if (current?.kind !== 'file') throw new DriveSpaceError(`no file ${fileId} in this space`);
    const { manifest, secretId } = this.#version(fileId, version);
    return this.addVersion({
      fileId,
      name: current.name,
      mediaType: manifest.mediaType,
      modifiedAt: manifest.modifiedAt,
      size: manifest.size,
      chunks: manifest.chunks,
      secretId,
      restoredFrom: manifest.version,
      ...(manifest.thumbnail ? { thumbnail: manifest.thumbnail } : {}),
    });
  }

  /** The file a device's upload was recorded in (see {@link NewVersion.uploadId}), or null when it was not. */
  findUpload(uploadId: string): DriveFile | null {
    for (const [id, node] of this.#nodes) {
      const versions = node.get('versions');
      if (!(versions instanceof Y.Array)) continue;
      if (versions.toArray().some((entry) => (entry as StoredVersion | null)?.upload === uploadId)) {
        return this.get(id) as DriveFile | null;
      }
    }
    return null;
  }

  /** Whether a folder is there to put things in (null, the top level, always is). */
  hasFolder(id: string | null): boolean {
    return id === null || this.#nodes.get(id)?.get('kind') === 'folder';
  }

  /** A file's content as a stream of checked chunks (the newest version unless told). */
  read(client: DriveClient, fileId: string, version?: number): AsyncGenerator<Uint8Array> {
    const found = this.#version(fileId, version);
    return readFile(found.manifest, this.sealer(found.secretId), client.fetchChunk);
  }

  /** Bytes `start` to `end` of a file, fetching only the chunks that hold them. */
  readRange(client: DriveClient, fileId: string, start: number, end: number, version?: number): Promise<Uint8Array> {
    const found = this.#version(fileId, version);
    return readFileRange(found.manifest, this.sealer(found.secretId), client.fetchChunk, start, end);
  }

  rename(id: string, name: string): void {
    checkName(name);
    this.#require(id).set('name', name);
  }

  /** Moves a node into a folder (null: the top level); never into itself or below itself. */
  move(id: string, parent: string | null): void {
    const node = this.#require(id);
    this.#requireFolder(parent);
    for (let above = parent; above !== null; above = this.#parentOf(above)) {
      if (above === id) throw new DriveSpaceError('a folder cannot go inside itself');
    }
    node.set('parent', parent);
  }

  /** Puts a node (and what is inside a folder) in the trash. */
  trash(id: string): void {
    this.#require(id).set('trashedAt', this.#now());
  }

  restore(id: string): void {
    this.#require(id).set('trashedAt', null);
  }

  get(id: string): DriveNode | null {
    const node = this.#nodes.get(id);
    if (!node) return null;
    const base = {
      id,
      name: String(node.get('name')),
      parent: this.#parentOf(id),
      createdAt: Number(node.get('createdAt')),
      trashedAt: (node.get('trashedAt') as number | null | undefined) ?? null,
    };
    if (node.get('kind') === 'folder') return { ...base, kind: 'folder' };
    const versions = this.versions(id);
    const latest = versions.at(-1);
    return latest ? { ...base, kind: 'file', latest: latest.manifest } : null;
  }

  /** What a folder holds (null: the top level), not in the trash: folders first, then by name. */
  list(parent: string | null = null): DriveNode[] {
    const children: DriveNode[] = [];
    for (const id of this.#nodes.keys()) {
      if (this.#parentOf(id) !== parent) continue;
      const node = this.get(id);
      if (node && node.trashedAt === null) children.push(node);
    }
    return children.sort(
      (a, b) =>
        Number(a.kind === 'file') - Number(b.kind === 'file') || a.name.localeCompare(b.name) || compare(a.id, b.id),
    );
  }

  /** What was put in the trash, newest first. */
  trashed(): DriveNode[] {
    const nodes: DriveNode[] = [];
    for (const id of this.#nodes.keys()) {
      const node = this.get(id);
      if (node && node.trashedAt !== null) nodes.push(node);
    }
    return nodes.sort((a, b) => (b.trashedAt ?? 0) - (a.trashedAt ?? 0) || compare(a.id, b.id));
  }

  /** Whether a node is in the trash, itself or through a folder above it. */
  isTrashed(id: string): boolean {
    for (let at: string | null = id; at !== null; at = this.#parentOf(at)) {
      if (this.#nodes.get(at)?.get('trashedAt')) return true;
    }
    return false;
  }

  /** The folders from the top level down to a node's parent. */
  path(id: string): DriveFolder[] {
    const folders: DriveFolder[] = [];
    for (let above = this.#parentOf(id); above !== null; above = this.#parentOf(above)) {
      folders.unshift(this.get(above) as DriveFolder);
    }
    return folders;
  }

  /**
   * A file's versions that check out, oldest first: a manifest that does
   * not parse, names another file or a secret the space lacks is left out
   * (a writer's mistake or forgery; see {@link refusedVersions}).
   */
  versions(fileId: string): DriveVersion[] {
    return this.#readVersions(fileId).accepted;
  }

  /** How many of a file's recorded versions were left out by {@link versions}. */
  refusedVersions(fileId: string): number {
    return this.#readVersions(fileId).refused;
  }

  #readVersions(fileId: string): { accepted: DriveVersion[]; refused: number } {
    const list = this.#nodes.get(fileId)?.get('versions');
    if (!(list instanceof Y.Array)) return { accepted: [], refused: 0 };
    const accepted: DriveVersion[] = [];
    let refused = 0;
    for (const entry of list.toArray() as StoredVersion[]) {
      try {
        const manifest = this.#parse(entry);
        if (manifest.fileId !== fileId || typeof entry.secret !== 'string' || !this.#secrets.has(entry.secret)) {
          throw new DriveSpaceError('a version of another file, or under an unknown secret');
        }
        accepted.push({
          manifest,
          secretId: entry.secret,
          // Said by the writer, so shown, never trusted for anything else.
          ...(isTime(entry.added) ? { addedAt: entry.added } : {}),
          ...(isVersionNumber(entry.restoredFrom) ? { restoredFrom: entry.restoredFrom } : {}),
        });
      } catch {
        refused += 1;
      }
    }
    // Two devices adding a version at once give both the same number: the array's order breaks the tie.
    accepted.sort((a, b) => a.manifest.version - b.manifest.version);
    return { accepted, refused };
  }

  /**
   * A stored version's manifest, parsed once: the list re-reads every file
   * at each change and upload step, and parsing decodes every chunk's key.
   * Yjs hands back the same object for an entry each time, so it keys the cache.
   */
  #parse(entry: { manifest?: unknown } | null): FileManifest {
    if (entry === null || typeof entry !== 'object') return parseManifest(entry);
    let parsed = this.#parsed.get(entry);
    if (parsed === undefined) {
      try {
        parsed = parseManifest(entry.manifest);
      } catch (error) {
        parsed = error instanceof Error ? error : new Error(String(error));
      }
      this.#parsed.set(entry, parsed);
    }
    if (parsed instanceof Error) throw parsed;
    return parsed;
  }

  #version(fileId: string, version?: number): DriveVersion {
    const versions = this.versions(fileId);
    const found = version === undefined ? versions.at(-1) : versions.findLast((v) => v.manifest.version === version);
    if (!found) throw new DriveSpaceError(`no such version of file ${fileId}`);
    return found;
  }

  /**
   * A node's parent as shown: its folder, or null when it names none (a
   * file, or nothing) or when the node is on a loop of parents (two
   * concurrent moves): then it shows at the top level, with what is inside.
   */
  #parentOf(id: string): string | null {
    const parent = this.#nodes.get(id)?.get('parent');
    if (typeof parent !== 'string' || this.#nodes.get(parent)?.get('kind') !== 'folder') return null;
    const seen = new Set<string>();
    for (let above: unknown = parent; typeof above === 'string'; above = this.#nodes.get(above)?.get('parent')) {
      if (above === id) return null;
      if (seen.has(above)) break; // a loop further up, which does not hold this node
      seen.add(above);
    }
    return parent;
  }

  #require(id: string): Y.Map<unknown> {
    const node = this.#nodes.get(id);
    if (!node) throw new DriveSpaceError(`nothing called ${id} in this space`);
    return node;
  }

  #requireFolder(id: string | null): void {
    if (!this.hasFolder(id)) throw new DriveSpaceError(`no folder ${id} in this space`);
  }

  /**
   * Every chunk the space's nodes name: each chunk and thumbnail of each
   * version of each file, in the trash or not, and of versions left out by
   * {@link versions} too (a manifest this device cannot parse may be one a
   * newer device can). What garbage collection must keep, so it errs on the
   * side of keeping: any string anywhere in a node (or key of an object in
   * it) that has the form of a chunk address counts, whatever field holds
   * it, so a format this device does not know loses nothing. Only a node
   * removed from the space (see {@link purgeTrash}) stops naming its chunks.
   */
  referencedChunks(): Set<string> {
    const found = new Set<string>();
    const visit = (value: unknown): void => {
      if (typeof value === 'string') {
        if (CHUNK_ADDRESS.test(value)) found.add(value);
      } else if (Array.isArray(value)) {
        for (const item of value) visit(item);
      } else if (value !== null && typeof value === 'object') {
        for (const [key, item] of Object.entries(value)) {
          visit(key);
          visit(item);
        }
      }
    };
    for (const node of this.#nodes.values()) visit(node instanceof Y.AbstractType ? node.toJSON() : node);
    return found;
  }

  /**
   * Removes from the space what has been in the trash longer than
   * `olderThanMs` (30 days unless told), a folder with what is inside it:
   * those files' manifests are gone for every member, so their chunks are
   * no longer referenced (garbage collection releases them). Returns what
   * was removed.
   *
   * Kept, to lose nothing that may be wanted: a node that is not in the
   * trash; one whose latest trashing, its own or a folder's above it, is
   * more recent than that (a file put in the trash last week inside a
   * folder trashed two months ago stays, and shows at the top level of the
   * trash once the folder is gone); and one created more recently than
   * that (made on a device that did not know its folder was in the trash).
   * A move is not dated, so a node moved into a folder already in the trash
   * counts from that folder's date. An edit made at the same time on another
   * device to a node removed here (a restore, a new version) is lost with
   * it: the removal wins when the two merge.
   */
  purgeTrash(olderThanMs: number = TRASH_RETENTION_MS, now: number = this.#now()): PurgedNode[] {
    const before = now - olderThanMs;
    const purged: PurgedNode[] = [];
    for (const [id, node] of this.#nodes.entries()) {
      if (!(node instanceof Y.Map)) continue;
      const createdAt = Number(node.get('createdAt'));
      if (!(createdAt <= before)) continue; // a missing or odd date keeps the node too
      const trashedAt = this.#latestTrashing(id);
      if (trashedAt === null || trashedAt > before) continue;
      const kind = node.get('kind');
      purged.push({
        id,
        kind: kind === 'file' || kind === 'folder' ? kind : 'unknown',
        name: String(node.get('name')),
        trashedAt,
      });
    }
    if (purged.length > 0) this.doc.transact(() => purged.forEach(({ id }) => this.#nodes.delete(id)));
    return purged;
  }

  /** The latest time a node or a folder above it was put in the trash; null when it is not in the trash. */
  #latestTrashing(id: string): number | null {
    let latest: number | null = null;
    for (let at: string | null = id; at !== null; at = this.#parentOf(at)) {
      const trashedAt = this.#nodes.get(at)?.get('trashedAt');
      if (typeof trashedAt === 'number' && trashedAt > 0) latest = Math.max(latest ?? trashedAt, trashedAt);
    }
    return latest;
  }
}

function nodeMap(kind: 'folder' | 'file', name: string, parent: string | null, now: number): Y.Map<unknown> {
  const node = new Y.Map<unknown>();
  node.set('kind', kind);
  node.set('name', name);
  node.set('parent', parent);
  node.set('createdAt', now);
  node.set('trashedAt', null);
  return node;
}

function checkName(name: string): void {
  if (!isValidFileName(name)) {
    throw new DriveSpaceError('a name has 1 to 255 characters, with no slash, backslash or control character');
  }
}

function newId(): string {
  return toHex(randomBytes(16));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
