import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import type { LinkSummary, Workspace } from '@coffre/client';
import type { DocumentId } from '@coffre/protocol';
import { describeError } from '../ui/describeError.ts';
import { Field } from '../ui/Field.tsx';
import { formatDateTime } from '../ui/formatDate.ts';
import { BusyNotice, ErrorNotice, InfoNotice } from '../ui/Notices.tsx';
import { revokedLinksNote } from './revokedLinksNote.ts';

type Links = { status: 'loading' } | { status: 'error'; message: string } | { status: 'ready'; list: LinkSummary[] };

const ACCESS_LABELS = { viewer: 'Can view', editor: 'Can edit' } as const;

/** Copies `text`; falls back to selecting it in `input` for the person to copy. */
async function copyText(text: string, input: HTMLInputElement | null): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    input?.focus();
    input?.select();
    return false;
  }
}

/** A share link's address, read-only, with a Copy button. */
function LinkAddress({ url, label }: { url: string; label: string }) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<string | null>(null);
  return (
    <div className="link-address">
      <label htmlFor={id} className="visually-hidden">
        {label}
      </label>
      <input
        className="input-box"
        id={id}
        ref={input}
        readOnly
        value={url}
        onFocus={(event) => event.target.select()}
      />
      <button
        className="button"
        type="button"
        aria-label={`Copy ${label.toLowerCase()}`}
        onClick={() => {
          void copyText(url, input.current).then((ok) =>
            setCopied(ok ? 'Copied.' : 'Selected: press Ctrl+C (⌘C on a Mac) to copy.'),
          );
        }}
      >
        Copy
      </button>
      <span className="link-copied" role="status">
        {copied}
      </span>
    </div>
  );
}

/**
 * Share links of a document: anyone with the address can open it, read
 * only or editing, with a password when one is set. The secret is in the
 * address after `#`, which browsers never send to the relay.
 */
export function LinksSection({
  workspace,
  documentId,
  readOnly = false,
  onRevoked,
}: {
  workspace: Workspace | null;
  documentId: DocumentId;
  /** Links that only read (a shared folder's: a link may fetch its files, never add any). */
  readOnly?: boolean;
  /** After a link was revoked and the key rotated (a shared folder also changes its files' secret). */
  onRevoked?: () => Promise<void>;
}) {
  const headingId = useId();
  const [links, setLinks] = useState<Links>({ status: 'loading' });
  const [generation, setGeneration] = useState(0);
  const [access, setAccess] = useState<'viewer' | 'editor'>('viewer');
  const [password, setPassword] = useState('');
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<string | null>(null);
  const [created, setCreated] = useState<{ url: string; role: 'viewer' | 'editor' } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  useEffect(() => {
    if (!workspace) return;
    let current = true;
    workspace.listLinks(documentId).then(
      (list) => {
        if (current) setLinks({ status: 'ready', list });
      },
      (failure: unknown) => {
        if (current) setLinks({ status: 'error', message: describeError(failure) });
      },
    );
    return () => {
      current = false;
    };
  }, [workspace, documentId, generation]);

  const create = async (event: FormEvent) => {
    event.preventDefault();
    if (!workspace) return;
    setError(null);
    setDone(null);
    setCreating(true);
    try {
      const link = await workspace.createLink(documentId, {
        role: access,
        ...(password === '' ? {} : { password }),
      });
      setCreated({ url: link.url, role: link.role });
      setPassword('');
      setGeneration((value) => value + 1);
    } catch (failure) {
      setError(describeError(failure));
    } finally {
      setCreating(false);
    }
  };

  const revoke = async (link: LinkSummary) => {
    if (!workspace) return;
    setError(null);
    setDone(null);
    setRevoking(link.linkId);
    try {
      const result = await workspace.revokeLink(documentId, link.linkId);
      await onRevoked?.();
      if (created && created.url === link.url) setCreated(null);
      setDone(
        `The link was revoked: it does not open the document any more, whoever had it open is disconnected, and the document now uses a new key the link does not hold.${revokedLinksNote(result, link.linkId)}`,
      );
      setGeneration((value) => value + 1);
    } catch (failure) {
      setError(describeError(failure));
    } finally {
      setRevoking(null);
    }
  };

  return (
    <section className="share-section" aria-labelledby={headingId}>
      <h3 id={headingId}>Links</h3>
      <p className="share-section-lede">
        Anyone with a link can open the document without an account. The key is in the part of the address after #,
        which browsers never send to the relay. Send a password separately from the link.
      </p>
      <form className="share-link-form" onSubmit={(event) => void create(event)}>
        {readOnly ? (
          <p className="share-section-lede">
            A link to a folder reads only: whoever opens it can list, preview and download its files.
          </p>
        ) : (
          <fieldset className="share-link-access">
            <legend>Access</legend>
            {(['viewer', 'editor'] as const).map((value) => (
              <label key={value} className="radio">
                <input
                  type="radio"
                  name={`${headingId}-access`}
                  value={value}
                  checked={access === value}
                  onChange={() => setAccess(value)}
                />
                {ACCESS_LABELS[value]}
              </label>
            ))}
          </fieldset>
        )}
        <Field
          label="Password (optional)"
          type="password"
          autoComplete="new-password"
          value={password}
          onValueChange={setPassword}
          hint="Whoever opens the link must also type it."
        />
        <button className="button" type="submit" disabled={creating || !workspace}>
          Create link
        </button>
      </form>
      <BusyNotice message={creating ? 'Creating the link…' : revoking ? 'Revoking the link…' : null} />
      <ErrorNotice message={error} />
      {done ? <InfoNotice>{done}</InfoNotice> : null}
      {created ? (
        <div className="link-created">
          <p>New link ({ACCESS_LABELS[created.role].toLowerCase()}): copy it and send it.</p>
          <LinkAddress url={created.url} label="New link address" />
        </div>
      ) : null}
      {links.status === 'loading' ? <p className="loading">Loading the links…</p> : null}
      {links.status === 'error' ? <ErrorNotice message={links.message} /> : null}
      {links.status === 'ready' && links.list.length === 0 ? <p className="share-empty">No links yet.</p> : null}
      {links.status === 'ready' && links.list.length > 0 ? (
        <ul className="share-list" aria-label="Links of this document">
          {links.list.map((link, index) => {
            const name = `Link ${index + 1}, ${ACCESS_LABELS[link.role].toLowerCase()}`;
            return (
              <li key={link.linkId} className="share-row share-row-link">
                <div className="share-row-main">
                  <span className="share-row-title">
                    {ACCESS_LABELS[link.role]}
                    {link.passwordProtected ? <span className="badge">Password</span> : null}
                  </span>
                  <span className="share-row-meta">Created {formatDateTime(link.createdAt)}</span>
                  {link.url ? (
                    <LinkAddress url={link.url} label={`Address of ${name.toLowerCase()}`} />
                  ) : (
                    <span className="share-row-meta">Made on another device: its address is only there.</span>
                  )}
                </div>
                <button
                  className="button button-quiet"
                  type="button"
                  aria-label={`Revoke ${name.toLowerCase()}`}
                  disabled={revoking !== null}
                  onClick={() => void revoke(link)}
                >
                  Revoke
                </button>
              </li>
            );
          })}
        </ul>
      ) : null}
    </section>
  );
}
