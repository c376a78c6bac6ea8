import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AutomergeEngine, YjsEngine, type ContentEngine, type EncryptedDocument } from '@coffre/client';
import {
  type RelayHarness,
  TestWorkspace,
  openClient,
  startRelay,
  storageEngine,
  waitFor,
} from './support/relayHarness.ts';
import { SeededRandom, seedsFromEnvironment } from './support/seededRandom.ts';

/** JSON with object keys sorted: map iteration order is not part of the converged state. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : inner,
  );
}

interface EngineUnderTest<E extends ContentEngine> {
  name: string;
  create(): E;
  edit(engine: E, random: SeededRandom, label: string): void;
  read(engine: E): string;
}

const yjs: EngineUnderTest<YjsEngine> = {
  name: 'yjs',
  create: () => new YjsEngine(),
  edit(engine, random, label) {
    const text = engine.doc.getText('body');
    if (text.length > 0 && random.chance(0.3)) {
      const index = random.int(text.length);
      text.delete(index, Math.min(1 + random.int(4), text.length - index));
    } else {
      text.insert(random.int(text.length + 1), `${label}:${random.word()} `);
    }
    if (random.chance(0.1)) engine.doc.getMap('meta').set(random.word(), label);
  },
  read: (engine) =>
    canonical({ body: engine.doc.getText('body').toString(), meta: engine.doc.getMap('meta').toJSON() }),
};

type Records = { rows?: string[]; fields?: Record<string, string> };
const automerge: EngineUnderTest<AutomergeEngine<Records>> = {
  name: 'automerge',
  create: () => new AutomergeEngine<Records>(),
  edit(engine, random, label) {
    engine.change((doc) => {
      doc.rows ??= [];
      doc.fields ??= {};
      if (doc.rows.length > 0 && random.chance(0.3)) doc.rows.splice(random.int(doc.rows.length), 1);
      else doc.rows.splice(random.int(doc.rows.length + 1), 0, `${label}:${random.word()}`);
      if (random.chance(0.2)) doc.fields[random.word()] = label;
    });
  },
  read: (engine) => canonical(engine.doc),
};

const SEEDS = seedsFromEnvironment([5, 11, 29, 47, 83, 101]);
const CLIENTS = 4;
const OPERATIONS = 100;

describe(`random concurrent editing through the relay converges (${storageEngine})`, () => {
  let harness: RelayHarness;
  beforeAll(async () => {
    harness = await startRelay();
  });
  afterAll(async () => {
    await harness.teardown();
  });

  for (const engineUnderTest of [yjs, automerge] as EngineUnderTest<ContentEngine>[]) {
    for (const seed of SEEDS) {
      it(`${engineUnderTest.name}: ${CLIENTS} clients with random disconnects converge (seed ${seed})`, async () => {
        const random = new SeededRandom(seed);
        const workspace = new TestWorkspace();
        const clients: EncryptedDocument<ContentEngine>[] = [];
        const rejected: string[] = [];
        for (let index = 0; index < CLIENTS; index += 1) {
          const client = await openClient({
            harness,
            workspace,
            engine: engineUnderTest.create(),
            extra: { compaction: { maxEntries: 8 + random.int(24), maxBytes: 1 << 20 } },
          });
          client.on('entry-rejected', (event) => rejected.push(`${event.reason}: ${event.message}`));
          clients.push(client);
        }
        await Promise.all(clients.map((client) => client.whenSynced()));
        const online = clients.map(() => true);
        for (let operation = 0; operation < OPERATIONS; operation += 1) {
          const index = random.int(CLIENTS);
          const client = clients[index] as EncryptedDocument<ContentEngine>;
          const roll = random.next();
          if (roll < 0.1) {
            if (online[index]) client.disconnect();
            else client.connect();
            online[index] = !online[index];
          } else if (roll < 0.15) {
            client.envelope.compact();
          } else {
            engineUnderTest.edit(client.engine, random, `c${index}`);
          }
          if (random.chance(0.3)) await new Promise((resolve) => setTimeout(resolve, random.int(15)));
        }
        for (const [index, client] of clients.entries()) {
          if (!online[index]) client.connect();
        }
        const settled = Promise.all(clients.map((client) => client.whenSaved()));
        const describeClients = () =>
          clients
            .map(
              (client, index) =>
                `c${index}: ${JSON.stringify(client.status)} pending=${client.envelope.hasPendingChanges} provider=${client.provider.unsyncedChanges} ${client.provider.configuration.websocketProvider.status}`,
            )
            .join('; ');
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([
          settled,
          new Promise((_resolve, reject) => {
            timer = setTimeout(
              () => reject(new Error(`seed ${seed}: not every client was saved: ${describeClients()}`)),
              20_000,
            );
          }),
        ]);
        clearTimeout(timer);
        const states = () => clients.map((client) => engineUnderTest.read(client.engine));
        try {
          await waitFor(() => new Set(states()).size === 1, 20_000, 'convergence');
        } catch (error) {
          throw new Error(
            `seed ${seed} did not converge (replay with COFFRE_SEEDS=${seed}): ${String(error)}\n${states().join('\n')}`,
            { cause: error },
          );
        }
        expect(rejected, `seed ${seed}`).toEqual([]);
        for (const client of clients) client.destroy();
      });
    }
  }
});
