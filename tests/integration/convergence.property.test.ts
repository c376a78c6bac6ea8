import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate } from 'y-protocols/awareness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDocumentName } from '@coffre/protocol';
import {
  AutomergeEngine,
  YjsEngine,
  type ContentEngine,
  type DocumentError,
  type EncryptedDocument,
} from '@coffre/client';
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

/** An update of one GC struct: `length` clocks of `client` from `clock`, with no content. */
function gcStruct(client: number, clock: number, length: number): Uint8Array {
  const encoder = encoding.createEncoder();
  for (const value of [1, 1, client, clock]) encoding.writeVarUint(encoder, value);
  encoding.writeUint8(encoder, 0);
  encoding.writeVarUint(encoder, length);
  encoding.writeVarUint(encoder, 0);
  return encoding.toUint8Array(encoder);
}

/** What an attack comes to when the relay has not refused it: generous, since a loaded two-core machine is slow. */
function accepted(kind: string): Promise<string> {
  return new Promise((resolve) => setTimeout(() => resolve(`accepted (${kind})`), 15_000));
}

const ATTACKS = ['gc-range', 'copy-under-victim-id', 'erase-log', 'kind-out-of-place', 'presence-spoof'] as const;

/**
 * One attack by a hostile member with write access (its own device and
 * token), on a fresh connection; resolves with the code the relay refused it
 * with (null for presence, which is dropped silently).
 */
/** The content of the relay's struct at `id` of its envelope (undefined when it holds none or a deleted one). */
function relayContentAt(relay: Y.Doc | undefined, id: Y.ID): unknown {
  const structs = relay?.store.clients.get(id.client) ?? [];
  const struct = structs.find(
    (candidate) => candidate.id.clock <= id.clock && id.clock < candidate.id.clock + candidate.length,
  );
  return struct instanceof Y.Item && !struct.deleted
    ? struct.content.getContent()[id.clock - struct.id.clock]
    : undefined;
}

async function attack(
  hostile: EncryptedDocument<ContentEngine>,
  victim: EncryptedDocument<ContentEngine>,
  kind: (typeof ATTACKS)[number],
  relay: () => Y.Doc | undefined,
): Promise<string | null> {
  await hostile.whenSynced();
  const envelope = hostile.envelope.envelope;
  const victimId = victim.envelope.envelope.clientID;
  const refused = new Promise<string>((resolve) => {
    const off = hostile.on('error', (error: DocumentError) => {
      off();
      resolve(error.code);
    });
  });
  const someFrame = hostile.envelope.log.toArray().at(-1);
  switch (kind) {
    case 'gc-range':
      Y.applyUpdate(envelope, gcStruct(victimId, Y.getState(envelope.store, victimId), 40), 'attacker');
      break;
    case 'copy-under-victim-id': {
      if (!someFrame) return null;
      const forger = new Y.Doc();
      Y.applyUpdate(forger, Y.encodeStateAsUpdate(envelope));
      const before = Y.encodeStateVector(forger);
      forger.clientID = victimId;
      const forged = Y.createID(victimId, Y.getState(forger.store, victimId));
      forger.getArray<Uint8Array>('log').push([someFrame]);
      Y.applyUpdate(envelope, Y.encodeStateAsUpdate(forger, before), 'attacker');
      const outcome = await Promise.race([refused, accepted(kind)]);
      // The victim's own entry may have reached the relay first at that id: then the forgery was moot.
      if (!outcome.startsWith('accepted')) return outcome;
      const held = relayContentAt(relay(), forged);
      return held instanceof Uint8Array && Buffer.from(held).equals(Buffer.from(someFrame)) ? outcome : 'moot';
    }
    case 'erase-log': {
      const log = envelope.getArray<Uint8Array>('log');
      if (log.length === 0) return null;
      envelope.transact(() => log.delete(0, log.length), 'attacker');
      break;
    }
    case 'kind-out-of-place':
      if (!someFrame) return null;
      envelope.getArray<Uint8Array>('versions').push([someFrame]);
      break;
    case 'presence-spoof': {
      const target = victim.transport.awareness.clientID;
      const awareness = hostile.transport.awareness;
      if (target === undefined || !awareness) return null;
      const spoof = new Awareness(new Y.Doc());
      spoof.clientID = target;
      spoof.setLocalState({});
      const meta = (spoof as unknown as { meta: Map<number, { clock: number; lastUpdated: number }> }).meta;
      meta.set(target, { clock: 1_000_000, lastUpdated: Date.now() });
      applyAwarenessUpdate(awareness, encodeAwarenessUpdate(spoof, [target]), 'attacker');
      spoof.destroy();
      return null;
    }
  }
  return Promise.race([refused, accepted(kind)]);
}

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
        const refusals: string[] = [];
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
          } else if (roll < 0.2) {
            // A hostile member attacks on its own connection, in the middle of honest traffic.
            const hostile = await openClient({ harness, workspace, engine: engineUnderTest.create() });
            const relay = () => harness.relay.hocuspocus.documents.get(formatDocumentName(workspace.address));
            const refusal = await attack(hostile, client, random.pick(ATTACKS), relay);
            if (refusal !== null) refusals.push(refusal);
            hostile.destroy();
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
                `c${index}: ${JSON.stringify(client.status)} pending=${client.envelope.hasPendingChanges} unacknowledged=${client.transport.unsyncedChanges} ${client.transport.connection}`,
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
        expect(
          refusals.filter((code) => code.startsWith('accepted')),
          `seed ${seed}: attacks the relay accepted`,
        ).toEqual([]);
        // "Saved" means held: every entry each client sealed is in the relay's state.
        const relayDocument = harness.relay.hocuspocus.documents.get(formatDocumentName(workspace.address));
        if (!relayDocument) throw new Error('the relay has no document');
        const relayState = Y.decodeStateVector(Y.encodeStateVector(relayDocument));
        for (const client of clients) {
          expect(client.envelope.confirmedCounter(relayState), `seed ${seed}`).toBe(client.envelope.ownCounter);
        }
        // And a fresh reader, from what the relay stored, reads the same.
        const reader = await openClient({ harness, workspace, engine: engineUnderTest.create() });
        await reader.whenSynced();
        await waitFor(() => engineUnderTest.read(reader.engine) === states()[0], 20_000, 'a fresh reader');
        reader.destroy();
        for (const client of clients) client.destroy();
      }, 120_000);
    }
  }
});
