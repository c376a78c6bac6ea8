import type { JSONContent } from '@tiptap/core';

const text = (value: string, ...marks: JSONContent['marks'] & object): JSONContent =>
  marks.length === 0 ? { type: 'text', text: value } : { type: 'text', text: value, marks };
const paragraph = (...content: JSONContent[]): JSONContent => ({ type: 'paragraph', content });

/** A document holding every node and mark the editor offers, in the form `editor.getJSON()` gives. */
export const everyNodeDocument: JSONContent = {
  type: 'doc',
  content: [
    { type: 'heading', attrs: { level: 1 }, content: [text('Release plan')] },
    paragraph(
      text('Some '),
      text('bold', { type: 'bold' }),
      text(', '),
      text('italic', { type: 'italic' }),
      text(', '),
      text('struck', { type: 'strike' }),
      text(', '),
      text('underlined', { type: 'underline' }),
      text(' and '),
      text('x = 1', { type: 'code' }),
      text(' with a '),
      text('link', {
        type: 'link',
        attrs: {
          href: 'https://example.com/a b',
          target: '_blank',
          rel: 'noopener noreferrer nofollow',
          class: null,
          title: null,
        },
      }),
      text('.'),
    ),
    { type: 'heading', attrs: { level: 2 }, content: [text('Lists')] },
    {
      type: 'bulletList',
      content: [
        {
          type: 'listItem',
          content: [
            paragraph(text('First')),
            { type: 'bulletList', content: [{ type: 'listItem', content: [paragraph(text('Nested'))] }] },
          ],
        },
        { type: 'listItem', content: [paragraph(text('Second'))] },
      ],
    },
    {
      type: 'orderedList',
      attrs: { start: 3, type: null },
      content: [
        { type: 'listItem', content: [paragraph(text('Three'))] },
        { type: 'listItem', content: [paragraph(text('Four'))] },
      ],
    },
    {
      type: 'taskList',
      content: [
        { type: 'taskItem', attrs: { checked: true }, content: [paragraph(text('Done'))] },
        { type: 'taskItem', attrs: { checked: false }, content: [paragraph(text('To do'))] },
      ],
    },
    {
      type: 'table',
      content: [
        {
          type: 'tableRow',
          content: [
            {
              type: 'tableHeader',
              attrs: { colspan: 1, rowspan: 1, colwidth: null, align: null },
              content: [paragraph(text('Name'))],
            },
            {
              type: 'tableHeader',
              attrs: { colspan: 1, rowspan: 1, colwidth: null, align: 'right' },
              content: [paragraph(text('Value'))],
            },
          ],
        },
        {
          type: 'tableRow',
          content: [
            {
              type: 'tableCell',
              attrs: { colspan: 1, rowspan: 1, colwidth: null, align: null },
              content: [paragraph(text('a|b'))],
            },
            {
              type: 'tableCell',
              attrs: { colspan: 1, rowspan: 1, colwidth: null, align: 'right' },
              content: [paragraph(text('1', { type: 'bold' }))],
            },
          ],
        },
      ],
    },
    { type: 'codeBlock', attrs: { language: 'ts' }, content: [text('const a = "<b>";\nconsole.log(a);')] },
    { type: 'blockquote', content: [paragraph(text('Quoted'))] },
    { type: 'horizontalRule' },
    {
      type: 'image',
      attrs: {
        src: 'https://example.com/cat.png',
        alt: 'A cat',
        title: 'Cat',
        width: null,
        height: null,
        attachment: null,
      },
    },
    paragraph(text('Line one'), { type: 'hardBreak' }, text('line two')),
  ],
};
