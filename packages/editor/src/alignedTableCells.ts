import type { Attributes } from '@tiptap/core';
import { TableCell, TableHeader } from '@tiptap/extension-table';

// TipTap renders a cell's alignment as an inline `style` attribute, which the web app's CSP
// (style-src 'self') refuses; `data-align` plus a rule in editor.css shows it instead.
const renderAlign = (attributes: Record<string, unknown>): Record<string, string> => {
  const align = attributes['align'];
  return align === 'left' || align === 'center' || align === 'right' ? { 'data-align': align } : {};
};

/** TipTap's TableCell with its alignment rendered as `data-align`. */
export const AlignedTableCell = TableCell.extend({
  addAttributes() {
    const parent: Attributes = this.parent?.() ?? {};
    return { ...parent, align: { ...parent['align'], renderHTML: renderAlign } };
  },
});

/** TipTap's TableHeader with its alignment rendered as `data-align`. */
export const AlignedTableHeader = TableHeader.extend({
  addAttributes() {
    const parent: Attributes = this.parent?.() ?? {};
    return { ...parent, align: { ...parent['align'], renderHTML: renderAlign } };
  },
});
