import { useRef, useState, useSyncExternalStore } from 'react';
import type { DriveFile, DriveVersion } from '@coffre/client';
import { describeError } from '../ui/describeError.ts';
import { Modal } from '../ui/Modal.tsx';
import { BusyNotice, ErrorNotice, InfoNotice } from '../ui/Notices.tsx';
import type { DriveView } from './DriveView.ts';
import { formatBytes, formatMoment } from './formatFile.ts';
import { ACTIVE_STATES, uploadStatus } from './uploadStatus.ts';
import { useSaveFile } from './useSaveFile.ts';

/**
 * A file's versions, newest first: each can be downloaded, and an older
 * one restored (it comes back as a new version, so nothing is lost by
 * restoring); a new version is uploaded through the outbox like any file.
 */
export function VersionsDialog({ view, file, onClose }: { view: DriveView; file: DriveFile; onClose: () => void }) {
  useSyncExternalStore(view.subscribe, view.getVersion);
  const picker = useRef<HTMLInputElement>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const saving = useSaveFile(view);
  // The file as it is now: a version may arrive from another device while the dialog is open.
  const current = view.space.get(file.id);
  const live = current?.kind === 'file' ? current : file;
  const versions = [...view.space.versions(file.id)].reverse();
  const refused = view.space.refusedVersions(file.id);
  const uploading = view.uploads.filter((upload) => upload.fileId === file.id && ACTIVE_STATES.has(upload.state));

  const restore = (version: DriveVersion) => {
    setError(null);
    try {
      // Recorded at once: the old version's chunks are on the relay, and it still names them.
      const restored = view.space.restoreVersion(file.id, version.manifest.version);
      setDone(`Version ${version.manifest.version} is the current one again, as version ${restored.latest.version}.`);
    } catch (failure) {
      setError(describeError(failure));
    }
  };
  const uploadVersion = (chosen: File | undefined) => {
    if (!chosen) return;
    setError(null);
    setDone(null);
    void view.uploadVersion(chosen, live);
  };

  return (
    <Modal
      title={`Versions of “${live.name}”`}
      description={
        view.canWrite
          ? 'Restoring an older version makes it the current one again; every version stays in this list.'
          : 'Every version of this file, newest first. You can download any of them.'
      }
      className="modal-versions"
      onClose={onClose}
    >
      {view.canWrite ? (
        <div className="versions-toolbar">
          <button
            className="button button-primary"
            type="button"
            onClick={() => picker.current?.click()}
            data-autofocus
          >
            Upload a new version
          </button>
          <input
            ref={picker}
            className="visually-hidden"
            type="file"
            tabIndex={-1}
            aria-hidden="true"
            onChange={(event) => {
              uploadVersion(event.target.files?.[0]);
              event.target.value = '';
            }}
          />
        </div>
      ) : null}
      {uploading.map((upload) => (
        <p key={upload.id} className="versions-upload" role="status">
          New version: {uploadStatus(upload)}
        </p>
      ))}
      <ErrorNotice message={error ?? saving.error} />
      <BusyNotice message={saving.progress} />
      {done ? <InfoNotice>{done}</InfoNotice> : null}
      <ol className="versions-list" aria-label={`Versions of ${live.name}`}>
        {versions.map((version, index) => {
          const { manifest } = version;
          const label = `version ${manifest.version}`;
          return (
            <li className="versions-row" key={`${manifest.version}:${index}`}>
              <div className="list-main">
                <div className="list-title">
                  Version {manifest.version}
                  {index === 0 ? <span className="versions-current"> · current</span> : null}
                </div>
                <div className="list-meta">
                  {formatBytes(manifest.size)} ·{' '}
                  {version.addedAt === undefined
                    ? `modified ${formatMoment(manifest.modifiedAt)}`
                    : `added ${formatMoment(version.addedAt)}`}
                  {version.restoredFrom === undefined ? '' : ` · restored from version ${version.restoredFrom}`}
                </div>
              </div>
              <div className="row-actions">
                <button
                  className="button button-quiet"
                  type="button"
                  aria-label={`Download ${label}`}
                  disabled={saving.progress !== null}
                  onClick={() => void saving.save(live, version.manifest.version)}
                >
                  Download
                </button>
                {index === 0 || !view.canWrite ? null : (
                  <button
                    className="button button-quiet"
                    type="button"
                    aria-label={`Restore ${label}`}
                    onClick={() => restore(version)}
                  >
                    Restore
                  </button>
                )}
              </div>
            </li>
          );
        })}
      </ol>
      {refused > 0 ? (
        <p className="versions-refused">
          {refused === 1 ? '1 version does' : `${refused} versions do`} not check out (damaged, or written for another
          file) and {refused === 1 ? 'is' : 'are'} not shown.
        </p>
      ) : null}
    </Modal>
  );
}
