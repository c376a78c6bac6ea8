import { describe, expect, it } from 'vitest';
import { SaveTracker } from '../src/index.ts';

describe('SaveTracker', () => {
  it('confirms the counters held when each acknowledged message was sent, in order', () => {
    const tracker = new SaveTracker(0);
    tracker.update(1, 3); // sent with entries up to 3
    tracker.update(2, 5); // sent with entries up to 5
    expect(tracker.saved).toBe(0);
    expect(tracker.update(1, 6)).toBe(true);
    expect(tracker.saved).toBe(3);
    tracker.update(0, 6);
    expect(tracker.saved).toBe(5);
  });

  it('counts a restarted sync as carrying everything the device holds', () => {
    const tracker = new SaveTracker(2);
    tracker.update(1, 4);
    tracker.update(2, 5);
    tracker.restart(9);
    tracker.update(0, 9);
    expect(tracker.saved).toBe(9);
  });

  it('never moves backwards', () => {
    const tracker = new SaveTracker(10);
    tracker.update(1, 4);
    expect(tracker.update(0, 4)).toBe(false);
    expect(tracker.saved).toBe(10);
    expect(tracker.confirmAll(8)).toBe(false);
    expect(tracker.confirmAll(12)).toBe(true);
    expect(tracker.saved).toBe(12);
  });
});
