import { beforeAll, describe, expect, it } from 'vitest';
import { DecryptionError, generatePasswordSalt, generateSymmetricKey, ready } from '@coffre/crypto';
import { documentId, tenantId } from '@coffre/protocol';
import {
  createLinkSecrets,
  deriveLinkKey,
  formatLinkFragment,
  formatShareUrl,
  openKeyWithLinkKey,
  parseShareUrl,
  linkVerifier,
  openKeyFromLink,
  parseLinkFragment,
  sealKeyForLink,
} from '../../src/sharing/links.ts';

const FAST = { opsLimit: 1, memLimit: 8 * 1024 * 1024 };
const plans = documentId('plans');

describe('share links', () => {
  beforeAll(async () => {
    await ready();
  });

  it('opens the document key from the URL fragment alone', () => {
    const secrets = createLinkSecrets();
    const documentKey = generateSymmetricKey();
    const sealed = sealKeyForLink(secrets, plans, 0, documentKey);
    const fromUrl = parseLinkFragment(`#${formatLinkFragment(secrets)}`);
    expect(fromUrl.linkId).toBe(secrets.linkId);
    expect(openKeyFromLink(fromUrl, plans, 0, sealed)).toEqual(documentKey);
  });

  it('never makes a fragment that a command line would read as an option', () => {
    const firsts = new Set(Array.from({ length: 2_000 }, () => formatLinkFragment(createLinkSecrets())[0]));
    expect(firsts.has('-')).toBe(false);
    expect(firsts.has('_')).toBe(false);
    // Still drawn from (nearly) the whole alphabet: 62 first characters of 64.
    expect(firsts.size).toBeGreaterThan(55);
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
    const sealed = sealKeyForLink(secrets, plans, 1, documentKey, password);
    expect(() => openKeyFromLink(secrets, plans, 1, sealed)).toThrow(DecryptionError);
    expect(() => openKeyFromLink(secrets, plans, 1, sealed, { ...password, password: 'wrong' })).toThrow(
      DecryptionError,
    );
    expect(openKeyFromLink(secrets, plans, 1, sealed, password)).toEqual(documentKey);
  });

  it('a sealed key moved to another document or epoch does not open', () => {
    const secrets = createLinkSecrets();
    const sealed = sealKeyForLink(secrets, plans, 0, generateSymmetricKey());
    expect(() => openKeyFromLink(secrets, documentId('other'), 0, sealed)).toThrow(DecryptionError);
    expect(() => openKeyFromLink(secrets, plans, 1, sealed)).toThrow(DecryptionError);
  });

  it('refuses an incomplete link', () => {
    expect(() => parseLinkFragment('#abc')).toThrow(/incomplete/);
  });

  it('a link key derived once opens every epoch sealed with the password', () => {
    const secrets = createLinkSecrets();
    const password = { password: 'correct horse', salt: generatePasswordSalt(), parameters: FAST };
    const keys = [generateSymmetricKey(), generateSymmetricKey()];
    const sealed = keys.map((key, epoch) => sealKeyForLink(secrets, plans, epoch, key, password));
    const linkKey = deriveLinkKey(secrets, password);
    expect(sealed.map((box, epoch) => openKeyWithLinkKey(linkKey, secrets.linkId, plans, epoch, box))).toEqual(keys);
  });

  it('share URLs carry the tenant and the secret after #, and parse back', () => {
    const secrets = createLinkSecrets();
    const url = formatShareUrl('https://relay.example/', tenantId('acme'), secrets);
    expect(url).toBe(`https://relay.example/#/link/acme/${formatLinkFragment(secrets)}`);
    expect(parseShareUrl(url)).toEqual({ tenant: 'acme', fragment: formatLinkFragment(secrets) });
    expect(parseShareUrl('https://relay.example/#/other/acme/x')).toBeNull();
    expect(parseShareUrl(formatLinkFragment(secrets))).toBeNull();
  });
});
