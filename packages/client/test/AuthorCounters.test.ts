import { describe, expect, it } from 'vitest';
import { deviceId } from '@coffre/protocol';
import { AuthorCounters } from '../src/index.ts';

const alice = deviceId('alice');
const bob = deviceId('bob');

describe('AuthorCounters', () => {
  it('has no counter before any is added', () => {
    const counters = new AuthorCounters();
    expect(counters.has(alice, 1)).toBe(false);
    expect(counters.highest(alice)).toBe(0);
    expect(counters.gaps()).toEqual(new Map());
    expect(counters.coverage()).toEqual(new Map());
  });

  it('has exactly the counters added, per author', () => {
    const counters = new AuthorCounters();
    counters.add(alice, 1);
    counters.add(alice, 2);
    counters.add(bob, 5);

    expect(counters.has(alice, 1)).toBe(true);
    expect(counters.has(alice, 2)).toBe(true);
    expect(counters.has(alice, 3)).toBe(false);
    expect(counters.has(bob, 5)).toBe(true);
    expect(counters.has(bob, 4)).toBe(false);
    expect(counters.has(bob, 1)).toBe(false);
  });

  it('ignores a counter added twice', () => {
    const counters = new AuthorCounters();
    counters.add(alice, 1);
    counters.add(alice, 3);
    counters.add(alice, 3);
    counters.add(alice, 1);

    expect(counters.highest(alice)).toBe(3);
    expect(counters.gaps()).toEqual(new Map([[alice, [2]]]));
  });

  it('reports the counters missing below the highest, per author', () => {
    const counters = new AuthorCounters();
    counters.add(alice, 1);
    counters.add(alice, 4);
    counters.add(alice, 6);
    counters.add(bob, 3);

    expect(counters.gaps()).toEqual(
      new Map([
        [alice, [2, 3, 5]],
        [bob, [1, 2]],
      ]),
    );

    counters.add(alice, 2);
    counters.add(alice, 3);
    counters.add(alice, 5);
    expect(counters.gaps()).toEqual(new Map([[bob, [1, 2]]]));
  });

  it('lists at most 100 missing counters per author', () => {
    const counters = new AuthorCounters();
    counters.add(alice, 1000);

    const missing = counters.gaps().get(alice) ?? [];
    expect(missing).toHaveLength(100);
    expect(missing[0]).toBe(1);
    expect(missing.at(-1)).toBe(100);
  });

  it('treats every counter a snapshot covers as seen', () => {
    const counters = new AuthorCounters();
    counters.cover(
      new Map([
        [alice, 5],
        [bob, 2],
      ]),
    );

    for (let counter = 1; counter <= 5; counter += 1) expect(counters.has(alice, counter)).toBe(true);
    expect(counters.has(alice, 6)).toBe(false);
    expect(counters.has(bob, 2)).toBe(true);
    expect(counters.has(bob, 3)).toBe(false);
    expect(counters.highest(alice)).toBe(5);
    expect(counters.gaps()).toEqual(new Map());
  });

  it('fills gaps with coverage and keeps the counters above it', () => {
    const counters = new AuthorCounters();
    counters.add(alice, 2);
    counters.add(alice, 7);
    expect(counters.gaps()).toEqual(new Map([[alice, [1, 3, 4, 5, 6]]]));

    counters.cover(new Map([[alice, 4]]));
    expect(counters.gaps()).toEqual(new Map([[alice, [5, 6]]]));
    expect(counters.has(alice, 7)).toBe(true);
    expect(counters.highest(alice)).toBe(7);

    counters.add(alice, 6);
    counters.add(alice, 5);
    expect(counters.gaps()).toEqual(new Map());
    expect(counters.highest(alice)).toBe(7);
  });

  it('joins counters just above the coverage into it', () => {
    const counters = new AuthorCounters();
    counters.add(alice, 6);
    counters.add(alice, 7);
    counters.cover(new Map([[alice, 5]]));

    expect(counters.gaps()).toEqual(new Map());
    expect(counters.highest(alice)).toBe(7);
    expect(counters.coverage()).toEqual(new Map([[alice, 7]]));
  });

  it('never lowers what is covered', () => {
    const counters = new AuthorCounters();
    counters.cover(new Map([[alice, 5]]));
    counters.cover(new Map([[alice, 3]]));

    expect(counters.has(alice, 5)).toBe(true);
    expect(counters.highest(alice)).toBe(5);
    expect(counters.coverage()).toEqual(new Map([[alice, 5]]));
  });

  it("lists each author's highest counter as the coverage a snapshot would carry", () => {
    const counters = new AuthorCounters();
    counters.add(alice, 1);
    counters.add(alice, 2);
    counters.add(bob, 1);
    counters.add(bob, 3);
    counters.cover(new Map([[deviceId('carol'), 9]]));

    expect(counters.coverage()).toEqual(
      new Map([
        [alice, 2],
        [bob, 3],
        [deviceId('carol'), 9],
      ]),
    );
  });

  it('returns a new coverage map each time', () => {
    const counters = new AuthorCounters();
    counters.add(alice, 1);
    const coverage = counters.coverage();
    coverage.set(alice, 50);

    expect(counters.highest(alice)).toBe(1);
    expect(counters.has(alice, 2)).toBe(false);
  });
});
