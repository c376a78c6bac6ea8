import type { DriveFile, DriveNode } from '@coffre/client';
import type { DriveView } from './DriveView.ts';

/** How far a move is: files copied of those to copy, and the one on its way. */
export interface MoveProgress {
  copied: number;
  total: number;
  /** The file being copied now, or null when done. */
  current: string | null;
}

/**
 * Moves a file or a folder (with what it holds) into another space: a
 * space's chunks are sealed with its own secret, so each file is read here,
 * sealed again for the target and uploaded through its outbox; once every
 * file is on the relay and recorded there, the original goes to the trash
 * of its space (where it can still be restored for 30 days). A failure
 * leaves the original where it was; what was copied so far stays in the
 * target.
 */
export async function moveBetweenSpaces(
  source: DriveView,
  target: DriveView,
  node: DriveNode,
  onProgress: (progress: MoveProgress) => void,
): Promise<void> {
  const total = countFiles(source, node);
  let copied = 0;
  const copy = async (item: DriveNode, parent: string | null): Promise<void> => {
    if (item.kind === 'folder') {
      const folder = target.space.createFolder(item.name, parent);
      for (const child of source.space.list(item.id)) await copy(child, folder.id);
      return;
    }
    onProgress({ copied, total, current: item.name });
    await target.uploadAndWait(sourceOf(source, item), parent);
    copied += 1;
  };
  await copy(node, null);
  source.space.trash(node.id);
  onProgress({ copied, total, current: null });
}

function sourceOf(view: DriveView, file: DriveFile) {
  const { mediaType, modifiedAt, size } = file.latest;
  return {
    stream: () => view.read(file.id),
    name: file.name,
    mediaType,
    modifiedAt,
    size,
    // The thumbnail the file had, opened here and sealed again with the file.
    thumbnail: () => view.previews.thumbnailBytes(file).catch(() => null),
  };
}

function countFiles(view: DriveView, node: DriveNode): number {
  if (node.kind === 'file') return 1;
  return view.space.list(node.id).reduce((sum, child) => sum + countFiles(view, child), 0);
}
