import * as Y from 'yjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '@coffre/crypto';
import { YjsEngine } from '../src/index.ts';
import { type ConvergenceEngine, runConvergenceScenario } from './harness/runConvergenceSuite.ts';
import { SeededRandom } from './harness/SeededRandom.ts';
import { SimulatedNetwork } from './harness/SimulatedNetwork.ts';

beforeAll(async () => {
  await ready();
});

/** Drops every third remote update it is given: a broken engine the suite must catch. */
class ForgetfulYjsEngine extends YjsEngine {
  #calls = 0;
  override applyRemote(update: Uint8Array): void {
    this.#calls += 1;
    if (this.#calls % 3 !== 0) super.applyRemote(update);
  }
}

function textEngine(make: (index: number) => YjsEngine): ConvergenceEngine<YjsEngine> {
  return {
    makeEngine: make,
    randomEdit: (engine, random) => {
      const body = engine.doc.getText('body');
      body.insert(random.int(body.length + 1), random.word());
    },
    readContent: (engine) => engine.doc.getText('body').toJSON(),
  };
}

function withClientId(engine: YjsEngine, index: number): YjsEngine {
  engine.doc.clientID = index + 1;
  return engine;
}

describe('test harness', () => {
  it('SeededRandom repeats its sequence for a seed and differs between seeds', () => {
    const first = Array.from(
      { length: 20 },
      (
        (random) => () =>
          random.next()
      )(new SeededRandom(42)),
    );
    const again = Array.from(
      { length: 20 },
      (
        (random) => () =>
          random.next()
      )(new SeededRandom(42)),
    );
    const other = Array.from(
      { length: 20 },
      (
        (random) => () =>
          random.next()
      )(new SeededRandom(43)),
    );

    expect(again).toEqual(first);
    expect(other).not.toEqual(first);
    expect(first.every((value) => value >= 0 && value < 1)).toBe(true);
  });

  it('replays the same run for the same seed', () => {
    const engine = textEngine((index) => withClientId(new YjsEngine(new Y.Doc()), index));
    const first = runConvergenceScenario(engine, { seed: 99, compactChance: 0.05 });
    const again = runConvergenceScenario(engine, { seed: 99, compactChance: 0.05 });

    expect(again).toEqual(first);
    expect(first.network.dropped).toBeGreaterThan(0);
    expect(first.network.duplicated).toBeGreaterThan(0);
    expect(first.network.reconnects).toBeGreaterThan(0);
  });

  it('fails a run whose engine loses updates, naming the seed', () => {
    const engine = textEngine((index) => withClientId(new ForgetfulYjsEngine(new Y.Doc()), index));

    expect(() => runConvergenceScenario(engine, { seed: 1234 })).toThrow(/seed 1234/);
  });

  it('delivers everything once settled, despite drops and disconnects', () => {
    const random = new SeededRandom(5);
    const docs = [new Y.Doc(), new Y.Doc(), new Y.Doc()];
    const network = new SimulatedNetwork(docs, random, { dropChance: 0.5, duplicateChance: 0.5 });
    docs.forEach((doc, index) => doc.getArray<number>('numbers').push([index]));
    network.disconnect(1);
    docs[1]?.getArray<number>('numbers').push([10]);
    network.deliver(2);

    network.settle();

    const contents = docs.map((doc) =>
      doc
        .getArray<number>('numbers')
        .toArray()
        .sort((a, b) => a - b),
    );
    expect(contents).toEqual([contents[0], contents[0], contents[0]]);
    expect(contents[0]).toEqual([0, 1, 2, 10]);
    expect(network.inFlight).toBe(0);
    network.destroy();
  });
});
