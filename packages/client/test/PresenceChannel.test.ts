import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate } from 'y-protocols/awareness';
import { ready } from '@coffre/crypto';
import { PresenceChannel, type PresencePeer } from '../src/PresenceChannel.ts';
import { write, writerAndReader } from './harness/textReplicas.ts';

beforeAll(async () => {
  await ready();
});

afterEach(() => {
  vi.useRealTimers();
});

/** Two presence channels over real awarenesses, with what one publishes handed to the other as a relay would. */
function pair() {
  const { writer, reader } = writerAndReader();
  const writerAwareness = new Awareness(new Y.Doc());
  const readerAwareness = new Awareness(new Y.Doc());
  const sent: string[] = [];
  writerAwareness.on('update', ({ added, updated }: { added: number[]; updated: number[] }) => {
    const changed = [...added, ...updated];
    sent.push(String((writerAwareness.getLocalState() as { sealed: string }).sealed));
    applyAwarenessUpdate(readerAwareness, encodeAwarenessUpdate(writerAwareness, changed), 'relay');
  });
  const peersSeen: PresencePeer[][] = [];
  const common = { confirmed: () => 0, headsIntervalMs: 1_000, onHeads: () => undefined };
  const publishing = new PresenceChannel({
    ...common,
    envelope: writer.envelope,
    awareness: writerAwareness,
    onPeers: () => undefined,
  });
  const listening = new PresenceChannel({
    ...common,
    envelope: reader.envelope,
    awareness: readerAwareness,
    onPeers: (peers) => peersSeen.push(peers),
  });
  return {
    writer,
    publishing,
    listening,
    sent,
    peersSeen,
    close: () => [publishing, listening].forEach((c) => c.destroy()),
  };
}

describe('PresenceChannel', () => {
  it('carries heads on at most one presence a second, and peers keep the last heads they saw', () => {
    vi.useFakeTimers();
    const { writer, publishing, listening, sent, close } = pair();
    write(writer, 'Hello');
    publishing.set({ caret: 1 });
    const first = sent.length;
    expect(listening.peers[0]?.heads?.get(writer.device.id)).toBe(writer.envelope.ownCounter);

    // Typing: a caret every 80 ms, heads changing each time.
    for (let index = 0; index < 10; index += 1) {
      write(writer, '!');
      publishing.changed();
      publishing.set({ caret: 2 + index });
      vi.advanceTimersByTime(80);
    }
    const withHeads = sent
      .slice(first)
      .filter((sealed) => writer.envelope.openPresence(Buffer.from(sealed, 'base64url'))?.heads);
    expect(sent.length - first).toBeGreaterThanOrEqual(10);
    expect(withHeads.length).toBeLessThanOrEqual(1);
    // Between heads, the peer still has the last ones it saw.
    expect(listening.peers[0]?.heads?.size).toBe(1);
    vi.advanceTimersByTime(1_000);
    expect(listening.peers[0]?.heads?.get(writer.device.id)).toBe(writer.envelope.ownCounter);
    close();
  });
});
