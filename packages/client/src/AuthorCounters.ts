import type { Coverage, DeviceId } from '@coffre/protocol';

/**
 * Which counters of each author device this replica has applied, directly
 * or through a snapshot's coverage. Answers "was this entry seen already?"
 * (replays are ignored) and "which counters are missing?" (a gap that no
 * snapshot covers means the relay withheld or lost an entry).
 */
export class AuthorCounters {
  /** Per author: every counter <= covered is accounted for. */
  #covered = new Map<DeviceId, number>();
  /** Per author: counters above `covered` that were applied. */
  #above = new Map<DeviceId, Set<number>>();

  has(author: DeviceId, counter: number): boolean {
    if (counter <= (this.#covered.get(author) ?? 0)) return true;
    return this.#above.get(author)?.has(counter) ?? false;
  }

  add(author: DeviceId, counter: number): void {
    if (this.has(author, counter)) return;
    let above = this.#above.get(author);
    if (!above) {
      above = new Set();
      this.#above.set(author, above);
    }
    above.add(counter);
    this.#advance(author);
  }

  /** Marks everything a snapshot includes as accounted for. */
  cover(coverage: Coverage): void {
    for (const [author, counter] of coverage) {
      if (counter > (this.#covered.get(author) ?? 0)) this.#covered.set(author, counter);
      this.#advance(author);
    }
  }

  /** The highest counter seen for an author (0 when none). */
  highest(author: DeviceId): number {
    let highest = this.#covered.get(author) ?? 0;
    for (const counter of this.#above.get(author) ?? []) highest = Math.max(highest, counter);
    return highest;
  }

  /** What a snapshot taken now would include. */
  coverage(): Coverage {
    const coverage: Coverage = new Map();
    for (const author of new Set([...this.#covered.keys(), ...this.#above.keys()])) {
      coverage.set(author, this.highest(author));
    }
    return coverage;
  }

  /** Per author, the counters below the highest seen that were never seen: the document is incomplete. */
  gaps(): Map<DeviceId, number[]> {
    const gaps = new Map<DeviceId, number[]>();
    for (const [author, above] of this.#above) {
      if (above.size === 0) continue;
      const covered = this.#covered.get(author) ?? 0;
      const highest = Math.max(...above);
      const missing: number[] = [];
      for (let counter = covered + 1; counter < highest && missing.length < 100; counter += 1) {
        if (!above.has(counter)) missing.push(counter);
      }
      if (missing.length > 0) gaps.set(author, missing);
    }
    return gaps;
  }

  #advance(author: DeviceId): void {
    const above = this.#above.get(author);
    if (!above) return;
    let covered = this.#covered.get(author) ?? 0;
    for (const counter of above) if (counter <= covered) above.delete(counter);
    while (above.has(covered + 1)) {
      covered += 1;
      above.delete(covered);
    }
    this.#covered.set(author, covered);
  }
}
