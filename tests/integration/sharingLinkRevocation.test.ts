import * as Y from 'yjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromBase64Url, toBase64Url } from '@coffre/crypto';
import {
  EntryRejection,
  LinkSessionResponseSchema,
  deviceId,
  documentId as toDocumentId,
  parseEntry,
  sharingPaths,
  tenantId as toTenantId,
} from '@coffre/protocol';
import type { EncryptedDocument } from '@coffre/client';
import {
  AccountClient,
  AccountError,
  DeviceDirectory,
  DocumentKeyring,
  EncryptedEnvelope,
  RelayApi,
  Workspace,
  YjsEngine,
  createLinkDevice,
  deriveLinkKey,
  openKeyWithLinkKey,
  openLink,
  parseLinkFragment,
  settle,
} from '@coffre/client';
import { MemoryStore } from './support/accountApi.ts';
import { type RelayHarness, randomId, startRelay, storageEngine, waitFor } from './support/relayHarness.ts';

/** Cheap Argon2id for tests only; real accounts use ACCOUNT_KDF_PARAMETERS. */
const FAST = { opsLimit: 1, memLimit: 8 * 1024 * 1024 };
const TIMEOUT = 15_000;

const body = (document: EncryptedDocument<YjsEngine>) => document.engine.doc.getText('body').toString();

async function append(document: EncryptedDocument<YjsEngine>, text: string): Promise<void> {
  const target = document.engine.doc.getText('body');
  target.insert(target.length, text);
  await settle(document, document.whenSaved(), TIMEOUT);
}

describe(`revoking a share link rotates the document key (${storageEngine})`, () => {
  let harness: RelayHarness;
  let tenant: string;
  const accounts: AccountClient[] = [];
  const documents: EncryptedDocument[] = [];

  beforeAll(async () => {
    harness = await startRelay();
    tenant = randomId('tenant');
    await harness.relay.accounts?.createTenant(tenant, 'Link revocation test');
  });

  afterAll(async () => {
    for (const document of documents) document.destroy();
    for (const account of accounts) account.close();
    await harness.teardown();
  });

  const owner = async () => {
    const email = `${randomId('owner')}@example.test`;
    const account = new AccountClient({ baseUrl: harness.httpUrl, kdfParameters: FAST, minimumKdfParameters: FAST });
    accounts.push(account);
    await account.register(tenant, email, 'correct horse battery staple', 'laptop');
    const workspace = await Workspace.open({ account, store: new MemoryStore(), timeoutMs: TIMEOUT });
    return { email, account, workspace };
  };

  /** What a link session hands out, as a relay that kept serving a revoked link would go on handing it out. */
  const linkSession = async (fragment: string) => {
    const secrets = parseLinkFragment(fragment);
    const session = await new RelayApi({ baseUrl: harness.httpUrl }).request({
      method: 'POST',
      path: sharingPaths.linkSession(tenant, secrets.linkId),
      body: { accessProof: toBase64Url(secrets.accessProof) },
      schema: LinkSessionResponseSchema,
    });
    const linkKey = deriveLinkKey(secrets);
    const keys = session.sealedKeys.map(
      ({ keyEpoch, sealedKey }) =>
        [
          keyEpoch,
          openKeyWithLinkKey(linkKey, secrets.linkId, session.documentId, keyEpoch, fromBase64Url(sealedKey)),
        ] as const,
    );
    return { session, keys };
  };

  it('a revoked link opens nothing written after, other links and members move to the new key, and a link session names no one', async () => {
    const alice = await owner();
    const documentId = randomId('minutes');
    await alice.workspace.createDocument(documentId);
    const aliceCopy = await alice.workspace.openDocument(documentId, new YjsEngine(), { extra: { batchWindowMs: 5 } });
    documents.push(aliceCopy);
    await append(aliceCopy, 'Before.');
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
      baseUrl: harness.httpUrl,
      tenant,
      fragment: revoked.fragment,
      engine: new YjsEngine(),
    });
    const keptReader = await openLink({
      baseUrl: harness.httpUrl,
      tenant,
      fragment: kept.fragment,
      engine: new YjsEngine(),
    });
    documents.push(revokedReader.document, keptReader.document);
    expect(body(revokedReader.document)).toBe('Before.');
    expect(body(keptReader.document)).toBe('Before.');
    const closed = new Promise<string>((resolve) => revokedReader.document.on('error', (error) => resolve(error.code)));

    const rotation = await alice.workspace.revokeLink(documentId, revoked.linkId);
    expect(rotation).toEqual({ currentEpoch: 1, resealedLinks: [kept.linkId], revokedLinks: [revoked.linkId] });
    expect(await closed).toBe('FORBIDDEN');
    expect((await alice.workspace.listLinks(documentId)).map((link) => link.linkId)).toEqual([kept.linkId]);

    // The relay tells the connections left that the key changed: the kept link moves to epoch 1 before
    // it meets any entry of it, so what it writes next is sealed with the new key too.
    await waitFor(() => keptReader.document.envelope.sealingEpoch === 1, TIMEOUT, 'the kept link fetching epoch 1');
    // The owner's open copy writes under the new epoch at once.
    await append(aliceCopy, ' After.');
    const later = aliceCopy.envelope.log.toArray().filter((frame) => parseEntry(frame).header.keyEpoch === 1);
    expect(later.length).toBeGreaterThan(0);

    // The link that was kept meets epoch 1, fetches its session again and reads on; it can still write.
    await waitFor(() => body(keptReader.document) === 'Before. After.', TIMEOUT, 'the new epoch through the kept link');
    await append(keptReader.document, ' Signed, a link.');
    await waitFor(() => body(aliceCopy) === 'Before. After. Signed, a link.', TIMEOUT, 'the link edit at Alice');

    // The revoked link gets no session any more.
    const refused = await openLink({
      baseUrl: harness.httpUrl,
      tenant,
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
      address: { tenantId: toTenantId(tenant), documentId: toDocumentId(documentId) },
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
    const documentId = randomId('plans');
    await alice.workspace.createDocument(documentId);
    const link = await alice.workspace.createLink(documentId);
    const attempt = await alice.workspace
      .revokeLink(documentId, 'f'.repeat(32))
      .then(() => null)
      .catch((error: unknown) => error);
    expect(attempt).toBeInstanceOf(AccountError);
    expect((attempt as AccountError).code).toBe('NOT_FOUND');
    expect((await alice.workspace.documentAccess(documentId)).keyring.get(1)).toBeUndefined();
    expect((await alice.workspace.listLinks(documentId)).map((entry) => entry.linkId)).toEqual([link.linkId]);
  });
});
