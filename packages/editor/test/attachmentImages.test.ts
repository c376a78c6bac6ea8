// @vitest-environment happy-dom
import type { Editor } from '@tiptap/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { type ImageAttachments, contentFragment, createCoffreEditor, insertImageFiles } from '../src/index.ts';

const editors: Editor[] = [];

afterEach(() => {
  for (const editor of editors.splice(0)) editor.destroy();
  document.body.replaceChildren();
  vi.restoreAllMocks();
});

function mount(attachments: ImageAttachments | null, doc = new Y.Doc()): Editor {
  const element = document.createElement('div');
  document.body.append(element);
  const editor = createCoffreEditor({ element, fragment: contentFragment(doc), attachments });
  editors.push(editor);
  return editor;
}

const image = (attachment: string) => ({ type: 'image', attrs: { attachment, alt: 'plan' } });
const shown = (editor: Editor) => editor.view.dom.querySelector<HTMLElement>('.coffre-image');

describe('attachment images in the editor', () => {
  it('shows "Opening the image…" until the image is opened, then an <img> from a blob: URL, revoked when the node goes', async () => {
    let resolve: (blob: Blob) => void = () => undefined;
    const opened = new Promise<Blob>((done) => (resolve = done));
    const created = vi.spyOn(URL, 'createObjectURL').mockReturnValue('blob:http://localhost/one');
    const revoked = vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => undefined);
    const editor = mount({ open: () => opened });
    editor.commands.insertContent(image('{"ref":1}'));
    expect(shown(editor)?.dataset['state']).toBe('loading');
    expect(shown(editor)?.textContent).toBe('Opening the image…');

    resolve(new Blob([new Uint8Array([1, 2, 3])], { type: 'image/png' }));
    await vi.waitFor(() => expect(shown(editor)?.dataset['state']).toBe('ready'));
    const img = shown(editor)?.querySelector('img');
    expect(img?.getAttribute('src')).toBe('blob:http://localhost/one');
    expect(img?.getAttribute('alt')).toBe('plan');
    expect(created).toHaveBeenCalledTimes(1);

    editor.commands.setContent('<p>gone</p>');
    expect(revoked).toHaveBeenCalledWith('blob:http://localhost/one');
  });

  it('says why an image cannot be opened, in words, and the editor goes on working', async () => {
    const editor = mount({
      open: () => Promise.reject(new Error('its description in the document is damaged.')),
    });
    editor.commands.insertContent(image('not json'));
    await vi.waitFor(() => expect(shown(editor)?.dataset['state']).toBe('error'));
    const alert = shown(editor)?.querySelector('[role=alert]');
    expect(alert?.textContent).toBe('This image could not be opened: its description in the document is damaged.');
    editor.commands.insertContent({ type: 'paragraph', content: [{ type: 'text', text: 'still typing' }] });
    expect(editor.getText()).toContain('still typing');
  });

  it('tries an unreachable image again when the browser comes back online', async () => {
    let calls = 0;
    const editor = mount({
      open: () => {
        calls += 1;
        if (calls === 1)
          return Promise.reject(Object.assign(new Error('the relay cannot be reached.'), { code: 'unreachable' }));
        return Promise.resolve(new Blob([new Uint8Array([1])], { type: 'image/png' }));
      },
    });
    vi.spyOn(URL, 'createObjectURL').mockReturnValue('blob:http://localhost/two');
    editor.commands.insertContent(image('{"ref":2}'));
    await vi.waitFor(() => expect(shown(editor)?.dataset['state']).toBe('error'));
    window.dispatchEvent(new Event('online'));
    await vi.waitFor(() => expect(shown(editor)?.dataset['state']).toBe('ready'));
    expect(calls).toBe(2);
  });

  it('keeps showing data: images, and says an unsafe source is not shown', () => {
    const editor = mount(null);
    editor.commands.insertContent({ type: 'image', attrs: { src: 'data:image/png;base64,iVBORw0KGgo=' } });
    expect(shown(editor)?.querySelector('img')?.getAttribute('src')).toBe('data:image/png;base64,iVBORw0KGgo=');
    editor.commands.setContent('');
    editor.commands.insertContent({ type: 'image', attrs: { attachment: '{"ref":3}' } });
    expect(shown(editor)?.textContent).toContain('This image could not be opened');
  });

  it('inserts an image node with the reference `add` gives, and tells what could not be added', async () => {
    const problems: string[] = [];
    const attachments: ImageAttachments = {
      open: () => new Promise<Blob>(() => undefined),
      add: (file) =>
        file.name === 'big.png'
          ? Promise.reject(new Error('it is larger than the 20 MB a document takes.'))
          : Promise.resolve('{"ref":4}'),
      onAddError: (message) => problems.push(message),
    };
    const editor = mount(attachments);
    const files = [new File([new Uint8Array([1])], 'Garden plan.png', { type: 'image/png' }), new File([], 'big.png')];
    await insertImageFiles(editor, attachments, files);
    const json = JSON.stringify(editor.getJSON());
    expect(json).toContain('"attachment":"{\\"ref\\":4}"');
    expect(json).toContain('"alt":"Garden plan"');
    expect(problems).toEqual(['big.png could not be added: it is larger than the 20 MB a document takes.']);
  });
});

describe('pasted data: images', () => {
  it('become attachments before they enter the document; one that cannot be added stays a data: image', async () => {
    const problems: string[] = [];
    const given: File[] = [];
    const editor = mount({
      open: () => new Promise<Blob>(() => undefined),
      add: (file) => {
        given.push(file);
        return file.type === 'image/gif'
          ? Promise.reject(new Error('the relay is full.'))
          : Promise.resolve(`{"ref":"${file.name}"}`);
      },
      onAddError: (message) => problems.push(message),
    });
    const png = 'data:image/png;base64,iVBORw0KGgo=';
    const gif = 'data:image/gif;base64,R0lGODlh';
    editor.view.pasteHTML(`<p>Look:</p><img src="${png}" alt="chart"><img src="${gif}" alt="anim">`);
    await vi.waitFor(() => expect(JSON.stringify(editor.getJSON())).toContain('Pasted image 1.png'));
    const images = (editor.getJSON().content ?? []).filter((node) => node.type === 'image');
    expect(images.map((node) => node.attrs)).toEqual([
      expect.objectContaining({ src: null, attachment: '{"ref":"Pasted image 1.png"}', alt: 'chart' }),
      expect.objectContaining({ src: gif, attachment: null, alt: 'anim' }),
    ]);
    expect(editor.getText()).toContain('Look:');
    expect(given.map((file) => [file.type, file.size])).toEqual([
      ['image/png', 8],
      ['image/gif', 6],
    ]);
    expect(problems).toEqual(['Pasted image 2.gif could not be added: the relay is full.']);
  });
});
