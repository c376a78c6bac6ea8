import type { JSONContent } from '@tiptap/core';

export interface Mark {
  type: string;
  attrs?: Record<string, unknown>;
}

export interface InlineWriter {
  /** Whether the mark is opened and closed around text; other marks are left to {@link text} or dropped. */
  nests(mark: Mark): boolean;
  open(mark: Mark): string;
  close(mark: Mark): string;
  /** Text of `node`, escaped as the output needs; `node` is null for spaces moved out of marks. */
  text(text: string, node: JSONContent | null): string;
  /** A non-text inline node (hard break, inline image). */
  leaf(node: JSONContent): string;
  /** Move spaces at the edges of marks outside of them (Markdown emphasis cannot start or end with one). */
  expelWhitespace: boolean;
}

function sameMark(a: Mark, b: Mark): boolean {
  return a.type === b.type && JSON.stringify(a.attrs ?? {}) === JSON.stringify(b.attrs ?? {});
}

/** How many marks two mark lists share, from the outside in. */
function shared(a: readonly Mark[], b: readonly Mark[]): number {
  let depth = 0;
  while (depth < a.length && depth < b.length && sameMark(a[depth] as Mark, b[depth] as Mark)) depth += 1;
  return depth;
}

/**
 * Serializes inline content so that marks shared by neighbouring text nodes stay open across them
 * (`<strong>a<em>b</em></strong>`, `**a*b***`), the way ProseMirror's own serializers nest them.
 */
export function serializeInline(nodes: readonly JSONContent[], writer: InlineWriter): string {
  const stack: Mark[] = [];
  let output = '';
  const marksOf = (node: JSONContent | undefined): Mark[] =>
    node?.type === 'text' ? ((node.marks ?? []) as Mark[]).filter((mark) => writer.nests(mark)) : [];
  const closeTo = (depth: number): void => {
    while (stack.length > depth) output += writer.close(stack.pop() as Mark);
  };

  nodes.forEach((node, index) => {
    if (node.type !== 'text') {
      closeTo(0);
      output += writer.leaf(node);
      return;
    }
    let text = node.text ?? '';
    if (text === '') return;
    const marks = marksOf(node);
    const next = marksOf(nodes[index + 1]);
    const keep = shared(stack, marks);
    let leading = '';
    let trailing = '';
    if (writer.expelWhitespace) {
      if (keep < marks.length) {
        leading = /^\s*/.exec(text)?.[0] ?? '';
        text = text.slice(leading.length);
      }
      if (shared(marks, next) < marks.length) {
        trailing = /\s*$/.exec(text)?.[0] ?? '';
        text = text.slice(0, text.length - trailing.length);
      }
    }
    closeTo(keep);
    if (leading !== '') output += writer.text(leading, null);
    if (text !== '') {
      for (const mark of marks.slice(keep)) {
        output += writer.open(mark);
        stack.push(mark);
      }
      output += writer.text(text, node);
    }
    if (trailing !== '') {
      closeTo(shared(stack, next));
      output += writer.text(trailing, null);
    }
  });
  closeTo(0);
  return output;
}
