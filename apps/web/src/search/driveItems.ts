import type { DriveFile, DriveNode, DriveSpace } from '@coffre/client';
import type { SearchItem } from './SearchIndex.ts';

/** A node of the Drive as the index sees it: the item for its name, and for a file whether its content is wanted. */
export interface DriveEntry {
  item: SearchItem;
  /** The file, when its content should be indexed too (text and PDF). */
  file: DriveFile | null;
}

/** The separator of a folder path in results ("Work / 2027"). */
export const PATH_SEPARATOR = ' / ';

/**
 * Every folder and file of the space outside the trash (a folder in the
 * trash takes what it holds with it), with its folder path, for the index.
 * `wantsContent` says which files have content worth reading.
 */
export function driveEntries(
  space: Pick<DriveSpace, 'list'>,
  wantsContent: (file: DriveFile) => boolean,
): DriveEntry[] {
  const entries: DriveEntry[] = [];
  const walk = (parent: string | null, path: readonly string[]) => {
    for (const node of space.list(parent)) {
      entries.push(entryOf(node, path, wantsContent));
      if (node.kind === 'folder') walk(node.id, [...path, node.name]);
    }
  };
  walk(null, []);
  return entries;
}

function entryOf(node: DriveNode, path: readonly string[], wantsContent: (file: DriveFile) => boolean): DriveEntry {
  const where = path.join(PATH_SEPARATOR);
  if (node.kind === 'folder') {
    return {
      item: { id: node.id, kind: 'folder', title: node.name, text: '', where, stamp: `${node.name}|${where}` },
      file: null,
    };
  }
  const stamp = `${node.latest.version}|${node.name}|${where}`;
  return {
    item: { id: node.id, kind: 'file', title: node.name, text: '', where, stamp },
    file: wantsContent(node) ? node : null,
  };
}

/** The stamp of a file's item once its content is indexed too. */
export function withContent(stamp: string): string {
  return `${stamp}|content`;
}
