import type { SignedInState } from '../account/AccountController.ts';

export interface DocumentListProps {
  /** The signed-in account: `account` for tokens and the sharing API, `vaultKey` for local storage. */
  signedIn: SignedInState;
}

/**
 * THE SEAM for the document layer: the list of the user's documents in the
 * workspace's main column. The local-first document work replaces the body
 * of this component (open the local catalog with `signedIn.vaultKey`, list
 * and create documents with a `Workspace` on `signedIn.account`) and adds a
 * `#/doc/<id>` route in App.tsx for the editor. Until then it says honestly
 * that there is nothing to show.
 */
export function DocumentList(_props: DocumentListProps) {
  return (
    <section className="empty-state" aria-labelledby="documents-empty-title">
      <svg className="empty-illustration" viewBox="0 0 64 64" aria-hidden="true" focusable="false">
        <rect x="14" y="8" width="36" height="48" rx="5" fill="none" stroke="currentColor" strokeWidth="2.5" />
        <path d="M22 22h20M22 30h20M22 38h12" stroke="currentColor" strokeWidth="2.5" strokeLinecap="round" />
      </svg>
      <h2 id="documents-empty-title">No documents here yet</h2>
      <p>
        Documents you write or that others share with you will be listed here, decrypted on this device only. Writing in
        the browser arrives with the next update of Coffre. Until then, the <code>coffre</code> command-line client can
        already create and share encrypted documents with your organisation.
      </p>
    </section>
  );
}
