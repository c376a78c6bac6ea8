import type { Editor } from '@tiptap/core';
import { Fragment, type Node as ProseMirrorNode, Slice } from '@tiptap/pm/model';
import { Plugin, PluginKey } from '@tiptap/pm/state';
import type { EditorView, NodeView } from '@tiptap/pm/view';
import { isSafeImageSource } from './safeUrls.ts';

/**
 * Where a document's images come from when they are attachments (sealed
 * chunks of the document's space, see `DocumentAttachments` in
 * `@coffre/client`) rather than `data:` URLs: the editor shows them from
 * `blob:` URLs it makes from what `open` resolves, and revokes each when its
 * node goes.
 */
export interface ImageAttachments {
  /**
   * The image a node's `attachment` attribute names, decrypted. Rejects with
   * an Error whose message says why in words (shown after "This image could
   * not be opened: "); one with `code: 'unreachable'` is tried again when the
   * browser comes back online and every 15 s.
   */
  open(reference: string): Promise<Blob>;
  /** Seals an image file into the document and resolves with its reference; absent where nothing can be added (viewers). */
  add?(file: File): Promise<string>;
  /** Told, in words, when an image given to the editor could not be added. */
  onAddError?(message: string): void;
}

/** The attribute of an image node that holds an attachment's reference (JSON text). */
export const ATTACHMENT_ATTRIBUTE = 'attachment';
const RETRY_MS = 15_000;

/**
 * The view of an image node: its `blob:` (attachment) or `data:` image, a
 * line while an attachment is being opened, and a clear sentence when it
 * cannot be (damaged or tampered, not reachable).
 */
export function imageNodeView(node: ProseMirrorNode, attachments: ImageAttachments | null): NodeView {
  const dom = document.createElement('div');
  dom.className = 'coffre-image';
  dom.contentEditable = 'false';
  const image = document.createElement('img');
  const status = document.createElement('p');
  status.className = 'coffre-image-status';
  let current: ProseMirrorNode = node;
  const attr = (name: string): unknown => (current.attrs as Record<string, unknown>)[name];
  let url: string | null = null;
  let showing: string | null = null;
  let retry: ReturnType<typeof setTimeout> | null = null;
  let destroyed = false;

  const clearRetry = () => {
    if (retry !== null) clearTimeout(retry);
    retry = null;
    window.removeEventListener('online', reopen);
  };
  const revoke = () => {
    if (url !== null) URL.revokeObjectURL(url);
    url = null;
  };
  const say = (state: 'loading' | 'error', text: string) => {
    dom.dataset['state'] = state;
    status.textContent = text;
    status.setAttribute('role', state === 'error' ? 'alert' : 'status');
    image.remove();
    dom.replaceChildren(status);
  };
  const show = (src: string) => {
    dom.dataset['state'] = 'ready';
    image.src = src;
    const alt = attr('alt');
    image.alt = typeof alt === 'string' ? alt : '';
    const title = attr('title');
    if (typeof title === 'string' && title !== '') image.title = title;
    else image.removeAttribute('title');
    for (const name of ['width', 'height'] as const) {
      const size = Number(attr(name));
      if (Number.isSafeInteger(size) && size > 0) image.setAttribute(name, String(size));
      else image.removeAttribute(name);
    }
    dom.replaceChildren(image);
  };
  function reopen(): void {
    clearRetry();
    const reference = attr(ATTACHMENT_ATTRIBUTE);
    if (typeof reference !== 'string' || !attachments) return;
    say('loading', 'Opening the image…');
    attachments.open(reference).then(
      (blob) => {
        if (destroyed || attr(ATTACHMENT_ATTRIBUTE) !== reference) return;
        revoke();
        url = URL.createObjectURL(blob);
        show(url);
      },
      (error: unknown) => {
        if (destroyed || attr(ATTACHMENT_ATTRIBUTE) !== reference) return;
        const reason = error instanceof Error ? error.message : 'something went wrong.';
        say('error', `This image could not be opened: ${reason}`);
        if ((error as { code?: unknown } | null)?.code === 'unreachable') {
          window.addEventListener('online', reopen);
          retry = setTimeout(reopen, RETRY_MS);
        }
      },
    );
  }
  const render = () => {
    const reference = attr(ATTACHMENT_ATTRIBUTE);
    const src = attr('src');
    const key = typeof reference === 'string' ? `a:${reference}` : `s:${String(src)}`;
    if (key === showing) {
      if (dom.dataset['state'] === 'ready') show(image.src);
      return;
    }
    showing = key;
    clearRetry();
    revoke();
    if (typeof reference === 'string') {
      if (attachments) reopen();
      else say('error', 'This image could not be opened: images attached to documents are not shown here.');
    } else if (isSafeImageSource(src)) {
      show(src);
    } else {
      say('error', 'This image could not be opened: its address is not one documents show.');
    }
  };
  render();

  return {
    dom,
    update(updated) {
      if (updated.type !== current.type) return false;
      current = updated;
      render();
      return true;
    },
    ignoreMutation: () => true,
    destroy() {
      destroyed = true;
      clearRetry();
      revoke();
    },
  };
}

/** The image files a paste or a drop carries. */
function imageFiles(data: DataTransfer | null): File[] {
  return Array.from(data?.files ?? []).filter((file) => file.type.startsWith('image/'));
}

/**
 * Seals image files into the document (see {@link ImageAttachments.add}) and
 * inserts an image node for each at `position` (the selection by default).
 * What cannot be added is told to `onAddError`, in words.
 */
export async function insertImageFiles(
  editor: Editor,
  attachments: ImageAttachments,
  files: readonly File[],
  position?: number,
): Promise<void> {
  const add = attachments.add?.bind(attachments);
  if (!add) return;
  let at = position;
  for (const file of files) {
    let reference: string;
    try {
      reference = await add(file);
    } catch (error) {
      const reason = error instanceof Error ? error.message : 'something went wrong.';
      attachments.onAddError?.(`${file.name || 'The image'} could not be added: ${reason}`);
      continue;
    }
    if (editor.isDestroyed) return;
    const node = { type: 'image', attrs: { [ATTACHMENT_ATTRIBUTE]: reference, src: null, alt: altText(file.name) } };
    const chain = editor.chain();
    if (at === undefined) chain.focus().insertContent(node).run();
    else {
      const size = editor.state.doc.content.size;
      chain.insertContentAt(Math.min(at, size), node).run();
      at = Math.min(at, size) + 1;
    }
  }
}

/** A file name as alt text ("Garden plan.png" says "Garden plan"). */
function altText(name: string): string {
  return name.replace(/\.[a-z0-9]{2,5}$/i, '').slice(0, 200);
}

const DATA_IMAGE = /^data:(image\/(png|jpeg|gif|webp|avif));base64,/i;

/** The `data:` image sources of a pasted slice (HTML from another app or page). */
function dataImagesOf(slice: Slice): string[] {
  const found = new Set<string>();
  slice.content.descendants((node) => {
    const src: unknown = node.attrs['src'];
    if (node.type.name === 'image' && typeof src === 'string' && DATA_IMAGE.test(src)) found.add(src);
  });
  return [...found];
}

/** A `data:` image as the file it holds. */
function fileOfDataImage(src: string, index: number): File {
  const [, type = 'image/png', extension = 'png'] = DATA_IMAGE.exec(src) ?? [];
  const bytes = Uint8Array.from(atob(src.slice(src.indexOf(',') + 1)), (character) => character.charCodeAt(0));
  return new File([bytes], `Pasted image ${index + 1}.${extension.toLowerCase()}`, { type: type.toLowerCase() });
}

/** The fragment with each image whose source `references` names turned into that attachment. */
function withAttachments(fragment: Fragment, references: ReadonlyMap<string, string>): Fragment {
  const nodes: ProseMirrorNode[] = [];
  fragment.forEach((node) => {
    const src: unknown = node.attrs['src'];
    const reference = node.type.name === 'image' && typeof src === 'string' ? references.get(src) : undefined;
    nodes.push(
      reference === undefined
        ? node.copy(withAttachments(node.content, references))
        : node.type.create({ ...node.attrs, src: null, [ATTACHMENT_ATTRIBUTE]: reference }, null, node.marks),
    );
  });
  return Fragment.fromArray(nodes);
}

/**
 * Pastes a slice whose `data:` images become attachments first (one that
 * cannot be added stays a `data:` image, and why is told): the document's
 * content, and its history, hold their references rather than their bytes.
 */
async function pasteWithAttachments(view: EditorView, attachments: ImageAttachments, slice: Slice): Promise<void> {
  const references = new Map<string, string>();
  for (const [index, src] of dataImagesOf(slice).entries()) {
    const file = fileOfDataImage(src, index);
    try {
      references.set(src, await (attachments.add as NonNullable<ImageAttachments['add']>)(file));
    } catch (error) {
      const reason = error instanceof Error ? error.message : 'something went wrong.';
      attachments.onAddError?.(`${file.name} could not be added: ${reason}`);
    }
  }
  if (view.isDestroyed) return;
  const converted = new Slice(withAttachments(slice.content, references), slice.openStart, slice.openEnd);
  view.dispatch(view.state.tr.replaceSelection(converted).scrollIntoView());
}

/** Turns pasted and dropped image files, and pasted `data:` images, into attachments (where `add` is given). */
export function attachmentDropPlugin(editor: Editor, attachments: ImageAttachments): Plugin {
  const take = (view: EditorView, files: File[], position?: number): boolean => {
    if (files.length === 0 || !attachments.add || !view.editable) return false;
    void insertImageFiles(editor, attachments, files, position);
    return true;
  };
  return new Plugin({
    key: new PluginKey('coffreAttachmentDrop'),
    props: {
      handlePaste: (view, event, slice) => {
        if (take(view, imageFiles(event.clipboardData))) return true;
        if (!attachments.add || !view.editable || dataImagesOf(slice).length === 0) return false;
        void pasteWithAttachments(view, attachments, slice);
        return true;
      },
      handleDrop: (view, event) => {
        const files = imageFiles(event.dataTransfer);
        const position = view.posAtCoords({ left: event.clientX, top: event.clientY })?.pos;
        return take(view, files, position);
      },
    },
  });
}
