/**
 * The Drive's device side on random bytes (100 MiB by default): cutting and
 * sealing chunks (`ContentChunker` + `ChunkSealer`), then reading them back
 * checked (`readFile`), beside node:crypto ChaCha20-Poly1305 on the same
 * bytes in pieces of the same size (the ceiling); storing the sealed chunks
 * in `FileSystemBlobStore` (fsync per chunk) beside plain files written and
 * fsynced the same way; and the bytes stored for successive versions of a
 * file with small edits, against the bytes uploaded; then, against
 * `coffre-relay serve` in its own process (PGlite, the file-system blob
 * store), the sealed chunks uploaded and downloaded through `DriveClient`,
 * 4 at once, and the whole path as the outbox runs it (the file cut, sealed
 * and uploaded at once, then read back checked), beside a plain HTTP server
 * that writes and fsyncs each PUT body to a file and serves it back. The
 * device seals on worker threads as the web app does on Web Workers (one
 * per core but one; `--seal-workers 0` seals on the cutting thread), and
 * cut + seal is shown both ways. Prints figures and ratios, then one JSON
 * line.
 *
 *   ./run bench-files [--mib N] [--versions N] [--seal-workers N]      (--mib 1024 for the 1 GiB figure)
 */
import { createCipheriv, randomBytes as nodeRandomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, mkdtemp, open, readFile as readFileBytes, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  AccountClient,
  ChunkSealer,
  type FileManifest,
  type SealedChunk,
  Workspace,
  readFile,
  sealFile,
} from '@coffre/client';
import { ready } from '@coffre/crypto';
import { documentId, tenantId } from '@coffre/protocol';
import { FileSystemBlobStore } from '@coffre/sync-server';
import { freePort, startRelayProcess, stopProcess } from '../integration/support/relayProcess.ts';
import { sealWorkerThreads } from '../support/sealWorkerThreads.ts';

const { values: args } = parseArgs({
  options: {
    mib: { type: 'string', default: '100' },
    versions: { type: 'string', default: '20' },
    'seal-workers': { type: 'string', default: String(Math.max(1, availableParallelism() - 1)) },
  },
});
const MiB = 1024 * 1024;
const size = Number(args.mib) * MiB;
const versions = Number(args.versions);
const workerCount = Number(args['seal-workers']);
const workers = workerCount > 0 ? sealWorkerThreads(workerCount) : undefined;

await ready();
const file = new Uint8Array(size);
for (let offset = 0; offset < size; offset += 65_536)
  globalThis.crypto.getRandomValues(file.subarray(offset, offset + 65_536));
const sealer = new ChunkSealer(nodeRandomBytes(32));
const mbps = (bytes: number, ms: number) => bytes / MiB / (ms / 1000);

async function* pieces(bytes: Uint8Array, piece = 4 * MiB): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < bytes.length; offset += piece) {
    await Promise.resolve();
    yield bytes.subarray(offset, offset + piece);
  }
}

// 1. Seal: cut + encrypt, chunks kept in memory.
const sealed = new Map<string, Uint8Array>();
let t0 = performance.now();
const { chunks } = await sealFile(pieces(file), sealer, async (chunk: SealedChunk) => {
  sealed.set(chunk.id, chunk.ciphertext);
  await Promise.resolve();
});
const sealMs = performance.now() - t0;
// 1b. The same on the sealing workers, the cutting thread keeping them busy.
t0 = performance.now();
await sealFile(pieces(file), sealer, () => Promise.resolve(), workers);
const workersSealMs = performance.now() - t0;
const manifest: FileManifest = {
  fileId: 'bench-file',
  version: 1,
  name: 'random.bin',
  mediaType: 'application/octet-stream',
  size,
  modifiedAt: Date.now(),
  chunks,
};

// 2. Open: fetch from memory, check and decrypt every chunk, as a stream.
t0 = performance.now();
let read = 0;
for await (const part of readFile(manifest, sealer, (id) => Promise.resolve(sealed.get(id) as Uint8Array)))
  read += part.length;
const openMs = performance.now() - t0;
if (read !== size) throw new Error(`read ${read} of ${size} bytes`);

// 3. The ceiling: node:crypto ChaCha20-Poly1305 over the same bytes, in pieces of the average chunk size.
t0 = performance.now();
for (let offset = 0; offset < size; offset += MiB) {
  const cipher = createCipheriv('chacha20-poly1305', nodeRandomBytes(32), nodeRandomBytes(12), { authTagLength: 16 });
  cipher.update(file.subarray(offset, offset + MiB));
  cipher.final();
  cipher.getAuthTag();
}
const ceilingMs = performance.now() - t0;

// 4. Storing: the sealed chunks in FileSystemBlobStore, beside plain files written and fsynced one by one.
const folder = await mkdtemp(join(tmpdir(), 'bench-files-'));
const store = new FileSystemBlobStore(join(folder, 'blobs'));
const tenant = tenantId('bench');
const space = documentId('space');
t0 = performance.now();
await Promise.all([...sealed].map(([id, bytes]) => store.put(tenant, space, id, bytes)));
const storeMs = performance.now() - t0;
t0 = performance.now();
await Promise.all(
  [...sealed.values()].map(async (bytes, index) => {
    const handle = await open(join(folder, `plain-${index}`), 'w');
    await handle.writeFile(bytes);
    await handle.sync();
    await handle.close();
  }),
);
const plainStoreMs = performance.now() - t0;

// 5. Dedup: successive versions of a 50 MiB file, each with a few small edits.
const base = file.subarray(0, Math.min(size, 50 * MiB));
const held = new Set<string>();
let uploaded = 0;
let stored = 0;
let version = Uint8Array.from(base);
for (let index = 0; index < versions; index += 1) {
  if (index > 0) {
    version = Uint8Array.from(version);
    for (let edit = 0; edit < 3; edit += 1) {
      const at = Math.floor(Math.random() * (version.length - 100));
      version.set(nodeRandomBytes(100), at);
    }
  }
  uploaded += version.length;
  await sealFile(pieces(version), sealer, async (chunk) => {
    if (!held.has(chunk.id)) {
      held.add(chunk.id);
      stored += chunk.ciphertext.length;
    }
    await Promise.resolve();
  });
}

// 6. Over HTTP, to `coffre-relay serve` in its own process (PGlite, blobs on disk), as it runs in production:
// the sealed chunks through DriveClient, then a whole file cut, sealed and uploaded as the outbox does it
// (uploadFile: sealing and sending overlap), and read back checked; beside a plain HTTP upload of the same bytes.
const relayPort = await freePort();
const relay = await startRelayProcess(join(folder, 'relay'), relayPort, ['--no-dev-tokens']);
const account = new AccountClient({ baseUrl: `http://127.0.0.1:${relayPort}` });
await account.register('default', 'bench@example.test', 'a bench passphrase, long enough', 'laptop');
const workspace = await Workspace.open({ account });
const spaceId = documentId('bench-space');
await workspace.createDocument(spaceId);
const drive = workspace.driveClient(spaceId);
const sealedChunks = [...sealed].map(([id, ciphertext]) => ({ id, ciphertext, key: new Uint8Array(32), size: 0 }));
t0 = performance.now();
const { sent } = await drive.upload(sealedChunks);
const uploadMs = performance.now() - t0;
if (sent.size !== sealed.size) throw new Error(`the relay stored ${sent.size} of ${sealed.size} chunks`);
t0 = performance.now();
await drive.upload(sealedChunks);
const reuploadMs = performance.now() - t0;
t0 = performance.now();
await inParallel([...sealed.keys()], 4, async (id) => {
  await drive.fetchChunk(id);
});
const downloadMs = performance.now() - t0;

// A new space, so nothing is held yet: the whole path, from the file's bytes to chunks durable on the relay.
const fileSpace = documentId('bench-file-space');
await workspace.createDocument(fileSpace);
const fileDrive = workspace.driveClient(fileSpace, { sealWorkers: workers });
const fileSealer = new ChunkSealer(nodeRandomBytes(32));
t0 = performance.now();
const uploaded1 = await fileDrive.uploadFile(pieces(file), fileSealer);
const endToEndUploadMs = performance.now() - t0;
t0 = performance.now();
let readBack = 0;
const fileManifest: FileManifest = { ...manifest, chunks: uploaded1.chunks };
for await (const part of readFile(fileManifest, fileSealer, fileDrive.fetchChunk)) readBack += part.length;
const endToEndDownloadMs = performance.now() - t0;
if (readBack !== size) throw new Error(`read back ${readBack} of ${size} bytes`);

const plainFolder = join(folder, 'plain-http');
await mkdir(plainFolder);
const plain = createServer((request, response) => {
  const path = join(plainFolder, (request.url ?? '/x').slice(1));
  if (request.method === 'GET') {
    readFileBytes(path).then(
      (bytes) => response.end(bytes),
      () => response.writeHead(404).end(),
    );
    return;
  }
  const parts: Buffer[] = [];
  request.on('data', (part: Buffer) => parts.push(part));
  request.on('end', () => {
    void (async () => {
      const handle = await open(path, 'w');
      await handle.writeFile(Buffer.concat(parts));
      await handle.sync();
      await handle.close();
      response.writeHead(201).end();
    })();
  });
});
await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
const plainUrl = `http://127.0.0.1:${(plain.address() as AddressInfo).port}`;
t0 = performance.now();
await inParallel([...sealed], 4, async ([id, bytes]) => {
  const response = await fetch(`${plainUrl}/${id}`, { method: 'PUT', body: bytes as Uint8Array<ArrayBuffer> });
  await response.arrayBuffer();
});
const plainUploadMs = performance.now() - t0;
t0 = performance.now();
await inParallel([...sealed.keys()], 4, async (id) => {
  await (await fetch(`${plainUrl}/${id}`)).arrayBuffer();
});
const plainDownloadMs = performance.now() - t0;
plain.close();
workers?.close();
account.close();
await stopProcess(relay);
await rm(folder, { recursive: true, force: true });

/** Runs `work` over `items`, `width` at a time. */
async function inParallel<T>(items: readonly T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

/** A figure in MB/s, Coffre beside its baseline over the same bytes. */
const row = (label: string, ms: number, baselineMs: number): [string, string, string, string] => [
  label,
  mbps(size, ms).toFixed(0),
  mbps(size, baselineMs).toFixed(0),
  (baselineMs / ms).toFixed(2),
];
const rows = [
  row('cut + seal (MB/s)', sealMs, ceilingMs),
  row(`cut + seal, ${workerCount} worker(s) (MB/s)`, workersSealMs, ceilingMs),
  row('check + open (MB/s)', openMs, ceilingMs),
  row('store, fsync per chunk (MB/s)', storeMs, plainStoreMs),
  row('upload over HTTP, batched (MB/s)', uploadMs, plainUploadMs),
  row('download over HTTP, 4 at once (MB/s)', downloadMs, plainDownloadMs),
  row('encrypt + upload + store (MB/s)', endToEndUploadMs, plainUploadMs),
  row('download + decrypt (MB/s)', endToEndDownloadMs, plainDownloadMs),
];
console.log(
  `${size / MiB} MiB of random bytes in ${chunks.length} chunks (average ${(size / chunks.length / MiB).toFixed(2)} MiB)`,
);
console.log(`${'figure'.padEnd(34)}${'coffre'.padStart(10)}${'baseline'.padStart(10)}${'of baseline'.padStart(13)}`);
for (const [label, ours, theirs, ratio] of rows)
  console.log(`${label.padEnd(34)}${ours.padStart(10)}${theirs.padStart(10)}${ratio.padStart(12)}x`);
console.log(
  '(baselines: node:crypto ChaCha20-Poly1305 on 1 MiB pieces; plain files written and fsynced one by one; ' +
    'a plain node:http server writing and fsyncing each PUT body, and serving it back)',
);
console.log(
  `the whole ${size / MiB} MiB file cut, sealed, uploaded and durable on the relay in ${(endToEndUploadMs / 1000).toFixed(2)} s ` +
    `(sealed on ${workerCount} worker(s), relay in its own process); read back and checked in ${(endToEndDownloadMs / 1000).toFixed(2)} s`,
);
console.log(
  `uploading the same ${sealed.size} chunks again (all held: one "which do you hold" question): ${reuploadMs.toFixed(0)} ms`,
);
console.log(
  `${versions} versions of a ${base.length / MiB} MiB file with 3 small edits each: ${(uploaded / MiB).toFixed(0)} MiB uploaded, ` +
    `${(stored / MiB).toFixed(1)} MiB stored (${((1 - stored / uploaded) * 100).toFixed(1)} % saved)`,
);
console.log(
  JSON.stringify({
    benchmark: 'files',
    bytes: size,
    chunks: chunks.length,
    sealMBps: mbps(size, sealMs),
    sealWorkers: workerCount,
    workersSealMBps: mbps(size, workersSealMs),
    openMBps: mbps(size, openMs),
    ceilingMBps: mbps(size, ceilingMs),
    storeMBps: mbps(size, storeMs),
    plainStoreMBps: mbps(size, plainStoreMs),
    uploadMBps: mbps(size, uploadMs),
    plainUploadMBps: mbps(size, plainUploadMs),
    downloadMBps: mbps(size, downloadMs),
    plainDownloadMBps: mbps(size, plainDownloadMs),
    endToEndUploadMBps: mbps(size, endToEndUploadMs),
    endToEndUploadMs,
    endToEndDownloadMBps: mbps(size, endToEndDownloadMs),
    reuploadMs,
    dedup: { versions, uploaded, stored },
  }),
);
