import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import { CloseCode, ErrorCode, LIMITS } from '@coffre/protocol';
import { YjsEngine } from '@coffre/client';
import {
  type RelayHarness,
  TestWorkspace,
  openClient,
  startRelay,
  storageEngine,
  waitFor,
} from './support/relayHarness.ts';
import { MessageType, RawClient, SyncType } from './support/rawClient.ts';

/** Hocuspocus message types a well-behaved provider never sends to a server. */
const Stateless = 5;
const BroadcastStateless = 6;
const SyncReply = 4;

/** A message of `type` for `document` whose body is one string. */
function stringMessage(document: string, type: number, text: string): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarString(encoder, document);
  encoding.writeVarUint(encoder, type);
  encoding.writeVarString(encoder, text);
  return encoding.toUint8Array(encoder);
}

describe(`every answer a client can get is a documented code (${storageEngine})`, () => {
  let harness: RelayHarness;
  let workspace: TestWorkspace;
  let name: string;
  const emptyStateVector = Y.encodeStateVector(new Y.Doc());

  async function signedIn(): Promise<RawClient> {
    const client = new RawClient(harness.url);
    await client.opened();
    client.authenticate(name, await harness.token({ tenant: workspace.address.tenantId }));
    expect((await client.waitFor((reply) => reply.type === MessageType.Auth))?.detail).toMatch(/^authenticated/);
    return client;
  }

  /** Two clients of another document still sync: the relay is serving others. */
  async function othersStillServed(): Promise<void> {
    const other = new TestWorkspace(workspace.address.tenantId);
    const a = await openClient({ harness, workspace: other, engine: new YjsEngine() });
    const b = await openClient({ harness, workspace: other, engine: new YjsEngine() });
    await Promise.all([a.whenSynced(), b.whenSynced()]);
    a.engine.doc.getText('t').insert(0, 'still served');
    await waitFor(() => b.engine.doc.getText('t').toString() === 'still served', 10_000, 'other clients');
    a.destroy();
    b.destroy();
  }

  beforeAll(async () => {
    harness = await startRelay();
    workspace = new TestWorkspace();
    name = `${workspace.address.tenantId}/${workspace.address.documentId}`;
  });
  afterAll(async () => {
    await harness.teardown();
  });

  it('closes a socket that sends more than 16 messages before signing in with UNAUTHENTICATED_QUEUE_FULL, not 4205', async () => {
    const client = new RawClient(harness.url);
    await client.opened();
    for (let index = 0; index <= LIMITS.unauthenticatedMaxMessages; index += 1) {
      client.sendSync(name, SyncType.Step1, emptyStateVector);
    }
    expect(await client.waitForClose()).toEqual({
      code: CloseCode.RateLimited,
      reason: ErrorCode.UnauthenticatedQueueFull,
    });
    await othersStillServed();
  });

  it('closes a socket that sends BroadcastStateless, SyncReply or an unknown sync step with UNSUPPORTED_MESSAGE', async () => {
    const unexpected = [
      stringMessage(name, BroadcastStateless, 'to everyone'),
      (() => {
        const encoder = encoding.createEncoder();
        encoding.writeVarString(encoder, name);
        encoding.writeVarUint(encoder, SyncReply);
        encoding.writeVarUint(encoder, SyncType.Step1);
        encoding.writeVarUint8Array(encoder, emptyStateVector);
        return encoding.toUint8Array(encoder);
      })(),
      (() => {
        const encoder = encoding.createEncoder();
        encoding.writeVarString(encoder, name);
        encoding.writeVarUint(encoder, MessageType.Sync);
        encoding.writeVarUint(encoder, 7); // no such sync step
        encoding.writeVarUint8Array(encoder, emptyStateVector);
        return encoding.toUint8Array(encoder);
      })(),
      Uint8Array.of(...new TextEncoder().encode(`\u0002ab`), 99), // an unknown message type
    ];
    for (const message of unexpected) {
      const client = await signedIn();
      client.sendRaw(message);
      expect(await client.waitForClose()).toEqual({
        code: CloseCode.MalformedMessage,
        reason: ErrorCode.UnsupportedMessage,
      });
    }
    await othersStillServed();
  });

  it('closes a socket whose Auth or Awareness message cannot be read with MALFORMED_MESSAGE', async () => {
    const truncatedAuth = (() => {
      const encoder = encoding.createEncoder();
      encoding.writeVarString(encoder, name);
      encoding.writeVarUint(encoder, MessageType.Auth);
      encoding.writeVarUint(encoder, 0);
      encoding.writeVarUint(encoder, 200); // a token of 200 bytes that never comes
      return encoding.toUint8Array(encoder);
    })();
    const garbageAwareness = (() => {
      const encoder = encoding.createEncoder();
      encoding.writeVarString(encoder, name);
      encoding.writeVarUint(encoder, MessageType.Awareness);
      encoding.writeVarUint8Array(encoder, Uint8Array.of(1, 5, 1, 3, 0x7b, 0x7b, 0x7b)); // state "{{{"
      return encoding.toUint8Array(encoder);
    })();
    const first = new RawClient(harness.url);
    await first.opened();
    first.sendRaw(truncatedAuth);
    expect(await first.waitForClose()).toEqual({
      code: CloseCode.MalformedMessage,
      reason: ErrorCode.MalformedMessage,
    });
    const second = await signedIn();
    second.sendRaw(garbageAwareness);
    expect(await second.waitForClose()).toEqual({
      code: CloseCode.MalformedMessage,
      reason: ErrorCode.MalformedMessage,
    });
  });

  it('lets a signed-in client send Stateless messages and keeps its socket open', async () => {
    const client = await signedIn();
    client.sendRaw(stringMessage(name, Stateless, JSON.stringify({ ask: 'state-vector' })));
    client.sendSync(name, SyncType.Step1, emptyStateVector);
    const reply = await client.waitFor((message) => message.type === MessageType.Sync);
    expect(reply).not.toBeNull();
    expect(client.closed).toBeNull();
    client.close();
  });

  it('refuses a NUL after a valid document name with INVALID_DOCUMENT_NAME and opens nothing', async () => {
    const tenant = workspace.address.tenantId;
    const unopened = `${tenant}/never-opened`;
    const client = new RawClient(harness.url);
    await client.opened();
    client.authenticate(`${unopened}\u0000session-id`, await harness.token({ tenant }));
    const reply = await client.waitFor((message) => message.type === MessageType.Auth);
    expect(reply).toEqual({
      document: `${unopened}\u0000session-id`,
      type: MessageType.Auth,
      detail: `denied:${ErrorCode.InvalidDocumentName}`,
    });
    expect(harness.relay.hocuspocus.documents.has(unopened)).toBe(false);
    // The socket stays usable for a valid name, as after any other refused name.
    client.authenticate(unopened, await harness.token({ tenant }));
    const accepted = await client.waitFor(
      (message) => message.type === MessageType.Auth && message.document === unopened,
    );
    expect(accepted?.detail).toMatch(/^authenticated/);
    client.close();
  });
});
