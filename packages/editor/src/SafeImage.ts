import Image, { type ImageOptions } from '@tiptap/extension-image';
import {
  ATTACHMENT_ATTRIBUTE,
  type ImageAttachments,
  attachmentDropPlugin,
  imageNodeView,
} from './attachmentImages.ts';
import { isSafeImageSource } from './safeUrls.ts';

export interface SafeImageOptions extends ImageOptions {
  /** Where attachment images come from and go (see {@link ImageAttachments}); null shows `data:` images only. */
  attachments: ImageAttachments | null;
}

/**
 * TipTap's Image whose `src` is only ever an http(s) URL or a raster `data:` URL: `setImage`
 * refuses anything else, and an unsafe `src` written into the shared document by a peer or
 * pasted from elsewhere is not rendered. An image may instead carry an `attachment` (a sealed
 * file of the document's space, shown from a `blob:` URL through `attachments`); pasted or
 * dropped image files become attachments when `attachments.add` is given.
 */
export const SafeImage = Image.extend<SafeImageOptions>({
  addOptions() {
    return { ...(this.parent?.() as ImageOptions), attachments: null };
  },

  addAttributes() {
    return {
      ...this.parent?.(),
      src: {
        default: null,
        parseHTML: (element: HTMLElement) => {
          const src = element.getAttribute('src');
          return isSafeImageSource(src) ? src : null;
        },
        renderHTML: (attributes: Record<string, unknown>) => ({
          src: isSafeImageSource(attributes['src']) ? attributes['src'] : null,
        }),
      },
      [ATTACHMENT_ATTRIBUTE]: {
        default: null,
        parseHTML: (element: HTMLElement) => element.getAttribute('data-coffre-attachment'),
        renderHTML: (attributes: Record<string, unknown>) =>
          typeof attributes[ATTACHMENT_ATTRIBUTE] === 'string'
            ? { 'data-coffre-attachment': attributes[ATTACHMENT_ATTRIBUTE] }
            : {},
      },
    };
  },

  parseHTML() {
    return [{ tag: 'img[src]' }, { tag: 'img[data-coffre-attachment]' }];
  },

  addNodeView() {
    const attachments = this.options.attachments;
    return ({ node }) => imageNodeView(node, attachments);
  },

  addProseMirrorPlugins() {
    const attachments = this.options.attachments;
    return attachments?.add ? [attachmentDropPlugin(this.editor, attachments)] : [];
  },

  addCommands() {
    return {
      setImage:
        (options) =>
        ({ commands }) =>
          isSafeImageSource(options.src) ? commands.insertContent({ type: this.name, attrs: options }) : false,
    };
  },
});
