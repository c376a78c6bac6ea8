import { generateSigningKeyPair, toBase64Url } from '@coffre/crypto';
import { type DeviceId, deviceId, linkDevicePublicKey as publicKeyOfLinkDevice } from '@coffre/protocol';
import type { DeviceIdentity } from '../keys.ts';

/**
 * A throwaway device for someone who opens a share link: they have no
 * account, so no certified device. Its id is `link-` followed by its own
 * Ed25519 public key, so members can verify what it signs without a
 * certificate (see {@link linkDevicePublicKey}); a fresh one per opening,
 * so two people on one link never share entry counters.
 *
 * What such a signature proves is weaker than a member's: "written by
 * someone holding the document key through a link", not "written by this
 * person". Who may write through a link is the relay's to enforce (it gives
 * read links read-only tokens), as it is for viewers.
 */
export function createLinkDevice(): DeviceIdentity {
  const signingKeyPair = generateSigningKeyPair();
  return { id: deviceId(`link-${toBase64Url(signingKeyPair.publicKey)}`), signingKeyPair };
}

/** The public key a link device's id carries, or undefined for any other id. */
export function linkDevicePublicKey(id: DeviceId | string): Uint8Array | undefined {
  return publicKeyOfLinkDevice(id);
}
