import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import {
  type DeviceId,
  type DocumentId,
  EntryRejection,
  documentId as toDocumentId,
  parseEntry,
  sharingPaths,
  tenantId as toTenantId,
} from '@coffre/protocol';
import {
  type AccountClient,
  AccountError,
  DeviceDirectory,
  EncryptedEnvelope,
  type EncryptedDocument,
  Workspace,
  YjsEngine,
} from '@coffre/client';
import { MemoryStore } from './support/accountApi.ts';
import { forgedUpdate } from './support/forgedEntries.ts';
import { randomDocumentId, randomId, signedInUserId, storageEngine, waitFor } from './support/relayHarness.ts';
import {
  SUITE_PASSWORD as PASSWORD,
  SUITE_TIMEOUT as TIMEOUT,
  appendText as append,
  bodyText as body,
  workspaceSuite,
} from './support/workspaceSuite.ts';

const authorsOf = (document: EncryptedDocument) =>
  new Set(document.envelope.log.toArray().map((frame) => parseEntry(frame).header.author));

describe(`membership checked by clients: past authors and roles (${storageEngine})`, () => {
  const suite = workspaceSuite('Membership test');

  /** A new person with a fresh device: no contact, no remembered device. */
  const person = async (name: string) => {
    const someone = await suite.person(name);
    return { ...someone, userId: signedInUserId(someone.account), deviceId: someone.account.session?.deviceId };
  };

  const open = async (workspace: Workspace, documentId: DocumentId) =>
    suite.keep(await workspace.openDocument(documentId, new YjsEngine(), { extra: { batchWindowMs: 5 } }));

  /** Closes copies and waits until the relay has unloaded the document, so the next opening reads the database. */
  const closeAll = async (documentId: DocumentId, copies: EncryptedDocument[]) => {
    for (const copy of copies) copy.destroy();
    await waitFor(
      () => !suite.harness.relay.hocuspocus.documents.has(`${suite.tenant}/${documentId}`),
      TIMEOUT,
      'the relay unloading the document',
    );
  };

  it("serves past members' and revoked devices' certificates: a newcomer's fresh device reads what they wrote", async () => {
    const alice = await person('alice');
    const bob = await person('bob');
    const documentId = randomDocumentId('minutes');
    await alice.workspace.createDocument(documentId);
    await alice.workspace.share(documentId, bob.email, 'editor');
    const aliceCopy = await open(alice.workspace, documentId);
    await append(aliceCopy, 'Agenda.');

    // Bob writes from his laptop, then from a phone he later revokes.
    const bobCopy = await open(bob.workspace, documentId);
    await append(bobCopy, ' Laptop note.');
    const phone = suite.client();
    await phone.login(suite.tenant, bob.email, PASSWORD, { deviceName: 'phone' });
    const phoneWorkspace = await Workspace.open({ account: phone, store: new MemoryStore(), timeoutMs: TIMEOUT });
    const phoneCopy = await open(phoneWorkspace, documentId);
    await waitFor(() => body(phoneCopy) === 'Agenda. Laptop note.', TIMEOUT, 'the phone reading the document');
    await append(phoneCopy, ' Phone note.');
    const phoneDevice = phone.session?.deviceId;
    if (phoneDevice === undefined) throw new Error('the phone is signed out');
    await waitFor(() => body(aliceCopy) === 'Agenda. Laptop note. Phone note.', TIMEOUT, 'Alice reading Bob');
    phoneCopy.destroy();
    await bob.account.revokeDevice(phoneDevice);
    // Bob leaves the document: the key rotates, his grants go from the members' table.
    await alice.workspace.removeMember(documentId, bob.userId);
    bobCopy.destroy();

    // Carol joins afterwards on a fresh device: she never met Bob, and the relay lists neither him nor the phone
    // among members or live devices.
    const carol = await person('carol');
    await alice.workspace.share(documentId, carol.email, 'viewer');
    const carolCopy = await open(carol.workspace, documentId);
    const rejected: string[] = [];
    carolCopy.on('entry-rejected', (event) => rejected.push(`${event.reason} ${event.author}`));
    expect(body(carolCopy)).toBe('Agenda. Laptop note. Phone note.');
    // Their entries are still in the log (nothing compacted them away), and every one of them opened.
    expect(authorsOf(carolCopy)).toEqual(new Set([alice.deviceId, bob.deviceId, phoneDevice]));
    expect(rejected).toEqual([]);
    const access = await carol.workspace.documentAccess(documentId);
    expect(access.devices.mayWrite(bob.deviceId as DeviceId, 0)).toBe(true);
    expect(access.devices.mayWrite(bob.deviceId as DeviceId, 1)).toBe(false);
    expect(access.devices.mayWrite(carol.deviceId as DeviceId, 1)).toBe(false);
    expect(access.membershipProblem).toBeUndefined();
  });

  it("rejects a viewer's entry that a colluding relay put straight into its database, and keeps an editor's", async () => {
    const alice = await person('alice');
    const victor = await person('victor');
    const eddie = await person('eddie');
    const documentId = randomDocumentId('budget');
    await alice.workspace.createDocument(documentId);
    await alice.workspace.share(documentId, victor.email, 'viewer');
    await alice.workspace.share(documentId, eddie.email, 'editor');
    const aliceCopy = await open(alice.workspace, documentId);
    await append(aliceCopy, 'Budget: 100.');
    const state = Y.encodeStateAsUpdate(aliceCopy.envelope.envelope);
    await closeAll(documentId, [aliceCopy]);

    // The relay refuses the viewer's writes over the socket; a compromised relay writes them to its database itself.
    const deviceOf = (account: AccountClient) => {
      const session = account.session;
      if (!session) throw new Error('signed out');
      return { id: session.deviceId, signingKeyPair: session.device.signing };
    };
    const victorAccess = await victor.workspace.documentAccess(documentId);
    const eddieAccess = await eddie.workspace.documentAccess(documentId);
    const address = { tenantId: toTenantId(suite.tenant), documentId: toDocumentId(documentId) };
    const forged = forgedUpdate(address, victorAccess, deviceOf(victor.account), state, ' VIEWER-FORGED 1000000.');
    const edited = forgedUpdate(address, eddieAccess, deviceOf(eddie.account), state, ' Editor: 120.');
    await suite.harness.relay.store.appendUpdate(address.tenantId, address.documentId, forged, {
      createDocument: false,
    });
    await suite.harness.relay.store.appendUpdate(address.tenantId, address.documentId, edited, {
      createDocument: false,
    });

    const reader = await open(alice.workspace, documentId);
    // Eddie's entry, injected the same way, is an editor's: it reads.
    await waitFor(() => body(reader).includes('Editor: 120.'), TIMEOUT, "the editor's entry");
    expect(body(reader)).not.toContain('VIEWER-FORGED');
    expect(authorsOf(reader)).toContain(victor.deviceId);
    // The viewer's entry is in the envelope, signed by the viewer's certified device, and still refused.
    const victorEntries = reader.envelope.log
      .toArray()
      .filter((frame) => parseEntry(frame).header.author === victor.deviceId);
    expect(victorEntries).toHaveLength(1);

    // What the reader's checks say about it, and what the relay's word alone (no membership) would have let in.
    const replay = (devices: DeviceDirectory) => {
      const replica = new EncryptedEnvelope({
        address,
        engine: new YjsEngine(),
        device: deviceOf(alice.account),
        keyring: victorAccess.keyring,
        devices,
        envelope: new Y.Doc(),
      });
      const rejected: string[] = [];
      replica.on('entry-rejected', (event) => rejected.push(`${event.reason} ${event.author}`));
      Y.applyUpdate(replica.envelope, Y.encodeStateAsUpdate(reader.envelope.envelope));
      const text = replica.engine.doc.getText('body').toString();
      replica.destroy();
      return { text, rejected };
    };
    const checked = replay((await alice.workspace.documentAccess(documentId)).devices);
    expect(checked.rejected).toEqual([`${EntryRejection.NotAWriter} ${victor.deviceId}`]);
    expect(checked.text).toBe('Budget: 100. Editor: 120.');
    const unchecked = replay(new DeviceDirectory(victorAccess.devices.entries()));
    expect(unchecked.rejected).toEqual([]);
    expect(unchecked.text).toContain('VIEWER-FORGED');

    // A fresh device of the viewer refuses it too.
    const victorCopy = await open(victor.workspace, documentId);
    expect(body(victorCopy)).not.toContain('VIEWER-FORGED');
    expect(body(victorCopy)).toContain('Editor: 120.');
  });

  it('lets members only read the membership, and no one of another organisation', async () => {
    const alice = await person('alice');
    const mallory = await person('mallory');
    const documentId = randomDocumentId('secret');
    await alice.workspace.createDocument(documentId);
    const refused = await mallory.account
      .request({ method: 'GET', path: sharingPaths.membership(suite.tenant, documentId) })
      .then(() => null)
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(AccountError);
    expect((refused as AccountError).code).toBe('FORBIDDEN');

    const otherTenant = randomId('tenant');
    await suite.harness.relay.accounts?.createTenant(otherTenant, 'Another organisation');
    const outsider = suite.client();
    await outsider.register(otherTenant, `${randomId('eve')}@example.test`, PASSWORD, 'laptop');
    const crossed = await outsider
      .request({ method: 'GET', path: sharingPaths.membership(suite.tenant, documentId) })
      .then(() => null)
      .catch((error: unknown) => error);
    expect(crossed).toBeInstanceOf(AccountError);
    expect(['FORBIDDEN', 'UNAUTHENTICATED']).toContain((crossed as AccountError).code);
  });
});
