import type { JSONContent } from '@tiptap/core';
import { prosemirrorJSONToYXmlFragment } from '@tiptap/y-tiptap';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  coffreSchema,
  contentFragment,
  plainText,
  suggestTitle,
  toContentJson,
  toHtml,
  toHtmlDocument,
  toMarkdown,
} from '../src/index.ts';
import { everyNodeDocument } from './everyNodeDocument.ts';

const doc = (...content: JSONContent[]): JSONContent => ({ type: 'doc', content });
const paragraph = (...content: JSONContent[]): JSONContent => ({ type: 'paragraph', content });
const text = (value: string, ...marks: { type: string; attrs?: Record<string, unknown> }[]): JSONContent =>
  marks.length === 0 ? { type: 'text', text: value } : { type: 'text', text: value, marks };
const link = (href: string): { type: string; attrs: Record<string, unknown> } => ({ type: 'link', attrs: { href } });

const EVERY_NODE_MARKDOWN = `# Release plan

Some **bold**, *italic*, ~~struck~~, <u>underlined</u> and \`x = 1\` with a [link](https://example.com/a%20b).

## Lists

- First
  - Nested
- Second

3. Three
4. Four

- [x] Done
- [ ] To do

| Name | Value |
| --- | ---: |
| a\\|b | **1** |

\`\`\`ts
const a = "<b>";
console.log(a);
\`\`\`

> Quoted

---

![A cat](https://example.com/cat.png "Cat")

Line one\\
line two
`;

const EVERY_NODE_HTML = [
  '<h1>Release plan</h1>',
  '<p>Some <strong>bold</strong>, <em>italic</em>, <s>struck</s>, <u>underlined</u> and <code>x = 1</code> with a ',
  '<a href="https://example.com/a b" rel="noopener noreferrer nofollow">link</a>.</p>',
  '<h2>Lists</h2>',
  '<ul><li><p>First</p><ul><li><p>Nested</p></li></ul></li><li><p>Second</p></li></ul>',
  '<ol start="3"><li><p>Three</p></li><li><p>Four</p></li></ol>',
  '<ul class="task-list">',
  '<li class="task-list-item"><input type="checkbox" disabled checked><p>Done</p></li>',
  '<li class="task-list-item"><input type="checkbox" disabled><p>To do</p></li>',
  '</ul>',
  '<table><thead><tr><th><p>Name</p></th><th style="text-align: right"><p>Value</p></th></tr></thead>',
  '<tbody><tr><td><p>a|b</p></td><td style="text-align: right"><p><strong>1</strong></p></td></tr></tbody></table>',
  '<pre><code class="language-ts">const a = &quot;&lt;b&gt;&quot;;\nconsole.log(a);</code></pre>',
  '<blockquote><p>Quoted</p></blockquote>',
  '<hr>',
  '<img src="https://example.com/cat.png" alt="A cat" title="Cat">',
  '<p>Line one<br>line two</p>',
].join('');

function fragmentOf(content: JSONContent): Y.XmlFragment {
  const fragment = contentFragment(new Y.Doc());
  prosemirrorJSONToYXmlFragment(coffreSchema(), content, fragment);
  return fragment;
}

describe('toMarkdown', () => {
  it('writes every node and mark of the editor as GitHub-flavoured Markdown', () => {
    expect(toMarkdown(everyNodeDocument)).toBe(EVERY_NODE_MARKDOWN);
  });

  it('reads a Y.XmlFragment the same as its JSON', () => {
    expect(toMarkdown(fragmentOf(everyNodeDocument))).toBe(EVERY_NODE_MARKDOWN);
  });

  it('escapes text so it never turns into markup', () => {
    const markdown = toMarkdown(
      doc(
        paragraph(text('# not a heading, *not emphasis*, <b>not html</b>, [not](a link), a|b, &amp;')),
        paragraph(text('1. not a list')),
      ),
    );
    expect(markdown).toBe(
      '\\# not a heading, \\*not emphasis\\*, \\<b\\>not html\\</b\\>, \\[not\\](a link), a\\|b, \\&amp;\n\n1\\. not a list\n',
    );
  });

  it('moves spaces out of emphasis and keeps shared marks open across text nodes', () => {
    const markdown = toMarkdown(
      doc(
        paragraph(
          text('a'),
          text(' bold ', { type: 'bold' }),
          text('both', { type: 'bold' }, { type: 'italic' }),
          text('!'),
        ),
      ),
    );
    expect(markdown).toBe('a **bold *both***!\n');
  });

  it('fences code containing backticks with a longer fence, padded when the code ends in one', () => {
    const markdown = toMarkdown(
      doc(paragraph(text('use `x`', { type: 'code' })), {
        type: 'codeBlock',
        attrs: { language: 'md' },
        content: [text('```js\nx\n```')],
      }),
    );
    expect(markdown).toBe('`` use `x` ``\n\n````md\n```js\nx\n```\n````\n');
  });

  it('keeps two lists of the same kind apart by switching the marker', () => {
    const list = (type: string, item: string): JSONContent => ({
      type,
      content: [{ type: 'listItem', content: [paragraph(text(item))] }],
    });
    expect(
      toMarkdown(
        doc(list('bulletList', 'a'), list('bulletList', 'b'), list('orderedList', 'c'), list('orderedList', 'd')),
      ),
    ).toBe('- a\n\n* b\n\n1. c\n\n1) d\n');
  });

  it('leaves out links and images with unsafe URLs but keeps their text', () => {
    const markdown = toMarkdown(
      doc(
        paragraph(text('click', link('javascript:alert(1)'))),
        { type: 'image', attrs: { src: 'javascript:alert(1)', alt: 'x' } },
        paragraph(text('after')),
      ),
    );
    expect(markdown).toBe('click\n\nafter\n');
  });

  it('writes nothing for an empty document', () => {
    expect(toMarkdown(contentFragment(new Y.Doc()))).toBe('');
  });
});

describe('toHtml', () => {
  it('writes every node and mark of the editor as HTML', () => {
    expect(toHtml(everyNodeDocument)).toBe(EVERY_NODE_HTML);
    expect(toHtml(fragmentOf(everyNodeDocument))).toBe(EVERY_NODE_HTML);
  });

  it('escapes text and attributes', () => {
    const html = toHtml(
      doc(
        paragraph(text('<script>alert("x")</script> & \'quotes\'')),
        { type: 'image', attrs: { src: 'https://example.com/a.png?"onerror="alert(1)', alt: '"><script>' } },
        paragraph(text('link', { type: 'link', attrs: { href: 'https://example.com/?q="><script>', title: '<t>' } })),
      ),
    );
    expect(html).toBe(
      '<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quotes&#39;</p>' +
        '<img src="https://example.com/a.png?&quot;onerror=&quot;alert(1)" alt="&quot;&gt;&lt;script&gt;">' +
        '<p><a href="https://example.com/?q=&quot;&gt;&lt;script&gt;" title="&lt;t&gt;" rel="noopener noreferrer nofollow">link</a></p>',
    );
  });

  it('refuses javascript:, data: and vbscript: links and non-image sources', () => {
    const html = toHtml(
      doc(
        paragraph(
          text('a', link('javascript:alert(1)')),
          text('b', link(' JaVa\tScRiPt:alert(1)')),
          text('c', link('data:text/html,<script>alert(1)</script>')),
          text('d', link('vbscript:msgbox(1)')),
        ),
        { type: 'image', attrs: { src: 'data:image/svg+xml;base64,PHN2Zz4=' } },
        { type: 'image', attrs: { src: 'javascript:alert(1)' } },
      ),
    );
    expect(html).toBe('<p>abcd</p>');
  });

  it('wraps the document in a standalone page titled after its first heading', () => {
    const page = toHtmlDocument(doc({ type: 'heading', attrs: { level: 1 }, content: [text('Notes <draft>')] }));
    expect(page).toContain('<title>Notes &lt;draft&gt;</title>');
    expect(page).toContain('<meta charset="utf-8">');
    expect(page).toContain('<body>\n<h1>Notes &lt;draft&gt;</h1>\n</body>');
    expect(toHtmlDocument(doc())).toContain('<title>Untitled</title>');
  });
});

describe('plainText and suggestTitle', () => {
  it('gives one line per block with no markup, for search indexes', () => {
    expect(plainText(everyNodeDocument)).toBe(
      [
        'Release plan',
        'Some bold, italic, struck, underlined and x = 1 with a link.',
        'Lists',
        'First',
        'Nested',
        'Second',
        'Three',
        'Four',
        'Done',
        'To do',
        'Name',
        'Value',
        'a|b',
        '1',
        'const a = "<b>";',
        'console.log(a);',
        'Quoted',
        'A cat',
        'Line one',
        'line two',
      ].join('\n'),
    );
  });

  it('suggests the first heading as the title, else the first line of text, shortened on a word', () => {
    expect(suggestTitle(everyNodeDocument)).toBe('Release plan');
    expect(
      suggestTitle(
        doc(paragraph(), paragraph(text('  Groceries  ')), {
          type: 'heading',
          attrs: { level: 2 },
          content: [text('Later')],
        }),
      ),
    ).toBe('Later');
    expect(suggestTitle(doc(paragraph(), paragraph(text('  Groceries for the week  '))))).toBe(
      'Groceries for the week',
    );
    const long = 'word '.repeat(40);
    expect(suggestTitle(doc(paragraph(text(long))))).toBe(`${'word '.repeat(15).trim()}…`);
    expect(suggestTitle(contentFragment(new Y.Doc()))).toBe('');
  });

  it('reads an editor, a fragment or JSON alike', () => {
    const fragment = fragmentOf(everyNodeDocument);
    expect(toContentJson(fragment)).toEqual(everyNodeDocument);
    expect(toContentJson({ getJSON: () => everyNodeDocument })).toBe(everyNodeDocument);
  });
});

describe('attachment images in exports', () => {
  const reference = JSON.stringify({
    secret: 'ab'.repeat(16),
    manifest: { name: 'Garden *plan*.png', chunks: [{ id: 'cd'.repeat(32), key: 'SECRET-KEY', size: 3 }] },
  });
  const withAttachment = doc(paragraph(text('Before')), { type: 'image', attrs: { attachment: reference, alt: 'x' } });

  it('writes the image’s name in its place, never its chunk keys (its bytes stay sealed in the document)', () => {
    const markdown = toMarkdown(withAttachment);
    expect(markdown).toContain('\\[Image: Garden \\*plan\\*.png\\]');
    const html = toHtml(withAttachment);
    expect(html).toContain('[Image: Garden *plan*.png]');
    for (const out of [markdown, html]) {
      expect(out).not.toContain('SECRET-KEY');
      expect(out).not.toContain('cd'.repeat(32));
    }
  });

  it('names an attachment whose reference is damaged "attachment"', () => {
    const damaged = doc({ type: 'image', attrs: { attachment: '{not json', alt: 'x' } });
    expect(toHtml(damaged)).toContain('[Image: attachment]');
  });
});
