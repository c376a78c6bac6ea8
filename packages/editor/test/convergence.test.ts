// @vitest-environment happy-dom
import type { Editor } from '@tiptap/core';
import * as prng from 'lib0/prng';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { contentFragment, createCoffreEditor, toContentJson } from '../src/index.ts';

const REMOTE = Symbol('remote');
const WORDS = ['alpha', 'beta', 'gamma', ' ', 'delta ', 'é', '👩‍💻', '|', '*'];

interface Peer {
  doc: Y.Doc;
  editor: Editor;
  inbox: Uint8Array[];
}

const peers: Peer[] = [];

afterEach(() => {
  for (const peer of peers.splice(0)) peer.editor.destroy();
});

/** Peers whose updates reach the others late, out of order and sometimes twice. */
function network(count: number): Peer[] {
  for (let index = 0; index < count; index += 1) {
    const doc = new Y.Doc();
    // Fixed client ids: Yjs orders concurrent inserts by client id, so a seed replays exactly.
    doc.clientID = index + 1;
    const editor = createCoffreEditor({ element: document.createElement('div'), fragment: contentFragment(doc) });
    const peer: Peer = { doc, editor, inbox: [] };
    doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin === REMOTE) return;
      for (const other of peers) if (other !== peer) other.inbox.push(update);
    });
    peers.push(peer);
  }
  return peers;
}

function deliverSome(random: prng.PRNG, peer: Peer): void {
  while (peer.inbox.length > 0 && prng.bool(random)) {
    const index = prng.uint32(random, 0, peer.inbox.length - 1);
    const update = peer.inbox[index] as Uint8Array;
    if (!prng.int32(random, 0, 9)) peer.inbox.push(update); // delivered again later
    peer.inbox.splice(index, 1);
    Y.applyUpdate(peer.doc, update, REMOTE);
  }
}

/** A position a user's cursor can be at: inside a textblock, never between the halves of a surrogate pair. */
function randomPosition(random: prng.PRNG, editor: Editor): number {
  const { doc } = editor.state;
  const positions: number[] = [];
  doc.descendants((node, position) => {
    if (!node.isTextblock) return true;
    for (let offset = 0; offset <= node.content.size; offset += 1) {
      const at = position + 1 + offset;
      if (offset === 0 || !/[\uD800-\uDBFF]$/.test(doc.textBetween(at - 1, at))) positions.push(at);
    }
    return false;
  });
  return positions.length === 0 ? 1 : prng.oneOf(random, positions);
}

function edit(random: prng.PRNG, editor: Editor): void {
  const [from, to] = [randomPosition(random, editor), randomPosition(random, editor)].sort((a, b) => a - b) as [
    number,
    number,
  ];
  const chain = editor.chain().setTextSelection({ from, to });
  switch (prng.uint32(random, 0, 8)) {
    case 0:
    case 1:
    case 2:
      chain.insertContent(prng.oneOf(random, WORDS)).run();
      break;
    case 3:
      chain.deleteSelection().run();
      break;
    case 4:
      chain.toggleBold().run();
      break;
    case 5:
      // Enter at a cursor (TipTap's splitBlock throws on some selections that span blocks).
      editor.chain().setTextSelection(from).splitBlock().run();
      break;
    case 6:
      chain.toggleHeading({ level: 2 }).run();
      break;
    case 7:
      chain.toggleTaskList().run();
      break;
    default:
      editor.commands.undo();
  }
}

describe('convergence of editors under a bad network', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    it(`three editors editing at once end with the same document (seed ${seed})`, () => {
      const random = prng.create(seed);
      const [first] = network(3);
      first?.editor.commands.insertContent('<p>Shared start</p>');

      for (let step = 0; step < 150; step += 1) {
        const peer = prng.oneOf(random, peers);
        edit(random, peer.editor);
        deliverSome(random, prng.oneOf(random, peers));
      }
      for (const peer of peers) {
        for (const update of peer.inbox.splice(0)) Y.applyUpdate(peer.doc, update, REMOTE);
      }

      const expected = peers[0]?.editor.getJSON();
      expect(peers[0]?.editor.state.doc.textContent).not.toBe('Shared start');
      for (const peer of peers) {
        expect(peer.editor.getJSON(), `seed ${seed}`).toEqual(expected);
        expect(toContentJson(contentFragment(peer.doc)), `seed ${seed}`).toEqual(expected);
      }
    });
  }
});
