import type { ReactNode } from 'react';
import { FolderIcon } from '../../ui/icons.tsx';
import type { Folder } from '../folderTree.ts';

export interface FolderRowProps {
  folder: Folder;
  /** Folders and documents directly in it. */
  items: number;
  /** The rename form, when this folder is being renamed: it takes the row's place. */
  renameForm: ReactNode;
  confirmingDelete: boolean;
  /** Where what the folder holds goes once it is deleted ("Home" or “Name”). */
  parentName: string;
  onOpen: () => void;
  onRename: () => void;
  onAskDelete: () => void;
  onDelete: () => void;
  onCancelDelete: () => void;
}

/** A folder in the list: opens on its name, with Rename and Delete (asked first). */
export function FolderRow({
  folder,
  items,
  renameForm,
  confirmingDelete,
  parentName,
  onOpen,
  onRename,
  onAskDelete,
  onDelete,
  onCancelDelete,
}: FolderRowProps) {
  return (
    <li className="list-row folder-row">
      {renameForm ?? (
        <>
          <FolderIcon />
          <div className="list-main">
            <div className="list-title">
              <button className="folder-link" type="button" aria-label={`Open folder ${folder.name}`} onClick={onOpen}>
                {folder.name}
              </button>
            </div>
            <div className="list-meta">
              Folder · {items} item{items === 1 ? '' : 's'}
            </div>
          </div>
          {confirmingDelete ? (
            <div key="confirm" className="confirm" role="group" aria-label={`Delete folder ${folder.name}?`}>
              <span>Delete the folder? What it holds goes to {parentName}.</span>
              <button className="button button-danger" type="button" autoFocus onClick={onDelete}>
                Delete folder
              </button>
              <button className="button" type="button" onClick={onCancelDelete}>
                Cancel
              </button>
            </div>
          ) : (
            <div key="actions" className="row-actions">
              <button
                className="button button-quiet"
                type="button"
                aria-label={`Rename folder ${folder.name}`}
                onClick={onRename}
              >
                Rename
              </button>
              <button
                className="button button-quiet"
                type="button"
                aria-label={`Delete folder ${folder.name}`}
                onClick={onAskDelete}
              >
                Delete
              </button>
            </div>
          )}
        </>
      )}
    </li>
  );
}
