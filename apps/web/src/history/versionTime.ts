const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const clock = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });
const dayAndMonth = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' });
const fullDate = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

/** When a version was saved, for people: "Today 14:32" and "5 minutes ago". */
export interface VersionTime {
  absolute: string;
  relative: string;
  /** For a `<time dateTime>`. */
  iso: string;
}

function startOfDay(time: number): number {
  const date = new Date(time);
  date.setHours(0, 0, 0, 0);
  return date.getTime();
}

/** "Today 14:32", "Yesterday 09:10", "12 Nov 14:32" this year, else "12 Nov 2025 14:32". */
export function absoluteTime(savedAt: number, now = Date.now()): string {
  const at = clock.format(savedAt);
  const days = Math.round((startOfDay(now) - startOfDay(savedAt)) / DAY);
  if (days === 0) return `Today ${at}`;
  if (days === 1) return `Yesterday ${at}`;
  const sameYear = new Date(savedAt).getFullYear() === new Date(now).getFullYear();
  return `${sameYear ? dayAndMonth.format(savedAt) : fullDate.format(savedAt)} ${at}`;
}

/** "just now", "5 minutes ago", "3 hours ago", "2 days ago" (and "in 2 minutes" for a clock ahead). */
export function relativeTime(savedAt: number, now = Date.now()): string {
  const elapsed = now - savedAt;
  const size = Math.abs(elapsed);
  if (size < MINUTE) return 'just now';
  if (size < HOUR) return relative.format(-Math.round(elapsed / MINUTE), 'minute');
  if (size < DAY) return relative.format(-Math.round(elapsed / HOUR), 'hour');
  if (size < 30 * DAY) return relative.format(-Math.round(elapsed / DAY), 'day');
  if (size < 365 * DAY) return relative.format(-Math.round(elapsed / (30 * DAY)), 'month');
  return relative.format(-Math.round(elapsed / (365 * DAY)), 'year');
}

export function versionTime(savedAt: number, now = Date.now()): VersionTime {
  if (!Number.isFinite(savedAt) || savedAt <= 0) return { absolute: 'Unknown time', relative: '', iso: '' };
  return {
    absolute: absoluteTime(savedAt, now),
    relative: relativeTime(savedAt, now),
    iso: new Date(savedAt).toISOString(),
  };
}
