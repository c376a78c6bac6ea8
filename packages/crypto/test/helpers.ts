import { DecryptionError } from '../src/index.ts';

/** A copy of `bytes` with bit `bit` (0 = least significant bit of byte 0) inverted. */
export function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const copy = Uint8Array.from(bytes);
  const index = bit >> 3;
  copy[index] = (copy[index] ?? 0) ^ (1 << (bit & 7));
  return copy;
}

/** Every single-bit-flipped copy of `bytes`, with the index of the flipped bit. */
export function* everyBitFlip(bytes: Uint8Array): Generator<[bit: number, flipped: Uint8Array]> {
  for (let bit = 0; bit < bytes.length * 8; bit += 1) yield [bit, flipBit(bytes, bit)];
}

/**
 * Runs `attempt` and reports how it ended: 'rejected' when it threw a
 * DecryptionError, 'accepted' when it returned, 'wrong-error: ...' otherwise.
 */
export function outcome(attempt: () => unknown): string {
  try {
    attempt();
    return 'accepted';
  } catch (error) {
    if (error instanceof DecryptionError) return 'rejected';
    return `wrong-error: ${String(error)}`;
  }
}

const encoder = new TextEncoder();
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Bytes 0, 1, 2, ... of the given length, offset by `start`. */
export function sequence(length: number, start = 0): Uint8Array {
  return Uint8Array.from({ length }, (_, index) => (start + index) & 0xff);
}
