import { describe, it, expect, beforeAll } from 'vitest';
import {
  ready,
  generateSigningKeyPair,
  ed25519Sign,
  ed25519Verify,
  sign,
  verify,
  fromHex,
  toHex,
  CryptoInputError,
  SIGNATURE_BYTES,
  SIGNING_PUBLIC_KEY_BYTES,
  SIGNING_SECRET_KEY_BYTES,
} from '../src/index.ts';
import { everyBitFlip, sequence, utf8 } from './helpers.ts';

beforeAll(async () => {
  await ready();
});

interface Rfc8032Vector {
  name: string;
  secretKey: string;
  publicKey: string;
  message: string;
  signature: string;
}

// RFC 8032 section 7.1, Ed25519 test vectors. TEST 1024 is omitted: its
// 1023-byte message is too long to transcribe reliably.
const RFC8032_VECTORS: Rfc8032Vector[] = [
  {
    name: 'TEST 1 (empty message)',
    secretKey: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
    publicKey: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    message: '',
    signature:
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155' +
      '5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  },
  {
    name: 'TEST 2 (one-byte message)',
    secretKey: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
    publicKey: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
    message: '72',
    signature:
      '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da' +
      '085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
  },
  {
    name: 'TEST 3 (two-byte message)',
    secretKey: 'c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7',
    publicKey: 'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025',
    message: 'af82',
    signature:
      '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac' +
      '18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a',
  },
  {
    name: 'TEST SHA(abc) (64-byte message)',
    secretKey: '833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42',
    publicKey: 'ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf',
    message:
      'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a' +
      '2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
    signature:
      'dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b589' +
      '09351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704',
  },
];

describe('Ed25519 against RFC 8032 section 7.1 test vectors', () => {
  for (const vector of RFC8032_VECTORS) {
    describe(vector.name, () => {
      it('derives the published public key from the secret seed, in libsodium seed || public key form', () => {
        const keyPair = generateSigningKeyPair(fromHex(vector.secretKey));
        expect(toHex(keyPair.publicKey)).toBe(vector.publicKey);
        expect(toHex(keyPair.secretKey)).toBe(vector.secretKey + vector.publicKey);
      });

      it('ed25519Sign produces exactly the published signature', () => {
        const keyPair = generateSigningKeyPair(fromHex(vector.secretKey));
        expect(toHex(ed25519Sign(keyPair.secretKey, fromHex(vector.message)))).toBe(vector.signature);
      });

      it('ed25519Verify accepts the published signature', () => {
        const message = fromHex(vector.message);
        expect(ed25519Verify(fromHex(vector.publicKey), message, fromHex(vector.signature))).toBe(true);
      });
    });
  }
});

describe('generateSigningKeyPair', () => {
  it('returns fresh 32-byte public and 64-byte secret keys without a seed', () => {
    const first = generateSigningKeyPair();
    const second = generateSigningKeyPair();
    expect(first.publicKey).toHaveLength(SIGNING_PUBLIC_KEY_BYTES);
    expect(first.secretKey).toHaveLength(SIGNING_SECRET_KEY_BYTES);
    expect(toHex(first.publicKey)).not.toBe(toHex(second.publicKey));
  });

  it('rejects a seed that is not 32 bytes', () => {
    expect(() => generateSigningKeyPair(new Uint8Array(31))).toThrow(CryptoInputError);
    expect(() => generateSigningKeyPair(new Uint8Array(33))).toThrow(CryptoInputError);
  });
});

describe('ed25519Verify', () => {
  const message = sequence(16);

  it('rejects every single-bit flip of the message, the signature and the public key', () => {
    const keyPair = generateSigningKeyPair(sequence(32, 100));
    const signature = ed25519Sign(keyPair.secretKey, message);
    expect(signature).toHaveLength(SIGNATURE_BYTES);
    expect(ed25519Verify(keyPair.publicKey, message, signature)).toBe(true);

    const accepted: string[] = [];
    for (const [bit, flipped] of everyBitFlip(message)) {
      if (ed25519Verify(keyPair.publicKey, flipped, signature)) accepted.push(`message bit ${bit}`);
    }
    for (const [bit, flipped] of everyBitFlip(signature)) {
      if (ed25519Verify(keyPair.publicKey, message, flipped)) accepted.push(`signature bit ${bit}`);
    }
    for (const [bit, flipped] of everyBitFlip(keyPair.publicKey)) {
      if (ed25519Verify(flipped, message, signature)) accepted.push(`public key bit ${bit}`);
    }
    expect(accepted).toEqual([]);
  });

  it('returns false instead of throwing for wrong-length keys and signatures', () => {
    const keyPair = generateSigningKeyPair();
    const signature = ed25519Sign(keyPair.secretKey, message);
    expect(ed25519Verify(keyPair.publicKey.subarray(1), message, signature)).toBe(false);
    expect(ed25519Verify(keyPair.publicKey, message, signature.subarray(1))).toBe(false);
    expect(ed25519Verify(keyPair.publicKey, message, new Uint8Array(0))).toBe(false);
  });

  it('rejects a signature from another key pair', () => {
    const signer = generateSigningKeyPair();
    const other = generateSigningKeyPair();
    expect(ed25519Verify(other.publicKey, message, ed25519Sign(signer.secretKey, message))).toBe(false);
  });
});

describe('sign / verify with a domain tag', () => {
  const message = utf8('grant document key to member 42');

  it('round-trips under the same domain', () => {
    const keyPair = generateSigningKeyPair();
    const signature = sign(keyPair.secretKey, 'key-grant', message);
    expect(signature).toHaveLength(SIGNATURE_BYTES);
    expect(verify(keyPair.publicKey, 'key-grant', message, signature)).toBe(true);
  });

  it('is deterministic for the same key, domain and message', () => {
    const keyPair = generateSigningKeyPair(sequence(32));
    expect(toHex(sign(keyPair.secretKey, 'd', message))).toBe(toHex(sign(keyPair.secretKey, 'd', message)));
  });

  it('rejects every single-bit flip of the message, the signature and the public key', () => {
    const keyPair = generateSigningKeyPair(sequence(32, 7));
    const shortMessage = sequence(16, 50);
    const signature = sign(keyPair.secretKey, 'envelope', shortMessage);
    const accepted: string[] = [];
    for (const [bit, flipped] of everyBitFlip(shortMessage)) {
      if (verify(keyPair.publicKey, 'envelope', flipped, signature)) accepted.push(`message bit ${bit}`);
    }
    for (const [bit, flipped] of everyBitFlip(signature)) {
      if (verify(keyPair.publicKey, 'envelope', shortMessage, flipped)) accepted.push(`signature bit ${bit}`);
    }
    for (const [bit, flipped] of everyBitFlip(keyPair.publicKey)) {
      if (verify(flipped, 'envelope', shortMessage, signature)) accepted.push(`public key bit ${bit}`);
    }
    expect(accepted).toEqual([]);
  });

  it("does not verify a signature made under domain 'a' under domain 'b'", () => {
    const keyPair = generateSigningKeyPair();
    const signature = sign(keyPair.secretKey, 'a', message);
    expect(verify(keyPair.publicKey, 'a', message, signature)).toBe(true);
    expect(verify(keyPair.publicKey, 'b', message, signature)).toBe(false);
  });

  it('does not let bytes move between the domain tag and the message', () => {
    const keyPair = generateSigningKeyPair();
    const signature = sign(keyPair.secretKey, 'ab', utf8('c'));
    expect(verify(keyPair.publicKey, 'ab', utf8('c'), signature)).toBe(true);
    expect(verify(keyPair.publicKey, 'a', utf8('bc'), signature)).toBe(false);
    expect(verify(keyPair.publicKey, 'abc', new Uint8Array(0), signature)).toBe(false);
  });

  it('is not a plain Ed25519 signature of the message, nor the reverse', () => {
    const keyPair = generateSigningKeyPair();
    expect(ed25519Verify(keyPair.publicKey, message, sign(keyPair.secretKey, 'a', message))).toBe(false);
    expect(verify(keyPair.publicKey, 'a', message, ed25519Sign(keyPair.secretKey, message))).toBe(false);
  });

  it('rejects an empty domain and one longer than 255 bytes', () => {
    const keyPair = generateSigningKeyPair();
    expect(() => sign(keyPair.secretKey, '', message)).toThrow(CryptoInputError);
    expect(() => sign(keyPair.secretKey, 'x'.repeat(256), message)).toThrow(CryptoInputError);
    // 255 bytes is the longest allowed domain; the limit counts UTF-8 bytes.
    const longest = sign(keyPair.secretKey, 'x'.repeat(255), message);
    expect(verify(keyPair.publicKey, 'x'.repeat(255), message, longest)).toBe(true);
    expect(() => sign(keyPair.secretKey, 'é'.repeat(128), message)).toThrow(CryptoInputError);
  });

  it('rejects a secret key that is not 64 bytes', () => {
    expect(() => sign(new Uint8Array(32), 'a', message)).toThrow(CryptoInputError);
  });
});
