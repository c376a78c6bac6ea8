import { AuthLayout } from '../layout/AuthLayout.tsx';

/**
 * `#/link/<tenant>/<secret>`: a share link. Reserved for the link-open screen
 * (openLink from @coffre/client, no account needed); the secret stays in the
 * fragment and is never sent to the relay.
 */
export function LinkScreen() {
  return (
    <AuthLayout>
      <h1 className="page-title">Shared document</h1>
      <p className="lede">
        Someone shared an encrypted document with you. Opening share links in the browser arrives with the next update
        of Coffre; until then, open it with the command-line client: <code>coffre link open '&lt;link&gt;'</code>.
      </p>
    </AuthLayout>
  );
}
