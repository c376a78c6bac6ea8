import { type KeyboardEvent, useEffect, useId, useMemo, useRef, useState } from 'react';
import type { DocumentVersion, LocalDocument, Session, YjsEngine } from '@coffre/client';
import type { DocumentId, DocumentRole } from '@coffre/protocol';
import { AutoFocusButton } from '../ui/AutoFocusButton.tsx';
import { Modal } from '../ui/Modal.tsx';
import '../sharing/sharing.css';
import { ErrorNotice, InfoNotice } from '../ui/Notices.tsx';
import type { AccountWorkspace } from '../workspace/AccountWorkspace.ts';
import { AUTO_SAVE_LABEL, useDocumentHistory } from './useDocumentHistory.ts';
import { type AuthorDirectory, describeAuthor, loadAuthorDirectory } from './versionAuthors.ts';
import { versionTime } from './versionTime.ts';
import { VersionPreview } from './VersionPreview.tsx';
import './history.css';

export interface HistoryDialogProps {
  documentId: DocumentId;
  document: LocalDocument<YjsEngine>;
  role: DocumentRole;
  accountWorkspace: AccountWorkspace;
  session: Session;
  onClose: () => void;
}

export const EMPTY_HISTORY =
  'No versions yet — versions are saved when you leave a document or every 10 minutes while you edit.';
const RESTORE_LABEL = 'Before restoring an earlier version';

/** Versions saved automatically have no label ({@link AUTO_SAVE_LABEL}). */
function versionName(version: DocumentVersion): string {
  return version.label.trim() === AUTO_SAVE_LABEL ? 'Saved automatically' : version.label;
}

/** Moves focus between the list's buttons with the arrow keys, Home and End. */
function onListKeyDown(event: KeyboardEvent<HTMLUListElement>): void {
  const buttons = Array.from(event.currentTarget.querySelectorAll<HTMLButtonElement>('button.history-item'));
  const index = buttons.findIndex((button) => button === window.document.activeElement);
  const next =
    event.key === 'ArrowDown'
      ? index + 1
      : event.key === 'ArrowUp'
        ? index - 1
        : event.key === 'Home'
          ? 0
          : event.key === 'End'
            ? buttons.length - 1
            : null;
  if (next === null || buttons.length === 0) return;
  event.preventDefault();
  buttons[Math.max(0, Math.min(buttons.length - 1, next))]?.focus();
}

/**
 * The document's versions, newest first, with when and by whom each was
 * saved; one selected is shown read-only beside the list, with "Restore
 * this version" for those who can edit. Saving a named version is here too.
 */
export function HistoryDialog({ documentId, document, role, accountWorkspace, session, onClose }: HistoryDialogProps) {
  const { history, tabRole, versions } = useDocumentHistory(document);
  const [directory, setDirectory] = useState<AuthorDirectory | null>(null);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [name, setName] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [now, setNow] = useState(() => Date.now());
  const nameId = useId();
  const previewHeadingId = useId();
  const view = useRef<HTMLElement>(null);

  const canEdit = role !== 'viewer';
  // Only the tab that seals the document can add versions (another tab of this browser may hold it).
  const canWrite = canEdit && history !== null && tabRole === 'writer';

  useEffect(() => {
    let current = true;
    loadAuthorDirectory(accountWorkspace, documentId, { userId: session.userId, deviceId: session.deviceId })
      .then((loaded) => {
        if (current) setDirectory(loaded);
      })
      .catch(() => {
        if (current)
          setDirectory({
            self: { userId: session.userId, deviceId: session.deviceId },
            owners: new Map(),
            emails: new Map(),
          });
      });
    return () => {
      current = false;
    };
  }, [accountWorkspace, documentId, session]);

  // Relative times move on while the dialog is open.
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, []);

  // On a narrow screen the version shows under the list: bring it into view.
  useEffect(() => {
    if (selectedId !== null) view.current?.scrollIntoView?.({ block: 'nearest' });
  }, [selectedId]);

  const selected = versions.find((version) => version.id === selectedId) ?? null;
  // Decrypted once per selection, not again each time the list changes.
  const selectedState = useMemo(
    () => (selectedId !== null && history ? history.state(selectedId) : null),
    [history, selectedId],
  );

  const author = (version: DocumentVersion): string =>
    version.author === session.deviceId
      ? 'You (this device)'
      : directory
        ? describeAuthor(version.author, directory)
        : 'Looking up…';

  const save = () => {
    setError(null);
    if (!history) return;
    const label = name.trim();
    const saved = history.save(label === '' ? 'Saved version' : label);
    document.flush();
    if (!saved) {
      setError('This document is too large to keep as one version.');
      return;
    }
    setName('');
    setMessage(`Saved “${versionName(saved)}”.`);
  };

  const restore = () => {
    setError(null);
    if (!history || !selected) return;
    const time = versionTime(selected.savedAt, Date.now()).absolute;
    if (!history.restore(selected.id, RESTORE_LABEL)) {
      setError('This version could not be read any more.');
      return;
    }
    document.flush();
    setConfirming(false);
    setSelectedId(null);
    setMessage(`Restored the version of ${time}. The text before it is kept as “${RESTORE_LABEL}”.`);
  };

  return (
    <Modal
      title="Version history"
      description="Copies of this document kept with it, encrypted like the rest. Select one to read it."
      onClose={onClose}
    >
      <div className="history-layout">
        <div className="history-side">
          {canWrite ? (
            <form
              className="history-save"
              onSubmit={(event) => {
                event.preventDefault();
                save();
              }}
            >
              <label htmlFor={nameId}>Name of the version (optional)</label>
              <div className="history-save-row">
                <input
                  className="input-box"
                  id={nameId}
                  value={name}
                  maxLength={200}
                  placeholder="e.g. Draft"
                  onChange={(event) => setName(event.target.value)}
                  data-autofocus
                />
                <button className="button button-primary" type="submit">
                  Save version
                </button>
              </div>
            </form>
          ) : null}
          {!canEdit ? (
            <p className="history-note">You can read earlier versions; only editors can restore them.</p>
          ) : null}
          {canEdit && history !== null && tabRole === 'follower' ? (
            <p className="history-note">
              This document is also open in another tab of this browser: save and restore versions in that tab.
            </p>
          ) : null}
          {message ? <InfoNotice>{message}</InfoNotice> : null}
          <ErrorNotice message={error} />
          {history === null ? (
            <p className="history-note">Opening the history…</p>
          ) : versions.length === 0 ? (
            <p className="history-empty">{EMPTY_HISTORY}</p>
          ) : (
            <ul className="history-list" aria-label="Versions" onKeyDown={onListKeyDown}>
              {versions.map((version) => {
                const time = versionTime(version.savedAt, now);
                const isSelected = version.id === selectedId;
                return (
                  <li key={version.id}>
                    <button
                      className="history-item"
                      type="button"
                      aria-pressed={isSelected}
                      {...(canWrite ? {} : { 'data-autofocus': true })}
                      onClick={() => {
                        setSelectedId(version.id);
                        setConfirming(false);
                        setMessage(null);
                      }}
                    >
                      <span className="history-item-name">{versionName(version)}</span>
                      <span className="history-item-time">
                        <time dateTime={time.iso}>{time.absolute}</time>
                        {time.relative !== '' ? <span className="history-item-ago"> · {time.relative}</span> : null}
                      </span>
                      <span className="history-item-author">{author(version)}</span>
                    </button>
                  </li>
                );
              })}
            </ul>
          )}
        </div>
        <section ref={view} className="history-view" aria-labelledby={previewHeadingId}>
          {selected && selectedState ? (
            <>
              <div className="history-view-header">
                <div>
                  <h3 id={previewHeadingId} className="history-view-title">
                    {versionName(selected)}
                  </h3>
                  <p className="history-view-meta">
                    {versionTime(selected.savedAt, now).absolute} · {author(selected)} · read-only
                  </p>
                </div>
                {canWrite && !confirming ? (
                  <button className="button button-primary" type="button" onClick={() => setConfirming(true)}>
                    Restore this version
                  </button>
                ) : null}
              </div>
              {confirming ? (
                <div
                  className="history-confirm"
                  role="group"
                  aria-label="Restore this version?"
                  onKeyDown={(event) => {
                    if (event.key !== 'Escape') return;
                    event.preventDefault();
                    event.stopPropagation();
                    setConfirming(false);
                  }}
                >
                  <p>
                    <strong>Restore this version?</strong> The current text is kept as a version, so you can undo this.
                  </p>
                  <div className="actions">
                    <AutoFocusButton className="button button-primary" onClick={restore}>
                      Restore
                    </AutoFocusButton>
                    <button className="button button-quiet" type="button" onClick={() => setConfirming(false)}>
                      Cancel
                    </button>
                  </div>
                </div>
              ) : null}
              <VersionPreview state={selectedState} />
            </>
          ) : (
            <>
              <h3 id={previewHeadingId} className="visually-hidden">
                Selected version
              </h3>
              <p className="history-view-hint">
                {versions.length === 0 ? 'Nothing to show yet.' : 'Select a version to read it here.'}
              </p>
            </>
          )}
        </section>
      </div>
    </Modal>
  );
}
