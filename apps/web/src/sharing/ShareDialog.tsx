import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { type DocumentMemberInfo, type Session, type Workspace, AccountError, safetyNumber } from '@coffre/client';
import type { DocumentId, DocumentRole } from '@coffre/protocol';
import { describeError } from '../ui/describeError.ts';
import { Field } from '../ui/Field.tsx';
import { BusyNotice, ErrorNotice, InfoNotice } from '../ui/Notices.tsx';
import type { AccountWorkspace } from '../workspace/AccountWorkspace.ts';
import { AutoFocusButton } from '../ui/AutoFocusButton.tsx';
import { LinksSection } from './LinksSection.tsx';
import { Modal } from '../ui/Modal.tsx';
import { CompareAdvice, SafetyNumber } from './SafetyNumber.tsx';
import { revokedLinksNote } from './revokedLinksNote.ts';
import './sharing.css';

/*
 * One piece, though long: the Share dialog and its two sections (inviting,
 * with the safety-number steps of a first or changed key, and the member
 * list with roles and removal), which share the dialog's focus, busy state
 * and error line. Links are in `LinksSection`.
 */

export interface ShareDialogProps {
  documentId: DocumentId;
  /** The signed-in user's role on the document: only owners invite, remove and make links. */
  role: DocumentRole;
  accountWorkspace: AccountWorkspace;
  session: Session;
  onClose: () => void;
  /** What is shared, as the dialog names it (default 'document'); a folder's links read only. */
  noun?: 'document' | 'folder';
  /**
   * After a member was removed or a link revoked and the document key
   * rotated: a shared folder changes its files' secret here, so what is
   * uploaded next is sealed with one they never saw.
   */
  onAccessRemoved?: () => Promise<void>;
}

type InviteRole = 'editor' | 'viewer';

/** Where the invitation is: typing, checking keys, comparing a first safety number, or a changed key to accept. */
type InviteStep =
  | { kind: 'form' }
  | { kind: 'checking' }
  | { kind: 'first-time'; email: string; safetyNumber: string }
  | { kind: 'changed'; email: string; previous: string; next: string }
  | { kind: 'sharing'; email: string };

type Members =
  { status: 'loading' } | { status: 'error'; message: string } | { status: 'ready'; list: DocumentMemberInfo[] };

export const ROLE_LABELS: Record<string, string> = { owner: 'Owner', editor: 'Can edit', viewer: 'Can view' };

function ownSafetyNumber(session: Session): string {
  return safetyNumber({
    signingPublicKey: session.identity.signing.publicKey,
    boxPublicKey: session.identity.box.publicKey,
  });
}

/**
 * Who has access to a document and how to give it: invite a member of the
 * organisation by email (with their safety number the first time, and a
 * refusal until accepted when their keys changed), remove a member (which
 * rotates the key), and share links.
 */
export function ShareDialog({
  documentId,
  role,
  accountWorkspace,
  session,
  onClose,
  noun = 'document',
  onAccessRemoved,
}: ShareDialogProps) {
  const owner = role === 'owner';
  const [workspace, setWorkspace] = useState<Workspace | null>(null);
  const [members, setMembers] = useState<Members>({ status: 'loading' });
  const [generation, setGeneration] = useState(0);
  const reload = () => setGeneration((value) => value + 1);

  useEffect(() => {
    let current = true;
    accountWorkspace
      .workspace()
      .then(async (opened) => {
        if (current) setWorkspace(opened);
        const list = await opened.members(documentId);
        if (current) setMembers({ status: 'ready', list });
      })
      .catch((error: unknown) => {
        if (current) setMembers({ status: 'error', message: describeError(error) });
      });
    return () => {
      current = false;
    };
  }, [accountWorkspace, documentId, generation]);

  return (
    <Modal
      title={`Share this ${noun}`}
      description={
        owner
          ? `Each person you invite gets the ${noun}'s key sealed to their own keys, on this device: the relay never sees it.`
          : `The people who can open this ${noun}. Only its owner invites people, removes them or makes links.`
      }
      onClose={onClose}
    >
      {owner ? <InviteSection workspace={workspace} documentId={documentId} noun={noun} onShared={reload} /> : null}
      <MembersSection
        workspace={workspace}
        documentId={documentId}
        owner={owner}
        members={members}
        onChanged={reload}
        onRemoved={onAccessRemoved}
        noun={noun}
      />
      <section className="share-section" aria-labelledby={`${documentId}-you`}>
        <h3 id={`${documentId}-you`}>Your safety number</h3>
        <p className="share-section-lede">
          Someone who shares with you sees these digits for you. When they ask, compare them in a call or in person.
        </p>
        <SafetyNumber value={ownSafetyNumber(session)} label={`Safety number of ${session.email}`} />
      </section>
      {owner ? (
        <LinksSection
          workspace={workspace}
          documentId={documentId}
          readOnly={noun === 'folder'}
          onRevoked={onAccessRemoved}
        />
      ) : null}
    </Modal>
  );
}

function InviteSection({
  workspace,
  documentId,
  noun,
  onShared,
}: {
  workspace: Workspace | null;
  documentId: DocumentId;
  noun: 'document' | 'folder';
  onShared: () => void;
}) {
  const headingId = useId();
  const roleId = useId();
  const [email, setEmail] = useState('');
  const [inviteRole, setInviteRole] = useState<InviteRole>('editor');
  const [step, setStep] = useState<InviteStep>({ kind: 'form' });
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [compared, setCompared] = useState(false);
  const section = useRef<HTMLElement>(null);

  // Each new step starts where the person acts next: the checkbox of a key change, the email field again.
  useEffect(() => {
    const root = section.current;
    if (!root) return;
    if (step.kind === 'changed') root.querySelector<HTMLElement>('input[type="checkbox"]')?.focus();
    if (
      step.kind === 'form' &&
      root.contains(document.activeElement) === false &&
      document.activeElement === document.body
    ) {
      root.querySelector<HTMLElement>('input[type="email"]')?.focus();
    }
  }, [step.kind]);

  const share = async (address: string) => {
    if (!workspace) return;
    setStep({ kind: 'sharing', email: address });
    try {
      const result = await workspace.share(documentId, address, inviteRole);
      setDone(`${result.email} can now ${result.role === 'viewer' ? 'read' : 'read and edit'} this ${noun}.`);
      setEmail('');
      setStep({ kind: 'form' });
      onShared();
    } catch (failure) {
      if (failure instanceof AccountError && failure.code === 'CONTACT_KEY_CHANGED') {
        await check(address);
        return;
      }
      setError(describeError(failure));
      setStep({ kind: 'form' });
    }
  };

  const check = async (address: string) => {
    if (!workspace) return;
    setStep({ kind: 'checking' });
    try {
      const contact = await workspace.checkContact(address);
      const shownEmail = contact.email ?? address;
      if (contact.status === 'changed' && contact.changedSafetyNumber) {
        setCompared(false);
        setStep({
          kind: 'changed',
          email: shownEmail,
          previous: contact.safetyNumber,
          next: contact.changedSafetyNumber,
        });
      } else if (contact.status === 'new') {
        setStep({ kind: 'first-time', email: shownEmail, safetyNumber: contact.safetyNumber });
      } else {
        await share(shownEmail);
      }
    } catch (failure) {
      setError(describeError(failure));
      setStep({ kind: 'form' });
    }
  };

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setDone(null);
    if (email.trim() === '') {
      setError('Type the email address of the person to invite.');
      return;
    }
    void check(email.trim());
  };

  const accept = async (address: string, next: string) => {
    if (!workspace) return;
    setError(null);
    try {
      await workspace.acceptContact(address, next);
      setDone(`You accepted the new keys of ${address}.`);
      await share(address);
    } catch (failure) {
      setError(describeError(failure));
    }
  };

  const busy = step.kind === 'checking' || step.kind === 'sharing';
  const roleWord = inviteRole === 'editor' ? 'editor' : 'viewer';
  return (
    <section ref={section} className="share-section" aria-labelledby={headingId}>
      <h3 id={headingId}>Invite people</h3>
      {step.kind === 'first-time' ? (
        <div className="share-check" role="group" aria-labelledby={`${headingId}-first`}>
          <p id={`${headingId}-first`} className="share-check-title">
            First time sharing with {step.email}
          </p>
          <SafetyNumber value={step.safetyNumber} label={`Safety number of ${step.email}`} />
          <CompareAdvice email={step.email} />
          <div className="actions">
            <AutoFocusButton className="button button-primary" onClick={() => void share(step.email)}>
              Share as {roleWord}
            </AutoFocusButton>
            <button className="button button-quiet" type="button" onClick={() => setStep({ kind: 'form' })}>
              Cancel
            </button>
          </div>
        </div>
      ) : step.kind === 'changed' ? (
        <div className="share-warning" role="alert" aria-labelledby={`${headingId}-changed`}>
          <p id={`${headingId}-changed`} className="share-warning-title">
            Warning: the security keys of {step.email} have changed
          </p>
          <p>
            The relay now gives other keys for this person than the ones you trusted before. This happens when they
            reset their account, but it is also what an attacker who controls the relay would do to read what you share.
            Coffre will not share with them until you accept the new keys.
          </p>
          <SafetyNumber value={step.next} label="New safety number" />
          <SafetyNumber value={step.previous} label="Safety number you trusted before" />
          <CompareAdvice email={step.email} />
          <div className="checkbox">
            <input
              id={`${headingId}-compared`}
              type="checkbox"
              checked={compared}
              onChange={(event) => setCompared(event.target.checked)}
            />
            <label htmlFor={`${headingId}-compared`}>
              I compared the new safety number with {step.email} and it matches
            </label>
          </div>
          <div className="actions">
            <button
              className="button button-danger"
              type="button"
              disabled={!compared}
              onClick={() => void accept(step.email, step.next)}
            >
              Accept the new keys and share
            </button>
            <button className="button button-quiet" type="button" onClick={() => setStep({ kind: 'form' })}>
              Do not share
            </button>
          </div>
        </div>
      ) : (
        <form className="share-invite" onSubmit={onSubmit} noValidate>
          <Field
            label="Email address"
            type="email"
            autoComplete="off"
            value={email}
            onValueChange={setEmail}
            disabled={busy}
            data-autofocus
            hint="A member of your organisation."
          />
          <div className="field">
            <label htmlFor={roleId}>Role</label>
            <select
              className="input-box"
              id={roleId}
              value={inviteRole}
              disabled={busy}
              onChange={(event) => setInviteRole(event.target.value === 'viewer' ? 'viewer' : 'editor')}
            >
              <option value="editor">Can edit</option>
              <option value="viewer">Can view</option>
            </select>
          </div>
          <button className="button button-primary" type="submit" disabled={busy || !workspace}>
            Invite
          </button>
        </form>
      )}
      <BusyNotice
        message={
          step.kind === 'checking'
            ? 'Checking their keys…'
            : step.kind === 'sharing'
              ? `Sealing the document key for ${step.email}…`
              : null
        }
      />
      <ErrorNotice message={error} />
      {done ? <InfoNotice>{done}</InfoNotice> : null}
    </section>
  );
}

function MembersSection({
  workspace,
  documentId,
  owner,
  members,
  onChanged,
  onRemoved,
  noun,
}: {
  workspace: Workspace | null;
  documentId: DocumentId;
  owner: boolean;
  members: Members;
  onChanged: () => void;
  onRemoved: (() => Promise<void>) | undefined;
  noun: 'document' | 'folder';
}) {
  const headingId = useId();
  const [confirming, setConfirming] = useState<DocumentMemberInfo | null>(null);
  const [removing, setRemoving] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const remove = async (member: DocumentMemberInfo) => {
    if (!workspace) return;
    setError(null);
    setDone(null);
    setRemoving(member.email);
    try {
      const result = await workspace.removeMember(documentId, member.userId);
      await onRemoved?.();
      const revoked = revokedLinksNote(result);
      setDone(
        noun === 'folder'
          ? `${member.email} was removed. The folder now uses a new key, and new files a new secret, that they do not have: they keep the files they could already open, and cannot open anything added from now on.${revoked}`
          : `${member.email} was removed. The document now uses a new key they do not have: they keep what they could already read, and cannot read anything new.${revoked}`,
      );
      setConfirming(null);
      onChanged();
    } catch (failure) {
      setError(describeError(failure));
    } finally {
      setRemoving(null);
    }
  };

  return (
    <section className="share-section" aria-labelledby={headingId}>
      <h3 id={headingId}>People with access</h3>
      {members.status === 'loading' ? <BusyNotice message="Loading the members…" /> : null}
      <ErrorNotice message={members.status === 'error' ? members.message : error} />
      {members.status === 'ready' ? (
        <ul className="share-list" aria-labelledby={headingId}>
          {members.list.map((member) => (
            <li key={member.userId} className="share-row">
              <div className="share-row-main">
                <span className="share-row-title">
                  {member.email}
                  {member.self ? <span className="badge">You</span> : null}
                  {member.keyChanged ? <span className="badge badge-danger">Keys changed</span> : null}
                </span>
                <span className="share-row-meta">{ROLE_LABELS[member.role] ?? member.role}</span>
                {!member.self && member.safetyNumber ? (
                  <details className="share-row-details">
                    <summary>Safety number</summary>
                    <SafetyNumber
                      value={member.safetyNumber}
                      label={`Safety number of ${member.email}${member.keyChanged ? ' (the keys you trusted)' : ''}`}
                    />
                  </details>
                ) : null}
              </div>
              {owner && !member.self ? (
                <button
                  className="button button-quiet"
                  type="button"
                  aria-label={`Remove ${member.email}`}
                  disabled={removing !== null}
                  onClick={() => {
                    setDone(null);
                    setConfirming(member);
                  }}
                >
                  Remove
                </button>
              ) : null}
              {confirming?.userId === member.userId ? (
                <div className="share-confirm" role="group" aria-label={`Remove ${member.email}?`}>
                  <p>
                    Remove {member.email}? Coffre switches this document to a new key that only the remaining people
                    get, so {member.email} cannot read anything written from now on. What they already read or
                    downloaded stays with them.
                  </p>
                  <div className="actions">
                    <AutoFocusButton
                      className="button button-danger"
                      disabled={removing !== null}
                      onClick={() => void remove(member)}
                    >
                      Remove and change the key
                    </AutoFocusButton>
                    <button className="button button-quiet" type="button" onClick={() => setConfirming(null)}>
                      Keep {member.email}
                    </button>
                  </div>
                </div>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
      <BusyNotice message={removing ? `Removing ${removing} and changing the document key…` : null} />
      {done ? <InfoNotice>{done}</InfoNotice> : null}
    </section>
  );
}
