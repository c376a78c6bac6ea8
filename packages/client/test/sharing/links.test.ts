import { beforeAll, describe, expect, it } from 'vitest';
import { DecryptionError, generatePasswordSalt, generateSymmetricKey, ready } from '@coffre/crypto';
import {
  createLinkSecrets,
  formatLinkFragment,
  linkVerifier,
  openKeyFromLink,
  parseLinkFragment,
  sealKeyForLink,
} from '../../src/sharing/links.ts';

const FAST = { opsLimit: 1, memLimit: 8 * 1024 * 1024 };

describe('share links', () => {
  beforeAll(async () => {
    await ready();
  });

  it('opens the document key from the URL fragment alone', () => {
    const secrets = createLinkSecrets();
    const documentKey = generateSymmetricKey();
    const sealed = sealKeyForLink(secrets, 'plans', 0, documentKey);
    const fromUrl = parseLinkFragment(`#${formatLinkFragment(secrets)}`);
    expect(fromUrl.linkId).toBe(secrets.linkId);
    expect(openKeyFromLink(fromUrl, 'plans', 0, sealed)).toEqual(documentKey);
  });

  it('the relay learns the link id and a verifier, never the secret or the key', () => {
    const secrets = createLinkSecrets();
    expect(linkVerifier(secrets.accessProof)).not.toEqual(secrets.accessProof);
    expect(secrets.linkId).not.toContain(formatLinkFragment(secrets));
  });

  it('with a password, the URL alone opens nothing and a wrong password fails', () => {
    const secrets = createLinkSecrets();
    const documentKey = generateSymmetricKey();
    const password = { password: 'correct horse', salt: generatePasswordSalt(), parameters: FAST };
    const sealed = sealKeyForLink(secrets, 'plans', 1, documentKey, password);
    expect(() => openKeyFromLink(secrets, 'plans', 1, sealed)).toThrow(DecryptionError);
    expect(() => openKeyFromLink(secrets, 'plans', 1, sealed, { ...password, password: 'wrong' })).toThrow(
      DecryptionError,
    );
    expect(openKeyFromLink(secrets, 'plans', 1, sealed, password)).toEqual(documentKey);
  });

  it('a sealed key moved to another document or epoch does not open', () => {
    const secrets = createLinkSecrets();
    const sealed = sealKeyForLink(secrets, 'plans', 0, generateSymmetricKey());
    expect(() => openKeyFromLink(secrets, 'other', 0, sealed)).toThrow(DecryptionError);
    expect(() => openKeyFromLink(secrets, 'plans', 1, sealed)).toThrow(DecryptionError);
  });

  it('refuses an incomplete link', () => {
    expect(() => parseLinkFragment('#abc')).toThrow(/incomplete/);
  });
});
