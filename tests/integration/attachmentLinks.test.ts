import { describe, expect, it } from 'vitest';
import { randomBytes } from '@coffre/crypto';
import {
  AccountError,
  DocumentAttachments,
  DriveClient,
  RelayApi,
  YjsEngine,
  openLink,
  parseAttachmentReference,
  settle,
} from '@coffre/client';
import { documentId as toDocumentId, tenantId as toTenantId } from '@coffre/protocol';
import { randomDocumentId, storageEngine } from './support/relayHarness.ts';
import { SUITE_TIMEOUT, type SuitePerson, workspaceSuite } from './support/workspaceSuite.ts';

/** An image attached to a new document of `owner`, held by the relay; resolves with the document and the reference. */
async function documentWithImage(suite: ReturnType<typeof workspaceSuite>, owner: SuitePerson, marker: string) {
  const id = randomDocumentId('attached');
  await owner.workspace.createDocument(id);
  const document = suite.keep(await owner.workspace.openDocument(id, new YjsEngine()));
  const attachments = new DocumentAttachments({
    doc: document.engine.doc,
    documentId: id,
    client: owner.workspace.driveClient(id),
  });
  const bytes = randomBytes(5000);
  bytes.set(new TextEncoder().encode(marker), 100);
  const reference = await attachments.add({ bytes, name: 'plan.png', mediaType: 'image/png' });
  await attachments.whenSent();
  await settle(document, document.whenSaved(), SUITE_TIMEOUT);
  return { id, bytes, reference, address: parseAttachmentReference(reference).manifest.chunks[0]?.id ?? '' };
}

/** How a chunk request with a token ends: its bytes' length, or the relay's error code. */
async function fetchWith(client: DriveClient, address: string): Promise<number | string> {
  try {
    return (await client.fetchChunk(address)).length;
  } catch (error) {
    return error instanceof AccountError ? error.code : String(error);
  }
}

describe(`chunks read through a share link (${storageEngine})`, () => {
  const suite = workspaceSuite('Link chunks test');

  it('a link session reads its own document’s images, never another document’s, and nothing once revoked', async () => {
    const alice = await suite.person('alice');
    const a = await documentWithImage(suite, alice, 'LINK-MARKER-A');
    const b = await documentWithImage(suite, alice, 'LINK-MARKER-B');
    const link = await alice.workspace.createLink(toDocumentId(a.id));
    // The link session's token, as the link's requests carry it.
    let linkToken = '';
    const opened = await openLink({
      baseUrl: suite.harness.httpUrl,
      tenant: suite.tenant,
      fragment: link.fragment,
      engine: new YjsEngine(),
      fetch: (input, init) => {
        const header = new Headers(init?.headers).get('authorization');
        if (header) linkToken = header.replace(/^Bearer /, '');
        return fetch(input, init);
      },
    });
    suite.keep(opened.document);

    // The link's document holds the secret and the reference: the image opens, the same bytes.
    const images = new DocumentAttachments({
      doc: opened.document.envelope.engine.doc,
      documentId: a.id,
      client: opened.driveClient(),
    });
    expect(new Uint8Array(await (await images.open(a.reference)).arrayBuffer())).toEqual(a.bytes);

    // The link's own token, asked for a chunk of document B, or for A's chunk under B's space, is refused.
    expect(linkToken).not.toBe('');
    const withLinkToken = (space: string) =>
      new DriveClient({
        api: new RelayApi({ baseUrl: suite.harness.httpUrl }),
        token: () => Promise.resolve(linkToken),
        tenant: toTenantId(suite.tenant),
        space: toDocumentId(space),
        retry: { attempts: 1 },
      });
    expect(await fetchWith(withLinkToken(a.id), a.address)).toBe(a.bytes.length + 16);
    expect(await fetchWith(withLinkToken(b.id), b.address)).toBe('FORBIDDEN');
    expect(await fetchWith(withLinkToken(b.id), a.address)).toBe('FORBIDDEN');
    // It uploads nothing, not even to its own document: the relay's writes take members' tokens only.
    await expect(withLinkToken(a.id).upload([{ id: b.address, ciphertext: randomBytes(10) }])).rejects.toBeInstanceOf(
      AccountError,
    );

    // Revoked: the token still verifies until it expires, but the link is no longer live.
    await alice.workspace.revokeLink(toDocumentId(a.id), link.linkId);
    expect(await fetchWith(withLinkToken(a.id), a.address)).toBe('FORBIDDEN');
  });
});
