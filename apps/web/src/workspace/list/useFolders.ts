import { useCallback, useEffect, useState, useSyncExternalStore } from 'react';
import type { AccountWorkspace, DocumentListing } from '../AccountWorkspace.ts';
import type { FolderSpace } from '../FolderSpace.ts';
import { type Folder, folderPath, listFolders, placementOf } from '../folderTree.ts';

const noSubscription = () => () => undefined;
const noVersion = () => 0;
const atHome = () => null;

export interface Folders {
  /** The folder document, once open (null before, and when the user has none yet). */
  space: FolderSpace | null;
  folders: Folder[];
  /** The folders from Home down to the open one, included. */
  path: Folder[];
  /** The open folder, null at Home. */
  openFolder: Folder | null;
  /** The folder a document is in, null at Home (everything is at Home until the folder document is open). */
  placementOf: (documentId: string) => string | null;
  /** Opens a folder (null: Home); kept while the user opens documents and comes back. */
  open: (folderId: string | null) => void;
  /** The folder document, opened (and created, when the relay lists none yet) on first need. */
  ensureSpace: () => Promise<FolderSpace>;
}

/**
 * The user's folders: the folder document is opened once the relay lists it
 * (or, offline, from this device if it has it), and every change to it, from
 * this tab or another device, renders again.
 */
export function useFolders(workspace: AccountWorkspace, listing: DocumentListing | null): Folders {
  const [space, setSpace] = useState<FolderSpace | null>(null);
  const [, setOpened] = useState(0);
  useSyncExternalStore(space?.subscribe ?? noSubscription, space?.getVersion ?? noVersion);

  const wantFolders = listing !== null && (listing.hasFolders || listing.offline);
  useEffect(() => {
    if (!wantFolders || space) return;
    let current = true;
    workspace.folders(false).then(
      async (opened) => {
        await opened.whenLoaded();
        if (current) setSpace(opened);
      },
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [workspace, wantFolders, space]);

  const hasFolders = listing?.hasFolders ?? false;
  const ensureSpace = useCallback(async (): Promise<FolderSpace> => {
    if (space) return space;
    const opened = await workspace.folders(!hasFolders);
    await opened.whenLoaded();
    setSpace(opened);
    return opened;
  }, [workspace, space, hasFolders]);

  const folders = space ? listFolders(space.doc) : [];
  const openFolderId = space?.current && folders.some((folder) => folder.id === space.current) ? space.current : null;
  const path = space ? folderPath(space.doc, openFolderId) : [];
  return {
    space,
    folders,
    path,
    openFolder: path[path.length - 1] ?? null,
    placementOf: space ? (documentId) => placementOf(space.doc, documentId, folders) : atHome,
    open: (folderId) => {
      if (space) space.current = folderId;
      setOpened((value) => value + 1);
    },
    ensureSpace,
  };
}
