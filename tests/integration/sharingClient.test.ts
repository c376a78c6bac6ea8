import * as Y from 'yjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateBoxKeyPair, generateSigningKeyPair, toBase64Url } from '@coffre/crypto';
import { type DocumentId, ERROR_MESSAGES, EntryRejection, parseEntry, sharingPaths } from '@coffre/protocol';
import {
  AccountClient,
  AccountError,
  CLIENT_ERROR_MESSAGES,
  EncryptedDocument,
  EncryptedEnvelope,
  type FetchFunction,
  Workspace,
  YjsEngine,
  openLink,
  safetyNumber,
  settle,
} from '@coffre/client';
import { MemoryStore } from './support/accountApi.ts';
import {
  type RelayHarness,
  randomDocumentId,
  randomId,
  signedInUserId,
  startRelay,
  storageEngine,
  waitFor,
} from './support/relayHarness.ts';

/** Cheap Argon2id for tests only; real accounts use ACCOUNT_KDF_PARAMETERS. */
const FAST = { opsLimit: 1, memLimit: 8 * 1024 * 1024 };
const PASSWORD = 'correct horse battery staple';
const TIMEOUT = 15_000;

interface Person {
  email: string;
  account: AccountClient;
  workspace: Workspace;
}

async function rejection(attempt: Promise<unknown>): Promise<AccountError> {
  try {
    await attempt;
  } catch (caught) {
    expect(caught).toBeInstanceOf(AccountError);
    return caught as AccountError;
  }
  throw new Error('expected the call to reject');
}

const body = (document: EncryptedDocument<YjsEngine>) => document.engine.doc.getText('body').toString();

async function append(document: EncryptedDocument<YjsEngine>, text: string): Promise<void> {
  const target = document.engine.doc.getText('body');
  target.insert(target.length, text);
  await settle(document, document.whenSaved(), TIMEOUT);
}

/** The key epochs of the sealed entries an envelope holds. */
function epochsOf(document: EncryptedDocument): number[] {
  return document.envelope.log.toArray().map((frame) => parseEntry(frame).header.keyEpoch);
}

describe(`sharing from the client, through a real relay (${storageEngine})`, () => {
  let harness: RelayHarness;
  let baseUrl: string;
  let tenant: string;
  const accounts: AccountClient[] = [];
  const documents: EncryptedDocument[] = [];

  const person = async (fetch?: FetchFunction): Promise<Person> => {
    const email = `${randomId('user')}@example.test`;
    const account = new AccountClient({ baseUrl, fetch, kdfParameters: FAST, minimumKdfParameters: FAST });
    accounts.push(account);
    await account.register(tenant, email, PASSWORD, 'laptop');
    const workspace = await Workspace.open({ account, store: new MemoryStore(), timeoutMs: TIMEOUT });
    return { email, account, workspace };
  };
  const open = async (who: Person, documentId: DocumentId) => {
    const document = await who.workspace.openDocument(documentId, new YjsEngine(), { extra: { batchWindowMs: 5 } });
    documents.push(document);
    return document;
  };
  const ownSafetyNumber = (who: Person) => {
    const identity = who.account.identity;
    if (!identity) throw new Error('signed out');
    return safetyNumber({ signingPublicKey: identity.signing.publicKey, boxPublicKey: identity.box.publicKey });
  };

  beforeAll(async () => {
    harness = await startRelay();
    baseUrl = harness.httpUrl;
    tenant = randomId('tenant');
    await harness.relay.accounts?.createTenant(tenant, 'Sharing client test');
  });

  afterAll(async () => {
    for (const document of documents) document.destroy();
    for (const account of accounts) account.close();
    await harness.teardown();
  });

  it('a shared member finds, verifies and opens the grant, reads, edits, and the owner sees the edit', async () => {
    const alice = await person();
    const bob = await person();
    const carol = await person();
    const documentId = randomDocumentId('plans');
    await alice.workspace.createDocument(documentId);
    const aliceCopy = await open(alice, documentId);
    await append(aliceCopy, 'Meet at noon.');
    // Carol's copy is open before Bob joins: it learns his certified device when his first entry arrives.
    await alice.workspace.share(documentId, carol.email, 'viewer');
    const carolCopy = await open(carol, documentId);

    const shared = await alice.workspace.share(documentId, bob.email, 'editor');
    expect(shared).toEqual(
      expect.objectContaining({ email: bob.email, role: 'editor', newContact: true, epochs: [0] }),
    );

    const bobCopy = await open(bob, documentId);
    expect(body(bobCopy)).toBe('Meet at noon.');
    await append(bobCopy, ' Bring the keys.');
    await waitFor(() => body(aliceCopy) === 'Meet at noon. Bring the keys.', TIMEOUT, "Bob's edit at Alice's");
    await waitFor(() => body(carolCopy) === 'Meet at noon. Bring the keys.', TIMEOUT, "Bob's edit at Carol's");

    // Both sides hold the same safety number for each other.
    expect(shared.safetyNumber).toBe(ownSafetyNumber(bob));
    const aliceAtBob = bob.workspace.contacts().find((contact) => contact.email === alice.email);
    expect(aliceAtBob?.safetyNumber).toBe(ownSafetyNumber(alice));
    expect((await bob.workspace.listDocuments()).map((document) => [document.id, document.role])).toEqual([
      [documentId, 'editor'],
    ]);
    expect((await alice.workspace.members(documentId)).map((member) => [member.email, member.role])).toEqual([
      [alice.email, 'owner'],
      [carol.email, 'viewer'],
      [bob.email, 'editor'],
    ]);
  });

  it('warns about a contact whose keys the relay swapped, and refuses to share with them', async () => {
    let swapFor: string | null = null;
    const forged = {
      signingPublicKey: toBase64Url(generateSigningKeyPair().publicKey),
      boxPublicKey: toBase64Url(generateBoxKeyPair().publicKey),
    };
    // A relay (or someone in between) that answers lookups of one person with other keys.
    const tampering: FetchFunction = async (input, init) => {
      const response = await fetch(input, init);
      if (swapFor === null || !input.includes(`${sharingPaths.userLookup(tenant)}?`)) return response;
      const keys = (await response.json()) as { email: string };
      if (keys.email !== swapFor) return Response.json(keys, { status: response.status });
      return Response.json({ ...keys, ...forged }, { status: response.status });
    };
    const alice = await person(tampering);
    const bob = await person();
    const first = randomDocumentId('doc');
    const second = randomDocumentId('doc');
    await alice.workspace.createDocument(first);
    await alice.workspace.createDocument(second);
    const trusted = await alice.workspace.share(first, bob.email, 'viewer');
    const warnings: string[] = [];
    alice.workspace.on('contact-changed', (change) => warnings.push(`${change.email} ${change.previousSafetyNumber}`));

    swapFor = bob.email;
    const failure = await rejection(alice.workspace.share(second, bob.email, 'viewer'));

    expect(failure.code).toBe('CONTACT_KEY_CHANGED');
    expect(failure.message).toBe(CLIENT_ERROR_MESSAGES.CONTACT_KEY_CHANGED);
    expect(warnings).toEqual([`${bob.email} ${trusted.safetyNumber}`]);
    expect((await alice.workspace.members(second)).map((member) => member.email)).toEqual([alice.email]);
    const listed = alice.workspace.contacts()[0];
    expect(listed).toEqual(expect.objectContaining({ email: bob.email, safetyNumber: trusted.safetyNumber }));
    expect(listed?.changedSafetyNumber).toBe(
      safetyNumber({
        signingPublicKey: Buffer.from(forged.signingPublicKey, 'base64url'),
        boxPublicKey: Buffer.from(forged.boxPublicKey, 'base64url'),
      }),
    );
    // The relay serves the real keys again: nothing is left to warn about.
    swapFor = null;
    await alice.workspace.share(second, bob.email, 'viewer');
    expect(alice.workspace.contacts()[0]?.changedSafetyNumber).toBeUndefined();
  });

  it('after removing a member, what is written is sealed with a new key the removed member cannot open, and the relay refuses them', async () => {
    const alice = await person();
    const bob = await person();
    const carol = await person();
    const documentId = randomDocumentId('plans');
    await alice.workspace.createDocument(documentId);
    await alice.workspace.share(documentId, bob.email, 'editor');
    await alice.workspace.share(documentId, carol.email, 'viewer');
    const aliceCopy = await open(alice, documentId);
    await append(aliceCopy, 'Before. ');
    // Bob keeps his keys and trusted devices, as a removed member's client would.
    const bobAccess = await bob.workspace.documentAccess(documentId);
    const bobCopy = await open(bob, documentId);
    expect(body(bobCopy)).toBe('Before. ');
    const carolCopy = await open(carol, documentId);
    const bobClosed = new Promise<string>((resolve) => bobCopy.on('error', (error) => resolve(error.code)));

    const bobId = signedInUserId(bob.account);
    const rotated = await alice.workspace.removeMember(documentId, bobId);
    expect(rotated.currentEpoch).toBe(1);
    expect(await bobClosed).toBe('FORBIDDEN');

    // Alice's open copy switched to the new epoch by itself; Carol's fetches the new grant as soon as the
    // relay announces the rotation, before any entry of the new epoch reaches it.
    await waitFor(() => carolCopy.envelope.sealingEpoch === 1, TIMEOUT, 'the rotation announced to Carol');
    await append(aliceCopy, 'After.');
    expect(epochsOf(aliceCopy).at(-1)).toBe(1);
    await waitFor(() => body(carolCopy) === 'Before. After.', TIMEOUT, 'the new epoch at Carol');
    expect(body(bobCopy)).toBe('Before. ');

    // Everything Carol received that was sealed after the rotation stays closed to Bob's keyring.
    const later = carolCopy.envelope.log.toArray().filter((frame) => parseEntry(frame).header.keyEpoch >= 1);
    expect(later.length).toBeGreaterThan(0);
    const session = bob.account.session;
    if (!session) throw new Error('signed out');
    const envelope = new Y.Doc();
    const bobReplica = new EncryptedEnvelope({
      address: bobAccess.address,
      engine: new YjsEngine(),
      device: { id: session.deviceId, signingKeyPair: session.device.signing },
      keyring: bobAccess.keyring,
      devices: bobAccess.devices,
      envelope,
    });
    const reasons: string[] = [];
    bobReplica.on('entry-rejected', (event) => reasons.push(event.reason));
    Y.applyUpdate(envelope, Y.encodeStateAsUpdate(carolCopy.envelope.envelope));
    expect(bobReplica.engine.doc.getText('body').toString()).not.toContain('After.');
    expect(reasons.filter((reason) => reason === EntryRejection.UnknownEpoch)).toHaveLength(later.length);
    bobReplica.destroy();

    // The relay refuses Bob: his workspace gets no grants, and a connection with his old keys is turned away.
    expect((await rejection(bob.workspace.openDocument(documentId, new YjsEngine()))).code).toBe('FORBIDDEN');
    const direct = new EncryptedDocument({
      address: bobAccess.address,
      engine: new YjsEngine(),
      device: { id: session.deviceId, signingKeyPair: session.device.signing },
      keyring: bobAccess.keyring,
      devices: bobAccess.devices,
      url: harness.url,
      token: () => bob.account.getAccessToken(),
    });
    documents.push(direct);
    const refused = await rejection(settle(direct, direct.whenSynced(), TIMEOUT));
    expect(refused.code).toBe('FORBIDDEN');
    expect(body(direct)).toBe('');
  });

  it('a new member reads the whole history, written under every epoch', async () => {
    const alice = await person();
    const bob = await person();
    const dave = await person();
    const documentId = randomDocumentId('plans');
    await alice.workspace.createDocument(documentId);
    await alice.workspace.share(documentId, bob.email, 'editor');
    const aliceCopy = await open(alice, documentId);
    await append(aliceCopy, 'Epoch zero. ');
    await alice.workspace.removeMember(documentId, signedInUserId(bob.account));
    await append(aliceCopy, 'Epoch one.');

    const shared = await alice.workspace.share(documentId, dave.email, 'viewer');
    expect(shared.epochs).toEqual([0, 1]);
    const daveCopy = await open(dave, documentId);
    expect(body(daveCopy)).toBe('Epoch zero. Epoch one.');
    expect(new Set(epochsOf(daveCopy))).toEqual(new Set([0, 1]));
  });

  describe('share links', () => {
    it('opens a read link without an account, and no longer once it is revoked', async () => {
      const alice = await person();
      const documentId = randomDocumentId('public');
      await alice.workspace.createDocument(documentId);
      const aliceCopy = await open(alice, documentId);
      await append(aliceCopy, 'For everyone with the link.');
      const link = await alice.workspace.createLink(documentId);

      const opened = await openLink({ baseUrl, tenant, fragment: link.fragment, engine: new YjsEngine() });
      documents.push(opened.document);
      expect(opened.role).toBe('viewer');
      expect(body(opened.document)).toBe('For everyone with the link.');
      // A whole share URL works too.
      const fromUrl = await openLink({ baseUrl, tenant: '', fragment: link.url, engine: new YjsEngine() });
      documents.push(fromUrl.document);
      expect(body(fromUrl.document)).toBe('For everyone with the link.');

      const closed = new Promise<string>((resolve) => opened.document.on('error', (error) => resolve(error.code)));
      await alice.workspace.revokeLink(documentId, link.linkId);
      expect(await closed).toBe('FORBIDDEN');
      const later = await rejection(openLink({ baseUrl, tenant, fragment: link.fragment, engine: new YjsEngine() }));
      expect(later.code).toBe('LINK_UNAVAILABLE');
      expect(later.message).toBe(CLIENT_ERROR_MESSAGES.LINK_UNAVAILABLE);
    });

    it('a password link needs the password, and a wrong one fails with a clear error', async () => {
      const alice = await person();
      const documentId = randomDocumentId('secret');
      await alice.workspace.createDocument(documentId);
      const aliceCopy = await open(alice, documentId);
      await append(aliceCopy, 'Behind a password.');
      const link = await alice.workspace.createLink(documentId, { password: 'open sesame' });
      expect(link.passwordProtected).toBe(true);
      const attempt = (password?: string) =>
        openLink({ baseUrl, tenant, fragment: link.fragment, password, engine: new YjsEngine() });

      expect((await rejection(attempt())).code).toBe('LINK_PASSWORD_REQUIRED');
      const wrong = await rejection(attempt('open says me'));
      expect(wrong.code).toBe('LINK_PASSWORD_WRONG');
      expect(wrong.message).toBe('The password for this link is not correct.');
      const opened = await attempt('open sesame');
      documents.push(opened.document);
      expect(body(opened.document)).toBe('Behind a password.');
    });

    it('an edit link writes, and members read what it wrote; a read link cannot write', async () => {
      const alice = await person();
      const documentId = randomDocumentId('board');
      await alice.workspace.createDocument(documentId);
      const aliceCopy = await open(alice, documentId);
      await append(aliceCopy, 'Ideas:');
      const editLink = await alice.workspace.createLink(documentId, { role: 'editor' });
      const readLink = await alice.workspace.createLink(documentId, { role: 'viewer' });

      const editor = await openLink({ baseUrl, tenant, fragment: editLink.fragment, engine: new YjsEngine() });
      documents.push(editor.document);
      expect(editor.role).toBe('editor');
      await append(editor.document, ' a link editor was here.');
      await waitFor(() => body(aliceCopy) === 'Ideas: a link editor was here.', TIMEOUT, 'the link edit at Alice');

      const reader = await openLink({ baseUrl, tenant, fragment: readLink.fragment, engine: new YjsEngine() });
      documents.push(reader.document);
      expect(reader.role).toBe('viewer');
      const sealed = reader.document.envelope.once('sealed');
      reader.document.engine.doc.getText('body').insert(0, 'Vandal! ');
      await sealed;
      // The relay drops what a read-only connection sends; a later edit through the edit link arrives alone.
      await append(editor.document, ' Done.');
      await waitFor(() => body(aliceCopy).endsWith(' Done.'), TIMEOUT, 'the second link edit at Alice');
      const fresh = await open(alice, documentId);
      expect(body(fresh)).toBe('Ideas: a link editor was here. Done.');
      expect(body(aliceCopy)).not.toContain('Vandal');
    });

    it('a link created before a removal still opens, and reads what was written after the rotation', async () => {
      const alice = await person();
      const bob = await person();
      const documentId = randomDocumentId('kept');
      await alice.workspace.createDocument(documentId);
      await alice.workspace.share(documentId, bob.email, 'editor');
      const link = await alice.workspace.createLink(documentId, { password: 'still here' });
      const aliceCopy = await open(alice, documentId);
      await append(aliceCopy, 'Old. ');

      const rotated = await alice.workspace.removeMember(documentId, signedInUserId(bob.account));
      expect(rotated.resealedLinks).toEqual([link.linkId]);
      await append(aliceCopy, 'New.');

      const opened = await openLink({
        baseUrl,
        tenant,
        fragment: link.fragment,
        password: 'still here',
        engine: new YjsEngine(),
      });
      documents.push(opened.document);
      expect(body(opened.document)).toBe('Old. New.');
    });
  });

  it('deleting a document closes its copies and forgets it', async () => {
    const alice = await person();
    const documentId = randomDocumentId('gone');
    await alice.workspace.createDocument(documentId);
    const copy = await open(alice, documentId);
    const closed = new Promise<string>((resolve) => copy.on('error', (error) => resolve(error.code)));
    await alice.workspace.deleteDocument(documentId);
    expect(await closed).toBeDefined();
    expect(await alice.workspace.listDocuments()).toEqual([]);
    expect((await rejection(alice.workspace.openDocument(documentId, new YjsEngine()))).message).toBe(
      ERROR_MESSAGES.NOT_FOUND,
    );
  });
});
