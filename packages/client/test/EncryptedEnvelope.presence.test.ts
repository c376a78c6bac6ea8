import { beforeAll, describe, expect, it } from 'vitest';
import { generateSymmetricKey, ready } from '@coffre/crypto';
import { DeviceDirectory, DocumentKeyring } from '../src/index.ts';
import { OTHER_ADDRESS } from './harness/createReplicas.ts';
import { flipBit } from './harness/flipBit.ts';
import { textReplica, write, writerAndReader } from './harness/textReplicas.ts';

beforeAll(async () => {
  await ready();
});

describe('EncryptedEnvelope presence', () => {
  it('opens a presence state sealed by another member', () => {
    const { writer, reader } = writerAndReader();
    const state = { name: 'Ada', colour: '#c0ffee', cursor: { anchor: 3, head: 7 } };

    const sealed = writer.envelope.sealPresence(state);

    expect(reader.envelope.openPresence(sealed)).toEqual({ author: writer.device.id, state });
    expect(writer.envelope.openPresence(sealed)).toEqual({ author: writer.device.id, state });
    // Sealed, not readable: the name does not appear in the blob.
    expect(Buffer.from(sealed).includes(Buffer.from('Ada'))).toBe(false);
  });

  it('returns null for a presence state of another document', () => {
    const { writer, reader, keyring, devices } = writerAndReader();
    const elsewhere = textReplica({ name: 'writer', device: writer.device, keyring, devices, address: OTHER_ADDRESS });

    expect(reader.envelope.openPresence(elsewhere.envelope.sealPresence({ name: 'Ada' }))).toBeNull();
  });

  it('returns null for a presence state with any single flipped bit', () => {
    const { writer, reader } = writerAndReader();
    const sealed = writer.envelope.sealPresence({ name: 'Ada' });

    const opened: number[] = [];
    for (let bit = 0; bit < sealed.length * 8; bit += 1) {
      if (reader.envelope.openPresence(flipBit(sealed, bit)) !== null) opened.push(bit);
    }

    expect(opened).toEqual([]);
    expect(reader.envelope.openPresence(sealed)).not.toBeNull();
  });

  it('returns null for garbage, a log entry, an unknown device or an unknown epoch', () => {
    const { writer, reader } = writerAndReader();
    const stranger = textReplica({
      name: 'stranger',
      keyring: new DocumentKeyring([[0, writer.keyring.current.key]]),
      devices: new DeviceDirectory(),
    });
    const rotated = textReplica({
      name: 'writer',
      device: writer.device,
      keyring: new DocumentKeyring([
        [0, writer.keyring.current.key],
        [1, generateSymmetricKey()],
      ]),
      devices: writer.devices,
    });

    expect(reader.envelope.openPresence(new Uint8Array([1, 2, 3]))).toBeNull();
    expect(reader.envelope.openPresence(write(writer, 'an update entry'))).toBeNull();
    expect(reader.envelope.openPresence(stranger.envelope.sealPresence({ name: 'Eve' }))).toBeNull();
    expect(reader.envelope.openPresence(rotated.envelope.sealPresence({ name: 'Ada' }))).toBeNull();
  });

  it('returns null for a presence state older than one already seen from that device', () => {
    const { writer, reader } = writerAndReader();
    const older = writer.envelope.sealPresence({ cursor: 1 });
    const newer = writer.envelope.sealPresence({ cursor: 2 });

    expect(reader.envelope.openPresence(newer)?.state).toEqual({ cursor: 2 });
    expect(reader.envelope.openPresence(older)).toBeNull();
    // The latest state may be delivered again (awareness re-broadcasts it).
    expect(reader.envelope.openPresence(newer)?.state).toEqual({ cursor: 2 });
  });

  // A reloaded device starts a new awareness session (a new client id): its counters start again.
  it('opens presence from a device whose session restarted', () => {
    const { writer, reader, keyring, devices } = writerAndReader();
    for (let cursor = 0; cursor < 5; cursor += 1) {
      expect(reader.envelope.openPresence(writer.envelope.sealPresence({ cursor }), 1)).not.toBeNull();
    }
    writer.envelope.destroy();
    const reloaded = textReplica({ name: 'writer', device: writer.device, keyring, devices });

    expect(reader.envelope.openPresence(reloaded.envelope.sealPresence({ cursor: 99 }), 2)).toEqual({
      author: writer.device.id,
      state: { cursor: 99 },
    });
  });

  it('refuses to seal a presence state larger than the limit', () => {
    const { writer } = writerAndReader();
    expect(() => writer.envelope.sealPresence({ note: 'x'.repeat(20_000) })).toThrow(RangeError);
  });
});
