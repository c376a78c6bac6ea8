/** Minimal big-endian binary writer/reader for the wire formats of this package. */
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export class FrameFormatError extends Error {
  readonly code = 'MALFORMED_ENTRY';
  constructor(message: string) {
    super(message);
    this.name = 'FrameFormatError';
  }
}

export class ByteWriter {
  #chunks: Uint8Array[] = [];
  #length = 0;

  get length(): number {
    return this.#length;
  }

  bytes(value: Uint8Array): this {
    this.#chunks.push(value);
    this.#length += value.length;
    return this;
  }

  u8(value: number): this {
    return this.bytes(Uint8Array.of(value & 0xff));
  }

  u16(value: number): this {
    if (!Number.isInteger(value) || value < 0 || value > 0xffff) throw new RangeError('u16 out of range');
    return this.bytes(Uint8Array.of(value >>> 8, value & 0xff));
  }

  u32(value: number): this {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new RangeError('u32 out of range');
    const out = new Uint8Array(4);
    new DataView(out.buffer).setUint32(0, value);
    return this.bytes(out);
  }

  /** A string of at most 255 UTF-8 bytes, prefixed by its length. */
  shortString(value: string): this {
    const encoded = encoder.encode(value);
    if (encoded.length > 255) throw new RangeError('string longer than 255 bytes');
    return this.u8(encoded.length).bytes(encoded);
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.#length);
    let offset = 0;
    for (const chunk of this.#chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }
}

export class ByteReader {
  #offset = 0;
  readonly #view: DataView;
  readonly buffer: Uint8Array;

  constructor(buffer: Uint8Array) {
    this.buffer = buffer;
    this.#view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  }

  get offset(): number {
    return this.#offset;
  }

  get remaining(): number {
    return this.buffer.length - this.#offset;
  }

  #need(count: number): void {
    if (this.remaining < count) throw new FrameFormatError('frame is truncated');
  }

  u8(): number {
    this.#need(1);
    const value = this.#view.getUint8(this.#offset);
    this.#offset += 1;
    return value;
  }

  u16(): number {
    this.#need(2);
    const value = this.#view.getUint16(this.#offset);
    this.#offset += 2;
    return value;
  }

  u32(): number {
    this.#need(4);
    const value = this.#view.getUint32(this.#offset);
    this.#offset += 4;
    return value;
  }

  bytes(count: number): Uint8Array {
    this.#need(count);
    const value = this.buffer.subarray(this.#offset, this.#offset + count);
    this.#offset += count;
    return value;
  }

  shortString(): string {
    const length = this.u8();
    try {
      return decoder.decode(this.bytes(length));
    } catch (error) {
      if (error instanceof FrameFormatError) throw error;
      throw new FrameFormatError('string is not valid UTF-8');
    }
  }
}
