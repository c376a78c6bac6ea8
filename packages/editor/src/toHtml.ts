import type { JSONContent } from '@tiptap/core';
import { attachmentPlaceholder } from './attachmentName.ts';
import { isSafeImageSource, isSafeLinkUrl } from './safeUrls.ts';
import { type InlineWriter, type Mark, serializeInline } from './serializeInline.ts';
import { suggestTitle } from './plainText.ts';
import { type ContentSource, toContentJson } from './toContentJson.ts';

const MARK_TAGS: Record<string, string> = { bold: 'strong', italic: 'em', strike: 's', underline: 'u', code: 'code' };
const LANGUAGE = /^[\w+#.-]{1,40}$/;

/** Escapes text for HTML content and double-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => ENTITIES[character] as string);
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function attribute(node: JSONContent, name: string): unknown {
  return node.attrs?.[name];
}

function positiveInteger(value: unknown): number | null {
  const number = Number(value);
  return value !== null && value !== '' && Number.isSafeInteger(number) && number > 0 ? number : null;
}

function image(node: JSONContent): string {
  const reference = attribute(node, 'attachment');
  if (typeof reference === 'string') return escapeHtml(attachmentPlaceholder(reference));
  const src = attribute(node, 'src');
  if (!isSafeImageSource(src)) return '';
  const alt = attribute(node, 'alt');
  const title = attribute(node, 'title');
  let html = `<img src="${escapeHtml(src)}" alt="${escapeHtml(typeof alt === 'string' ? alt : '')}"`;
  if (typeof title === 'string' && title !== '') html += ` title="${escapeHtml(title)}"`;
  for (const name of ['width', 'height']) {
    const size = positiveInteger(attribute(node, name));
    if (size !== null) html += ` ${name}="${size}"`;
  }
  return `${html}>`;
}

const writer: InlineWriter = {
  nests: (mark) => mark.type in MARK_TAGS || (mark.type === 'link' && isSafeLinkUrl(mark.attrs?.['href'])),
  open: (mark: Mark) => {
    if (mark.type !== 'link') return `<${MARK_TAGS[mark.type]}>`;
    const title = mark.attrs?.['title'];
    const titleAttribute = typeof title === 'string' && title !== '' ? ` title="${escapeHtml(title)}"` : '';
    return `<a href="${escapeHtml(String(mark.attrs?.['href']))}"${titleAttribute} rel="noopener noreferrer nofollow">`;
  },
  close: (mark) => (mark.type === 'link' ? '</a>' : `</${MARK_TAGS[mark.type]}>`),
  text: (text) => escapeHtml(text),
  leaf: (node) => {
    if (node.type === 'hardBreak') return '<br>';
    if (node.type === 'image') return image(node);
    return '';
  },
  expelWhitespace: false,
};

function children(node: JSONContent): string {
  return (node.content ?? []).map(block).join('');
}

function cell(node: JSONContent): string {
  const tag = node.type === 'tableHeader' ? 'th' : 'td';
  let attributes = '';
  for (const name of ['colspan', 'rowspan']) {
    const span = positiveInteger(attribute(node, name));
    if (span !== null && span > 1) attributes += ` ${name}="${span}"`;
  }
  const align = attribute(node, 'align');
  if (align === 'left' || align === 'center' || align === 'right') attributes += ` style="text-align: ${align}"`;
  return `<${tag}${attributes}>${children(node)}</${tag}>`;
}

function table(node: JSONContent): string {
  const rows = node.content ?? [];
  const row = (tableRow: JSONContent): string => `<tr>${(tableRow.content ?? []).map(cell).join('')}</tr>`;
  const [first, ...rest] = rows;
  const headerRow = first !== undefined && (first.content ?? []).every((child) => child.type === 'tableHeader');
  const head = headerRow ? `<thead>${row(first)}</thead>` : '';
  const body = (headerRow ? rest : rows).map(row).join('');
  return `<table>${head}${body === '' ? '' : `<tbody>${body}</tbody>`}</table>`;
}

function block(node: JSONContent): string {
  switch (node.type) {
    case 'paragraph':
      return `<p>${serializeInline(node.content ?? [], writer)}</p>`;
    case 'heading': {
      const level = Math.min(6, Math.max(1, Number(attribute(node, 'level')) || 1));
      return `<h${level}>${serializeInline(node.content ?? [], writer)}</h${level}>`;
    }
    case 'blockquote':
      return `<blockquote>${children(node)}</blockquote>`;
    case 'bulletList':
      return `<ul>${children(node)}</ul>`;
    case 'orderedList': {
      const start = Number(attribute(node, 'start') ?? 1);
      return Number.isSafeInteger(start) && start !== 1
        ? `<ol start="${start}">${children(node)}</ol>`
        : `<ol>${children(node)}</ol>`;
    }
    case 'listItem':
      return `<li>${children(node)}</li>`;
    case 'taskList':
      return `<ul class="task-list">${children(node)}</ul>`;
    case 'taskItem': {
      const checked = attribute(node, 'checked') === true;
      return `<li class="task-list-item"><input type="checkbox" disabled${checked ? ' checked' : ''}>${children(node)}</li>`;
    }
    case 'codeBlock': {
      const language = attribute(node, 'language');
      const className = typeof language === 'string' && LANGUAGE.test(language) ? ` class="language-${language}"` : '';
      const code = (node.content ?? []).map((child) => child.text ?? '').join('');
      return `<pre><code${className}>${escapeHtml(code)}</code></pre>`;
    }
    case 'horizontalRule':
      return '<hr>';
    case 'image':
      return image(node);
    case 'table':
      return table(node);
    case 'text':
    case 'hardBreak':
      return serializeInline([node], writer);
    default:
      return children(node);
  }
}

/**
 * The document as an HTML fragment, built on the device from the document model rather than the
 * DOM: every text and attribute is escaped, links and images with unsafe URLs are left out, links
 * get `rel="noopener noreferrer nofollow"`. Task items are `<li class="task-list-item">` with a
 * disabled checkbox; a table's first row goes into `<thead>` when it holds only header cells.
 *
 * @example
 * const html = toHtml(contentFragment(engine.doc));
 */
export function toHtml(source: ContentSource): string {
  return children(toContentJson(source));
}

export interface HtmlDocumentOptions {
  /** The `<title>`; defaults to {@link suggestTitle} of the document, or "Untitled". */
  title?: string;
  /** `lang` of the page, e.g. `en`. */
  lang?: string;
}

const EXPORT_STYLE = [
  'body{font:16px/1.6 system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;color:#1f2328}',
  'pre{background:#f6f8fa;padding:1rem;overflow:auto}',
  'code{font-family:ui-monospace,monospace}',
  'table{border-collapse:collapse}th,td{border:1px solid #d0d7de;padding:.25rem .5rem;vertical-align:top}',
  'th{background:#f6f8fa;text-align:left}',
  '.task-list{list-style:none;padding-left:0}.task-list-item{display:flex;gap:.5rem;align-items:baseline}',
  '.task-list-item p,th p,td p{margin:0}',
  'blockquote{margin-left:0;padding-left:1rem;border-left:.25rem solid #d0d7de;color:#59636e}',
  'img{max-width:100%}',
].join('');

/** A standalone HTML file of the document (for "Export as HTML"), with a small readable stylesheet. */
export function toHtmlDocument(source: ContentSource, options: HtmlDocumentOptions = {}): string {
  const content = toContentJson(source);
  const title = options.title ?? (suggestTitle(content) || 'Untitled');
  const lang = options.lang && /^[a-z]{2,3}(?:-[a-z0-9]{1,8})*$/i.test(options.lang) ? options.lang : 'en';
  return [
    '<!doctype html>',
    `<html lang="${lang}">`,
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${EXPORT_STYLE}</style>`,
    '</head>',
    '<body>',
    toHtml(content),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
