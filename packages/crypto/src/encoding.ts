import { lib } from './sodium.ts';

/** URL-safe base64 without padding, for keys in URLs, JSON and database text. */
export function toBase64Url(bytes: Uint8Array): string {
  const sodium = lib();
  return sodium.to_base64(bytes, sodium.base64_variants.URLSAFE_NO_PADDING);
}

export function fromBase64Url(text: string): Uint8Array {
  const sodium = lib();
  return sodium.from_base64(text, sodium.base64_variants.URLSAFE_NO_PADDING);
}

export function toHex(bytes: Uint8Array): string {
  return lib().to_hex(bytes);
}

export function fromHex(text: string): Uint8Array {
  return lib().from_hex(text);
}
