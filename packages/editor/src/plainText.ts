import type { JSONContent } from '@tiptap/core';
import { type ContentSource, toContentJson } from './toContentJson.ts';

const MAX_TITLE_LENGTH = 80;
const INLINE_BLOCKS = new Set(['paragraph', 'heading', 'codeBlock']);

function inlineText(node: JSONContent): string {
  if (node.type === 'text') return node.text ?? '';
  if (node.type === 'hardBreak') return '\n';
  if (node.type === 'image') return typeof node.attrs?.['alt'] === 'string' ? node.attrs['alt'] : '';
  return (node.content ?? []).map(inlineText).join('');
}

function lines(node: JSONContent, output: string[]): void {
  if (INLINE_BLOCKS.has(node.type ?? '') || node.type === 'image') {
    output.push(inlineText(node));
    return;
  }
  for (const child of node.content ?? []) lines(child, output);
}

/**
 * The document's text, one line per block (paragraph, heading, list item, table cell, code
 * line), for search indexes built on the device. Image alt texts are included; markup is not.
 */
export function plainText(source: ContentSource): string {
  const output: string[] = [];
  lines(toContentJson(source), output);
  return output
    .join('\n')
    .replace(/\n{2,}/g, '\n')
    .trim();
}

function shorten(text: string): string {
  const clean = text.replace(/\s+/g, ' ').trim();
  const characters = Array.from(clean);
  if (characters.length <= MAX_TITLE_LENGTH) return clean;
  const cut = characters.slice(0, MAX_TITLE_LENGTH - 1).join('');
  const space = cut.lastIndexOf(' ');
  return `${space > MAX_TITLE_LENGTH / 2 ? cut.slice(0, space) : cut}…`;
}

/**
 * A title for the document: its first heading with text, otherwise its first line of text,
 * at most 80 characters; an empty string for an empty document.
 */
export function suggestTitle(source: ContentSource): string {
  const content = toContentJson(source);
  const heading = (content.content ?? []).find((node) => node.type === 'heading' && inlineText(node).trim() !== '');
  if (heading) return shorten(inlineText(heading));
  const firstLine = plainText(content)
    .split('\n')
    .find((line) => line.trim() !== '');
  return firstLine === undefined ? '' : shorten(firstLine);
}
