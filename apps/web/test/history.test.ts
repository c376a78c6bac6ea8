import { describe, expect, it } from 'vitest';
import { type AuthorDirectory, UNKNOWN_AUTHOR, describeAuthor } from '../src/history/versionAuthors.ts';
import { absoluteTime, relativeTime, versionTime } from '../src/history/versionTime.ts';

const clock = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });

describe('version authors', () => {
  const directory: AuthorDirectory = {
    self: { userId: 'user-me', deviceId: 'device-here' },
    owners: new Map([
      ['device-phone', 'user-me'],
      ['device-bob', 'user-bob'],
      ['device-carol', 'user-carol'],
    ]),
    emails: new Map([['user-bob', 'bob@example.test']]),
  };

  it('names this device, the user’s other devices and members by their email', () => {
    expect(describeAuthor('device-here', directory)).toBe('You (this device)');
    expect(describeAuthor('device-phone', directory)).toBe('You (another device)');
    expect(describeAuthor('device-bob', directory)).toBe('bob@example.test');
  });

  it('says "a member’s device" when the device or its user’s email is unknown', () => {
    expect(describeAuthor('device-carol', directory)).toBe(UNKNOWN_AUTHOR);
    expect(describeAuthor('device-stranger', directory)).toBe(UNKNOWN_AUTHOR);
  });
});

describe('version times', () => {
  const now = new Date(2026, 10, 21, 14, 40).getTime();

  it('says today or yesterday with the time, else the date', () => {
    const today = new Date(2026, 10, 21, 14, 32).getTime();
    const yesterday = new Date(2026, 10, 20, 9, 10).getTime();
    const earlier = new Date(2026, 10, 12, 8, 0).getTime();
    const lastYear = new Date(2025, 0, 3, 8, 0).getTime();
    expect(absoluteTime(today, now)).toBe(`Today ${clock.format(today)}`);
    expect(absoluteTime(yesterday, now)).toBe(`Yesterday ${clock.format(yesterday)}`);
    expect(absoluteTime(earlier, now)).toMatch(/12/);
    expect(absoluteTime(earlier, now)).not.toMatch(/2026/);
    expect(absoluteTime(lastYear, now)).toMatch(/2025/);
  });

  it('says how long ago in words', () => {
    expect(relativeTime(now - 20_000, now)).toBe('just now');
    expect(relativeTime(now - 8 * 60_000, now)).toMatch(/8 minutes ago/);
    expect(relativeTime(now - 3 * 3_600_000, now)).toMatch(/3 hours ago/);
    expect(relativeTime(now - 2 * 86_400_000, now)).toMatch(/2 days ago/);
  });

  it('shows an unknown time for a version without a valid one', () => {
    expect(versionTime(0, now)).toEqual({ absolute: 'Unknown time', relative: '', iso: '' });
  });
});
