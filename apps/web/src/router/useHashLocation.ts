import { useSyncExternalStore } from 'react';

/**
 * Routes live in the URL fragment (`#/settings/devices`): the relay serves
 * one `index.html`, and share links (`#/link/<tenant>/<secret>`) keep their
 * secret where no request carries it.
 */
function currentPath(): string {
  const hash = window.location.hash.replace(/^#/, '');
  return hash.startsWith('/') ? hash : '/';
}

function subscribe(listener: () => void): () => void {
  window.addEventListener('hashchange', listener);
  return () => window.removeEventListener('hashchange', listener);
}

/** The current route path, e.g. `/settings/devices`. */
export function useHashLocation(): string {
  return useSyncExternalStore(subscribe, currentPath);
}

/** Goes to a route; `replace` leaves no history entry (redirects). */
export function navigate(path: string, options: { replace?: boolean } = {}): void {
  if (options.replace) window.location.replace(`#${path}`);
  else window.location.hash = path;
}
