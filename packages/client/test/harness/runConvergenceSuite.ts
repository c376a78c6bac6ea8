import * as Y from 'yjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '@coffre/crypto';
import type { CompactionPolicy, ContentEngine } from '../../src/index.ts';
import { type Replica, type ReplicaSet, createDevice, createReplica, createReplicas } from './createReplicas.ts';
import { SeededRandom } from './SeededRandom.ts';
import { type NetworkStats, SimulatedNetwork } from './SimulatedNetwork.ts';

/** Fixed seeds: a failing seed is printed in the assertion message and can be added here as a regression. */
export const CONVERGENCE_SEEDS: readonly number[] = [
  1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610, 987, 1597, 2584, 4181, 6765, 10946,
];

export interface ScenarioOptions {
  seed: number;
  replicas?: number;
  steps?: number;
  /** Chance per step that a random member calls compact(). */
  compactChance?: number;
  /** The envelopes' automatic compaction policy. */
  compaction?: CompactionPolicy | false;
}

export interface ConvergenceEngine<E extends ContentEngine> {
  makeEngine: (replicaIndex: number, seed: number) => E;
  randomEdit: (engine: E, random: SeededRandom) => void;
  readContent: (engine: E) => unknown;
}

export interface ScenarioResult {
  /** Entries sealed over the whole run, by every member. */
  sealedEntries: number;
  /** Snapshots sealed over the whole run. */
  snapshots: number;
  /** Log length of each member once everything was delivered. */
  finalLogLengths: number[];
  /** 'incomplete' events seen over the run (transient gaps while a snapshot waits for its neighbours). */
  incompleteEvents: number;
  network: NetworkStats;
}

function logBytes(replica: Replica): number {
  return replica.envelope.log.toArray().reduce((total, frame) => total + frame.length, 0);
}

function sameLog(a: Replica, b: Replica): boolean {
  const left = a.envelope.log.toArray();
  const right = b.envelope.log.toArray();
  return (
    left.length === right.length &&
    left.every((frame, index) => {
      const other = right[index];
      return other !== undefined && Buffer.from(frame).equals(other);
    })
  );
}

function flushAll(replicas: readonly Replica[]): number {
  const before = replicas.reduce((total, replica) => total + replica.sealed.length, 0);
  for (const replica of replicas) replica.envelope.flush();
  return replicas.reduce((total, replica) => total + replica.sealed.length, 0) - before;
}

/**
 * Runs `steps` random operations (edits, flushes, compactions, deliveries,
 * duplicates, drops, disconnects, reconnects) over a set of replicas, then
 * delivers everything and checks that every member holds the same envelope
 * and the same content, that no honest entry was rejected and that no
 * member still misses a counter. Every assertion message names the seed.
 */
export function runConvergenceScenario<E extends ContentEngine>(
  engine: ConvergenceEngine<E>,
  options: ScenarioOptions,
): ScenarioResult {
  const { seed } = options;
  const random = new SeededRandom(seed);
  const set: ReplicaSet<E> = createReplicas({
    count: options.replicas ?? 3 + (seed % 3),
    random: random.fork(),
    makeEngine: (index) => engine.makeEngine(index, seed),
    compaction: options.compaction ?? false,
  });
  const { replicas } = set;
  const network = new SimulatedNetwork(
    replicas.map((replica) => replica.doc),
    random.fork(),
  );
  const at = (step: number | string): string => `seed ${seed}, ${String(step)}`;
  try {
    const steps = options.steps ?? 200;
    const compactChance = options.compactChance ?? 0;
    for (let step = 0; step < steps; step += 1) {
      const replica = random.pick(replicas);
      const roll = random.next();
      if (roll < compactChance) {
        const before = replica.envelope.log.length;
        const snapshotsBefore = replica.sealed.filter((event) => event.kind === 'snapshot').length;
        replica.envelope.compact();
        const compacted = replica.sealed.filter((event) => event.kind === 'snapshot').length > snapshotsBefore;
        const after = replica.envelope.log.length;
        // A compaction leaves only its snapshot; a refused one (counters missing) leaves the log alone.
        expect(after, at(`step ${step}: log after compact() on replica ${replica.index}`)).toBe(compacted ? 1 : before);
        continue;
      }
      const action = random.next();
      if (action < 0.35) {
        engine.randomEdit(replica.engine, random);
      } else if (action < 0.55) {
        replica.envelope.flush();
      } else if (action < 0.8) {
        network.deliver(random.between(1, 4));
      } else if (action < 0.84) {
        network.duplicateOne();
      } else if (action < 0.88) {
        network.dropOne();
      } else if (network.isOnline(replica.index)) {
        network.disconnect(replica.index);
      } else {
        network.reconnect(replica.index);
      }
    }

    // Everything still pending is sealed and delivered; a round of sealing may follow remote changes.
    flushAll(replicas);
    network.settle();
    for (let round = 0; round < 3 && flushAll(replicas) > 0; round += 1) network.settle();

    const first = replicas[0] as Replica<E>;
    const expected = engine.readContent(first.engine);
    for (const replica of replicas) {
      expect(replica.rejections, at(`entries rejected by replica ${replica.index}`)).toEqual([]);
      expect(replica.incomplete.at(-1) ?? new Map(), at(`replica ${replica.index} still misses counters`)).toEqual(
        new Map(),
      );
      expect(sameLog(replica, first), at(`envelope of replica ${replica.index} differs from replica 0`)).toBe(true);
      expect(
        engine.readContent(replica.engine),
        at(`content of replica ${replica.index} differs from replica 0`),
      ).toEqual(expected);
      expect(replica.envelope.size, at(`size() of replica ${replica.index} does not match its log`)).toEqual({
        entries: replica.envelope.log.length,
        bytes: logBytes(replica),
      });
    }
    const sealedEntries = replicas.reduce((total, replica) => total + replica.sealed.length, 0);
    const snapshots = replicas.reduce(
      (total, replica) => total + replica.sealed.filter((event) => event.kind === 'snapshot').length,
      0,
    );
    const finalLogLengths = replicas.map((replica) => replica.envelope.log.length);

    // A member joining now rebuilds the same content from the envelope alone.
    const joiner = createReplica({
      index: replicas.length,
      engine: engine.makeEngine(replicas.length, seed),
      device: createDevice('joiner', random.fork()),
      keyring: set.keyring,
      devices: set.devices,
    });
    try {
      Y.applyUpdate(joiner.doc, Y.encodeStateAsUpdate(first.doc));
      expect(joiner.rejections, at('entries rejected by a member joining at the end')).toEqual([]);
      expect(engine.readContent(joiner.engine), at('content of a member joining at the end')).toEqual(expected);
    } finally {
      joiner.envelope.destroy();
      joiner.engine.destroy();
    }
    const incompleteEvents = replicas.reduce((total, replica) => total + replica.incomplete.length, 0);
    return { sealedEntries, snapshots, finalLogLengths, incompleteEvents, network: { ...network.stats } };
  } finally {
    network.destroy();
    set.destroy();
  }
}

/**
 * Compacts one member once everything converged, delivers, and checks that
 * every log holds one snapshot, the content did not change, and a member
 * joining afterwards reads the same content from that snapshot alone.
 */
export function runFinalCompaction<E extends ContentEngine>(engine: ConvergenceEngine<E>, seed: number): void {
  const random = new SeededRandom(seed);
  const set = createReplicas({
    count: 3,
    random: random.fork(),
    makeEngine: (index) => engine.makeEngine(index, seed),
  });
  const network = new SimulatedNetwork(
    set.replicas.map((replica) => replica.doc),
    random.fork(),
    { dropChance: 0, duplicateChance: 0.2 },
  );
  const at = (what: string): string => `seed ${seed}: ${what}`;
  try {
    for (let step = 0; step < 40; step += 1) {
      const replica = random.pick(set.replicas);
      engine.randomEdit(replica.engine, random);
      if (random.chance(0.5)) replica.envelope.flush();
      network.deliver(random.between(0, 2));
    }
    flushAll(set.replicas);
    network.settle();
    const first = set.replicas[0] as Replica<E>;
    const before = engine.readContent(first.engine);
    const logBefore = first.envelope.log.length;
    expect(logBefore, at('entries before compaction')).toBeGreaterThan(1);

    first.envelope.compact();
    network.settle();

    for (const replica of set.replicas) {
      expect(replica.envelope.log.length, at(`log of replica ${replica.index} after compaction`)).toBe(1);
      expect(replica.envelope.size.bytes, at(`size of replica ${replica.index} after compaction`)).toBe(
        logBytes(replica),
      );
      expect(engine.readContent(replica.engine), at(`content of replica ${replica.index} after compaction`)).toEqual(
        before,
      );
      expect(replica.rejections, at(`entries rejected by replica ${replica.index}`)).toEqual([]);
    }

    const joinerDevice = createDevice('joiner', random.fork());
    // The members trust the new device (one directory is shared by the set), so its entries are applied.
    set.devices.set(joinerDevice.id, joinerDevice.signingKeyPair.publicKey);
    const joiner = createReplica({
      engine: engine.makeEngine(9, seed),
      device: joinerDevice,
      keyring: set.keyring,
      devices: set.devices,
    });
    try {
      Y.applyUpdate(joiner.doc, Y.encodeStateAsUpdate(first.doc));
      expect(joiner.envelope.log.length, at('log a joiner receives')).toBe(1);
      expect(joiner.rejections, at('entries rejected by a joiner')).toEqual([]);
      expect(engine.readContent(joiner.engine), at('content a joiner reads from the snapshot')).toEqual(before);

      // The joiner can write on top of the snapshot and the others apply it.
      engine.randomEdit(joiner.engine, random);
      joiner.envelope.flush();
      const joinerState = Y.encodeStateAsUpdate(joiner.doc);
      for (const replica of set.replicas) Y.applyUpdate(replica.doc, joinerState);
      for (const replica of set.replicas) {
        expect(engine.readContent(replica.engine), at(`replica ${replica.index} after the joiner's edit`)).toEqual(
          engine.readContent(joiner.engine),
        );
        expect(replica.rejections, at(`entries rejected by replica ${replica.index}`)).toEqual([]);
      }
    } finally {
      joiner.envelope.destroy();
      joiner.engine.destroy();
    }
  } finally {
    network.destroy();
    set.destroy();
  }
}

/**
 * The convergence suite every content engine is held to: the same faulty
 * network, the same seeds, the same checks.
 */
export function runConvergenceSuite<E extends ContentEngine>(
  engineName: string,
  makeEngine: ConvergenceEngine<E>['makeEngine'],
  randomEdit: ConvergenceEngine<E>['randomEdit'],
  readContent: ConvergenceEngine<E>['readContent'],
): void {
  const engine: ConvergenceEngine<E> = { makeEngine, randomEdit, readContent };

  describe(`${engineName}: replicas over a network that reorders, duplicates, delays and drops`, () => {
    beforeAll(async () => {
      await ready();
    });

    for (const seed of CONVERGENCE_SEEDS) {
      it(`converge to the same content and reject no entry (seed ${seed})`, () => {
        const result = runConvergenceScenario(engine, { seed });
        expect(result.sealedEntries, `seed ${seed}: nothing was sealed`).toBeGreaterThan(0);
      });
    }

    for (const seed of CONVERGENCE_SEEDS) {
      it(`converge while members compact at random (seed ${seed})`, () => {
        const result = runConvergenceScenario(engine, { seed, compactChance: 0.05 });
        expect(result.snapshots, `seed ${seed}: no member compacted`).toBeGreaterThan(0);
      });
    }

    for (const seed of CONVERGENCE_SEEDS) {
      it(`converge under a compaction policy of 5 entries, and the log stays shorter than what was sealed (seed ${seed})`, () => {
        const result = runConvergenceScenario(engine, {
          seed,
          compaction: { maxEntries: 5, maxBytes: 1024 * 1024 },
        });
        expect(result.snapshots, `seed ${seed}: the policy never compacted`).toBeGreaterThan(0);
        for (const length of result.finalLogLengths) {
          expect(length, `seed ${seed}: log length versus ${result.sealedEntries} entries sealed`).toBeLessThan(
            result.sealedEntries,
          );
        }
      });
    }

    it('after a final compaction every log holds one snapshot and a new member reads the same content', () => {
      for (const seed of CONVERGENCE_SEEDS.slice(0, 5)) runFinalCompaction(engine, seed);
    });
  });
}
