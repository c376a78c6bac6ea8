/**
 * The page a person who opens the relay's address in a browser sees when no
 * web app is built (and at `/status`): what runs here and how to start.
 */
export function statusPage(engine: string, hasWebApp: boolean): string {
  const app = hasWebApp
    ? '<p>The web app is served at <a href="/">/</a>.</p>'
    : '<p>No web app is built here: <code>./run start</code> builds it (or <code>pnpm --filter @coffre/web build</code>), or pass <code>--web-dir</code>.</p>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Coffre relay</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#1d1d1f}
code{background:#f2f2f4;padding:.1rem .3rem;border-radius:4px}h1{font-size:1.6rem}.ok{color:#0a7a32}</style></head>
<body><h1>Coffre relay <span class="ok">is running</span></h1>
<p>This relay syncs end-to-end-encrypted documents. It stores only ciphertext, per tenant, in ${engine === 'pglite' ? 'its embedded database (PGlite)' : 'PostgreSQL'}.</p>
<ul><li>WebSocket sync: <code>/sync</code></li><li>Health: <code>/healthz</code>, readiness: <code>/readyz</code></li>
<li>HTTP API (accounts, sessions, devices, documents, grants, share links): <code>/v1/tenants/{tenant}/...</code>, described at <a href="/openapi.json"><code>/openapi.json</code></a></li></ul>
<p>Create an organisation with <code>coffre-relay tenant create --slug acme --name "Acme Corp"</code>; its first user to register becomes its admin.</p>
${app}
<p>For development without accounts, <code>./run relay token --tenant acme --user alice</code> mints a token (accepted unless the relay runs with <code>--no-dev-tokens</code>).</p>
</body></html>`;
}

/** The status page has one inline style sheet and nothing else to load. */
export const STATUS_PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
};
