/** The relay's sync endpoint for an HTTP base URL: http -> ws, https -> wss, path /sync. */
export function syncUrlFor(baseUrl: string): string {
  const url = new URL(baseUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/sync`;
  return url.toString();
}
