import { type JSONContent, getSchema } from '@tiptap/core';
import type { Node as ProseMirrorNode, Schema } from '@tiptap/pm/model';
import { yXmlFragmentToProseMirrorRootNode } from '@tiptap/y-tiptap';
import * as Y from 'yjs';
import { coffreContentExtensions } from './coffreExtensions.ts';

/** A document to export or index: its fragment, its ProseMirror JSON, or an editor showing it. */
export type ContentSource = Y.XmlFragment | JSONContent | { getJSON(): JSONContent };

let schema: Schema | undefined;

/** The ProseMirror schema of Coffre documents (built once, works without a DOM). */
export function coffreSchema(): Schema {
  schema ??= getSchema(coffreContentExtensions());
  return schema;
}

/** The ProseMirror JSON of a document, read through {@link coffreSchema} when it comes from a fragment. */
export function toContentJson(source: ContentSource): JSONContent {
  if (source instanceof Y.XmlFragment) {
    const root: ProseMirrorNode = yXmlFragmentToProseMirrorRootNode(source, coffreSchema());
    return root.toJSON() as JSONContent;
  }
  if (isEditorLike(source)) return source.getJSON();
  return source;
}

function isEditorLike(source: JSONContent | { getJSON(): JSONContent }): source is { getJSON(): JSONContent } {
  return typeof (source as { getJSON?: unknown }).getJSON === 'function';
}
