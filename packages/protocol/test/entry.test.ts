import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { generateSigningKeyPair, generateSymmetricKey, ready } from '@coffre/crypto';
import {
  type EntryHeader,
  EntryKind,
  EntryRejectedError,
  FrameFormatError,
  LIMITS,
  deviceId,
  documentId,
  chainedEntry,
  entryHash,
  openEntry,
  parseEntry,
  sealEntry,
  tenantId,
} from '../src/index.ts';

describe('sealed entries', () => {
  let key: Uint8Array;
  let signer: ReturnType<typeof generateSigningKeyPair>;
  const header = (overrides: Partial<EntryHeader> = {}): EntryHeader => ({
    kind: EntryKind.Update,
    tenantId: tenantId('acme'),
    documentId: documentId('doc-1'),
    keyEpoch: 3,
    author: deviceId('laptop'),
    counter: 7,
    coverage: new Map(),
    ...overrides,
  });
  const plaintext = new TextEncoder().encode('secret content');

  beforeAll(async () => {
    await ready();
    key = generateSymmetricKey();
    signer = generateSigningKeyPair();
  });

  it('round-trips header and plaintext', () => {
    const frame = sealEntry({ header: header(), plaintext, documentKey: key, signingSecretKey: signer.secretKey });
    const parsed = parseEntry(frame);
    expect(parsed.header).toEqual(header());
    expect(openEntry({ entry: parsed, documentKey: key, authorPublicKey: signer.publicKey })).toEqual(plaintext);
  });

  it('carries the previous entry’s hash in the signed header, and vouches only for that entry', () => {
    const seal = (overrides: Partial<EntryHeader>) =>
      sealEntry({ header: header(overrides), plaintext, documentKey: key, signingSecretKey: signer.secretKey });
    const first = seal({ counter: 6, position: { client: 1, clock: 0 } });
    const second = seal({ counter: 7, position: { client: 1, clock: 1 }, previous: entryHash(first) });
    const parsedSecond = parseEntry(second);
    expect(parsedSecond.header.previous).toEqual(entryHash(first));
    expect(parsedSecond.header.position).toEqual({ client: 1, clock: 1 });
    expect(chainedEntry(parsedSecond, { frame: first, entry: parseEntry(first) })).toBe(true);

    // Another entry at counter 6 (a forgery, or any other frame) is not the one named.
    const other = seal({ counter: 6, position: { client: 1, clock: 0 }, keyEpoch: 4 });
    expect(chainedEntry(parsedSecond, { frame: other, entry: parseEntry(other) })).toBe(false);
    // Nor is the right frame under another counter or author, nor anything when no hash is named.
    const unchained = parseEntry(seal({ counter: 7 }));
    expect(chainedEntry(unchained, { frame: first, entry: parseEntry(first) })).toBe(false);
    const twoBack = parseEntry(seal({ counter: 8, previous: entryHash(first) }));
    expect(chainedEntry(twoBack, { frame: first, entry: parseEntry(first) })).toBe(false);
    const otherAuthor = parseEntry(seal({ counter: 7, author: deviceId('phone'), previous: entryHash(first) }));
    expect(chainedEntry(otherAuthor, { frame: first, entry: parseEntry(first) })).toBe(false);
  });

  it('refuses header fields repeated, out of order or unknown, and a previous hash of the wrong length', () => {
    expect(() =>
      sealEntry({
        header: header({ previous: new Uint8Array(31) }),
        plaintext,
        documentKey: key,
        signingSecretKey: signer.secretKey,
      }),
    ).toThrow(RangeError);
    const withBoth = sealEntry({
      header: header({ position: { client: 1, clock: 2 }, previous: new Uint8Array(32).fill(9) }),
      plaintext,
      documentKey: key,
      signingSecretKey: signer.secretKey,
    });
    // Header layout: version u8 | length u16 | header; the optional fields end the header.
    const headerLength = (withBoth[1] as number) * 256 + (withBoth[2] as number);
    const fieldsAt = 3 + headerLength - (1 + 8 + 1 + 32);
    expect(withBoth[fieldsAt]).toBe(1);
    const swapped = Uint8Array.from(withBoth);
    swapped[fieldsAt] = 2; // position's bytes read as a previous hash, then a stray field
    expect(() => parseEntry(swapped)).toThrow(FrameFormatError);
    const repeated = Uint8Array.from(withBoth);
    repeated[fieldsAt + 9] = 1; // a second position instead of the previous hash
    expect(() => parseEntry(repeated)).toThrow(FrameFormatError);
    const unknown = Uint8Array.from(withBoth);
    unknown[fieldsAt + 9] = 3;
    expect(() => parseEntry(unknown)).toThrow(FrameFormatError);
  });

  it('carries a snapshot’s coverage in the authenticated header', () => {
    const coverage = new Map([
      [deviceId('phone'), 12],
      [deviceId('laptop'), 7],
    ]);
    const frame = sealEntry({
      header: header({ kind: EntryKind.Snapshot, coverage }),
      plaintext,
      documentKey: key,
      signingSecretKey: signer.secretKey,
    });
    expect(parseEntry(frame).header.coverage).toEqual(coverage);
  });

  it('refuses coverage on entries that are not snapshots', () => {
    expect(() =>
      sealEntry({
        header: header({ coverage: new Map([[deviceId('x'), 1]]) }),
        plaintext,
        documentKey: key,
        signingSecretKey: signer.secretKey,
      }),
    ).toThrow(RangeError);
  });

  it('does not reveal the plaintext in the frame', () => {
    const frame = sealEntry({ header: header(), plaintext, documentKey: key, signingSecretKey: signer.secretKey });
    expect(Buffer.from(frame).includes(Buffer.from('secret content'))).toBe(false);
  });

  it('rejects every single flipped bit of the frame when opening', () => {
    const frame = sealEntry({ header: header(), plaintext, documentKey: key, signingSecretKey: signer.secretKey });
    for (let bit = 0; bit < frame.length * 8; bit += 1) {
      const tampered = frame.slice();
      tampered[bit >> 3] = (tampered[bit >> 3] ?? 0) ^ (1 << (bit & 7));
      let opened = false;
      try {
        const parsed = parseEntry(tampered);
        openEntry({ entry: parsed, documentKey: key, authorPublicKey: signer.publicKey });
        opened = true;
      } catch (error) {
        expect(error instanceof FrameFormatError || error instanceof EntryRejectedError, `bit ${bit}`).toBe(true);
      }
      expect(opened, `bit ${bit} was accepted`).toBe(false);
    }
  });

  it('rejects a frame opened with another epoch key with decryption-failed', () => {
    const frame = sealEntry({ header: header(), plaintext, documentKey: key, signingSecretKey: signer.secretKey });
    expect(() =>
      openEntry({ entry: parseEntry(frame), documentKey: generateSymmetricKey(), authorPublicKey: signer.publicKey }),
    ).toThrow(expect.objectContaining({ reason: 'decryption-failed' }));
  });

  it('rejects a frame verified with another device’s key with bad-signature', () => {
    const frame = sealEntry({ header: header(), plaintext, documentKey: key, signingSecretKey: signer.secretKey });
    expect(() =>
      openEntry({ entry: parseEntry(frame), documentKey: key, authorPublicKey: generateSigningKeyPair().publicKey }),
    ).toThrow(expect.objectContaining({ reason: 'bad-signature' }));
  });

  it('parses arbitrary bytes into a FrameFormatError, never another exception (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        try {
          parseEntry(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(FrameFormatError);
        }
      }),
      { seed: 7, numRuns: 5000 },
    );
  });

  it('parses mutated valid frames into a FrameFormatError or a frame that fails to open (property)', () => {
    const frame = sealEntry({ header: header(), plaintext, documentKey: key, signingSecretKey: signer.secretKey });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: frame.length - 1 }), fc.integer({ min: 1, max: 255 }), (index, delta) => {
        const mutated = frame.slice();
        mutated[index] = ((mutated[index] ?? 0) + delta) & 0xff;
        try {
          openEntry({ entry: parseEntry(mutated), documentKey: key, authorPublicKey: signer.publicKey });
          return false;
        } catch (error) {
          return error instanceof FrameFormatError || error instanceof EntryRejectedError;
        }
      }),
      { seed: 9, numRuns: 3000 },
    );
  });

  it('refuses frames larger than the entry limit', () => {
    expect(() => parseEntry(new Uint8Array(LIMITS.maxEntryBytes + 1))).toThrow(FrameFormatError);
  });

  it('refuses a counter of zero and unknown kinds', () => {
    const frame = sealEntry({
      header: header({ counter: 1 }),
      plaintext,
      documentKey: key,
      signingSecretKey: signer.secretKey,
    });
    const badKind = frame.slice();
    badKind[3] = 9; // first header byte: kind
    expect(() => parseEntry(badKind)).toThrow(FrameFormatError);
  });
});
