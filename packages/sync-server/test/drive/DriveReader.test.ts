import { describe, expect, it } from 'vitest';
import { type AccessClaims, deviceId, tenantId, userId } from '@coffre/protocol';
import { isLinkReader, linkReaderOf } from '../../src/drive/DriveReader.ts';

const linkId = 'c'.repeat(32);
const linkClaims: AccessClaims = {
  sub: userId(`link-${linkId.slice(0, 16)}`),
  tenant: tenantId('acme'),
  role: 'viewer',
  sid: `l_${linkId}`,
  doc: 'shared-0123',
  access: 'read',
};

describe('linkReaderOf', () => {
  it("reads a link session's claims as a reader of the one space its token names", () => {
    const reader = linkReaderOf(linkClaims);
    expect(reader).toEqual({ kind: 'link', tenant: 'acme', linkId, space: 'shared-0123' });
    expect(reader && isLinkReader(reader)).toBe(true);
  });

  it("is null for an account's token, so the accounts API's check applies", () => {
    const account: AccessClaims = {
      sub: userId('u_alice'),
      tenant: tenantId('acme'),
      role: 'member',
      device: deviceId('d_laptop'),
      sid: 'family-1',
    };
    expect(linkReaderOf(account)).toBeNull();
  });

  it('is null for a document-scoped token without a link session id, or with a malformed one', () => {
    const { sid: _sid, ...withoutSid } = linkClaims;
    expect(linkReaderOf(withoutSid)).toBeNull();
    expect(linkReaderOf({ ...linkClaims, sid: 'l_short' })).toBeNull();
    expect(linkReaderOf({ ...linkClaims, sid: `x_${linkId}` })).toBeNull();
  });
});
