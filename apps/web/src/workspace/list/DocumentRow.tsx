import { Link } from '../../router/Link.tsx';
import { documentRoute } from '../../router/routes.ts';
import { formatDate } from '../../ui/formatDate.ts';
import { DocumentIcon, NoteIcon } from '../../ui/icons.tsx';
import { MAX_TITLE_LENGTH, displayTitle } from '../documentMeta.ts';
import type { ListEntry } from './documentListModel.ts';

const ROLE_LABELS = { owner: 'Owner', editor: 'Can edit', viewer: 'Can view' } as const;

export interface DocumentRowProps {
  document: ListEntry;
  /** The line of text that matched the search, shown instead of the date. */
  snippet: string | null;
  /** Where the document is ("Home / Work"), shown with a search result; null otherwise. */
  where?: string | null;
  /** The title being typed, while this document is renamed. */
  renaming: string | null;
  confirmingDelete: boolean;
  busy: boolean;
  offline: boolean;
  /** Why documents cannot be moved now (the tooltip of "Move to…"); undefined when they can. */
  cannotFolder: string | undefined;
  onRename: () => void;
  onRenamingChange: (title: string) => void;
  onSaveRename: () => void;
  onCancelRename: () => void;
  onMove: () => void;
  onAskDelete: () => void;
  onDelete: () => void;
  onCancelDelete: () => void;
}

/**
 * A document or note in the list: its link, kind and role badges, the date
 * or the search match, and what the user's role allows (rename, move, and
 * for an owner delete, asked first).
 */
export function DocumentRow(props: DocumentRowProps) {
  const { document, snippet, where, renaming, confirmingDelete, busy, offline, cannotFolder } = props;
  const title = displayTitle(document.title, document.kind);
  return (
    <li className="list-row">
      {renaming !== null ? (
        <form
          className="rename-form"
          onSubmit={(event) => {
            event.preventDefault();
            props.onSaveRename();
          }}
          aria-label={`Rename ${title}`}
        >
          <input
            className="input-box"
            aria-label="New title"
            value={renaming}
            maxLength={MAX_TITLE_LENGTH}
            autoFocus
            onChange={(event) => props.onRenamingChange(event.target.value)}
            onKeyDown={(event) => {
              if (event.key === 'Escape') props.onCancelRename();
            }}
          />
          <button className="button button-primary" type="submit" disabled={busy}>
            Save
          </button>
          <button className="button" type="button" onClick={props.onCancelRename}>
            Cancel
          </button>
        </form>
      ) : (
        <>
          {document.kind === 'note' ? <NoteIcon /> : <DocumentIcon />}
          <div className="list-main">
            <div className="list-title">
              <Link
                to={documentRoute(document.id)}
                className={`document-link${document.title.trim() === '' ? ' document-untitled' : ''}`}
              >
                {title}
              </Link>
              {document.kind === 'note' ? <span className="badge badge-note">Note</span> : null}
              {document.role && document.role !== 'owner' ? (
                <span className="badge">{ROLE_LABELS[document.role]}</span>
              ) : null}
            </div>
            <div className="list-meta">
              {where ? <span className="search-where">In {where}</span> : null}
              {snippet ? (
                <span className="document-snippet">{snippet}</span>
              ) : document.createdAt ? (
                `Created ${formatDate(document.createdAt)}`
              ) : (
                'Kept on this device'
              )}
            </div>
          </div>
          {confirmingDelete ? (
            <div key="confirm" className="confirm" role="group" aria-label={`Delete ${title}?`}>
              <span>Delete it for everyone?</span>
              <button className="button button-danger" type="button" disabled={busy} autoFocus onClick={props.onDelete}>
                Delete
              </button>
              <button className="button" type="button" onClick={props.onCancelDelete}>
                Cancel
              </button>
            </div>
          ) : (
            <div key="actions" className="row-actions">
              {document.role !== 'viewer' ? (
                <button
                  className="button button-quiet"
                  type="button"
                  aria-label={`Rename ${title}`}
                  onClick={props.onRename}
                >
                  Rename
                </button>
              ) : null}
              {/* Its name starts with what it shows (axe's label-content-name-mismatch), then says which document. */}
              {/* A viewer's row offers no action (webDocuments.e2e): it stays where it was shared, at Home. */}
              {document.role !== 'viewer' ? (
                <button
                  className="button button-quiet"
                  type="button"
                  aria-label={`Move to…, ${title}`}
                  disabled={cannotFolder !== undefined}
                  title={cannotFolder}
                  onClick={props.onMove}
                >
                  Move to…
                </button>
              ) : null}
              {document.role === 'owner' ? (
                <button
                  className="button button-quiet"
                  type="button"
                  aria-label={`Delete ${title}`}
                  disabled={offline}
                  onClick={props.onAskDelete}
                >
                  Delete
                </button>
              ) : null}
            </div>
          )}
        </>
      )}
    </li>
  );
}
