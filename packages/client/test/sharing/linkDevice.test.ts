import * as Y from 'yjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKeyPair, generateSymmetricKey, ready, toBase64Url } from '@coffre/crypto';
import { documentId, tenantId } from '@coffre/protocol';
import { EncryptedEnvelope } from '../../src/EncryptedEnvelope.ts';
import { YjsEngine } from '../../src/engines/YjsEngine.ts';
import { DeviceDirectory, DocumentKeyring } from '../../src/keys.ts';
import { createLinkDevice, linkDevicePublicKey } from '../../src/sharing/linkDevice.ts';

const address = { tenantId: tenantId('acme'), documentId: documentId('plans') };

describe('share-link devices', () => {
  beforeAll(async () => {
    await ready();
  });

  it('carry their public key in their id, and every opening gets a new one', () => {
    const device = createLinkDevice();
    expect(device.id).toMatch(/^link-[A-Za-z0-9_-]{43}$/);
    expect(linkDevicePublicKey(device.id)).toEqual(device.signingKeyPair.publicKey);
    expect(createLinkDevice().id).not.toBe(device.id);
    expect(linkDevicePublicKey('laptop')).toBeUndefined();
    expect(linkDevicePublicKey(`link-${toBase64Url(generateSigningKeyPair().publicKey)}x`)).toBeUndefined();
  });

  it('a directory that resolves link devices accepts their entries; one that does not leaves them waiting', () => {
    const keyring = new DocumentKeyring([[0, generateSymmetricKey()]]);
    const editor = createLinkDevice();
    const writer = new EncryptedEnvelope({
      address,
      engine: new YjsEngine(),
      device: editor,
      keyring,
      devices: new DeviceDirectory(),
    });
    writer.engine.doc.getText('body').insert(0, 'from the link');
    writer.flush();
    const update = Y.encodeStateAsUpdate(writer.envelope);
    const reader = (devices: DeviceDirectory) => {
      const replica = new EncryptedEnvelope({
        address,
        engine: new YjsEngine(),
        device: createLinkDevice(),
        keyring,
        devices,
      });
      Y.applyUpdate(replica.envelope, update);
      return replica.engine.doc.getText('body').toString();
    };
    expect(reader(new DeviceDirectory([], { resolve: linkDevicePublicKey }))).toBe('from the link');
    expect(reader(new DeviceDirectory())).toBe('');
  });
});
