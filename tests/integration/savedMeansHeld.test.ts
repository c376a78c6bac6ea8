import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DocumentError, YjsEngine, settle } from '@coffre/client';
import {
  type RelayHarness,
  TestWorkspace,
  openClient,
  startRelay,
  storageEngine,
  waitFor,
} from './support/relayHarness.ts';

const SYNC = 0;
const SYNC_STEP_2 = 1;
const SYNC_UPDATE = 2;
const EMPTY_UPDATE = new Uint8Array([0, 0]);

/**
 * A socket that, while `losing` is set, replaces every update it sends with
 * an empty one: the relay then acknowledges a message that brought nothing,
 * as a relay that loses what it was sent would.
 */
class LosingWebSocket extends WebSocket {
  static losing = false;
  override send(data: unknown, ...rest: unknown[]): void {
    if (LosingWebSocket.losing && data instanceof Uint8Array) data = emptied(data);
    (super.send as (data: unknown, ...rest: unknown[]) => void)(data, ...rest);
  }
}

function emptied(message: Uint8Array): Uint8Array {
  const decoder = decoding.createDecoder(message);
  const address = decoding.readVarString(decoder);
  if (decoding.readVarUint(decoder) !== SYNC) return message;
  const step = decoding.readVarUint(decoder);
  if (step !== SYNC_STEP_2 && step !== SYNC_UPDATE) return message;
  const encoder = encoding.createEncoder();
  encoding.writeVarString(encoder, address);
  encoding.writeVarUint(encoder, SYNC);
  encoding.writeVarUint(encoder, step);
  encoding.writeVarUint8Array(encoder, EMPTY_UPDATE);
  return encoding.toUint8Array(encoder);
}

describe(`"saved" means held by the relay, not only acknowledged (${storageEngine})`, () => {
  let harness: RelayHarness;
  beforeAll(async () => {
    harness = await startRelay();
  });
  afterAll(async () => {
    LosingWebSocket.losing = false;
    await harness.teardown();
  });

  it('reports NOT_STORED and never shows "saved" when the relay acknowledges entries its state lacks', async () => {
    const workspace = new TestWorkspace();
    const writer = await openClient({
      harness,
      workspace,
      engine: new YjsEngine(),
      extra: { WebSocketPolyfill: LosingWebSocket },
    });
    await writer.whenSynced();
    const body = writer.engine.doc.getText('body');
    body.insert(0, 'kept. ');
    await settle(writer, writer.whenSaved(), 15_000);
    expect(writer.status.state).toBe('saved');

    const errors: DocumentError[] = [];
    writer.on('error', (error) => errors.push(error));
    LosingWebSocket.losing = true;
    body.insert(body.length, 'lost on the way');
    writer.envelope.flush();
    await waitFor(() => errors.some((error) => error.code === 'NOT_STORED'), 15_000, 'NOT_STORED');
    expect(writer.status.state).not.toBe('saved');
    expect(writer.status.unsaved).toBeGreaterThan(0);

    // Once the connection carries updates again, a reconnection's sync brings the entry and it is saved.
    LosingWebSocket.losing = false;
    writer.disconnect();
    writer.connect();
    await settle(writer, writer.whenSaved(), 15_000);
    const reader = await openClient({ harness, workspace, engine: new YjsEngine() });
    await reader.whenSynced();
    await waitFor(() => reader.engine.doc.getText('body').toString() === 'kept. lost on the way', 15_000, 'the text');
    reader.destroy();
    writer.destroy();
  });
});
