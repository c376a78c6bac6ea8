/**
 * A small seeded pseudo-random generator (mulberry32). Every random choice
 * of a test run comes from one of these, so a failing run is replayed by
 * its seed alone.
 */
export class SeededRandom {
  readonly seed: number;
  #state: number;

  constructor(seed: number) {
    this.seed = seed;
    this.#state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let value = this.#state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, maxExclusive). */
  int(maxExclusive: number): number {
    return Math.floor(this.next() * maxExclusive);
  }

  /** An integer in [min, max]. */
  between(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  /** True with the given probability. */
  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('cannot pick from an empty list');
    return items[this.int(items.length)] as T;
  }

  bytes(length: number): Uint8Array {
    return Uint8Array.from({ length }, () => this.int(256));
  }

  /** A short string of lowercase letters. */
  word(maxLength = 5): string {
    const length = this.between(1, maxLength);
    let text = '';
    for (let index = 0; index < length; index += 1) text += String.fromCharCode(97 + this.int(26));
    return text;
  }

  /** An independent generator derived from this one (for a sub-system that must not shift the main sequence). */
  fork(): SeededRandom {
    return new SeededRandom(this.int(0x100000000));
  }
}
