import Image from '@tiptap/extension-image';
import { isSafeImageSource } from './safeUrls.ts';

/**
 * TipTap's Image whose `src` is only ever an http(s) URL or a raster `data:` URL: `setImage`
 * refuses anything else, and an unsafe `src` written into the shared document by a peer or
 * pasted from elsewhere is not rendered.
 */
export const SafeImage = Image.extend({
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
    };
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
