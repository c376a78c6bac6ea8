import * as Y from 'yjs';
import { generateSymmetricKey } from '@coffre/crypto';
import { type DocumentAddress } from '@coffre/protocol';
import { type DeviceIdentity, DeviceDirectory, DocumentKeyring, YjsEngine } from '../../src/index.ts';
import { type Replica, createDevice, createReplica } from './createReplicas.ts';

/** The text of a Yjs replica's 'body'. */
export function bodyOf(replica: Replica<YjsEngine>): string {
  return replica.engine.doc.getText('body').toJSON();
}

/** Appends `text` to the replica's body, seals it, and returns the sealed frame. */
export function write(replica: Replica<YjsEngine>, text: string): Uint8Array {
  const body = replica.engine.doc.getText('body');
  body.insert(body.length, text);
  replica.envelope.flush();
  const frame = replica.envelope.log.get(replica.envelope.log.length - 1);
  if (!frame) throw new Error('nothing was sealed');
  return frame;
}

/** Puts copies of `frames` into the replica's log as another client would (not as its own entries). */
export function deliver(replica: Replica, ...frames: Uint8Array[]): void {
  replica.doc.transact(() => replica.envelope.log.push(frames.map((frame) => Uint8Array.from(frame))), 'relay');
}

export interface TextReplicaOptions {
  name: string;
  keyring: DocumentKeyring;
  devices: DeviceDirectory;
  device?: DeviceIdentity;
  address?: DocumentAddress;
  engine?: YjsEngine;
}

/** A Yjs replica with its own envelope Y.Doc, not connected to anything. */
export function textReplica(options: TextReplicaOptions): Replica<YjsEngine> {
  return createReplica({
    engine: options.engine ?? new YjsEngine(new Y.Doc()),
    device: options.device ?? createDevice(options.name),
    keyring: options.keyring,
    devices: options.devices,
    address: options.address,
  });
}

export interface WriterAndReader {
  documentKey: Uint8Array;
  keyring: DocumentKeyring;
  devices: DeviceDirectory;
  writer: Replica<YjsEngine>;
  reader: Replica<YjsEngine>;
}

/** A writer and a reader sharing a keyring and trusting each other, not connected. */
export function writerAndReader(): WriterAndReader {
  const documentKey = generateSymmetricKey();
  const keyring = new DocumentKeyring([[0, documentKey]]);
  const writerDevice = createDevice('writer');
  const readerDevice = createDevice('reader');
  const devices = new DeviceDirectory([
    [writerDevice.id, writerDevice.signingKeyPair.publicKey],
    [readerDevice.id, readerDevice.signingKeyPair.publicKey],
  ]);
  return {
    documentKey,
    keyring,
    devices,
    writer: textReplica({ name: 'writer', device: writerDevice, keyring, devices }),
    reader: textReplica({ name: 'reader', device: readerDevice, keyring, devices }),
  };
}
