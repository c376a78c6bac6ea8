import { useEffect, useId, useState } from 'react';
import type { DriveNode } from '@coffre/client';
import type { DocumentId } from '@coffre/protocol';
import { describeError } from '../ui/describeError.ts';
import { Modal } from '../ui/Modal.tsx';
import { BusyNotice, ErrorNotice } from '../ui/Notices.tsx';
import { useAccountWorkspace } from '../workspace/WorkspaceContext.tsx';
import type { DriveView } from './DriveView.ts';
import { type MoveProgress, moveBetweenSpaces } from './moveBetweenSpaces.ts';
import { listSharedFolders } from './SharedFolders.tsx';

/** Where a file or folder can go: the user's own files, or a shared folder they can edit. */
interface Destination {
  /** Null: the user's own files. */
  id: DocumentId | null;
  label: string;
}

/**
 * Moves a file or folder to the user's own files or to a shared folder: it
 * is copied (encrypted again for the members of the folder it goes to),
 * then the original goes to the trash here.
 */
export function MoveToSpaceDialog({
  view,
  node,
  ownDriveId,
  onClose,
}: {
  view: DriveView;
  node: DriveNode;
  ownDriveId: DocumentId;
  onClose: () => void;
}) {
  const accountWorkspace = useAccountWorkspace();
  const groupId = useId();
  const [destinations, setDestinations] = useState<Destination[] | null>(null);
  const [chosen, setChosen] = useState<string | null>(null);
  const [progress, setProgress] = useState<MoveProgress | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    listSharedFolders(accountWorkspace).then(
      (folders) => {
        const shared = folders
          .filter((folder) => folder.role !== 'viewer' && folder.id !== view.id)
          .map((folder) => ({ id: folder.id, label: `${folder.view.name || 'Shared folder'} (shared)` }));
        const list = view.id === ownDriveId ? shared : [{ id: null, label: 'My files' }, ...shared];
        if (live) {
          setDestinations(list);
          setChosen(list[0] ? String(list[0].id) : null);
        }
      },
      (failure: unknown) => {
        if (live) setError(describeError(failure));
      },
    );
    return () => {
      live = false;
    };
  }, [accountWorkspace, view.id, ownDriveId]);

  const move = async () => {
    const destination = destinations?.find((item) => String(item.id) === chosen);
    if (!destination) return;
    setError(null);
    setProgress({ copied: 0, total: 0, current: null });
    try {
      const target = await (destination.id === null
        ? accountWorkspace.drive()
        : accountWorkspace.sharedFolder(destination.id));
      await target.whenLoaded();
      await moveBetweenSpaces(view, target, node, setProgress);
      onClose();
    } catch (failure) {
      setError(`Not moved: ${describeError(failure)} “${node.name}” stays here.`);
      setProgress(null);
    }
  };

  const moving = progress !== null;
  return (
    <Modal
      title={`Move “${node.name}”`}
      description="Each folder's files are encrypted for its own members: the file is copied, encrypted again for the members of the folder it goes to, and then the original goes to the trash here."
      onClose={moving ? () => undefined : onClose}
    >
      {destinations === null && !error ? <BusyNotice message="Loading the folders…" /> : null}
      {destinations && destinations.length === 0 ? (
        <p>There is no other folder you can add files to. Create a shared folder first.</p>
      ) : null}
      {destinations && destinations.length > 0 ? (
        <fieldset className="move-destinations" aria-labelledby={groupId} disabled={moving}>
          <legend id={groupId}>Move to</legend>
          {destinations.map((destination) => (
            <label key={String(destination.id)} className="radio">
              <input
                type="radio"
                name={groupId}
                value={String(destination.id)}
                checked={chosen === String(destination.id)}
                onChange={() => setChosen(String(destination.id))}
              />
              {destination.label}
            </label>
          ))}
        </fieldset>
      ) : null}
      {progress ? (
        <div className="move-progress" role="status">
          <progress max={Math.max(1, progress.total)} value={progress.copied} aria-label="Copying" />
          <span>
            {progress.current
              ? `Copying “${progress.current}” (${progress.copied + 1} of ${progress.total})…`
              : 'Getting ready…'}
          </span>
        </div>
      ) : null}
      <ErrorNotice message={error} />
      <div className="modal-actions">
        <button
          className="button button-primary"
          type="button"
          disabled={moving || !destinations || destinations.length === 0}
          onClick={() => void move()}
        >
          Copy and move
        </button>
        <button className="button" type="button" disabled={moving} onClick={onClose}>
          Cancel
        </button>
      </div>
    </Modal>
  );
}
