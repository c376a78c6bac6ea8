import { type FormEvent, useCallback, useEffect, useState } from 'react';
import type { SignedInState } from '../account/AccountController.ts';
import { Link } from '../router/Link.tsx';
import { documentRoute } from '../router/routes.ts';
import { navigate } from '../router/useHashLocation.ts';
import { describeError } from '../ui/describeError.ts';
import { formatDate } from '../ui/formatDate.ts';
import { BusyNotice, ErrorNotice, InfoNotice } from '../ui/Notices.tsx';
import type { DocumentListing, ListedDocument } from './AccountWorkspace.ts';
import { MAX_TITLE_LENGTH, displayTitle, setTitle } from './documentMeta.ts';
import { matchesQuery, matchingLine } from './searchDocuments.ts';
import { useAccountWorkspace, useWorkspaceVersion } from './WorkspaceContext.tsx';
import './documents.css';

export interface DocumentListProps {
  /** The signed-in account: `account` for tokens and the sharing API, `vaultKey` for local storage. */
  signedIn: SignedInState;
}

type ListState =
  { status: 'loading' } | { status: 'error'; message: string } | { status: 'ready'; listing: DocumentListing };

const ROLE_LABELS = { owner: 'Owner', editor: 'Can edit', viewer: 'Can view' } as const;

/**
 * The signed-in user's documents: from the relay, or from this device's
 * catalog when offline, titled from decrypted content (titles never reach
 * the relay in the clear). Create, rename, delete, and search titles and
 * text read on this device.
 */
export function DocumentList(_props: DocumentListProps) {
  const workspace = useAccountWorkspace();
  useWorkspaceVersion(workspace);
  const [state, setState] = useState<ListState>({ status: 'loading' });
  const [generation, setGeneration] = useState(0);
  const [query, setQuery] = useState('');
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [renaming, setRenaming] = useState<{ id: string; title: string } | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [indexing, setIndexing] = useState(0);

  const reload = useCallback(() => setGeneration((value) => value + 1), []);

  useEffect(() => {
    let current = true;
    workspace.listDocuments().then(
      (listing) => {
        if (current) setState({ status: 'ready', listing });
      },
      (caught: unknown) => {
        if (current) setState({ status: 'error', message: describeError(caught) });
      },
    );
    return () => {
      current = false;
    };
  }, [workspace, generation]);

  // Back online, or back to this tab: the relay's list may say more than this device knew.
  useEffect(() => {
    const onVisible = () => {
      if (window.document.visibilityState === 'visible') reload();
    };
    window.addEventListener('online', reload);
    window.addEventListener('offline', reload);
    window.document.addEventListener('visibilitychange', onVisible);
    return () => {
      window.removeEventListener('online', reload);
      window.removeEventListener('offline', reload);
      window.document.removeEventListener('visibilitychange', onVisible);
    };
  }, [reload]);

  // Reads documents this tab has not read yet, one at a time: those without a title on this device at once,
  // the others once a search needs their text.
  const listing = state.status === 'ready' ? state.listing : null;
  const wantText = query.trim() !== '';
  useEffect(() => {
    if (!listing) return;
    let current = true;
    const unread = listing.documents.filter(
      (document) => !workspace.summary(document.id) && (wantText || document.title === ''),
    );
    if (unread.length === 0) return;
    void (async () => {
      for (const [index, document] of unread.entries()) {
        if (!current || workspace.closed) break;
        setIndexing(unread.length - index);
        await workspace.read(document.id).catch(() => null);
      }
      if (current) setIndexing(0);
    })();
    return () => {
      current = false;
      setIndexing(0);
    };
  }, [workspace, listing, wantText]);

  const create = async () => {
    setError(null);
    setDone(null);
    setBusy('Creating an encrypted document…');
    try {
      const id = await workspace.createDocument();
      navigate(documentRoute(id));
    } catch (caught) {
      setError(describeError(caught));
      setBusy(null);
    }
  };

  const rename = async (event: FormEvent, id: string, title: string) => {
    event.preventDefault();
    setError(null);
    setBusy('Renaming…');
    try {
      const summary = await workspace.withDocument(id, ({ engine }) => setTitle(engine.doc, title.trim()));
      if (!summary) throw new Error('not loaded');
      setRenaming(null);
      setDone(`Renamed to “${displayTitle(summary.title)}”.`);
    } catch (caught) {
      setError(
        caught instanceof Error && caught.message === 'not loaded'
          ? 'This document could not be opened on this device to rename it. Try again once you are online.'
          : describeError(caught),
      );
    } finally {
      setBusy(null);
    }
  };

  const remove = async (document: ListedDocument) => {
    setError(null);
    setBusy(`Deleting “${displayTitle(document.title)}”…`);
    try {
      await workspace.deleteDocument(document.id);
      setConfirming(null);
      setDone(`“${displayTitle(document.title)}” was deleted.`);
      reload();
    } catch (caught) {
      setError(describeError(caught));
    } finally {
      setBusy(null);
    }
  };

  if (state.status === 'loading') {
    return (
      <p className="loading" role="status">
        Loading your documents…
      </p>
    );
  }
  if (state.status === 'error') {
    return (
      <div className="card">
        <ErrorNotice message={state.message} />
        <button className="button" type="button" onClick={reload}>
          Try again
        </button>
      </div>
    );
  }

  const { documents, offline } = state.listing;
  const titled = documents.map((document) => {
    const summary = workspace.summary(document.id);
    return { ...document, title: summary?.title ?? document.title, text: summary?.text ?? '' };
  });
  const shown = titled.filter((document) => matchesQuery(query, document.title, document.text));
  const searching = query.trim() !== '';

  if (documents.length === 0) {
    return (
      <>
        {offline ? <OfflineNotice /> : null}
        <ErrorNotice message={error} />
        <section className="empty-state" aria-labelledby="documents-empty-title">
          <svg className="empty-illustration" viewBox="0 0 64 64" aria-hidden="true" focusable="false">
            <rect x="14" y="8" width="36" height="48" rx="5" fill="none" stroke="currentColor" strokeWidth="2.5" />
            <path d="M22 22h20M22 30h20M22 38h12" stroke="currentColor" strokeWidth="2.5" strokeLinecap="round" />
          </svg>
          <h2 id="documents-empty-title">No documents here yet</h2>
          <p>
            No documents yet — create your first one. It is encrypted in this browser before anything is sent, and
            documents others share with you will appear here too.
          </p>
          <div className="empty-actions">
            <button
              className="button button-primary"
              type="button"
              disabled={busy !== null || offline}
              onClick={() => void create()}
            >
              New document
            </button>
          </div>
          <BusyNotice message={busy} />
        </section>
      </>
    );
  }

  return (
    <>
      <div className="documents-bar">
        <div className="documents-search">
          <svg viewBox="0 0 20 20" aria-hidden="true" focusable="false">
            <circle cx="8.5" cy="8.5" r="5.5" fill="none" stroke="currentColor" strokeWidth="2" />
            <path d="m13 13 4.5 4.5" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
          </svg>
          <input
            className="input-box"
            type="search"
            aria-label="Search documents"
            placeholder="Search titles and text"
            value={query}
            onChange={(event) => setQuery(event.target.value)}
          />
        </div>
        <button
          className="button button-primary"
          type="button"
          disabled={busy !== null || offline}
          title={offline ? 'Creating a document needs the relay: you are offline.' : undefined}
          onClick={() => void create()}
        >
          New document
        </button>
      </div>
      {offline ? <OfflineNotice /> : null}
      {done ? <InfoNotice>{done}</InfoNotice> : null}
      <ErrorNotice message={error} />
      <BusyNotice message={busy} />
      <p className="documents-count" role="status">
        {searching
          ? shown.length === 0
            ? `No document matches “${query.trim()}”.`
            : `${shown.length} of ${documents.length} document${documents.length === 1 ? '' : 's'} match${shown.length === 1 ? 'es' : ''} “${query.trim()}”.`
          : `${documents.length} document${documents.length === 1 ? '' : 's'}`}
        {indexing > 0 ? ` · reading ${indexing} on this device for search…` : ''}
      </p>
      <ul className="list documents-list" aria-label="Your documents">
        {shown.map((document) => {
          const title = displayTitle(document.title);
          const snippet = searching ? matchingLine(query, document.text) : null;
          const canDelete = document.role === 'owner';
          return (
            <li key={document.id} className="list-row">
              {renaming?.id === document.id ? (
                <form
                  className="rename-form"
                  onSubmit={(event) => void rename(event, document.id, renaming.title)}
                  aria-label={`Rename ${title}`}
                >
                  <input
                    className="input-box"
                    aria-label="New title"
                    value={renaming.title}
                    maxLength={MAX_TITLE_LENGTH}
                    autoFocus
                    onChange={(event) => setRenaming({ id: document.id, title: event.target.value })}
                    onKeyDown={(event) => {
                      if (event.key === 'Escape') setRenaming(null);
                    }}
                  />
                  <button className="button button-primary" type="submit" disabled={busy !== null}>
                    Save
                  </button>
                  <button className="button" type="button" onClick={() => setRenaming(null)}>
                    Cancel
                  </button>
                </form>
              ) : (
                <>
                  <DocumentIcon />
                  <div className="list-main">
                    <div className="list-title">
                      <Link
                        to={documentRoute(document.id)}
                        className={`document-link${document.title.trim() === '' ? ' document-untitled' : ''}`}
                      >
                        {title}
                      </Link>
                      {document.role && document.role !== 'owner' ? (
                        <span className="badge">{ROLE_LABELS[document.role]}</span>
                      ) : null}
                    </div>
                    <div className="list-meta">
                      {snippet ? (
                        <span className="document-snippet">{snippet}</span>
                      ) : document.createdAt ? (
                        `Created ${formatDate(document.createdAt)}`
                      ) : (
                        'Kept on this device'
                      )}
                    </div>
                  </div>
                  {confirming === document.id ? (
                    <div key="confirm" className="confirm" role="group" aria-label={`Delete ${title}?`}>
                      <span>Delete it for everyone?</span>
                      <button
                        className="button button-danger"
                        type="button"
                        disabled={busy !== null}
                        autoFocus
                        onClick={() => void remove(document)}
                      >
                        Delete
                      </button>
                      <button className="button" type="button" onClick={() => setConfirming(null)}>
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
                          onClick={() => {
                            setDone(null);
                            setRenaming({ id: document.id, title: document.title });
                          }}
                        >
                          Rename
                        </button>
                      ) : null}
                      {canDelete ? (
                        <button
                          className="button button-quiet"
                          type="button"
                          aria-label={`Delete ${title}`}
                          disabled={offline}
                          onClick={() => {
                            setDone(null);
                            setConfirming(document.id);
                          }}
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
        })}
      </ul>
    </>
  );
}

function OfflineNotice() {
  return (
    <InfoNotice>
      You are offline: these are the documents kept on this device. Changes are saved here and sent once the relay can
      be reached again.
    </InfoNotice>
  );
}

function DocumentIcon() {
  return (
    <svg className="document-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path
        d="M6 2.75h8.5L19.25 7.5v13a.75.75 0 0 1-.75.75h-12a.75.75 0 0 1-.75-.75V3.5A.75.75 0 0 1 6 2.75Z"
        fill="none"
        stroke="currentColor"
        strokeWidth="1.5"
      />
      <path d="M14.25 3v4.5h4.5M8.75 12h6.5M8.75 15.5h6.5" stroke="currentColor" strokeWidth="1.5" />
    </svg>
  );
}
