import { describe, expect, it } from 'vitest';
import { type DeviceId, deviceId } from '@coffre/protocol';
import { HeadsWatch, MAX_HEADS, headsFromWire, headsToWire } from '../src/SyncHeads.ts';

const me = deviceId('device-me');
const ada = deviceId('device-ada');
const bob = deviceId('device-bob');
const heads = (entries: [DeviceId, number][]) => new Map(entries);

describe('signed heads', () => {
  it('reports what a peer has and this device lacks only once the difference outlasts the grace period', () => {
    let now = 0;
    const watch = new HeadsWatch({ self: me, graceMs: 1_000, now: () => now });
    const own = heads([
      [me, 4],
      [ada, 2],
    ]);
    const peers = [{ device: ada, heads: heads([[ada, 5]]) }];
    expect(watch.compare(own, 0, peers)).toEqual({ state: 'in-sync', peers: 1, missing: [], unseen: [] });
    expect(watch.nextCheckIn()).toBe(1_000);
    now = 999;
    expect(watch.compare(own, 0, peers).state).toBe('in-sync');
    now = 1_000;
    expect(watch.compare(own, 0, peers)).toEqual({
      state: 'behind',
      peers: 1,
      missing: [{ peer: ada, author: ada, count: 3 }],
      unseen: [],
    });
    // Caught up: the difference is forgotten, and a new one waits its own grace period.
    expect(watch.compare(heads([[ada, 5]]), 0, peers).state).toBe('in-sync');
    expect(watch.compare(own, 0, peers).state).toBe('in-sync');
  });

  it('reports this device’s confirmed entries a peer has not received, not those still in flight', () => {
    let now = 0;
    const watch = new HeadsWatch({ self: me, graceMs: 10, now: () => now });
    const own = heads([[me, 9]]);
    const peers = [{ device: bob, heads: heads([[me, 6]]) }];
    watch.compare(own, 6, peers);
    now = 20;
    expect(watch.compare(own, 6, peers).state).toBe('in-sync'); // 7-9 not confirmed by the relay yet
    watch.compare(own, 8, peers);
    now = 40;
    expect(watch.compare(own, 8, peers).unseen).toEqual([{ peer: bob, count: 2 }]);
  });

  it('is alone without peers that publish heads, and ignores its own echo', () => {
    const watch = new HeadsWatch({ self: me });
    expect(watch.compare(heads([[me, 1]]), 1, []).state).toBe('alone');
    expect(watch.compare(heads([[me, 1]]), 1, [{ device: me, heads: heads([[ada, 100]]) }]).state).toBe('alone');
  });

  it('travels as pairs, refuses malformed heads, and keeps the newest counters past the limit', () => {
    expect(
      headsFromWire(
        headsToWire(
          heads([
            [ada, 3],
            [bob, 0],
          ]),
        ),
      ),
    ).toEqual(heads([[ada, 3]]));
    for (const bad of [null, 'x', [['a']], [['a', -1]], [['a', 1.5]], [[1, 2]], [['x'.repeat(201), 1]]]) {
      expect(headsFromWire(bad)).toBeUndefined();
    }
    const many = heads(Array.from({ length: MAX_HEADS + 5 }, (_, index) => [deviceId(`d${index}`), index + 1]));
    const wire = headsToWire(many);
    expect(wire).toHaveLength(MAX_HEADS);
    expect(Math.min(...wire.map(([, counter]) => counter))).toBe(6);
  });
});
