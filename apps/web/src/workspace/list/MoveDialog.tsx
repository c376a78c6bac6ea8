import { useState } from 'react';
import { HomeIcon, FolderIcon } from '../../ui/icons.tsx';
import { Modal } from '../../ui/Modal.tsx';
import type { ListedDocument } from '../AccountWorkspace.ts';
import { displayTitle } from '../documentMeta.ts';
import type { Folder } from '../folderTree.ts';

export interface MoveDialogProps {
  document: ListedDocument;
  tree: { folder: Folder; depth: number }[];
  /** The folder the document is in now, null at Home. */
  current: string | null;
  onMove: (folderId: string | null) => void;
  onClose: () => void;
}

/** Where to put a document: the folder tree as radio buttons (arrow keys move between them), then Move. */
export function MoveDialog({ document, tree, current, onMove, onClose }: MoveDialogProps) {
  const [target, setTarget] = useState<string | null>(current);
  const title = displayTitle(document.title, document.kind);
  const options: { id: string | null; name: string; depth: number }[] = [
    { id: null, name: 'Home (no folder)', depth: 0 },
    ...tree.map(({ folder, depth }) => ({ id: folder.id, name: folder.name, depth: depth + 1 })),
  ];
  return (
    <Modal
      title={`Move “${title}”`}
      description="Folders are yours alone: they are encrypted on your devices and others do not see them."
      onClose={onClose}
    >
      <form
        className="move-form"
        onSubmit={(event) => {
          event.preventDefault();
          onMove(target);
        }}
      >
        <fieldset className="move-tree">
          <legend>Folder</legend>
          {options.map((option) => (
            <label
              key={option.id ?? ''}
              className="move-option"
              style={{ paddingInlineStart: `${option.depth * 1.5 + 0.75}rem` }}
            >
              <input
                type="radio"
                name="move-target"
                checked={target === option.id}
                data-autofocus={target === option.id ? '' : undefined}
                onChange={() => setTarget(option.id)}
              />
              {option.id === null ? <HomeIcon /> : <FolderIcon />}
              <span>{option.name}</span>
              {option.id === current ? <span className="badge">Here now</span> : null}
            </label>
          ))}
          {tree.length === 0 ? (
            <p className="move-hint">No folders yet: create one with “New folder” in the list.</p>
          ) : null}
        </fieldset>
        <div className="move-actions">
          <button className="button button-primary" type="submit" disabled={target === current}>
            Move
          </button>
          <button className="button" type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Modal>
  );
}
