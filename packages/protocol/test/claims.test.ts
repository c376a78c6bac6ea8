import { describe, expect, it } from 'vitest';
import { ERROR_MESSAGES, ErrorCode, canWrite, isErrorCode, parseAccessClaims } from '../src/index.ts';

describe('access claims', () => {
  it('narrows a valid payload', () => {
    expect(parseAccessClaims({ sub: 'alice', tenant: 'acme', role: 'member', device: 'laptop' })).toEqual({
      sub: 'alice',
      tenant: 'acme',
      role: 'member',
      device: 'laptop',
    });
  });

  it.each([
    [{ sub: 'alice', tenant: 'acme', role: 'god' }],
    [{ sub: 'alice', tenant: '../x', role: 'member' }],
    [{ tenant: 'acme', role: 'member' }],
    [{ sub: 'alice', tenant: 'acme', role: 'member', device: 'a/b' }],
    [{ sub: 42, tenant: 'acme', role: 'member' }],
  ])('refuses a malformed payload %j', (payload) => {
    expect(parseAccessClaims(payload as Record<string, unknown>)).toBeNull();
  });

  it('lets viewers read only', () => {
    expect(canWrite('viewer')).toBe(false);
    expect(canWrite('member')).toBe(true);
    expect(canWrite('tenant-admin')).toBe(true);
  });
});

describe('error codes', () => {
  it('has a sentence for every code', () => {
    for (const code of Object.values(ErrorCode)) {
      expect(isErrorCode(code)).toBe(true);
      expect(ERROR_MESSAGES[code]).toMatch(/^[A-Z].*\.$/);
    }
    expect(isErrorCode('NOPE')).toBe(false);
  });
});
