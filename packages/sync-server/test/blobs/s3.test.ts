import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, S3Client, paginateListObjectsV2 } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentId, tenantId } from '@coffre/protocol';
import { S3BlobStore } from '../../src/blobs/S3BlobStore.ts';
import { runBlobStoreContractTests } from '../../src/blobs/runBlobStoreContractTests.ts';

const BUCKET = 'coffre-blobs';

interface RunningS3rver {
  endpoint: string;
  stop: () => Promise<void>;
}

/** s3rver in this process, on a free port of 127.0.0.1, over a temporary folder, with {@link BUCKET} made. */
async function startS3rver(): Promise<RunningS3rver> {
  const directory = await mkdtemp(join(tmpdir(), 'coffre-s3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    directory,
    silent: true,
    configureBuckets: [{ name: BUCKET, configs: [] }],
  });
  const { port } = await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: async () => {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** s3rver checks signatures against its fixed key pair. */
function clientFor(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
}

async function keysOf(client: S3Client, bucket: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const page of paginateListObjectsV2({ client }, { Bucket: bucket })) {
    for (const object of page.Contents ?? []) if (object.Key !== undefined) keys.push(object.Key);
  }
  return keys;
}

async function objectsOf(client: S3Client, bucket: string): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (const key of await keysOf(client, bucket)) {
    const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    out.push(await response.Body!.transformToByteArray());
  }
  return out;
}

for (const prefix of [undefined, 'relay/blobs/']) {
  runBlobStoreContractTests(`S3 (s3rver${prefix === undefined ? '' : `, prefix ${prefix}`})`, async () => {
    const s3 = await startS3rver();
    const client = clientFor(s3.endpoint);
    return {
      store: new S3BlobStore({ client, bucket: BUCKET, ...(prefix === undefined ? {} : { prefix }) }),
      dump: () => objectsOf(client, BUCKET),
      teardown: async () => {
        client.destroy();
        await s3.stop();
      },
    };
  });
}

describe('S3BlobStore against s3rver', () => {
  let s3: RunningS3rver;
  let client: S3Client;
  beforeAll(async () => {
    s3 = await startS3rver();
    client = clientFor(s3.endpoint);
  });
  afterAll(async () => {
    client.destroy();
    await s3.stop();
  });

  it('keeps a chunk under <prefix><tenant>/<space>/<address> and nothing else', async () => {
    const prefix = `layout-${randomBytes(4).toString('hex')}/`;
    const store = new S3BlobStore({ client, bucket: BUCKET, prefix });
    const id = randomBytes(32).toString('hex');
    await store.put(tenantId('acme'), documentId('space-1'), id, new Uint8Array([1, 2, 3]));
    const keys = (await keysOf(client, BUCKET)).filter((key) => key.startsWith(prefix));
    expect(keys).toEqual([`${prefix}acme/space-1/${id}`]);
  });

  it('refuses a key prefix that could run into a tenant folder', () => {
    expect(() => new S3BlobStore({ client, bucket: BUCKET, prefix: 'blobs' })).toThrow(/prefix/);
  });

  it('sums usage over more than one listing page and answers "which do you have" for many ids', async () => {
    const tenant = tenantId(`many-${randomBytes(4).toString('hex')}`);
    const space = documentId('space-1');
    const ids = Array.from({ length: 1_050 }, () => randomBytes(32).toString('hex'));
    const store = new S3BlobStore({ client, bucket: BUCKET });
    for (let start = 0; start < ids.length; start += 50) {
      await Promise.all(ids.slice(start, start + 50).map((id) => store.put(tenant, space, id, new Uint8Array(3))));
    }
    expect(await store.usage(tenant)).toBe(3 * ids.length);
    const missing = randomBytes(32).toString('hex');
    expect(await store.has(tenant, space, [...ids, missing])).toEqual(new Set(ids));
  }, 60_000);

  it('propagates errors other than not-found: a missing bucket fails get, put and usage', async () => {
    const store = new S3BlobStore({ client, bucket: 'no-such-bucket' });
    const id = randomBytes(32).toString('hex');
    await expect(store.get(tenantId('acme'), documentId('space-1'), id)).rejects.toThrow(/bucket/i);
    await expect(store.put(tenantId('acme'), documentId('space-1'), id, new Uint8Array([1]))).rejects.toThrow(
      /bucket/i,
    );
    await expect(store.usage(tenantId('acme'))).rejects.toThrow(/bucket/i);
  });
});

/**
 * s3rver ignores `If-None-Match` on PUT, so the answers AWS S3 gives a
 * conditional write that lost a race come from this small server: HEAD
 * answers from `held`, PUT answers the statuses queued in `putAnswers`, and
 * `landsAfterConflict` makes the chunk appear once a 409 was answered (the
 * other upload finished).
 */
describe('S3BlobStore on a refused conditional write', () => {
  const putAnswers: number[] = [];
  let held = false;
  let landsAfterConflict = false;
  let puts = 0;
  let conditions: (string | undefined)[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    request.resume();
    request.on('end', () => {
      if (request.method === 'HEAD') {
        response.writeHead(held ? 200 : 404, { 'content-length': '0' }).end();
        return;
      }
      puts += 1;
      conditions.push(request.headers['if-none-match']);
      const status = putAnswers.shift() ?? 200;
      if (status === 200) {
        response.writeHead(200, { etag: '"0"', 'content-length': '0' }).end();
        return;
      }
      if (status === 409 && landsAfterConflict) held = true;
      const code = status === 412 ? 'PreconditionFailed' : 'ConditionalRequestConflict';
      const body = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>refused</Message></Error>`;
      response.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
      response.end(body);
    });
  });
  let client: S3Client;
  let store: S3BlobStore;
  const id = randomBytes(32).toString('hex');

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    client = new S3Client({
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      region: 'us-east-1',
      forcePathStyle: true,
      maxAttempts: 1,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    store = new S3BlobStore({ client, bucket: BUCKET });
  });
  afterAll(async () => {
    client.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  });

  it('answers "not new" when the PUT is refused with 412 (another upload stored the chunk first)', async () => {
    held = false;
    puts = 0;
    conditions = [];
    putAnswers.push(412);
    expect(await store.put(tenantId('acme'), documentId('space-1'), id, new Uint8Array([1]))).toBe(false);
    expect(puts).toBe(1);
    expect(conditions).toEqual(['*']);
  });

  it('asks again after a 409 conflict and stores the chunk when the other upload failed', async () => {
    held = false;
    landsAfterConflict = false;
    puts = 0;
    putAnswers.push(409);
    expect(await store.put(tenantId('acme'), documentId('space-1'), id, new Uint8Array([1]))).toBe(true);
    expect(puts).toBe(2);
  });

  it('asks again after a 409 conflict and answers "not new" when the other upload landed', async () => {
    held = false;
    landsAfterConflict = true;
    puts = 0;
    putAnswers.push(409);
    expect(await store.put(tenantId('acme'), documentId('space-1'), id, new Uint8Array([1]))).toBe(false);
    expect(puts).toBe(1);
  });

  it('gives up after repeated 409 conflicts rather than answer without knowing', async () => {
    held = false;
    landsAfterConflict = false;
    puts = 0;
    putAnswers.push(409, 409, 409);
    await expect(store.put(tenantId('acme'), documentId('space-1'), id, new Uint8Array([1]))).rejects.toThrow();
    expect(puts).toBe(3);
    putAnswers.length = 0;
  });
});
