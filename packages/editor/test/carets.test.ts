// @vitest-environment happy-dom
import type { Editor } from '@tiptap/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { type EditorPresenceState, contentFragment, createCoffreEditor, renderCaret } from '../src/index.ts';
import { FakePresenceHub } from './FakePresenceHub.ts';

const REMOTE = Symbol('remote');
const editors: Editor[] = [];

afterEach(() => {
  for (const editor of editors.splice(0)) editor.destroy();
  document.body.replaceChildren();
});

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

function mount(doc: Y.Doc, hub: FakePresenceHub, clientId: number, name: string, color?: string): Editor {
  const element = document.createElement('div');
  document.body.append(element);
  const editor = createCoffreEditor({
    element,
    fragment: contentFragment(doc),
    presence: hub.join(clientId),
    user: color === undefined ? { name } : { name, color },
    presenceIntervalMs: 0,
  });
  editors.push(editor);
  return editor;
}

/** Focuses synchronously (TipTap's focus command waits for a frame) and places the cursor. */
function focusAt(editor: Editor, position: number): void {
  editor.view.focus();
  editor.commands.setTextSelection(position);
}

function carets(editor: Editor): HTMLElement[] {
  return [...editor.view.dom.querySelectorAll<HTMLElement>('.collaboration-carets__caret')];
}

/** The caret plugin redraws on the next tick after a presence change (y-tiptap batches them). */
async function caretsOnceDrawn(editor: Editor, count: number): Promise<HTMLElement[]> {
  await vi.waitFor(() => expect(carets(editor)).toHaveLength(count));
  return carets(editor);
}

describe('carets of the other editors', () => {
  it("shows a peer's caret with their name where their cursor is, through JSON-sealed presence", async () => {
    const hub = new FakePresenceHub();
    const [docA, docB] = connectedDocs();
    const editorA = mount(docA, hub, 1, 'Ada', '#b91c1c');
    const editorB = mount(docB, hub, 2, 'Bob');
    editorA.commands.insertContent('Hello world');

    focusAt(editorA, 7);

    const published = JSON.parse(hub.published.at(-1) as string) as EditorPresenceState;
    expect(published.user).toEqual({ name: 'Ada', color: '#b91c1c' });
    expect(published.cursor).not.toBeNull();
    const [caret] = await caretsOnceDrawn(editorB, 1);
    expect(caret?.textContent).toBe('Ada');
    expect(caret?.style.getPropertyValue('--coffre-caret-color')).toBe('#b91c1c');
    // The widget sits after "Hello " (position 7 is inside the paragraph, 6 characters in).
    const paragraph = editorB.view.dom.querySelector('p');
    expect(paragraph?.firstChild?.textContent).toBe('Hello ');
    expect(paragraph?.childNodes[1]).toBe(caret);
    expect(carets(editorA)).toHaveLength(0);
  });

  it('moves the caret when the peer types before it, and removes it when the peer leaves', async () => {
    const hub = new FakePresenceHub();
    const [docA, docB] = connectedDocs();
    const editorA = mount(docA, hub, 1, 'Ada');
    const editorB = mount(docB, hub, 2, 'Bob');
    editorA.commands.insertContent('world');
    focusAt(editorA, 1);
    const [caret] = await caretsOnceDrawn(editorB, 1);
    expect(editorB.view.dom.querySelector('p')?.firstChild).toBe(caret);

    editorB.commands.insertContentAt(1, 'Hello ');
    await vi.waitFor(() => expect(editorB.view.dom.querySelector('p')?.firstChild?.textContent).toBe('Hello '));
    expect(editorB.view.dom.querySelector('p')?.childNodes[1]).toBe(carets(editorB)[0]);

    editorA.destroy();
    await caretsOnceDrawn(editorB, 0);
    expect(hub.published.at(-1)).toBe('null');
  });

  it('renders a peer name holding markup as text, never as HTML', async () => {
    const hub = new FakePresenceHub();
    const [docA, docB] = connectedDocs();
    const editorA = mount(docA, hub, 1, '<img src=x onerror=alert(1)><script>alert(1)</script>');
    const editorB = mount(docB, hub, 2, 'Bob');
    editorA.commands.insertContent('Hi');
    focusAt(editorA, 2);

    const [caret] = await caretsOnceDrawn(editorB, 1);
    expect(caret?.textContent).toBe('<img src=x onerror=alert(1)><script>alert(1)</script>');
    expect(editorB.view.dom.querySelector('script, img')).toBeNull();
  });

  it('keeps a forged colour out of the style attribute', () => {
    const caret = renderCaret({ name: 'Eve', color: 'red; background-image: url(https://evil.example/)' });
    expect(caret.getAttribute('style')).not.toContain('evil');
    expect(caret.getAttribute('aria-hidden')).toBe('true');
  });
});

describe('unsafe links and images', () => {
  it('refuses a javascript: link and keeps a https: one', () => {
    const editor = createCoffreEditor({
      element: document.createElement('div'),
      fragment: contentFragment(new Y.Doc()),
    });
    editors.push(editor);
    editor.commands.insertContent('click');
    editor.commands.selectAll();

    expect(editor.commands.setLink({ href: 'javascript:alert(1)' })).toBe(false);
    expect(editor.commands.setLink({ href: ' java\nscript:alert(1)' })).toBe(false);
    expect(editor.getHTML()).not.toContain('<a');
    expect(editor.commands.setLink({ href: 'https://example.com' })).toBe(true);
    expect(editor.view.dom.querySelector('a')?.getAttribute('href')).toBe('https://example.com');
  });

  it('does not render a javascript: link or image that a peer wrote into the shared document', () => {
    const doc = new Y.Doc();
    const fragment = contentFragment(doc);
    const paragraph = new Y.XmlElement('paragraph');
    const linked = new Y.XmlText();
    linked.insert(0, 'evil', { link: { href: 'javascript:alert(1)' } });
    paragraph.insert(0, [linked]);
    const image = new Y.XmlElement('image');
    image.setAttribute('src', 'javascript:alert(2)');
    fragment.insert(0, [paragraph, image]);

    const editor = createCoffreEditor({ element: document.createElement('div'), fragment });
    editors.push(editor);

    const hrefs = [...editor.view.dom.querySelectorAll('a')].map((anchor) => anchor.getAttribute('href'));
    expect(hrefs.every((href) => !href?.includes('javascript'))).toBe(true);
    const sources = [...editor.view.dom.querySelectorAll('img')].map((img) => img.getAttribute('src'));
    expect(sources.every((src) => !src?.includes('javascript'))).toBe(true);
    expect(editor.getHTML()).not.toContain('javascript');
  });

  it('inserts images by https: or raster data: URL only', () => {
    const editor = createCoffreEditor({
      element: document.createElement('div'),
      fragment: contentFragment(new Y.Doc()),
    });
    editors.push(editor);
    expect(editor.commands.setImage({ src: 'javascript:alert(1)' })).toBe(false);
    expect(editor.commands.setImage({ src: 'data:image/svg+xml;base64,PHN2Zz4=' })).toBe(false);
    expect(editor.commands.setImage({ src: 'data:image/png;base64,iVBORw0KGgo=', alt: 'dot' })).toBe(true);
    editor.commands.setTextSelection(editor.state.doc.content.size);
    expect(editor.commands.setImage({ src: 'https://example.com/cat.png' })).toBe(true);
    const sources = [...editor.view.dom.querySelectorAll('img')].map((img) => img.getAttribute('src'));
    expect(sources).toEqual(['data:image/png;base64,iVBORw0KGgo=', 'https://example.com/cat.png']);
  });
});

describe('rendering under the web app CSP', () => {
  it('shows table cell alignment through data-align rather than an inline style attribute', () => {
    const editor = createCoffreEditor({
      element: document.createElement('div'),
      fragment: contentFragment(new Y.Doc()),
    });
    editors.push(editor);
    editor.commands.setContent({
      type: 'doc',
      content: [
        {
          type: 'table',
          content: [
            {
              type: 'tableRow',
              content: [
                { type: 'tableHeader', attrs: { align: 'center' }, content: [{ type: 'paragraph' }] },
                { type: 'tableCell', attrs: { align: 'right' }, content: [{ type: 'paragraph' }] },
              ],
            },
          ],
        },
      ],
    });
    const cells = [...editor.view.dom.querySelectorAll('th, td')];
    expect(cells.map((cell) => cell.getAttribute('data-align'))).toEqual(['center', 'right']);
    expect(cells.some((cell) => cell.hasAttribute('style'))).toBe(false);
  });
});
