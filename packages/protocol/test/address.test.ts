import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  InvalidAddressError,
  formatDocumentName,
  isValidId,
  parseDocumentName,
  tenantId,
  InvalidIdError,
} from '../src/index.ts';

describe('document addresses', () => {
  it('parses tenantId/documentId and formats it back', () => {
    const address = parseDocumentName('acme/doc-1_A');
    expect(address).toEqual({ tenantId: 'acme', documentId: 'doc-1_A' });
    expect(formatDocumentName(address)).toBe('acme/doc-1_A');
  });

  it.each([
    ['a path traversal', 'acme/../etc'],
    ['dots', 'acme/..'],
    ['a NUL byte', 'acme/a\u0000b'],
    ['a control character', 'acme/a\nb'],
    ['a second separator', 'acme/a/b'],
    ['a backslash', 'acme/a\\b'],
    ['no separator', 'acme'],
    ['an empty document id', 'acme/'],
    ['an empty tenant id', '/doc'],
    ['10 KB of text', `acme/${'x'.repeat(10 * 1024)}`],
    ['an id of 65 characters', `acme/${'x'.repeat(65)}`],
    ['a Unicode look-alike', 'acme/dоc'],
    ['spaces', 'acme/my doc'],
    ['a leading dash', 'acme/-doc'],
  ])('rejects a name with %s', (_label, name) => {
    expect(() => parseDocumentName(name)).toThrow(InvalidAddressError);
  });

  it('rejects names that are not strings', () => {
    for (const value of [null, undefined, 42, {}, ['a/b']])
      expect(() => parseDocumentName(value)).toThrow(InvalidAddressError);
  });

  it('accepts ids of 1 to 64 letters, digits, dashes and underscores', () => {
    expect(isValidId('a')).toBe(true);
    expect(isValidId('x'.repeat(64))).toBe(true);
    expect(() => tenantId('')).toThrow(InvalidIdError);
  });

  it('never accepts an id containing a character outside the allowed set (property)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 80 }), (value) => {
        const allowed = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(value);
        expect(isValidId(value)).toBe(allowed);
        if (!allowed) expect(() => parseDocumentName(`acme/${value}`)).toThrow(InvalidAddressError);
      }),
      { seed: 42, numRuns: 2000 },
    );
  });
});
