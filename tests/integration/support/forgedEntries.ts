import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import type { DeviceId, DocumentAddress } from '@coffre/protocol';
import { DeviceDirectory, type DocumentAccess, EncryptedEnvelope, YjsEngine } from '@coffre/client';

/** A device that signs, as `AccountClient.session` gives it. */
export interface SigningDevice {
  id: DeviceId;
  signingKeyPair: { publicKey: Uint8Array; secretKey: Uint8Array };
}

/**
 * An entry sealed and signed by `device` exactly as its client would, on top
 * of the envelope state `state`, appending `text` to the `body`: what a relay
 * colluding with that member would slip into the document past its own
 * checks (its database, or the stream it sends to others).
 */
export function forgedUpdate(
  address: DocumentAddress,
  access: DocumentAccess,
  device: SigningDevice,
  state: Uint8Array,
  text: string,
): Uint8Array {
  const envelope = new Y.Doc();
  Y.applyUpdate(envelope, state);
  const replica = new EncryptedEnvelope({
    address,
    engine: new YjsEngine(),
    device,
    keyring: access.keyring,
    devices: new DeviceDirectory(access.devices.entries()),
    envelope,
    batchWindowMs: 0,
  });
  replica.startSealing();
  const before = Y.encodeStateVector(envelope);
  const target = replica.engine.doc.getText('body');
  target.insert(target.length, text);
  replica.flush();
  const update = Y.encodeStateAsUpdate(envelope, before);
  replica.destroy();
  return update;
}

/** `update` as the Hocuspocus sync Update message a relay sends for document `name`. */
export function hocuspocusUpdateMessage(name: string, update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarString(encoder, name);
  encoding.writeVarUint(encoder, 0); // Sync
  encoding.writeVarUint(encoder, 2); // Update
  encoding.writeVarUint8Array(encoder, update);
  return encoding.toUint8Array(encoder);
}
