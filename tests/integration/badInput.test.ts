import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { SignJWT, base64url, generateKeyPair } from 'jose';
import { generateSigningKeyPair, randomBytes } from '@coffre/crypto';
import { EntryKind, TOKEN_AUDIENCE, sealEntry, tenantId, documentId, deviceId, CloseCode } from '@coffre/protocol';
import { YjsEngine } from '@coffre/client';
import { DEFAULT_ISSUER } from '@coffre/sync-server';
import {
  type RelayHarness,
  TestWorkspace,
  openClient,
  randomId,
  startRelay,
  storageEngine,
  waitFor,
} from './support/relayHarness.ts';
import { MessageType, RawClient, SyncType } from './support/rawClient.ts';

function envelopeUpdate(frames: Uint8Array[]): Uint8Array {
  const doc = new Y.Doc();
  doc.getArray<Uint8Array>('log').push(frames);
  return Y.encodeStateAsUpdate(doc);
}

describe(`bad input gets a clear error and changes nothing (${storageEngine})`, () => {
  let harness: RelayHarness;
  let workspace: TestWorkspace;
  let name: string;
  let device: ReturnType<TestWorkspace['addDevice']>;

  const validFrame = (overrides: { document?: string; tenant?: string } = {}) =>
    sealEntry({
      header: {
        kind: EntryKind.Update,
        tenantId: tenantId(overrides.tenant ?? workspace.address.tenantId),
        documentId: documentId(overrides.document ?? workspace.address.documentId),
        keyEpoch: 0,
        author: device.id,
        counter: 1,
        coverage: new Map(),
      },
      plaintext: Y.encodeStateAsUpdate(new Y.Doc()),
      documentKey: workspace.documentKey,
      signingSecretKey: device.signingKeyPair.secretKey,
    });

  async function authenticated(role: 'member' | 'viewer' = 'member'): Promise<RawClient> {
    const client = new RawClient(harness.url);
    await client.opened();
    client.authenticate(name, await harness.token({ tenant: workspace.address.tenantId, role }));
    const reply = await client.waitFor((r) => r.type === MessageType.Auth);
    expect(reply?.detail).toMatch(/^authenticated/);
    return client;
  }

  async function storedUpdates(): Promise<number> {
    const loaded = await harness.relay.store.load(workspace.address.tenantId, workspace.address.documentId);
    return loaded.updates.length + (loaded.state ? 1 : 0);
  }

  /** A healthy client on another document, to prove the relay keeps serving others. */
  async function othersStillServed(): Promise<void> {
    const other = new TestWorkspace(workspace.address.tenantId);
    const a = await openClient({ harness, workspace: other, engine: new YjsEngine() });
    const b = await openClient({ harness, workspace: other, engine: new YjsEngine() });
    await Promise.all([a.whenSynced(), b.whenSynced()]);
    a.engine.doc.getText('t').insert(0, 'still alive');
    await waitFor(() => b.engine.doc.getText('t').toString() === 'still alive', 10_000, 'other clients');
    a.destroy();
    b.destroy();
  }

  beforeAll(async () => {
    harness = await startRelay({ maxMessageBytes: 256 * 1024, authenticationTimeoutMs: 1500 });
    workspace = new TestWorkspace();
    name = `${workspace.address.tenantId}/${workspace.address.documentId}`;
    device = workspace.addDevice();
  });
  afterAll(async () => {
    await harness.teardown();
  });

  it('closes a socket that sends bytes that are not a Hocuspocus message', async () => {
    const client = new RawClient(harness.url);
    await client.opened();
    client.sendRaw(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f));
    const closed = await client.waitForClose();
    expect(closed).toEqual({ code: CloseCode.MalformedMessage, reason: 'MALFORMED_MESSAGE' });
    await othersStillServed();
  });

  it('closes a socket that sends text frames', async () => {
    const client = new RawClient(harness.url);
    await client.opened();
    client.socket.send('hello');
    expect((await client.waitForClose()).code).toBe(CloseCode.MalformedMessage);
  });

  it('refuses a garbage Yjs update with MALFORMED_MESSAGE and stores nothing', async () => {
    const client = await authenticated();
    client.sendSync(name, SyncType.Update, randomBytes(64));
    const reply = await client.waitFor((r) => r.type === MessageType.Close);
    expect(reply?.detail).toBe('MALFORMED_MESSAGE');
    expect(await storedUpdates()).toBe(0);
    client.close();
    await othersStillServed();
  });

  it('refuses an update that puts plain text in the envelope with MALFORMED_ENTRY', async () => {
    const client = await authenticated();
    const doc = new Y.Doc();
    doc.getText('log').insert(0, 'plaintext smuggled in');
    client.sendSync(name, SyncType.Update, Y.encodeStateAsUpdate(doc));
    expect((await client.waitFor((r) => r.type === MessageType.Close))?.detail).toBe('MALFORMED_ENTRY');
    const other = new Y.Doc();
    other.getArray('log').push(['a JSON string, not a sealed entry']);
    const second = await authenticated();
    second.sendSync(name, SyncType.Update, Y.encodeStateAsUpdate(other));
    expect((await second.waitFor((r) => r.type === MessageType.Close))?.detail).toBe('MALFORMED_ENTRY');
    expect(await storedUpdates()).toBe(0);
  });

  it('refuses an entry whose header is garbage with MALFORMED_ENTRY', async () => {
    const client = await authenticated();
    client.sendSync(name, SyncType.Update, envelopeUpdate([randomBytes(200)]));
    expect((await client.waitFor((r) => r.type === MessageType.Close))?.detail).toBe('MALFORMED_ENTRY');
    const frame = validFrame();
    frame[0] = 9; // unknown format version
    const second = await authenticated();
    second.sendSync(name, SyncType.Update, envelopeUpdate([frame]));
    expect((await second.waitFor((r) => r.type === MessageType.Close))?.detail).toBe('MALFORMED_ENTRY');
    expect(await storedUpdates()).toBe(0);
  });

  it('refuses an entry addressed to another document or tenant with ENTRY_REJECTED', async () => {
    for (const overrides of [{ document: 'another-doc' }, { tenant: 'another-tenant' }]) {
      const client = await authenticated();
      client.sendSync(name, SyncType.Update, envelopeUpdate([validFrame(overrides)]));
      expect((await client.waitFor((r) => r.type === MessageType.Close))?.detail).toBe('ENTRY_REJECTED');
    }
    expect(await storedUpdates()).toBe(0);
  });

  it('refuses a read-only connection’s update and stores nothing', async () => {
    const client = await authenticated('viewer');
    client.sendSync(name, SyncType.Update, envelopeUpdate([validFrame()]));
    const status = await client.waitFor((r) => r.type === MessageType.SyncStatus);
    expect(status?.detail).toBe(false);
    expect(await storedUpdates()).toBe(0);
  });

  it('closes an oversized message with MESSAGE_TOO_LARGE and keeps serving others', async () => {
    const client = await authenticated();
    client.sendSync(name, SyncType.Update, new Uint8Array(300 * 1024));
    expect(await client.waitForClose()).toEqual({ code: CloseCode.MessageTooLarge, reason: 'MESSAGE_TOO_LARGE' });
    expect(await storedUpdates()).toBe(0);
    await othersStillServed();
  });

  it('closes a socket that does not authenticate in time with AUTHENTICATION_TIMEOUT', async () => {
    const client = new RawClient(harness.url);
    await client.opened();
    const closed = await client.waitForClose(5000);
    expect(closed).toEqual({ code: CloseCode.AuthenticationTimeout, reason: 'AUTHENTICATION_TIMEOUT' });
  });

  describe('tokens', () => {
    const claims = () => ({ tenant: workspace.address.tenantId, role: 'member' });
    const deny = async (token: string): Promise<string> => {
      const client = new RawClient(harness.url);
      await client.opened();
      client.authenticate(name, token);
      const reply = await client.waitFor((r) => r.type === MessageType.Auth);
      client.close();
      return String(reply?.detail);
    };

    it('refuses alg none', async () => {
      const header = base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }));
      const payload = base64url.encode(
        JSON.stringify({
          ...claims(),
          sub: 'u',
          aud: TOKEN_AUDIENCE,
          iss: DEFAULT_ISSUER,
          exp: Math.floor(Date.now() / 1000) + 600,
        }),
      );
      expect(await deny(`${header}.${payload}.`)).toBe('denied:UNAUTHENTICATED');
    });

    it('refuses an expired token with TOKEN_EXPIRED', async () => {
      const token = await new SignJWT(claims())
        .setProtectedHeader({ alg: 'EdDSA' })
        .setSubject('u')
        .setAudience(TOKEN_AUDIENCE)
        .setIssuer(DEFAULT_ISSUER)
        .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
        .sign(harness.keys.privateKey);
      expect(await deny(token)).toBe('denied:TOKEN_EXPIRED');
    });

    it('refuses a token without exp, with the wrong audience, issuer or key, or HMAC-signed', async () => {
      const base = () => new SignJWT(claims()).setProtectedHeader({ alg: 'EdDSA' }).setSubject('u');
      const exp = Math.floor(Date.now() / 1000) + 600;
      const noExp = await base().setAudience(TOKEN_AUDIENCE).setIssuer(DEFAULT_ISSUER).sign(harness.keys.privateKey);
      const wrongAudience = await base()
        .setAudience('other')
        .setIssuer(DEFAULT_ISSUER)
        .setExpirationTime(exp)
        .sign(harness.keys.privateKey);
      const wrongIssuer = await base()
        .setAudience(TOKEN_AUDIENCE)
        .setIssuer('evil')
        .setExpirationTime(exp)
        .sign(harness.keys.privateKey);
      const { privateKey: otherKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
      const wrongKey = await base()
        .setAudience(TOKEN_AUDIENCE)
        .setIssuer(DEFAULT_ISSUER)
        .setExpirationTime(exp)
        .sign(otherKey);
      const hmac = await new SignJWT(claims())
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('u')
        .setAudience(TOKEN_AUDIENCE)
        .setIssuer(DEFAULT_ISSUER)
        .setExpirationTime(exp)
        .sign(new TextEncoder().encode(JSON.stringify(harness.keys.publicJwk)));
      for (const token of [noExp, wrongAudience, wrongIssuer, wrongKey, hmac, 'not.a.token', '']) {
        expect(await deny(token)).toBe('denied:UNAUTHENTICATED');
      }
    });

    it('refuses a token whose claims are malformed', async () => {
      const exp = Math.floor(Date.now() / 1000) + 600;
      const token = await new SignJWT({ tenant: '../etc', role: 'god' })
        .setProtectedHeader({ alg: 'EdDSA' })
        .setSubject('u')
        .setAudience(TOKEN_AUDIENCE)
        .setIssuer(DEFAULT_ISSUER)
        .setExpirationTime(exp)
        .sign(harness.keys.privateKey);
      expect(await deny(token)).toBe('denied:UNAUTHENTICATED');
    });
  });

  it('refuses document names with ../, NUL, control characters or 10 KB of text', async () => {
    const token = await harness.token({ tenant: workspace.address.tenantId });
    const tenant = workspace.address.tenantId;
    // On the wire, NUL separates a name from a Hocuspocus session id, so `t/a\0b` opens `t/a`;
    // a NUL before the document id leaves an invalid name.
    for (const bad of [
      `${tenant}/../x`,
      `${tenant}\u0000/doc`,
      `${tenant}/..`,
      `${tenant}/a\nb`,
      `${tenant}/${'x'.repeat(10 * 1024)}`,
      `${tenant}`,
      `${tenant}/a/b`,
      `${tenant}/`,
    ]) {
      const client = new RawClient(harness.url);
      await client.opened();
      client.authenticate(bad, token);
      const reply = await client.waitFor((r) => r.type === MessageType.Auth);
      expect(reply?.detail, JSON.stringify(bad.slice(0, 40))).toBe('denied:INVALID_DOCUMENT_NAME');
      client.close();
    }
    await othersStillServed();
  });

  it('a client that receives a tampered entry reports it and keeps working', async () => {
    const shared = new TestWorkspace();
    const sharedName = `${shared.address.tenantId}/${shared.address.documentId}`;
    const honest = shared.addDevice();
    const reader = await openClient({ harness, workspace: shared, engine: new YjsEngine() });
    await reader.whenSynced();
    const rejected: string[] = [];
    reader.on('entry-rejected', (event) => rejected.push(event.reason));
    const content = new Y.Doc();
    content.getText('t').insert(0, 'forged');
    const frame = sealEntry({
      header: {
        kind: EntryKind.Update,
        tenantId: shared.address.tenantId,
        documentId: shared.address.documentId,
        keyEpoch: 0,
        author: honest.id,
        counter: 1,
        coverage: new Map(),
      },
      plaintext: Y.encodeStateAsUpdate(content),
      documentKey: shared.documentKey,
      signingSecretKey: honest.signingKeyPair.secretKey,
    });
    frame[frame.length - 100] = (frame[frame.length - 100] ?? 0) ^ 1; // flip one ciphertext bit
    const attacker = new RawClient(harness.url);
    await attacker.opened();
    attacker.authenticate(sharedName, await harness.token({ tenant: shared.address.tenantId }));
    await attacker.waitFor((r) => r.type === MessageType.Auth);
    attacker.sendSync(sharedName, SyncType.Update, envelopeUpdate([frame]));
    await waitFor(() => rejected.length > 0, 10_000, 'rejection event');
    expect(rejected).toEqual(['bad-signature']);
    expect(reader.engine.doc.getText('t').toString()).toBe('');
    // Unknown device: a valid entry signed by a key nobody trusts.
    const stranger = { id: deviceId(randomId('stranger')), signingKeyPair: generateSigningKeyPair() };
    const strangerFrame = sealEntry({
      header: { ...frameHeader(shared), author: stranger.id },
      plaintext: Y.encodeStateAsUpdate(content),
      documentKey: shared.documentKey,
      signingSecretKey: stranger.signingKeyPair.secretKey,
    });
    attacker.sendSync(sharedName, SyncType.Update, envelopeUpdate([strangerFrame]));
    await waitFor(() => rejected.length > 1, 10_000, 'second rejection');
    expect(rejected[1]).toBe('unknown-device');
    // The reader still edits normally.
    const writer = await openClient({ harness, workspace: shared, engine: new YjsEngine(), device: honest });
    await writer.whenSynced();
    writer.engine.doc.getText('t').insert(0, 'genuine');
    await waitFor(() => reader.engine.doc.getText('t').toString() === 'genuine', 10_000, 'genuine edit');
    attacker.close();
    reader.destroy();
    writer.destroy();
  });
});

function frameHeader(workspace: TestWorkspace) {
  return {
    kind: EntryKind.Update,
    tenantId: workspace.address.tenantId,
    documentId: workspace.address.documentId,
    keyEpoch: 0,
    author: deviceId('placeholder'),
    counter: 1,
    coverage: new Map(),
  } as const;
}
