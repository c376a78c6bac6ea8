import { useSyncExternalStore } from 'react';

/**
 * Whether the browser tab shows a document's title: off unless the person turns it
 * on for this browser. Browsers keep every tab title in their history and session
 * files, unencrypted, so by default the tab reads "Document · Coffre". The choice
 * is a flag in this origin's localStorage (no title, no account: it is the same for
 * everyone who uses this browser profile).
 */
const STORAGE_KEY = 'coffre.showTitlesInTab';
const ON = 'on';

const listeners = new Set<() => void>();

/** The choice stored on this device; false when storage cannot be read. */
export function showsTitlesInTab(): boolean {
  try {
    return window.localStorage.getItem(STORAGE_KEY) === ON;
  } catch {
    return false;
  }
}

/** Stores the choice on this device; throws when the browser refuses to store it. */
export function setShowTitlesInTab(show: boolean): void {
  if (show) window.localStorage.setItem(STORAGE_KEY, ON);
  else window.localStorage.removeItem(STORAGE_KEY);
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  // Other tabs of the app follow through the storage event.
  const onStorage = (event: StorageEvent) => {
    if (event.key === STORAGE_KEY || event.key === null) listener();
  };
  listeners.add(listener);
  window.addEventListener('storage', onStorage);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('storage', onStorage);
  };
}

/** The choice, following changes made in this tab or another one. */
export function useShowTitlesInTab(): boolean {
  return useSyncExternalStore(subscribe, showsTitlesInTab);
}

/**
 * The browser tab's text on a document screen: the title only when the person
 * chose to show it, otherwise what the screen is (`generic`, e.g. "Note").
 */
export function documentTabTitle(shown: string, generic: string, showTitle: boolean): string {
  return `${showTitle ? shown : generic} · Coffre`;
}
