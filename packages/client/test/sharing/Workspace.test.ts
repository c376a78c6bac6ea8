import * as Y from 'yjs';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  fromBase64Url,
  generateBoxKeyPair,
  generateSigningKeyPair,
  openSealedBox,
  ready,
  toBase64Url,
} from '@coffre/crypto';
import {
  type DocumentId,
  type GrantWire,
  type UserId,
  type UserKeys,
  ERROR_MESSAGES,
  documentId,
  tenantId,
  userId,
} from '@coffre/protocol';
import { AccountClient } from '../../src/account/AccountClient.ts';
import { AccountError, CLIENT_ERROR_MESSAGES } from '../../src/account/AccountError.ts';
import { EncryptedEnvelope } from '../../src/EncryptedEnvelope.ts';
import { YjsEngine } from '../../src/engines/YjsEngine.ts';
import { verifyDeviceCertificate } from '../../src/sharing/deviceCertificate.ts';
import { createLinkDevice } from '../../src/sharing/linkDevice.ts';
import { openKeyFromLink, parseLinkFragment, parseShareUrl } from '../../src/sharing/links.ts';
import { openLink } from '../../src/sharing/openLink.ts';
import type { SerializedSharingState, SharingStore } from '../../src/sharing/SharingState.ts';
import type { DocumentAccess } from '../../src/sharing/DocumentAccess.ts';
import { Workspace } from '../../src/sharing/Workspace.ts';
import { FakeRelay, json } from '../account/FakeRelay.ts';

const FAST = { opsLimit: 1, memLimit: 8 * 1024 * 1024 };
const PASSWORD = 'correct horse battery staple';
const BASE = 'http://relay.test';
const plans = documentId('plans');
const budget = documentId('budget');
const notes = documentId('notes');
const nothing = documentId('nothing');

class MemoryStore implements SharingStore {
  saved: SerializedSharingState | null = null;
  saves = 0;
  load(): Promise<unknown> {
    return Promise.resolve(this.saved === null ? null : structuredClone(this.saved));
  }
  save(state: SerializedSharingState): Promise<void> {
    this.saved = structuredClone(state);
    this.saves += 1;
    return Promise.resolve();
  }
}

interface Person {
  account: AccountClient;
  workspace: Workspace;
  store: MemoryStore;
  email: string;
}

/** The user id of a signed-in person. */
function idOf(person: Person): UserId {
  const id = person.account.session?.userId;
  if (id === undefined) throw new Error(`${person.email} is signed out`);
  return id;
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

/** An envelope over the document's keys and trusted devices, as openDocument builds it, without a network. */
function envelopeFor(person: Person, access: DocumentAccess, doc = new Y.Doc()): EncryptedEnvelope<YjsEngine> {
  const session = person.account.session;
  if (!session) throw new Error('signed out');
  return new EncryptedEnvelope({
    address: access.address,
    engine: new YjsEngine(),
    device: { id: session.deviceId, signingKeyPair: session.device.signing },
    keyring: access.keyring,
    devices: access.devices,
    envelope: doc,
  });
}

const text = (envelope: EncryptedEnvelope<YjsEngine>) => envelope.engine.doc.getText('body').toString();

function write(envelope: EncryptedEnvelope<YjsEngine>, value: string): void {
  envelope.engine.doc.getText('body').insert(0, value);
  envelope.flush();
}

/** Delivers what `from` has and `to` lacks, as the relay would. */
function sync(from: EncryptedEnvelope, to: EncryptedEnvelope): void {
  Y.applyUpdate(to.envelope, Y.encodeStateAsUpdate(from.envelope, Y.encodeStateVector(to.envelope)));
}

describe('Workspace (sharing through a fake relay)', () => {
  let relay: FakeRelay;

  const signUp = async (email: string, tenant = 'acme'): Promise<Person> => {
    const account = new AccountClient({
      baseUrl: BASE,
      fetch: relay.fetch,
      kdfParameters: FAST,
      minimumKdfParameters: FAST,
    });
    await account.register(tenant, email, PASSWORD, 'laptop');
    const store = new MemoryStore();
    return { account, workspace: await Workspace.open({ account, store }), store, email };
  };

  /** Serves other identity keys for `email` from the lookup and user-keys routes (a relay swapping keys). */
  const swapKeysOf = (email: string) => {
    const user = relay.userByEmail('acme', email);
    if (!user) throw new Error(`no user ${email}`);
    const forged: UserKeys = {
      ...relay.sharing.userKeys(user),
      signingPublicKey: toBase64Url(generateSigningKeyPair().publicKey),
      boxPublicKey: toBase64Url(generateBoxKeyPair().publicKey),
    };
    relay.sharing.forgedKeys.set(user.id, forged);
    return forged;
  };

  beforeAll(async () => {
    await ready();
  });

  beforeEach(() => {
    relay = new FakeRelay();
  });

  describe('device certificates', () => {
    it('register and login publish a certificate of the device keys signed by the identity key', async () => {
      const alice = await signUp('alice@acme.test');
      const phone = new AccountClient({
        baseUrl: BASE,
        fetch: relay.fetch,
        kdfParameters: FAST,
        minimumKdfParameters: FAST,
      });
      await phone.login('acme', 'alice@acme.test', PASSWORD, { deviceName: 'phone' });

      const user = relay.userByEmail('acme', 'alice@acme.test');
      if (!user) throw new Error('no user');
      const keys = relay.sharing.userKeys(user);
      expect(keys.devices.map((device) => device.deviceId).sort()).toEqual(
        [alice.account.session?.deviceId, phone.session?.deviceId].sort(),
      );
      const identity = alice.account.session?.identity.signing.publicKey ?? new Uint8Array();
      for (const device of keys.devices)
        expect(verifyDeviceCertificate(tenantId('acme'), userId(user.id), identity, device)).toBe(true);
    });

    it('a workspace certifies the device before using it when the certificate did not reach the relay', async () => {
      relay.intercept = (request) =>
        request.path.endsWith('/certificate') ? json(503, { error: { code: 'INTERNAL', message: 'down' } }) : undefined;
      const alice = await signUp('alice@acme.test');
      expect(relay.devices.get(alice.account.session?.deviceId ?? '')?.identitySignature).toBeUndefined();
      relay.intercept = null;

      await alice.workspace.createDocument(plans);

      expect(relay.devices.get(alice.account.session?.deviceId ?? '')?.identitySignature).toBeDefined();
    });

    it('trusts only devices whose certificate verifies against the member identity key', async () => {
      const alice = await signUp('alice@acme.test');
      const bob = await signUp('bob@acme.test');
      await alice.workspace.createDocument(plans);
      await alice.workspace.share(plans, bob.email, 'editor');
      // The relay adds a device of its own to Bob's account, with a certificate signed by another key.
      const rogue = createLinkDevice();
      relay.devices.set('rogue', {
        id: 'rogue',
        userId: relay.userByEmail('acme', bob.email)?.id ?? '',
        name: 'rogue',
        signingPublicKey: toBase64Url(rogue.signingKeyPair.publicKey),
        boxPublicKey: toBase64Url(generateBoxKeyPair().publicKey),
        revoked: false,
        identitySignature: toBase64Url(new Uint8Array(64).fill(7)),
      });

      const access = await alice.workspace.documentAccess(plans);

      const bobDevice = bob.account.session?.deviceId;
      if (!bobDevice) throw new Error('signed out');
      expect(access.devices.get(bobDevice)).toEqual(bob.account.session?.device.signing.publicKey);
      expect(access.devices.has('rogue' as typeof bobDevice)).toBe(false);
    });
  });

  describe('documents and grants', () => {
    it('creates a document with a random key granted to its owner only, sealed so the relay cannot read it', async () => {
      const alice = await signUp('alice@acme.test');
      const info = await alice.workspace.createDocument(plans);
      expect(info).toEqual(expect.objectContaining({ id: plans, role: 'owner', currentEpoch: 0 }));

      const stored = relay.sharing.document('acme', plans);
      expect(stored?.grants).toHaveLength(1);
      const grant = stored?.grants[0] as GrantWire;
      const identity = alice.account.session?.identity;
      if (!identity) throw new Error('signed out');
      const documentKey = openSealedBox(identity.box, fromBase64Url(grant.sealedKey));
      const access = await alice.workspace.documentAccess(plans);
      expect(access.keyring.get(0)).toEqual(documentKey);
      expect(access.role).toBe('owner');
      // Another document gets another key.
      await alice.workspace.createDocument(notes);
      expect((await alice.workspace.documentAccess(notes)).keyring.get(0)).not.toEqual(documentKey);
      expect((await alice.workspace.listDocuments()).map((document) => document.id)).toEqual([plans, notes]);
    });

    it('shares a document: the member opens the grant, reads what the owner wrote and the owner reads their edits', async () => {
      const alice = await signUp('alice@acme.test');
      const bob = await signUp('bob@acme.test');
      await alice.workspace.createDocument(plans);
      const aliceEnvelope = envelopeFor(alice, await alice.workspace.documentAccess(plans));
      write(aliceEnvelope, 'Meet at noon.');

      const shared = await alice.workspace.share(plans, 'Bob@ACME.test', 'editor');
      expect(shared).toEqual(
        expect.objectContaining({ email: bob.email, role: 'editor', newContact: true, epochs: [0] }),
      );

      const bobEnvelope = envelopeFor(bob, await bob.workspace.documentAccess(plans));
      sync(aliceEnvelope, bobEnvelope);
      expect(text(bobEnvelope)).toBe('Meet at noon.');
      write(bobEnvelope, 'Bob: ok. ');
      // Alice's copy trusts Bob's device once she shared with him.
      const aliceAgain = envelopeFor(alice, await alice.workspace.documentAccess(plans));
      sync(bobEnvelope, aliceAgain);
      expect(text(aliceAgain)).toBe('Bob: ok. Meet at noon.');
      expect((await bob.workspace.members(plans)).map((member) => [member.email, member.role])).toEqual([
        [alice.email, 'owner'],
        [bob.email, 'editor'],
      ]);
    });

    it('both sides see the same safety number for each other', async () => {
      const alice = await signUp('alice@acme.test');
      const bob = await signUp('bob@acme.test');
      await alice.workspace.createDocument(plans);
      const shared = await alice.workspace.share(plans, bob.email, 'viewer');
      await bob.workspace.documentAccess(plans);

      const aliceSeenByBob = bob.workspace.contacts().find((contact) => contact.email === alice.email);
      const ownAlice = (await alice.workspace.members(plans)).find((member) => member.self);
      const ownBob = (await bob.workspace.members(plans)).find((member) => member.self);
      expect(aliceSeenByBob?.safetyNumber).toBe(ownAlice?.safetyNumber);
      expect(shared.safetyNumber).toBe(ownBob?.safetyNumber);
    });

    it('refuses a grant that is not signed by the member it names', async () => {
      const alice = await signUp('alice@acme.test');
      const bob = await signUp('bob@acme.test');
      await alice.workspace.createDocument(plans);
      await alice.workspace.share(plans, bob.email, 'editor');
      const grant = relay.sharing
        .document('acme', plans)
        ?.grants.find((entry) => entry.recipientUserId !== entry.granterUserId);
      if (!grant) throw new Error('no grant');
      grant.role = 'owner'; // the relay promotes Bob: the signature no longer covers the statement

      const failure = await rejection(bob.workspace.documentAccess(plans));
      expect(failure.code).toBe('GRANT_REJECTED');
      expect(failure.message).toBe(CLIENT_ERROR_MESSAGES.GRANT_REJECTED);
    });

    it('answers NOT_FOUND, FORBIDDEN and an invalid id with their sentences', async () => {
      const alice = await signUp('alice@acme.test');
      const bob = await signUp('bob@acme.test');
      await alice.workspace.createDocument(plans);
      expect((await rejection(bob.workspace.documentAccess(plans))).code).toBe('FORBIDDEN');
      expect((await rejection(bob.workspace.documentAccess(nothing))).message).toBe(ERROR_MESSAGES.NOT_FOUND);
      // As a caller in plain JavaScript could pass it: the workspace checks the id at run time too.
      const traversal = '../etc' as DocumentId;
      expect((await rejection(alice.workspace.createDocument(traversal))).code).toBe('INVALID_DOCUMENT_NAME');
      expect((await rejection(alice.workspace.share(plans, 'nobody@acme.test', 'viewer'))).code).toBe(
        'UNKNOWN_CONTACT',
      );
    });
  });

  describe('contacts (trust on first use)', () => {
    it('refuses to share with a known contact whose keys the relay swapped, until the new keys are accepted', async () => {
      const alice = await signUp('alice@acme.test');
      const bob = await signUp('bob@acme.test');
      await alice.workspace.createDocument(plans);
      await alice.workspace.createDocument(budget);
      const first = await alice.workspace.share(plans, bob.email, 'editor');
      const forged = swapKeysOf(bob.email);
      const warnings: string[] = [];
      alice.workspace.on('contact-changed', (change) => warnings.push(change.email));
      const membersBefore = relay.calls('POST', '/budget/members').length;

      const failure = await rejection(alice.workspace.share(budget, bob.email, 'editor'));

      expect(failure.code).toBe('CONTACT_KEY_CHANGED');
      expect(failure.message).toBe(CLIENT_ERROR_MESSAGES.CONTACT_KEY_CHANGED);
      expect(failure.detail).toContain(first.safetyNumber);
      expect(warnings).toEqual([bob.email]);
      expect(relay.calls('POST', '/budget/members')).toHaveLength(membersBefore);
      const listed = alice.workspace.contacts()[0];
      expect(listed?.email).toBe(bob.email);
      expect(listed?.safetyNumber).toBe(first.safetyNumber);
      expect(listed?.changedSafetyNumber).toBeDefined();
      // Bob's devices are not trusted while his keys are in doubt.
      const access = await alice.workspace.documentAccess(plans);
      expect(access.untrusted.map((change) => change.email)).toEqual([bob.email]);

      // After comparing numbers (here: Alice accepts what she was shown), sharing goes ahead with the new keys.
      const accepted = await alice.workspace.acceptContact(bob.email, listed?.changedSafetyNumber);
      expect(accepted.safetyNumber).toBe(listed?.changedSafetyNumber);
      await alice.workspace.share(budget, bob.email, 'editor');
      const grant = relay.sharing
        .document('acme', budget)
        ?.grants.find((entry) => entry.recipientUserId !== entry.granterUserId);
      // Sealed to the accepted (here: forged) box key, so the real Bob cannot open it: what accepting costs.
      expect(grant?.recipientUserId).toBe(forged.userId);
      const bobBox = bob.account.session?.identity.box;
      if (!grant || !bobBox) throw new Error('no grant');
      expect(() => openSealedBox(bobBox, fromBase64Url(grant.sealedKey))).toThrow();
    });

    it('accepting needs the safety number of the changed keys when one is given', async () => {
      const alice = await signUp('alice@acme.test');
      const bob = await signUp('bob@acme.test');
      await alice.workspace.checkContact(bob.email);
      swapKeysOf(bob.email);
      expect((await alice.workspace.checkContact(bob.email)).status).toBe('changed');
      const failure = await rejection(alice.workspace.acceptContact(bob.email, '12345 67890'));
      expect(failure.code).toBe('VALIDATION_FAILED');
      expect(alice.workspace.contacts()[0]?.changedSafetyNumber).toBeDefined();
    });

    it('remembers contacts in the store, so a later run still detects a swapped key', async () => {
      const alice = await signUp('alice@acme.test');
      const bob = await signUp('bob@acme.test');
      await alice.workspace.createDocument(plans);
      await alice.workspace.share(plans, bob.email, 'viewer');
      expect(alice.store.saved?.contacts).toBeDefined();

      const later = await Workspace.open({ account: alice.account, store: alice.store });
      expect(later.contacts().map((contact) => contact.email)).toEqual([bob.email]);
      swapKeysOf(bob.email);
      expect((await rejection(later.share(plans, bob.email, 'editor'))).code).toBe('CONTACT_KEY_CHANGED');
    });

    it('a saved state of another user is not used', async () => {
      const alice = await signUp('alice@acme.test');
      const bob = await signUp('bob@acme.test');
      await alice.workspace.checkContact(bob.email);
      const stolen = await Workspace.open({ account: bob.account, store: alice.store });
      expect(stolen.contacts()).toEqual([]);
    });
  });

  describe('removing a member rotates the key', () => {
    it('the removed member, who keeps the old keys, cannot open anything written after the rotation', async () => {
      const alice = await signUp('alice@acme.test');
      const bob = await signUp('bob@acme.test');
      const carol = await signUp('carol@acme.test');
      await alice.workspace.createDocument(plans);
      await alice.workspace.share(plans, bob.email, 'editor');
      await alice.workspace.share(plans, carol.email, 'viewer');
      const aliceEnvelope = envelopeFor(alice, await alice.workspace.documentAccess(plans));
      write(aliceEnvelope, 'before. ');
      const bobAccess = await bob.workspace.documentAccess(plans);
      const bobEnvelope = envelopeFor(bob, bobAccess);
      sync(aliceEnvelope, bobEnvelope);
      expect(text(bobEnvelope)).toBe('before. ');

      const bobId = idOf(bob);
      const result = await alice.workspace.removeMember(plans, bobId);
      expect(result.currentEpoch).toBe(1);
      const rotation = relay.calls('POST', '/plans/rotations')[0]?.body as {
        grants: GrantWire[];
        removeUserIds: string[];
      };
      expect(rotation.removeUserIds).toEqual([bobId]);
      expect(rotation.grants.map((grant) => grant.recipientUserId).sort()).toEqual(
        [alice.account.session?.userId, carol.account.session?.userId].sort(),
      );

      // Alice writes with the new epoch; Carol reads it; Bob's keyring (epoch 0 only) opens nothing.
      aliceEnvelope.destroy();
      const aliceAfter = envelopeFor(alice, await alice.workspace.documentAccess(plans), aliceEnvelope.envelope);
      write(aliceAfter, 'after. ');
      const carolEnvelope = envelopeFor(carol, await carol.workspace.documentAccess(plans));
      sync(aliceAfter, carolEnvelope);
      expect(text(carolEnvelope)).toContain('after. ');
      const rejected: string[] = [];
      bobEnvelope.on('entry-rejected', (event) => rejected.push(event.reason));
      sync(aliceAfter, bobEnvelope);
      expect(text(bobEnvelope)).toBe('before. ');
      expect(rejected).toContain('unknown-epoch');
      expect(bobAccess.keyring.get(1)).toBeUndefined();
      expect((await rejection(bob.workspace.documentAccess(plans))).code).toBe('FORBIDDEN');
    });

    it('grants the history to members added after a rotation', async () => {
      const alice = await signUp('alice@acme.test');
      const bob = await signUp('bob@acme.test');
      const carol = await signUp('carol@acme.test');
      await alice.workspace.createDocument(plans);
      await alice.workspace.share(plans, bob.email, 'editor');
      await alice.workspace.removeMember(plans, idOf(bob));

      const shared = await alice.workspace.share(plans, carol.email, 'viewer');
      expect(shared.epochs).toEqual([0, 1]);
      const access = await carol.workspace.documentAccess(plans);
      expect(access.currentEpoch).toBe(1);
      expect(access.keyring.get(0)).toBeDefined();
      expect(access.keyring.current.epoch).toBe(1);
    });

    it('re-seals the links whose secrets it holds and lets the relay revoke the others', async () => {
      const alice = await signUp('alice@acme.test');
      const bob = await signUp('bob@acme.test');
      await alice.workspace.createDocument(plans);
      await alice.workspace.share(plans, bob.email, 'editor');
      const kept = await alice.workspace.createLink(plans, { role: 'viewer', password: 'open sesame' });
      // A link created on another device of Alice's: this one does not hold its secret.
      const elsewhere = await Workspace.open({ account: alice.account });
      const lost = await elsewhere.createLink(plans);

      const result = await alice.workspace.removeMember(plans, idOf(bob));

      expect(result.resealedLinks).toEqual([kept.linkId]);
      expect(result.revokedLinks).toEqual([lost.linkId]);
      const link = relay.sharing.document('acme', plans)?.links.get(kept.linkId);
      const sealed = link?.sealedKeys.get(1);
      if (!sealed || !link?.password) throw new Error('not re-sealed');
      const newKey = (await alice.workspace.documentAccess(plans)).keyring.get(1);
      const password = {
        password: 'open sesame',
        salt: fromBase64Url(link.password.salt),
        parameters: link.password.kdf,
      };
      expect(openKeyFromLink(parseLinkFragment(kept.fragment), plans, 1, fromBase64Url(sealed), password)).toEqual(
        newKey,
      );
    });

    it('refuses to rotate when a remaining member has changed keys, and changes nothing', async () => {
      const alice = await signUp('alice@acme.test');
      const bob = await signUp('bob@acme.test');
      const carol = await signUp('carol@acme.test');
      await alice.workspace.createDocument(plans);
      await alice.workspace.share(plans, bob.email, 'editor');
      await alice.workspace.share(plans, carol.email, 'editor');
      swapKeysOf(carol.email);

      const failure = await rejection(alice.workspace.removeMember(plans, idOf(bob)));

      expect(failure.code).toBe('CONTACT_KEY_CHANGED');
      expect(relay.calls('POST', '/plans/rotations')).toHaveLength(0);
      expect(relay.sharing.document('acme', plans)?.currentEpoch).toBe(0);
    });
  });

  describe('links', () => {
    it('seals every epoch for the link, sends only the link id and a verifier, and keeps the secret in the store', async () => {
      const alice = await signUp('alice@acme.test');
      await alice.workspace.createDocument(plans);
      const link = await alice.workspace.createLink(plans, { role: 'editor' });

      expect(parseShareUrl(link.url)).toEqual({ tenant: 'acme', fragment: link.fragment });
      expect(link.url.startsWith(`${BASE}/#/link/acme/`)).toBe(true);
      const sent = JSON.stringify(relay.calls('POST', '/plans/links')[0]?.body);
      expect(sent).not.toContain(link.fragment);
      const stored = alice.store.saved?.links.find((entry) => entry.linkId === link.linkId);
      expect(stored?.secret).toBe(link.fragment);
      const sealed = relay.sharing.document('acme', plans)?.links.get(link.linkId)?.sealedKeys.get(0) ?? '';
      const key = (await alice.workspace.documentAccess(plans)).keyring.get(0);
      expect(openKeyFromLink(parseLinkFragment(link.fragment), plans, 0, fromBase64Url(sealed))).toEqual(key);
      expect((await alice.workspace.listLinks(plans))[0]).toEqual(
        expect.objectContaining({ linkId: link.linkId, role: 'editor', url: link.url }),
      );
    });

    it('a password link uses the account KDF parameters with a fresh salt per link', async () => {
      const alice = await signUp('alice@acme.test');
      await alice.workspace.createDocument(plans);
      await alice.workspace.createLink(plans, { password: 'open sesame' });
      await alice.workspace.createLink(plans, { password: 'open sesame' });
      const bodies = relay
        .calls('POST', '/plans/links')
        .map((request) => request.body as { password: { salt: string; kdf: unknown } });
      expect(bodies.map((body) => body.password.kdf)).toEqual([FAST, FAST]);
      expect(bodies[0]?.password.salt).not.toBe(bodies[1]?.password.salt);
    });

    it('opening a link asks for the password, refuses a wrong one, and a revoked link no longer opens', async () => {
      const alice = await signUp('alice@acme.test');
      await alice.workspace.createDocument(plans);
      const link = await alice.workspace.createLink(plans, { password: 'open sesame' });
      const open = (password?: string) =>
        openLink({
          baseUrl: BASE,
          tenant: 'acme',
          fragment: link.fragment,
          password,
          engine: new YjsEngine(),
          fetch: relay.fetch,
          syncUrl: 'ws://127.0.0.1:9/sync',
          timeoutMs: 50,
        });

      const missing = await rejection(open());
      expect(missing.code).toBe('LINK_PASSWORD_REQUIRED');
      const wrong = await rejection(open('not it'));
      expect(wrong.code).toBe('LINK_PASSWORD_WRONG');
      expect(wrong.message).toBe(CLIENT_ERROR_MESSAGES.LINK_PASSWORD_WRONG);
      // The right password gets past the keys (and then waits for a relay that is not there).
      expect((await rejection(open('open sesame'))).code).toBe('RELAY_UNREACHABLE');

      await alice.workspace.revokeLink(plans, link.linkId);
      const revoked = await rejection(open('open sesame'));
      expect(revoked.code).toBe('LINK_UNAVAILABLE');
      expect(alice.store.saved?.links).toEqual([]);
    });

    it('refuses a fragment that is not a link', async () => {
      const failure = await rejection(
        openLink({ baseUrl: BASE, tenant: 'acme', fragment: '#short', engine: new YjsEngine(), fetch: relay.fetch }),
      );
      expect(failure.code).toBe('LINK_INVALID');
    });
  });

  it('deleting a document forgets its links', async () => {
    const alice = await signUp('alice@acme.test');
    await alice.workspace.createDocument(plans);
    await alice.workspace.createLink(plans);
    await alice.workspace.deleteDocument(plans);
    expect(relay.sharing.document('acme', plans)).toBeUndefined();
    expect(alice.store.saved?.links).toEqual([]);
    expect(await alice.workspace.listDocuments()).toEqual([]);
  });
});
