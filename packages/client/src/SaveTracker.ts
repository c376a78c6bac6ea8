/**
 * Turns the provider's count of unacknowledged messages into "the relay
 * committed this device's entries up to counter n". The relay acknowledges
 * in order and only once a write committed, so each acknowledgement confirms
 * every entry sealed before the message it answers was sent.
 */
export class SaveTracker {
  /** Per message in flight, oldest first: this device's highest counter when it was sent. */
  #inFlight: number[] = [];
  #last = 0;
  #saved: number;

  constructor(saved: number) {
    this.#saved = saved;
  }

  /** The highest counter of this device the relay confirmed. */
  get saved(): number {
    return this.#saved;
  }

  /**
   * Call with the provider's unsynced count each time it changes, and the
   * device's highest sealed counter at that moment. Returns true when
   * {@link saved} moved.
   */
  update(unsynced: number, ownCounter: number): boolean {
    const before = this.#saved;
    if (unsynced > this.#last) {
      for (let index = this.#last; index < unsynced; index += 1) this.#inFlight.push(ownCounter);
    } else {
      for (let index = unsynced; index < this.#last; index += 1) {
        const confirmed = this.#inFlight.shift();
        if (confirmed !== undefined) this.#saved = Math.max(this.#saved, confirmed);
      }
    }
    this.#last = unsynced;
    return this.#saved !== before;
  }

  /**
   * A (re)connection's sync restarts the provider's count at 1: the answer to
   * it carries everything this device holds now.
   */
  restart(ownCounter: number): void {
    this.#inFlight = [ownCounter];
    this.#last = 1;
  }

  /** Everything up to `ownCounter` is confirmed (the document is saved). */
  confirmAll(ownCounter: number): boolean {
    this.#inFlight = [];
    if (ownCounter <= this.#saved) return false;
    this.#saved = ownCounter;
    return true;
  }
}
