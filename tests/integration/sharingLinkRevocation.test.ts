import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { fromBase64Url, toBase64Url } from '@coffre/crypto';
import {
  EntryRejection,
  LinkSessionResponseSchema,
  deviceId,
  documentId as toDocumentId,
  linkId as toLinkId,
  parseEntry,
  sharingPaths,
  tenantId as toTenantId,
} from '@coffre/protocol';
import {
  AccountError,
  DeviceDirectory,
  DocumentKeyring,
  EncryptedEnvelope,
  RelayApi,
  YjsEngine,
  createLinkDevice,
  deriveLinkKey,
  openKeyWithLinkKey,
  openLink,
  parseLinkFragment,
} from '@coffre/client';
import { randomDocumentId, storageEngine, waitFor } from './support/relayHarness.ts';
import { SUITE_TIMEOUT as TIMEOUT, appendText, bodyText, workspaceSuite } from './support/workspaceSuite.ts';

describe(`revoking a share link rotates the document key (${storageEngine})`, () => {
  const suite = workspaceSuite('Link revocation test');
  const owner = () => suite.person('owner');

  /** What a link session hands out, as a relay that kept serving a revoked link would go on handing it out. */
  const linkSession = async (fragment: string) => {
    const secrets = parseLinkFragment(fragment);
    const session = await new RelayApi({ baseUrl: suite.harness.httpUrl }).request({
      method: 'POST',
      path: sharingPaths.linkSession(suite.tenant, secrets.linkId),
      body: { accessProof: toBase64Url(secrets.accessProof) },
      schema: LinkSessionResponseSchema,
    });
    const linkKey = deriveLinkKey(secrets);
    const keys = session.sealedKeys.map(
      ({ keyEpoch, sealedKey }) =>
        [
          keyEpoch,
          openKeyWithLinkKey(
            linkKey,
            secrets.linkId,
            toDocumentId(session.documentId),
            keyEpoch,
            fromBase64Url(sealedKey),
          ),
        ] as const,
    );
    return { session, keys };
  };

  it('a revoked link opens nothing written after, other links and members move to the new key, and a link session names no one', async () => {
    const alice = await owner();
    const documentId = randomDocumentId('minutes');
    await alice.workspace.createDocument(documentId);
    const aliceCopy = await alice.workspace.openDocument(documentId, new YjsEngine(), { extra: { batchWindowMs: 5 } });
    suite.keep(aliceCopy);
    await appendText(aliceCopy, 'Before.');
    const revoked = await alice.workspace.createLink(documentId);
    const kept = await alice.workspace.createLink(documentId, { role: 'editor' });

    // A link session carries device keys only: no member's email, user id or identity key.
    const { session: before, keys: keptKeys } = await linkSession(revoked.fragment);
    const sessionText = JSON.stringify(before);
    expect(sessionText).not.toContain(alice.email);
    expect(sessionText).not.toContain(alice.account.session?.userId ?? 'no user');
    expect(before.authors).toEqual([
      {
        deviceId: alice.account.session?.deviceId,
        signingPublicKey: toBase64Url(alice.account.session?.device.signing.publicKey ?? new Uint8Array()),
      },
    ]);
    expect(keptKeys.map(([epoch]) => epoch)).toEqual([0]);

    const revokedReader = await openLink({
      baseUrl: suite.harness.httpUrl,
      tenant: suite.tenant,
      fragment: revoked.fragment,
      engine: new YjsEngine(),
    });
    const keptReader = await openLink({
      baseUrl: suite.harness.httpUrl,
      tenant: suite.tenant,
      fragment: kept.fragment,
      engine: new YjsEngine(),
    });
    suite.keep(revokedReader.document);
    suite.keep(keptReader.document);
    expect(bodyText(revokedReader.document)).toBe('Before.');
    expect(bodyText(keptReader.document)).toBe('Before.');
    const closed = new Promise<string>((resolve) => revokedReader.document.on('error', (error) => resolve(error.code)));

    const rotation = await alice.workspace.revokeLink(documentId, revoked.linkId);
    expect(rotation).toEqual({ currentEpoch: 1, resealedLinks: [kept.linkId], revokedLinks: [revoked.linkId] });
    expect(await closed).toBe('FORBIDDEN');
    expect((await alice.workspace.listLinks(documentId)).map((link) => link.linkId)).toEqual([kept.linkId]);

    // The relay tells the connections left that the key changed: the kept link moves to epoch 1 before
    // it meets any entry of it, so what it writes next is sealed with the new key too.
    await waitFor(() => keptReader.document.envelope.sealingEpoch === 1, TIMEOUT, 'the kept link fetching epoch 1');
    // The owner's open copy writes under the new epoch at once.
    await appendText(aliceCopy, ' After.');
    const later = aliceCopy.envelope.log.toArray().filter((frame) => parseEntry(frame).header.keyEpoch === 1);
    expect(later.length).toBeGreaterThan(0);

    // The link that was kept meets epoch 1, fetches its session again and reads on; it can still write.
    await waitFor(
      () => bodyText(keptReader.document) === 'Before. After.',
      TIMEOUT,
      'the new epoch through the kept link',
    );
    await appendText(keptReader.document, ' Signed, a link.');
    await waitFor(() => bodyText(aliceCopy) === 'Before. After. Signed, a link.', TIMEOUT, 'the link edit at Alice');

    // The revoked link gets no session any more.
    const refused = await openLink({
      baseUrl: suite.harness.httpUrl,
      tenant: suite.tenant,
      fragment: revoked.fragment,
      engine: new YjsEngine(),
    })
      .then(() => null)
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(AccountError);
    expect((refused as AccountError).code).toBe('LINK_UNAVAILABLE');

    // Even served everything by a relay that kept its keys, the revoked link's secret opens nothing written since.
    const envelope = new Y.Doc();
    const replica = new EncryptedEnvelope({
      address: { tenantId: toTenantId(suite.tenant), documentId: toDocumentId(documentId) },
      engine: new YjsEngine(),
      device: createLinkDevice(),
      keyring: new DocumentKeyring(keptKeys),
      devices: new DeviceDirectory(
        before.authors.map((author) => [deviceId(author.deviceId), fromBase64Url(author.signingPublicKey)] as const),
      ),
      envelope,
    });
    const reasons: string[] = [];
    replica.on('entry-rejected', (event) => reasons.push(event.reason));
    Y.applyUpdate(envelope, Y.encodeStateAsUpdate(aliceCopy.envelope.envelope));
    expect(replica.engine.doc.getText('body').toString()).toBe('Before.');
    const unreadable = aliceCopy.envelope.log.toArray().filter((frame) => parseEntry(frame).header.keyEpoch >= 1);
    expect(reasons.filter((reason) => reason === EntryRejection.UnknownEpoch)).toHaveLength(unreadable.length);
    replica.destroy();
  });

  it('revoking an unknown link changes nothing', async () => {
    const alice = await owner();
    const documentId = randomDocumentId('plans');
    await alice.workspace.createDocument(documentId);
    const link = await alice.workspace.createLink(documentId);
    const attempt = await alice.workspace
      .revokeLink(documentId, toLinkId('f'.repeat(32)))
      .then(() => null)
      .catch((error: unknown) => error);
    expect(attempt).toBeInstanceOf(AccountError);
    expect((attempt as AccountError).code).toBe('NOT_FOUND');
    expect((await alice.workspace.documentAccess(documentId)).keyring.get(1)).toBeUndefined();
    expect((await alice.workspace.listLinks(documentId)).map((entry) => entry.linkId)).toEqual([link.linkId]);
  });
});
