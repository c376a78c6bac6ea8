import type { KeyboardEvent } from 'react';

/** The links of the search's results in the list, in order. */
function resultLinks(list: HTMLElement): HTMLAnchorElement[] {
  return [...list.querySelectorAll<HTMLAnchorElement>('.list-title > a')];
}

/**
 * The search box's keys: ArrowDown goes to the first result, Enter opens
 * it (the link's own route, as a click would).
 */
export function onSearchBoxKey(event: KeyboardEvent<HTMLInputElement>, list: HTMLElement | null): void {
  if (!list || event.currentTarget.value.trim() === '') return;
  const first = resultLinks(list)[0];
  if (!first) return;
  if (event.key === 'ArrowDown') {
    event.preventDefault();
    first.focus();
  } else if (event.key === 'Enter') {
    event.preventDefault();
    first.click();
  }
}

/** Arrows move through the results' links; ArrowUp from the first goes back to the search box. */
export function onResultsKey(event: KeyboardEvent<HTMLElement>, box: HTMLInputElement | null): void {
  if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
  const links = resultLinks(event.currentTarget);
  const at = links.indexOf(event.target as HTMLAnchorElement);
  if (at < 0) return;
  event.preventDefault();
  const next = at + (event.key === 'ArrowDown' ? 1 : -1);
  if (next < 0) box?.focus();
  else links[Math.min(next, links.length - 1)]?.focus();
}
