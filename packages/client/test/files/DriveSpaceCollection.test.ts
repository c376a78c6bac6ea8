import { beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { randomBytes, ready, toHex } from '@coffre/crypto';
import { DriveSpace, type NewVersion, TRASH_RETENTION_MS, sealFile } from '../../src/index.ts';

const DAY = 24 * 60 * 60 * 1000;

/** A space on a clock the test moves, with a second copy synced on demand. */
function spaces(start = 1_700_000_000_000) {
  const clock = { now: start };
  const now = () => clock.now;
  const docA = new Y.Doc();
  const docB = new Y.Doc();
  const sync = () => {
    Y.applyUpdate(docB, Y.encodeStateAsUpdate(docA, Y.encodeStateVector(docB)));
    Y.applyUpdate(docA, Y.encodeStateAsUpdate(docB, Y.encodeStateVector(docA)));
  };
  return { a: new DriveSpace(docA, { now }), b: new DriveSpace(docB, { now }), clock, sync };
}

async function versionOf(space: DriveSpace, bytes: Uint8Array, name = 'notes.txt'): Promise<NewVersion> {
  const secretId = space.currentSecretId();
  const { chunks, size } = await sealFile([bytes], space.sealer(secretId), async () => {});
  return { name, mediaType: 'text/plain', modifiedAt: 0, size, chunks, secretId };
}

const idsOf = (space: DriveSpace, fileId: string) =>
  space.versions(fileId).flatMap((version) => version.manifest.chunks.map((chunk) => chunk.id));
const versionsOf = (space: DriveSpace, fileId: string) =>
  space.doc.getMap<Y.Map<unknown>>('drive.nodes').get(fileId)?.get('versions') as Y.Array<unknown>;

describe('DriveSpace: what garbage collection keeps and what the trash lets go', () => {
  beforeAll(async () => {
    await ready();
  });

  it('names every chunk of every version, trashed or not, thumbnails, and versions that do not parse', async () => {
    const { a } = spaces();
    const kept = a.addVersion(await versionOf(a, randomBytes(300_000), 'big.bin'));
    a.addVersion({ ...(await versionOf(a, randomBytes(1000))), fileId: kept.id });
    const trashed = a.addVersion(await versionOf(a, randomBytes(500), 'old.txt'));
    a.trash(trashed.id);
    const folder = a.createFolder('Folder');
    const inside = a.addVersion({ ...(await versionOf(a, randomBytes(700), 'in.txt')), parent: folder.id });
    a.trash(folder.id);

    // Written straight into the document: a thumbnail, a forgery under an unknown secret, a manifest whose sizes do
    // not add up, and a format this device does not know (a newer device's) with its addresses elsewhere.
    const address = () => toHex(randomBytes(32));
    const [thumbnail, forged, unparsable, unknownA, unknownB] = [address(), address(), address(), address(), address()];
    const good = (versionsOf(a, kept.id).get(0) as { manifest: Record<string, unknown> }).manifest;
    versionsOf(a, kept.id).push([
      {
        secret: a.currentSecretId(),
        manifest: { ...good, version: 7, thumbnail: { id: thumbnail, key: 'k', size: 9 } },
      },
      { secret: 'unknown', manifest: { ...good, version: 8, chunks: [{ id: forged, key: 'k', size: 1 }] } },
      { secret: a.currentSecretId(), manifest: { ...good, version: 9, size: 1, chunks: [{ id: unparsable }] } },
      { format: 2, parts: { [unknownA]: { next: [unknownB] } } },
    ]);
    expect(a.refusedVersions(kept.id)).toBeGreaterThanOrEqual(3);

    const referenced = a.referencedChunks();
    for (const id of [...idsOf(a, kept.id), ...idsOf(a, trashed.id), ...idsOf(a, inside.id)]) {
      expect(referenced.has(id), id).toBe(true);
    }
    for (const id of [thumbnail, forged, unparsable, unknownA, unknownB]) expect(referenced.has(id), id).toBe(true);
    // Names, ids, keys and secrets are not addresses.
    expect([...referenced].every((id) => /^[0-9a-f]{64}$/.test(id))).toBe(true);
    expect(referenced.has(kept.id)).toBe(false);
  });

  it('purges what has been in the trash more than 30 days, a folder with its content, and keeps the rest', async () => {
    const { a, clock } = spaces();
    const start = clock.now;
    const shared = randomBytes(2000);
    const live = a.addVersion(await versionOf(a, shared, 'live copy.txt'));
    const old = a.addVersion(await versionOf(a, shared, 'old copy.txt')); // the same chunk as `live`
    const oldOnly = a.addVersion(await versionOf(a, randomBytes(900), 'old only.txt'));
    const recent = a.addVersion(await versionOf(a, randomBytes(800), 'recent.txt'));
    const restored = a.addVersion(await versionOf(a, randomBytes(600), 'restored.txt'));
    const folder = a.createFolder('Archive');
    const sub = a.createFolder('2019', folder.id);
    const deep = a.addVersion({ ...(await versionOf(a, randomBytes(500), 'deep.txt')), parent: sub.id });
    const trashedLater = a.addVersion({ ...(await versionOf(a, randomBytes(400), 'later.txt')), parent: folder.id });
    a.trash(old.id);
    a.trash(oldOnly.id);
    a.trash(restored.id);
    a.trash(folder.id);
    clock.now = start + 20 * DAY;
    a.trash(recent.id);
    a.trash(trashedLater.id); // inside the trashed folder, trashed itself later
    a.restore(restored.id);
    clock.now = start + 25 * DAY;
    // Made inside the folder on a device that did not know it was in the trash.
    const young = a.addVersion({ ...(await versionOf(a, randomBytes(300), 'young.txt')), parent: folder.id });

    const beforeIds = new Set(a.referencedChunks());
    expect(a.purgeTrash(TRASH_RETENTION_MS, start + 29 * DAY)).toEqual([]);

    const purged = a.purgeTrash(TRASH_RETENTION_MS, start + 31 * DAY);
    expect(purged.map((node) => node.name).sort()).toEqual([
      '2019',
      'Archive',
      'deep.txt',
      'old copy.txt',
      'old only.txt',
    ]);
    expect(purged.find((node) => node.id === folder.id)).toMatchObject({ kind: 'folder', trashedAt: start });
    for (const id of [old.id, oldOnly.id, folder.id, sub.id, deep.id]) expect(a.get(id)).toBeNull();
    // Kept: live, restored, trashed 11 days ago, trashed itself 11 days ago inside the purged folder, made later.
    expect(a.list().map((node) => node.name)).toEqual(['live copy.txt', 'restored.txt', 'young.txt']);
    expect(
      a
        .trashed()
        .map((node) => node.name)
        .sort(),
    ).toEqual(['later.txt', 'recent.txt']);

    const after = a.referencedChunks();
    for (const id of idsOf(a, live.id)) expect(after.has(id)).toBe(true); // shared with the purged copy: still named
    for (const id of [...idsOf(a, recent.id), ...idsOf(a, trashedLater.id), ...idsOf(a, young.id)]) {
      expect(after.has(id)).toBe(true);
    }
    const gone = [...beforeIds].filter((id) => !after.has(id));
    expect(gone.length).toBe(2); // old only.txt's chunk and deep.txt's
    // Nothing left to purge at the same date; the rest goes once its own 30 days are over.
    expect(a.purgeTrash(TRASH_RETENTION_MS, start + 31 * DAY)).toEqual([]);
    expect(
      a
        .purgeTrash(TRASH_RETENTION_MS, start + 51 * DAY)
        .map((node) => node.name)
        .sort(),
    ).toEqual(['later.txt', 'recent.txt']);
  });

  it('a purge and a restore made at once on two devices merge into the purge, on both', async () => {
    const { a, b, clock, sync } = spaces();
    const file = a.addVersion(await versionOf(a, randomBytes(100), 'gone.txt'));
    a.trash(file.id);
    sync();
    clock.now += 31 * DAY;
    expect(a.purgeTrash().map((node) => node.id)).toEqual([file.id]);
    b.restore(file.id);
    sync();
    for (const space of [a, b]) {
      expect(space.get(file.id)).toBeNull();
      expect(space.referencedChunks().size).toBe(0);
    }
  });
});
