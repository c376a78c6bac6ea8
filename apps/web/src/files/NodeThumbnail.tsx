import type { DriveNode } from '@coffre/client';
import { FolderIcon } from '../ui/icons.tsx';
import type { FilePreviews } from './FilePreviews.ts';
import { FileThumbnail } from './FileThumbnail.tsx';

/** What a row of a file list starts with: a folder's icon, or a file's thumbnail (its type's icon until then). */
export function NodeThumbnail({ node, previews }: { node: DriveNode; previews: FilePreviews }) {
  if (node.kind === 'file') return <FileThumbnail previews={previews} file={node} />;
  return (
    <span className="file-thumbnail">
      <FolderIcon />
    </span>
  );
}
