/** How the Files screen and the preview dialog write a size and a day. */

export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1_000_000) return `${(bytes / 1000).toFixed(1)} kB`;
  if (bytes < 1_000_000_000) return `${(bytes / 1_000_000).toFixed(1)} MB`;
  return `${(bytes / 1_000_000_000).toFixed(2)} GB`;
}

const day = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
export function formatDay(ms: number): string {
  return day.format(new Date(ms));
}

const moment = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
/** A day and a time, for what can happen several times a day (a file's versions). */
export function formatMoment(ms: number): string {
  return moment.format(new Date(ms));
}

/** "1 item", "3 items": what a folder holds. */
export function itemCount(count: number): string {
  return count === 1 ? '1 item' : `${count} items`;
}
