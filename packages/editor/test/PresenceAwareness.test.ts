import type { EncryptedDocument } from '@coffre/client';
import { describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import {
  ANONYMOUS_NAME,
  type EditorPresenceState,
  PresenceAwareness,
  type PresenceSource,
  contentFragment,
  encodeRelativePosition,
  parsePeerPresence,
  userColor,
} from '../src/index.ts';
import { FakePresenceHub } from './FakePresenceHub.ts';

// EncryptedDocument must be usable as a presence source as it is (checked by tsc).
export const encryptedDocumentIsAPresenceSource = (document: EncryptedDocument): PresenceSource => document;

function documentWithText(text: string): { doc: Y.Doc; paragraph: Y.XmlText } {
  const doc = new Y.Doc();
  const element = new Y.XmlElement('paragraph');
  const paragraph = new Y.XmlText(text);
  element.insert(0, [paragraph]);
  contentFragment(doc).insert(0, [element]);
  return { doc, paragraph };
}

function cursorAt(paragraph: Y.XmlText, index: number): { anchor: Y.RelativePosition; head: Y.RelativePosition } {
  return {
    anchor: Y.createRelativePositionFromTypeIndex(paragraph, index),
    head: Y.createRelativePositionFromTypeIndex(paragraph, index),
  };
}

describe('PresenceAwareness', () => {
  it('publishes the local user and cursor as JSON that survives JSON.stringify', () => {
    const hub = new FakePresenceHub();
    const { doc, paragraph } = documentWithText('Hello');
    const awareness = new PresenceAwareness(doc, hub.join(doc.clientID), { publishIntervalMs: 0 });

    awareness.setLocalStateField('user', { name: 'Ada', color: '#1D4ED8' });
    awareness.setLocalStateField('cursor', cursorAt(paragraph, 3));

    const published = JSON.parse(hub.published.at(-1) as string) as EditorPresenceState;
    expect(published.user).toEqual({ name: 'Ada', color: '#1d4ed8' });
    expect(typeof published.cursor?.anchor).toBe('string');
    const decoded = Y.decodeRelativePosition(Buffer.from(published.cursor?.anchor as string, 'base64'));
    expect(Y.createAbsolutePositionFromRelativePosition(decoded, doc)?.index).toBe(3);
    awareness.destroy();
  });

  it('shows a peer whose cursor went through JSON at the same place in the shared text', () => {
    const hub = new FakePresenceHub();
    const { doc: docA, paragraph } = documentWithText('Hello world');
    const docB = new Y.Doc();
    Y.applyUpdate(docB, Y.encodeStateAsUpdate(docA));
    const awarenessA = new PresenceAwareness(docA, hub.join(1001), { publishIntervalMs: 0 });
    const awarenessB = new PresenceAwareness(docB, hub.join(1002), { publishIntervalMs: 0 });

    awarenessA.setLocalState({ user: { name: 'Ada', color: '#b91c1c' }, cursor: cursorAt(paragraph, 6) });

    const peer = awarenessB.getStates().get(1001) as { user: unknown; cursor: { anchor: unknown } };
    expect(peer.user).toEqual({ name: 'Ada', color: '#b91c1c' });
    const anchor = Y.createRelativePositionFromJSON(peer.cursor.anchor);
    const absolute = Y.createAbsolutePositionFromRelativePosition(anchor, docB);
    expect(absolute?.index).toBe(6);
    expect((absolute?.type as Y.XmlText).toString()).toBe('Hello world');
    awarenessA.destroy();
    awarenessB.destroy();
  });

  it('removes a peer when the source stops reporting it, and when the peer publishes null', () => {
    const hub = new FakePresenceHub();
    const { doc } = documentWithText('x');
    const awareness = new PresenceAwareness(doc, hub.join(1), { publishIntervalMs: 0 });
    const changes: unknown[] = [];
    awareness.on('change', (change: unknown) => changes.push(change));

    hub.inject(2, { user: { name: 'Bob', color: '#047857' }, cursor: null });
    expect(awareness.getStates().has(2)).toBe(true);
    hub.inject(2, null);

    expect(awareness.getStates().has(2)).toBe(false);
    expect(changes).toEqual([
      { added: [2], updated: [], removed: [] },
      { added: [], updated: [], removed: [2] },
    ]);
    awareness.destroy();
  });

  it('shows a peer whose name changed as gone and back, so its caret is drawn again with the new label', () => {
    const hub = new FakePresenceHub();
    const { doc } = documentWithText('x');
    const awareness = new PresenceAwareness(doc, hub.join(1), { publishIntervalMs: 0 });
    const changes: unknown[] = [];
    awareness.on('change', (change: unknown) => changes.push(change));

    hub.inject(2, { user: { name: 'A member', color: '#047857' }, cursor: null });
    hub.inject(2, { user: { name: 'You (another device)', color: '#047857' }, cursor: null });

    expect(changes).toEqual([
      { added: [2], updated: [], removed: [] },
      { added: [], updated: [], removed: [2] },
      { added: [2], updated: [], removed: [] },
    ]);
    expect((awareness.getStates().get(2) as EditorPresenceState).user.name).toBe('You (another device)');
    awareness.destroy();
  });

  it('keeps an idle peer beyond the 30-second timeout of y-protocols', () => {
    vi.useFakeTimers();
    try {
      const hub = new FakePresenceHub();
      const { doc } = documentWithText('x');
      const awareness = new PresenceAwareness(doc, hub.join(1), { publishIntervalMs: 0 });
      hub.inject(2, { user: { name: 'Bob', color: '#047857' }, cursor: null });

      // lib0 reads the clock through a reference to the real Date.now, so age the peer by hand.
      const meta = awareness.meta.get(2);
      if (meta) meta.lastUpdated -= 120_000;
      vi.advanceTimersByTime(10_000);

      expect(awareness.getStates().has(2)).toBe(true);
      awareness.destroy();
    } finally {
      vi.useRealTimers();
    }
  });

  it('publishes nothing twice when the local state changes in ways peers cannot see', () => {
    const hub = new FakePresenceHub();
    const { doc } = documentWithText('x');
    const awareness = new PresenceAwareness(doc, hub.join(1), { publishIntervalMs: 0 });
    awareness.setLocalStateField('user', { name: 'Ada', color: '#1d4ed8' });
    awareness.setLocalStateField('somethingElse', 1);
    expect(hub.published).toHaveLength(1);
    awareness.destroy();
  });

  it('stops listening and tells peers the caret is gone when destroyed', () => {
    const hub = new FakePresenceHub();
    const { doc } = documentWithText('x');
    const source = hub.join(1);
    const awareness = new PresenceAwareness(doc, source, { publishIntervalMs: 0 });
    awareness.setLocalStateField('user', { name: 'Ada', color: '#1d4ed8' });

    awareness.destroy();

    expect(hub.published.at(-1)).toBe('null');
    expect(source.listenerCount).toBe(0);
  });

  it('publishes nothing once the source is destroyed, and reports a failing source instead of throwing', () => {
    const hub = new FakePresenceHub();
    const { doc } = documentWithText('x');
    const source = hub.join(1);
    const errors: unknown[] = [];
    const awareness = new PresenceAwareness(doc, source, {
      onError: (error) => errors.push(error),
      publishIntervalMs: 0,
    });
    source.setPresence = () => {
      throw new Error('sealing failed');
    };
    awareness.setLocalStateField('user', { name: 'Ada', color: '#1d4ed8' });
    expect(errors).toHaveLength(1);

    source.destroyed = true;
    awareness.setLocalStateField('user', { name: 'Ada B.', color: '#1d4ed8' });
    expect(errors).toHaveLength(1);
    awareness.destroy();
  });

  it('ignores a peer reporting this client id, and peers with ids that are not safe integers', () => {
    const hub = new FakePresenceHub();
    const { doc } = documentWithText('x');
    const awareness = new PresenceAwareness(doc, hub.join(5), { publishIntervalMs: 0 });
    awareness.setPeers([
      { clientId: doc.clientID, state: { user: { name: 'Me?' }, cursor: null } },
      { clientId: -1, state: { user: { name: 'Negative' }, cursor: null } },
      { clientId: 1.5, state: { user: { name: 'Fraction' }, cursor: null } },
    ]);
    expect([...awareness.getStates().keys()]).toEqual([doc.clientID]);
    awareness.destroy();
  });
});

describe('parsePeerPresence', () => {
  const { doc, paragraph } = documentWithText('Hello');
  const anchor = encodeRelativePosition(Y.createRelativePositionFromTypeIndex(paragraph, 1));

  it('rejects states that are not objects with a user', () => {
    for (const state of [null, 'Ada', 42, [], {}, { user: 'Ada' }, { cursor: { anchor, head: anchor } }]) {
      expect(parsePeerPresence(state, doc, 7)).toBeNull();
    }
  });

  it('keeps names as text, strips control and bidirectional characters, and bounds their length', () => {
    const parse = (name: unknown): string | undefined => parsePeerPresence({ user: { name } }, doc, 7)?.user.name;
    expect(parse('<script>alert(1)</script>')).toBe('<script>alert(1)</script>');
    expect(parse('Ada\u202eecilA\u0000\n Lovelace')).toBe('AdaecilA Lovelace');
    expect(parse('x'.repeat(200))).toHaveLength(64);
    expect(parse('   ')).toBe(ANONYMOUS_NAME);
    expect(parse({ toString: 'Ada' })).toBe(ANONYMOUS_NAME);
  });

  it('replaces a colour that is not six-digit hex (CSS injection) with a stable one', () => {
    for (const color of ['red; background: url(https://evil.example)', '#fff', 'rgb(0,0,0)', 12]) {
      expect(parsePeerPresence({ user: { name: 'Ada', color } }, doc, 7)?.user.color).toBe(userColor(7));
    }
  });

  it('drops cursors that are malformed or name a root type the document does not have', () => {
    const unknownRoot = encodeRelativePosition(Y.createRelativePositionFromTypeIndex(new Y.Doc().getText('other'), 0));
    for (const cursor of [
      'here',
      { anchor: 'not base64!', head: anchor },
      { anchor: 'A'.repeat(500), head: anchor },
      { anchor: unknownRoot, head: unknownRoot },
      { anchor, head: 12 },
    ]) {
      const parsed = parsePeerPresence({ user: { name: 'Ada', color: '#1d4ed8' }, cursor }, doc, 7);
      expect(parsed?.user.name).toBe('Ada');
      expect(parsed?.cursor).toBeNull();
    }
    expect(doc.share.has('other')).toBe(false);
  });
});

describe('PresenceAwareness publishing rate', () => {
  it('publishes the first caret move at once and only the latest of a burst at the end of the interval', () => {
    vi.useFakeTimers();
    try {
      const doc = new Y.Doc();
      const published: unknown[] = [];
      const source = {
        presence: [],
        setPresence: (state: unknown) => published.push(state),
        on: () => () => undefined,
      };
      const awareness = new PresenceAwareness(doc, source, { publishIntervalMs: 80 });
      for (let index = 0; index < 10; index += 1) {
        awareness.setLocalStateField('user', { name: `Ada ${index}`, color: '#1d4ed8' });
        vi.advanceTimersByTime(5);
      }
      expect(published).toHaveLength(1);
      vi.advanceTimersByTime(80);
      expect(published).toHaveLength(2);
      expect(JSON.stringify(published.at(-1))).toContain('Ada 9');
      awareness.destroy();
      // Leaving is said at once.
      expect(published.at(-1)).toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });
});
