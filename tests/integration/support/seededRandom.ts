/** mulberry32: a small, fast, seeded PRNG so a failing run can be replayed from its seed. */
export class SeededRandom {
  #state: number;
  readonly seed: number;

  constructor(seed: number) {
    this.seed = seed >>> 0;
    this.#state = this.seed;
  }

  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(maxExclusive: number): number {
    return Math.floor(this.next() * maxExclusive);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  word(): string {
    const letters = 'abcdefghijklmnopqrstuvwxyz';
    let out = '';
    for (let index = 1 + this.int(6); index > 0; index -= 1) out += letters[this.int(letters.length)];
    return out;
  }
}

/** Seeds for this run: COFFRE_SEEDS="1,2,3" replays specific ones. */
export function seedsFromEnvironment(defaults: number[]): number[] {
  const fromEnvironment = process.env.COFFRE_SEEDS;
  if (!fromEnvironment) return defaults;
  return fromEnvironment.split(',').map((value) => Number(value.trim()));
}
