// @vitest-environment happy-dom
import type { Editor } from '@tiptap/core';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { contentFragment, createCoffreEditor, toContentJson } from '../src/index.ts';
import { everyNodeDocument } from './everyNodeDocument.ts';

const REMOTE = Symbol('remote');
const editors: Editor[] = [];

afterEach(() => {
  for (const editor of editors.splice(0)) editor.destroy();
});

/** Two content docs that exchange every local update, as two devices behind a relay would. */
function connectedDocs(): [Y.Doc, Y.Doc] {
  const a = new Y.Doc();
  const b = new Y.Doc();
  a.on('update', (update: Uint8Array, origin: unknown) => {
    if (origin !== REMOTE) Y.applyUpdate(b, update, REMOTE);
  });
  b.on('update', (update: Uint8Array, origin: unknown) => {
    if (origin !== REMOTE) Y.applyUpdate(a, update, REMOTE);
  });
  return [a, b];
}

function editorOn(doc: Y.Doc): Editor {
  const editor = createCoffreEditor({ element: document.createElement('div'), fragment: contentFragment(doc) });
  editors.push(editor);
  return editor;
}

function paragraphs(editor: Editor): string[] {
  const texts: string[] = [];
  editor.state.doc.forEach((node) => texts.push(node.textContent));
  return texts;
}

describe('collaborative editing', () => {
  it('converges: two editors on two synced docs end with the same document', () => {
    const [docA, docB] = connectedDocs();
    const editorA = editorOn(docA);
    const editorB = editorOn(docB);

    editorA.commands.insertContent('Hello from A');
    editorB.commands.setTextSelection(editorB.state.doc.content.size - 1);
    editorB.commands.insertContent(', and B');
    editorA.commands.insertContentAt(editorA.state.doc.content.size, '<p>Second line</p>');

    expect(editorA.getJSON()).toEqual(editorB.getJSON());
    expect(paragraphs(editorA)).toEqual(['Hello from A, and B', 'Second line']);
    expect(toContentJson(contentFragment(docB))).toEqual(editorA.getJSON());
  });

  it('undo in editor A removes only what A typed, not what B typed meanwhile', () => {
    const [docA, docB] = connectedDocs();
    const editorA = editorOn(docA);
    const editorB = editorOn(docB);
    editorA.commands.insertContent('Written by A.');
    editorB.commands.setTextSelection(editorB.state.doc.content.size - 1);
    editorB.commands.insertContent(' Written by B.');
    expect(paragraphs(editorA)).toEqual(['Written by A. Written by B.']);

    expect(editorA.commands.undo()).toBe(true);

    expect(paragraphs(editorA)).toEqual([' Written by B.']);
    expect(paragraphs(editorB)).toEqual([' Written by B.']);
    expect(editorA.commands.redo()).toBe(true);
    expect(paragraphs(editorB)).toEqual(['Written by A. Written by B.']);
  });

  it('has nothing to undo for changes that arrived from a peer', () => {
    const [docA, docB] = connectedDocs();
    const editorA = editorOn(docA);
    const editorB = editorOn(docB);
    editorB.commands.insertContent('Only B typed this.');

    expect(editorA.commands.undo()).toBe(false);
    expect(paragraphs(editorA)).toEqual(['Only B typed this.']);
  });

  it('carries every node and mark through the Y.XmlFragment to a peer unchanged', () => {
    const [docA, docB] = connectedDocs();
    const editorA = editorOn(docA);
    const editorB = editorOn(docB);

    editorA.commands.setContent(everyNodeDocument);

    expect(editorA.getJSON()).toEqual(everyNodeDocument);
    expect(editorB.getJSON()).toEqual(everyNodeDocument);
    const reopened = new Y.Doc();
    Y.applyUpdate(reopened, Y.encodeStateAsUpdate(docB));
    expect(toContentJson(contentFragment(reopened))).toEqual(everyNodeDocument);
  });

  it("adds no inline stylesheet to the page, which the web app's CSP would refuse", () => {
    editorOn(new Y.Doc());
    expect(document.querySelectorAll('style')).toHaveLength(0);
  });
});
