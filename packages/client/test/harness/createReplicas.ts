import * as Y from 'yjs';
import { generateSigningKeyPair, generateSymmetricKey } from '@coffre/crypto';
import { type DeviceId, type DocumentAddress, deviceId, documentId, tenantId } from '@coffre/protocol';
import {
  type CompactionPolicy,
  type ContentEngine,
  type DeviceIdentity,
  type EntryRejectedEvent,
  DeviceDirectory,
  DocumentKeyring,
  EncryptedEnvelope,
} from '../../src/index.ts';
import type { SeededRandom } from './SeededRandom.ts';

export const TEST_ADDRESS: DocumentAddress = { tenantId: tenantId('tenant-a'), documentId: documentId('doc-a') };
export const OTHER_ADDRESS: DocumentAddress = { tenantId: tenantId('tenant-a'), documentId: documentId('doc-b') };

/** One member's copy of the document, with everything its envelope reported. */
export interface Replica<E extends ContentEngine = ContentEngine> {
  index: number;
  device: DeviceIdentity;
  keyring: DocumentKeyring;
  devices: DeviceDirectory;
  engine: E;
  envelope: EncryptedEnvelope<E>;
  /** The envelope Y.Doc: what the network carries. */
  doc: Y.Doc;
  rejections: EntryRejectedEvent[];
  incomplete: Map<DeviceId, number[]>[];
  sealed: { kind: 'update' | 'snapshot'; counter: number; bytes: number }[];
  remoteChanges: number;
}

/** A device with a key pair; deterministic when a random source is given. */
export function createDevice(name: string, random?: SeededRandom): DeviceIdentity {
  return { id: deviceId(name), signingKeyPair: generateSigningKeyPair(random?.bytes(32)) };
}

export interface CreateReplicaOptions<E extends ContentEngine> {
  index?: number;
  engine: E;
  device: DeviceIdentity;
  keyring: DocumentKeyring;
  devices: DeviceDirectory;
  address?: DocumentAddress;
  /** An envelope Y.Doc to start from (e.g. one already holding entries). */
  doc?: Y.Doc;
  batchWindowMs?: number;
  compaction?: CompactionPolicy | false;
  sealing?: boolean;
}

/** One replica: an envelope over `engine`, recording every event it emits. */
export function createReplica<E extends ContentEngine>(options: CreateReplicaOptions<E>): Replica<E> {
  const doc = options.doc ?? new Y.Doc();
  const envelope = new EncryptedEnvelope<E>({
    address: options.address ?? TEST_ADDRESS,
    engine: options.engine,
    device: options.device,
    keyring: options.keyring,
    devices: options.devices,
    envelope: doc,
    batchWindowMs: options.batchWindowMs ?? 1,
    compaction: options.compaction ?? false,
    sealing: options.sealing ?? true,
  });
  // Events of the constructor's first read of `doc` are not seen here: to record them,
  // start from an empty doc and apply the state afterwards.
  const replica: Replica<E> = {
    index: options.index ?? 0,
    device: options.device,
    keyring: options.keyring,
    devices: options.devices,
    engine: options.engine,
    envelope,
    doc,
    rejections: [],
    incomplete: [],
    sealed: [],
    remoteChanges: 0,
  };
  envelope.on('entry-rejected', (event) => replica.rejections.push(event));
  envelope.on('incomplete', (gaps) => replica.incomplete.push(gaps));
  envelope.on('sealed', (event) => replica.sealed.push(event));
  envelope.on('remote-change', ({ entries }) => {
    replica.remoteChanges += entries;
  });
  return replica;
}

export interface CreateReplicasOptions<E extends ContentEngine> {
  count: number;
  random: SeededRandom;
  makeEngine: (index: number) => E;
  batchWindowMs?: number;
  compaction?: CompactionPolicy | false;
}

export interface ReplicaSet<E extends ContentEngine> {
  replicas: Replica<E>[];
  keyring: DocumentKeyring;
  devices: DeviceDirectory;
  destroy(): void;
}

/**
 * N replicas of one document: each its own device, all sharing one keyring
 * and trusting every device. Yjs client ids and signing keys come from
 * `random`, so a seed fixes the whole run.
 */
export function createReplicas<E extends ContentEngine>(options: CreateReplicasOptions<E>): ReplicaSet<E> {
  const keyring = new DocumentKeyring([[0, generateSymmetricKey()]]);
  const identities = Array.from({ length: options.count }, (_, index) =>
    createDevice(`device-${index}`, options.random),
  );
  const devices = new DeviceDirectory(
    identities.map((device) => [device.id, device.signingKeyPair.publicKey] as const),
  );
  const replicas = identities.map((device, index) => {
    const doc = new Y.Doc();
    doc.clientID = 1000 + index;
    return createReplica({
      index,
      engine: options.makeEngine(index),
      device,
      keyring,
      devices,
      doc,
      batchWindowMs: options.batchWindowMs ?? 1,
      compaction: options.compaction ?? false,
    });
  });
  return {
    replicas,
    keyring,
    devices,
    destroy() {
      for (const replica of replicas) {
        replica.envelope.destroy();
        replica.engine.destroy();
      }
    },
  };
}
