import './updateNotice.css';

/**
 * Defined by pwaPlugin.ts in `vite build` only (not by `import.meta.env.PROD`, which a build run with
 * NODE_ENV=test, as the tests do, turns off).
 */
declare const __COFFRE_SERVICE_WORKER__: boolean | undefined;

/** Where the build puts the worker (see pwaPlugin.ts). */
const WORKER_URL = '/sw.js';
/** Set for the one reload that hands this tab to a waiting version, so it can never loop. */
const HANDOVER_KEY = 'coffre-sw-handover';
/** How long after asking a version to take over the load it causes counts as that hand-over. */
const HANDOVER_WINDOW_MS = 10_000;

/**
 * Registers the service worker that keeps the app shell on the device (a
 * built app only: the dev server has none), so the app starts offline.
 *
 * Updates: the browser checks `/sw.js` on every load; a new version
 * installs beside the running one and waits. This tab then shows "A new
 * version is ready — Reload"; Reload, or the next load of the app, hands over
 * to it (the waiting version takes over and the page loads again, once).
 */
export function registerServiceWorker(): void {
  if (typeof __COFFRE_SERVICE_WORKER__ === 'undefined' || !('serviceWorker' in navigator)) return;
  register().catch((error: unknown) => {
    // Offline with no worker yet, or storage turned off: the app works, only not offline.
    console.warn('Coffre could not keep the app on this device for offline use:', error);
  });
}

async function register(): Promise<void> {
  const container = navigator.serviceWorker;
  const registration = await container.register(WORKER_URL, { scope: '/', updateViaCache: 'none' });
  // Only a hand-over of the last few seconds counts: a mark left by a load that never got here must not stop the
  // next version from taking over.
  const handedOver = Date.now() - Number(sessionStorage.getItem(HANDOVER_KEY) ?? 0) < HANDOVER_WINDOW_MS;
  sessionStorage.removeItem(HANDOVER_KEY);
  if (registration.waiting && container.controller && !handedOver) {
    // A version installed during an earlier visit: it takes over on this load.
    activate(registration.waiting);
    return;
  }
  if (registration.waiting && container.controller) showUpdateNotice(registration.waiting);
  registration.addEventListener('updatefound', () => {
    const installing = registration.installing;
    if (!installing) return;
    installing.addEventListener('statechange', () => {
      // With no controller this is the first install: nothing to replace.
      if (installing.state === 'installed' && container.controller) showUpdateNotice(installing);
    });
  });
  // From here on, a new version is announced in this tab (what the PWA e2e test waits for in each tab).
  document.documentElement.dataset.updates = 'watching';
}

/** Asks `waiting` to take over and loads the page again once it has. */
function activate(waiting: ServiceWorker): void {
  // Another tab already handed over to it: this page only needs loading again.
  if (waiting.state === 'activating' || waiting.state === 'activated') {
    window.location.reload();
    return;
  }
  sessionStorage.setItem(HANDOVER_KEY, String(Date.now()));
  navigator.serviceWorker.addEventListener('controllerchange', () => window.location.reload(), { once: true });
  waiting.postMessage({ type: 'skip-waiting' });
}

let notice: HTMLElement | null = null;

function showUpdateNotice(waiting: ServiceWorker): void {
  notice?.remove();
  const card = document.createElement('div');
  card.className = 'update-notice';
  card.setAttribute('role', 'status');
  const text = document.createElement('span');
  text.textContent = 'A new version of Coffre is ready.';
  const reload = document.createElement('button');
  reload.type = 'button';
  reload.className = 'button button-primary';
  reload.textContent = 'Reload';
  reload.addEventListener('click', () => {
    reload.disabled = true;
    activate(waiting);
  });
  const later = document.createElement('button');
  later.type = 'button';
  later.className = 'button button-quiet';
  later.textContent = 'Not now';
  later.addEventListener('click', () => card.remove());
  card.append(text, reload, later);
  document.body.append(card);
  notice = card;
}
