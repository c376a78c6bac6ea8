import { type FormEvent, useEffect, useRef, useState } from 'react';
import { type OpenedLink, AccountError, YjsEngine, openLink } from '@coffre/client';
import { BrandMark } from '../ui/BrandMark.tsx';
import { describeError } from '../ui/describeError.ts';
import { Field } from '../ui/Field.tsx';
import { BusyNotice, ErrorNotice } from '../ui/Notices.tsx';
import { PageHeading } from '../ui/PageHeading.tsx';
import { routes } from '../router/routes.ts';
import { useHashLocation } from '../router/useHashLocation.ts';
import { isSharedFolderId } from '../files/sharedFolderId.ts';
import { LinkDocumentView } from '../sharing/LinkDocumentView.tsx';
import { LinkFolderView } from '../sharing/LinkFolderView.tsx';
import '../sharing/sharing.css';

type LinkState =
  | { status: 'opening'; withPassword: boolean }
  | { status: 'password'; error: string | null }
  | { status: 'error'; title: string; message: string | null; detail?: string; retry: boolean }
  | { status: 'ready'; opened: OpenedLink<YjsEngine> };

/** The organisation and the secret of `#/link/<tenant>/<secret>`, or null when the address is cut short. */
function parseLinkPath(path: string): { tenant: string; secret: string } | null {
  const match = /^\/link\/([A-Za-z0-9][A-Za-z0-9_-]{0,63})\/([A-Za-z0-9_-]+)$/.exec(path);
  if (!match?.[1] || !match[2]) return null;
  return { tenant: match[1], secret: match[2] };
}

function failureState(error: unknown): LinkState {
  if (error instanceof AccountError) {
    if (error.code === 'LINK_UNAVAILABLE') {
      return {
        status: 'error',
        title: 'This link does not work any more',
        message: null,
        detail: 'It was revoked, or the document was deleted.',
        retry: false,
      };
    }
    if (error.code === 'LINK_INVALID') {
      return {
        status: 'error',
        title: 'This link is not complete',
        message: `${describeError(error)} Ask the person who sent it for the whole address, including everything after #.`,
        retry: false,
      };
    }
  }
  return { status: 'error', title: 'This document could not be opened', message: describeError(error), retry: true };
}

/**
 * `#/link/<tenant>/<secret>`: a document someone shared by link, opened in
 * this tab without an account. The secret never leaves the browser: the
 * relay gets a proof derived from it, and the document key is opened here
 * (with the link's password when it has one). Nothing is stored on the device.
 */
export function LinkScreen() {
  const path = useHashLocation();
  const link = parseLinkPath(path);
  const [state, setState] = useState<LinkState>({ status: 'opening', withPassword: false });
  const [password, setPassword] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    window.document.title = 'Shared document · Coffre';
  }, []);

  useEffect(() => {
    if (!link) return;
    let current = true;
    let opened: OpenedLink<YjsEngine> | null = null;
    const engine = new YjsEngine();
    setState({ status: 'opening', withPassword: password !== null });
    openLink({
      baseUrl: window.location.origin,
      tenant: link.tenant,
      fragment: link.secret,
      engine,
      ...(password === null ? {} : { password }),
    })
      .then((result) => {
        if (!current) {
          result.document.destroy();
          engine.destroy();
          return;
        }
        opened = result;
        setState({ status: 'ready', opened: result });
      })
      .catch((error: unknown) => {
        engine.destroy();
        if (!current) return;
        if (error instanceof AccountError && error.code === 'LINK_PASSWORD_REQUIRED') {
          setState({ status: 'password', error: null });
        } else if (error instanceof AccountError && error.code === 'LINK_PASSWORD_WRONG') {
          setState({
            status: 'password',
            error: `${describeError(error)} Check it with the person who sent the link.`,
          });
        } else {
          setState(failureState(error));
        }
      });
    return () => {
      current = false;
      const closing = opened;
      // After the editor's own cleanup, so its presence goes before the document does.
      setTimeout(() => {
        if (!closing) return;
        closing.document.destroy();
        engine.destroy();
      }, 0);
    };
  }, [link?.tenant, link?.secret, password, attempt]);

  const header = (
    <header className="link-screen-header">
      <div className="link-screen-brand">
        <BrandMark size={28} />
        <span className="brand-name">Coffre</span>
      </div>
      {state.status === 'ready' ? (
        <span className="link-badge">
          {state.opened.role === 'editor'
            ? 'Shared with you by link: you can edit'
            : 'Shared with you by link: read only'}
        </span>
      ) : null}
    </header>
  );

  if (state.status === 'ready') {
    return (
      <div className="link-screen">
        {header}
        <main className="link-screen-main" id="main">
          {isSharedFolderId(state.opened.documentId) ? (
            <LinkFolderView opened={state.opened} />
          ) : (
            <LinkDocumentView opened={state.opened} />
          )}
        </main>
      </div>
    );
  }

  return (
    <div className="link-screen">
      {header}
      <main className="link-screen-main" id="main">
        <div className="link-screen-card">
          {!link ? (
            <>
              <PageHeading>This link is not complete</PageHeading>
              <p>
                The address ends too early. Ask the person who sent it for the whole link: it looks like{' '}
                <code>…/#{routes.linkPrefix}organisation/secret</code>.
              </p>
            </>
          ) : state.status === 'opening' ? (
            <>
              <PageHeading>Opening the shared document…</PageHeading>
              <BusyNotice
                message={
                  state.withPassword
                    ? 'Checking the password and decrypting the document on this device…'
                    : 'Decrypting the document on this device…'
                }
              />
            </>
          ) : state.status === 'password' ? (
            <PasswordForm
              error={state.error}
              onSubmit={(typed) => {
                setPassword(typed);
                setAttempt((value) => value + 1);
              }}
            />
          ) : (
            <>
              <PageHeading>{state.title}</PageHeading>
              <ErrorNotice message={state.message} />
              {state.retry ? (
                <div className="actions">
                  <button className="button" type="button" onClick={() => setAttempt((value) => value + 1)}>
                    Try again
                  </button>
                </div>
              ) : (
                <p>{state.detail ? `${state.detail} ` : ''}Ask the person who shared the document for a new link.</p>
              )}
            </>
          )}
        </div>
      </main>
    </div>
  );
}

function PasswordForm({ error, onSubmit }: { error: string | null; onSubmit: (password: string) => void }) {
  const [value, setValue] = useState('');
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => {
    form.current?.querySelector('input')?.focus();
  }, [error]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (value !== '') onSubmit(value);
  };
  return (
    <form ref={form} className="form" onSubmit={submit} noValidate>
      <PageHeading>This link is protected by a password</PageHeading>
      <p>Type the password the person who shared the document gave you. It is checked on this device only.</p>
      <Field
        label="Link password"
        type="password"
        autoComplete="off"
        value={value}
        onValueChange={setValue}
        required
        aria-invalid={error ? true : undefined}
      />
      <ErrorNotice message={error} />
      <div className="actions">
        <button className="button button-primary" type="submit" disabled={value === ''}>
          Open the document
        </button>
      </div>
    </form>
  );
}
