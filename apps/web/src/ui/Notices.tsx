import type { ReactNode } from 'react';

/** A failure in plain words, announced by screen readers as it appears. */
export function ErrorNotice({ message }: { message: string | null }) {
  if (!message) return null;
  return (
    <p className="notice notice-error" role="alert">
      {message}
    </p>
  );
}

export function InfoNotice({ children }: { children: ReactNode }) {
  return (
    <p className="notice notice-info" role="status">
      {children}
    </p>
  );
}

/**
 * Work in progress, e.g. "Deriving your keys…" while Argon2id runs (100 ms
 * to a second): a polite live region with an indeterminate bar.
 */
export function BusyNotice({ message }: { message: string | null }) {
  return (
    <div className="busy" role="status" aria-live="polite">
      {message ? (
        <>
          <span className="busy-bar" aria-hidden="true" />
          <span>{message}</span>
        </>
      ) : null}
    </div>
  );
}
