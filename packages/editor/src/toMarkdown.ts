import type { JSONContent } from '@tiptap/core';
import { attachmentPlaceholder } from './attachmentName.ts';
import { isSafeImageSource, isSafeLinkUrl } from './safeUrls.ts';
import { type InlineWriter, type Mark, serializeInline } from './serializeInline.ts';
import { type ContentSource, toContentJson } from './toContentJson.ts';

const EMPHASIS: Record<string, [string, string]> = {
  bold: ['**', '**'],
  italic: ['*', '*'],
  strike: ['~~', '~~'],
  underline: ['<u>', '</u>'],
};
const LANGUAGE = /^[\w+#.-]{1,40}$/;

function escapeText(text: string): string {
  return text.replace(/[\\`*_[\]<>~|]/g, '\\$&').replace(/&(?=#?\w+;)/g, '\\&');
}

/** Escapes what would turn the start of a line into a heading, quote, list item or rule. */
function escapeLineStarts(markdown: string): string {
  return markdown
    .split('\n')
    .map((line) => line.replace(/^(\s*)([#>+=-])/, '$1\\$2').replace(/^(\s*\d+)([.)])/, '$1\\$2'))
    .join('\n');
}

/** A link or image destination that cannot end early: spaces, brackets and parentheses percent-encoded. */
function destination(url: string): string {
  return url.replace(/[\s()<>]/g, (character) => encodeURIComponent(character));
}

function titlePart(title: unknown): string {
  return typeof title === 'string' && title !== '' ? ` "${title.replace(/["\\]/g, '\\$&').replace(/\s+/g, ' ')}"` : '';
}

function attribute(node: JSONContent, name: string): unknown {
  return node.attrs?.[name];
}

function codeSpan(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') || /^ .* $/.test(text) ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

function image(node: JSONContent): string {
  const reference = attribute(node, 'attachment');
  if (typeof reference === 'string') return escapeText(attachmentPlaceholder(reference));
  const src = attribute(node, 'src');
  if (!isSafeImageSource(src)) return '';
  const alt = attribute(node, 'alt');
  return `![${escapeText(typeof alt === 'string' ? alt : '')}](${destination(src)}${titlePart(attribute(node, 'title'))})`;
}

function inlineWriter(inTable: boolean): InlineWriter {
  return {
    nests: (mark) => mark.type in EMPHASIS || (mark.type === 'link' && isSafeLinkUrl(mark.attrs?.['href'])),
    open: (mark) => (mark.type === 'link' ? '[' : (EMPHASIS[mark.type] as [string, string])[0]),
    close: (mark: Mark) =>
      mark.type === 'link'
        ? `](${destination(String(mark.attrs?.['href']))}${titlePart(mark.attrs?.['title'])})`
        : (EMPHASIS[mark.type] as [string, string])[1],
    text: (text, node) => {
      const code = node?.marks?.some((mark) => mark.type === 'code') ?? false;
      // GFM splits table cells at every unescaped pipe, even inside code spans.
      if (code) return codeSpan(inTable ? text.replace(/\|/g, '\\|') : text);
      return escapeText(text);
    },
    leaf: (node) => {
      if (node.type === 'hardBreak') return inTable ? '<br>' : '\\\n';
      if (node.type === 'image') return image(node);
      return escapeText(plainTextOf(node));
    },
    expelWhitespace: true,
  };
}

function plainTextOf(node: JSONContent): string {
  if (node.type === 'text') return node.text ?? '';
  return (node.content ?? []).map(plainTextOf).join('');
}

function inline(node: JSONContent, inTable = false): string {
  return escapeLineStarts(serializeInline(node.content ?? [], inlineWriter(inTable)));
}

function indent(text: string, prefix: string, firstPrefix: string = prefix): string {
  return text
    .split('\n')
    .map((line, index) => {
      if (index === 0) return `${firstPrefix}${line}`;
      return line === '' ? '' : `${prefix}${line}`;
    })
    .join('\n');
}

/**
 * Blocks of a container. In a list item (`tight`), a list that follows a paragraph goes on the
 * next line, so the outer list stays tight, when Markdown lets it interrupt the paragraph. A list right
 * after another list of the same kind switches its marker (`-`/`*`, `.`/`)`), or Markdown would
 * read both as one list.
 */
function blocks(nodes: readonly JSONContent[], tight = false): string {
  let output = '';
  let previous: JSONContent | null = null;
  let previousMarker = '';
  for (const node of nodes) {
    let marker = '';
    if (isList(node)) {
      const [usual, other] = node.type === 'orderedList' ? ['.', ')'] : ['-', '*'];
      marker = previous !== null && isList(previous) && previousMarker === usual ? other : usual;
    }
    const text = block(node, marker);
    if (text === '') continue;
    if (previous !== null)
      output += tight && previous.type === 'paragraph' && interruptsParagraph(node) ? '\n' : '\n\n';
    output += text;
    previous = node;
    previousMarker = marker;
  }
  return output;
}

/** Lists that CommonMark lets start right below a paragraph line (ordered ones only from 1). */
function interruptsParagraph(node: JSONContent): boolean {
  if (node.type === 'orderedList') return Number(attribute(node, 'start') ?? 1) === 1;
  return isList(node);
}

function isList(node: JSONContent): boolean {
  return node.type === 'bulletList' || node.type === 'orderedList' || node.type === 'taskList';
}

function listItems(node: JSONContent, marker: (item: JSONContent, index: number) => string): string {
  return (node.content ?? [])
    .map((item, index) => {
      const first = marker(item, index);
      const body = blocks(item.content ?? [], true);
      return indent(body, ' '.repeat(node.type === 'taskList' ? 2 : first.length), first);
    })
    .join('\n');
}

function codeBlock(node: JSONContent): string {
  const code = plainTextOf(node);
  const longest = Math.max(0, ...(code.match(/^`{3,}/gm) ?? []).map((run) => run.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  const language = attribute(node, 'language');
  const info = typeof language === 'string' && LANGUAGE.test(language) ? language : '';
  return `${fence}${info}\n${code}${code === '' ? '' : '\n'}${fence}`;
}

const ALIGNMENT_RULES: Record<string, string> = { left: ':---', center: ':---:', right: '---:' };

function table(node: JSONContent): string {
  const alignments: (string | undefined)[] = [];
  const rows = (node.content ?? []).map((row) =>
    (row.content ?? []).flatMap((cell) => {
      const text = (cell.content ?? [])
        .map((child) => (child.type === 'paragraph' || child.type === 'heading' ? inline(child, true) : ''))
        .filter((text) => text !== '')
        .join('<br>');
      const span = Number(attribute(cell, 'colspan') ?? 1);
      const extra = Number.isSafeInteger(span) && span > 1 ? Math.min(span, 100) - 1 : 0;
      return [
        { text, align: attribute(cell, 'align') },
        ...Array.from({ length: extra }, () => ({ text: '', align: null })),
      ];
    }),
  );
  for (const row of rows) {
    row.forEach(({ align }, index) => {
      if (alignments[index] === undefined && typeof align === 'string') alignments[index] = ALIGNMENT_RULES[align];
    });
  }
  const columns = Math.max(1, ...rows.map((row) => row.length));
  const line = (cells: readonly string[]): string =>
    `| ${Array.from({ length: columns }, (_, index) => cells[index] ?? '').join(' | ')} |`;
  const [header = [], ...body] = rows.map((row) => row.map((cell) => cell.text));
  const rule = Array.from({ length: columns }, (_, index) => alignments[index] ?? '---');
  return [line(header), line(rule), ...body.map(line)].join('\n');
}

function block(node: JSONContent, marker = ''): string {
  switch (node.type) {
    case 'paragraph':
      return inline(node);
    case 'heading': {
      const level = Math.min(6, Math.max(1, Number(attribute(node, 'level')) || 1));
      return `${'#'.repeat(level)} ${inline(node)
        .replace(/^\\([#>+=-])/, '$1')
        .replace(/#$/, '\\#')}`;
    }
    case 'blockquote':
      return indent(blocks(node.content ?? []), '> ')
        .split('\n')
        .map((line) => (line === '' ? '>' : line))
        .join('\n');
    case 'bulletList':
      return listItems(node, () => `${marker} `);
    case 'orderedList': {
      const start = Number(attribute(node, 'start') ?? 1);
      const first = Number.isSafeInteger(start) && start >= 0 ? start : 1;
      return listItems(node, (_, index) => `${first + index}${marker} `);
    }
    case 'taskList':
      return listItems(node, (item) => `${marker} [${attribute(item, 'checked') === true ? 'x' : ' '}] `);
    case 'codeBlock':
      return codeBlock(node);
    case 'horizontalRule':
      return '---';
    case 'image':
      return image(node);
    case 'table':
      return table(node);
    default:
      return node.content ? blocks(node.content) : '';
  }
}

/**
 * The document as GitHub-flavoured Markdown: `#` headings, `-` and `1.` lists, `- [ ]` / `- [x]`
 * task lists, GFM tables (the first row is the header), fenced code blocks with their language,
 * links and images (unsafe URLs are left out), `**bold**`, `*italic*`, `~~strike~~`, `` `code` ``
 * and `<u>underline</u>`. Text is escaped so it never turns into markup. Runs on the device.
 *
 * @example
 * const markdown = toMarkdown(contentFragment(engine.doc));
 */
export function toMarkdown(source: ContentSource): string {
  const markdown = blocks(toContentJson(source).content ?? []);
  return markdown === '' ? '' : `${markdown}\n`;
}
