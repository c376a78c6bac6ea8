import { beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { randomBytes, ready } from '@coffre/crypto';
import { documentId, tenantId } from '@coffre/protocol';
import {
  DriveClient,
  DriveSpace,
  DriveSpaceError,
  type DriveVersion,
  type NewVersion,
  RelayApi,
  readFile,
  sealFile,
} from '../../src/index.ts';

/** Two devices' copies of one space, synced both ways on demand. */
function pair(): { a: DriveSpace; b: DriveSpace; sync: () => void } {
  const docA = new Y.Doc();
  const docB = new Y.Doc();
  const sync = () => {
    Y.applyUpdate(docB, Y.encodeStateAsUpdate(docA, Y.encodeStateVector(docB)));
    Y.applyUpdate(docA, Y.encodeStateAsUpdate(docB, Y.encodeStateVector(docA)));
  };
  return { a: new DriveSpace(docA), b: new DriveSpace(docB), sync };
}

/** A version of `bytes`, sealed under the space's current secret (the chunks go nowhere). */
async function versionOf(space: DriveSpace, bytes: Uint8Array, name = 'notes.txt'): Promise<NewVersion> {
  const secretId = space.currentSecretId();
  const { chunks, size } = await sealFile([bytes], space.sealer(secretId), async () => {});
  return { name, mediaType: 'text/plain', modifiedAt: 1_700_000_000_000, size, chunks, secretId };
}

const names = (space: DriveSpace, parent: string | null = null) => space.list(parent).map((node) => node.name);

describe('DriveSpace', () => {
  beforeAll(async () => {
    await ready();
  });

  it('lists folders first, then files, by name; a new version keeps the file and counts up', async () => {
    const { a } = pair();
    const photos = a.createFolder('Photos');
    a.createFolder('Archive');
    const file = a.addVersion(await versionOf(a, randomBytes(1000), 'b.txt'));
    a.addVersion(await versionOf(a, randomBytes(10), 'a.txt'));
    expect(names(a)).toEqual(['Archive', 'Photos', 'a.txt', 'b.txt']);

    const second = a.addVersion({ ...(await versionOf(a, randomBytes(2000), 'b v2.txt')), fileId: file.id });
    expect(second.id).toBe(file.id);
    expect(second.latest).toMatchObject({ version: 2, size: 2000, name: 'b v2.txt', fileId: file.id });
    expect(a.versions(file.id).map((version) => version.manifest.version)).toEqual([1, 2]);
    expect(names(a)).toEqual(['Archive', 'Photos', 'a.txt', 'b v2.txt']);

    const inside = a.addVersion({ ...(await versionOf(a, randomBytes(5), 'c.txt')), parent: photos.id });
    expect(names(a, photos.id)).toEqual(['c.txt']);
    expect(a.path(inside.id).map((folder) => folder.name)).toEqual(['Photos']);
  });

  it('restores an old version as a new one, across secrets, and another device reads the old content', async () => {
    let now = 1_000;
    const docA = new Y.Doc();
    const a = new DriveSpace(docA, { now: () => now });
    const b = new DriveSpace(new Y.Doc());
    const first = randomBytes(1500);
    const file = a.addVersion(await versionOf(a, first, 'plan.txt'));
    const firstSecret = a.currentSecretId();
    a.rotateSecret();
    now = 2_000;
    a.addVersion({ ...(await versionOf(a, randomBytes(700), 'plan v2.txt')), fileId: file.id });
    a.rename(file.id, 'Plan.txt');
    now = 3_000;
    const restored = a.restoreVersion(file.id, 1);
    expect(restored.latest).toMatchObject({ version: 3, size: 1500, name: 'Plan.txt' });
    expect(
      a.versions(file.id).map(({ manifest, addedAt, restoredFrom }) => [manifest.version, addedAt, restoredFrom]),
    ).toEqual([
      [1, 1_000, undefined],
      [2, 2_000, undefined],
      [3, 3_000, 1],
    ]);
    // The old version's chunks, under the secret they were sealed with: nothing is sealed again.
    expect(a.versions(file.id)[2]?.secretId).toBe(firstSecret);
    expect(a.versions(file.id)[2]?.manifest.chunks).toEqual(a.versions(file.id)[0]?.manifest.chunks);

    Y.applyUpdate(b.doc, Y.encodeStateAsUpdate(docA));
    const chunks = new Map<string, Uint8Array>();
    await sealFile([first], b.sealer(firstSecret), (chunk) => {
      chunks.set(chunk.id, chunk.ciphertext);
      return Promise.resolve();
    });
    const latest = b.versions(file.id).at(-1) as DriveVersion;
    const read: Uint8Array[] = [];
    const fetchChunk = (id: string) => Promise.resolve(chunks.get(id) as Uint8Array);
    for await (const part of readFile(latest.manifest, b.sealer(latest.secretId), fetchChunk)) read.push(part);
    expect(Buffer.concat(read)).toEqual(Buffer.from(first));

    expect(() => a.restoreVersion(file.id, 9)).toThrow(/no such version/);
    expect(() => a.restoreVersion('missing', 1)).toThrow(/no file/);
    // What a writer claims about a version is only shown when it has the right form.
    const versions = docA.getMap<Y.Map<unknown>>('drive.nodes').get(file.id)?.get('versions') as Y.Array<unknown>;
    const good = versions.get(0) as Record<string, unknown>;
    const manifest = { ...(good['manifest'] as Record<string, unknown>), version: 4 };
    versions.push([{ ...good, manifest, added: 'yesterday', restoredFrom: -1 }]);
    const claimed = a.versions(file.id).at(-1);
    expect(claimed?.manifest.version).toBe(4);
    expect(claimed?.addedAt).toBeUndefined();
    expect(claimed?.restoredFrom).toBeUndefined();
  });

  it('renames, moves and trashes; what is inside a trashed folder goes with it and comes back', async () => {
    const { a } = pair();
    const work = a.createFolder('Work');
    const reports = a.createFolder('Reports', work.id);
    const file = a.addVersion({ ...(await versionOf(a, randomBytes(100), 'q1.pdf')), parent: reports.id });
    a.rename(file.id, 'Q1 report.pdf');
    a.move(reports.id, null);
    expect(names(a)).toEqual(['Reports', 'Work']);
    expect(names(a, reports.id)).toEqual(['Q1 report.pdf']);

    a.trash(reports.id);
    expect(names(a)).toEqual(['Work']);
    expect(a.isTrashed(file.id)).toBe(true);
    expect(a.trashed().map((node) => node.name)).toEqual(['Reports']);
    a.restore(reports.id);
    expect(a.isTrashed(file.id)).toBe(false);
    expect(names(a)).toEqual(['Reports', 'Work']);

    expect(() => a.move(work.id, work.id)).toThrow(DriveSpaceError);
    a.move(reports.id, work.id);
    expect(() => a.move(work.id, reports.id)).toThrow(/inside itself/);
    expect(() => a.move(reports.id, file.id)).toThrow(/no folder/);
    expect(() => a.rename(file.id, 'a/b')).toThrow(/slash/);
    expect(() => a.createFolder('')).toThrow(DriveSpaceError);
  });

  it('two devices moving two folders into each other at once lose neither: both show at the top level', () => {
    const { a, b, sync } = pair();
    const one = a.createFolder('One');
    const two = a.createFolder('Two');
    a.createFolder('Inside one', one.id);
    sync();
    a.move(one.id, two.id);
    b.move(two.id, one.id);
    sync();
    for (const space of [a, b]) {
      expect(names(space)).toEqual(['One', 'Two']);
      expect(names(space, one.id)).toEqual(['Inside one']);
      expect(names(space, two.id)).toEqual([]);
      expect(space.path(one.id)).toEqual([]);
    }
  });

  it('keeps both first secrets when two devices start uploading at once, and a rotated one for new uploads', async () => {
    const { a, b, sync } = pair();
    const fromA = a.addVersion(await versionOf(a, randomBytes(300), 'from a'));
    const fromB = b.addVersion(await versionOf(b, randomBytes(300), 'from b'));
    sync();
    for (const space of [a, b]) {
      expect(names(space)).toEqual(['from a', 'from b']);
      expect(space.versions(fromA.id)[0]?.secretId).not.toBe(space.versions(fromB.id)[0]?.secretId);
      expect(space.currentSecretId()).toBe(a.currentSecretId());
    }
    const before = a.currentSecretId();
    const rotated = a.rotateSecret();
    sync();
    expect(rotated).not.toBe(before);
    expect(b.currentSecretId()).toBe(rotated);
    // Old versions keep their secret, so they still open.
    expect(b.sealer(b.versions(fromA.id)[0]?.secretId)).toBeDefined();
  });

  it('records a thumbnail with the version, sealed like a chunk, and another device opens it', async () => {
    const { a, b, sync } = pair();
    const image = randomBytes(3000);
    const sealed = a.sealer().seal(image);
    const thumbnail = { id: sealed.id, key: sealed.key, size: sealed.size };
    const file = a.addVersion({ ...(await versionOf(a, randomBytes(500), 'photo.jpg')), thumbnail });
    expect(file.latest.thumbnail).toEqual(thumbnail);
    sync();
    const [version] = b.versions(file.id);
    expect(version?.manifest.thumbnail?.id).toBe(sealed.id);
    expect(
      b.sealer(version?.secretId).open(version?.manifest.thumbnail as typeof thumbnail, sealed.ciphertext),
    ).toEqual(image);
    // A version without one has none: the list shows the type's icon.
    expect(a.addVersion({ ...(await versionOf(a, randomBytes(5))), fileId: file.id }).latest.thumbnail).toBeUndefined();
  });

  it('leaves out and counts versions that do not check out, whoever wrote them', async () => {
    const { a, b, sync } = pair();
    const file = a.addVersion(await versionOf(a, randomBytes(400), 'kept.txt'));
    sync();
    // A writer's forgeries, written straight into the document: another file's manifest, an unknown secret,
    // chunks that do not add up to the size.
    const versions = b.doc.getMap<Y.Map<unknown>>('drive.nodes').get(file.id)?.get('versions') as Y.Array<unknown>;
    const good = (versions.get(0) as { secret: string; manifest: Record<string, unknown> }).manifest;
    versions.push([
      { secret: b.currentSecretId(), manifest: { ...good, fileId: 'another-file-id', version: 9 } },
      { secret: 'unknown', manifest: { ...good, version: 10 } },
      { secret: b.currentSecretId(), manifest: { ...good, version: 11, size: 5 } },
    ]);
    sync();
    expect(a.versions(file.id).map((version) => version.manifest.version)).toEqual([1]);
    expect(a.refusedVersions(file.id)).toBe(3);
    expect(a.get(file.id)).toMatchObject({ kind: 'file', latest: { version: 1, name: 'kept.txt' } });
    await expect(async () =>
      a.addVersion({ ...(await versionOf(a, randomBytes(1))), secretId: 'nope' }),
    ).rejects.toThrow(/no secret/);
  });

  it('refuses a name, a media type or a file the manifest would refuse before sending anything', async () => {
    const { a } = pair();
    let sent = 0;
    const client = new DriveClient({
      api: new RelayApi({
        baseUrl: 'http://127.0.0.1:9',
        fetch: () => {
          sent += 1;
          return Promise.reject(new Error('nothing may be sent'));
        },
      }),
      token: () => Promise.resolve('token'),
      tenant: tenantId('t'),
      space: documentId('s'),
    });
    const file = { name: 'ok.txt', mediaType: 'text/plain', modifiedAt: 0 };
    await expect(a.upload(client, [randomBytes(10)], { ...file, name: 'a/b' })).rejects.toThrow(DriveSpaceError);
    await expect(
      a.upload(client, [randomBytes(10)], { ...file, mediaType: 'text/plain; charset=utf-8' }),
    ).rejects.toThrow(/media type/);
    await expect(a.upload(client, [randomBytes(10)], { ...file, fileId: 'missing-file-id' })).rejects.toThrow(
      /no file/,
    );
    expect(sent).toBe(0);
  });
});
