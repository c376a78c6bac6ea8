/** What a tab does with the role the election gives it. */
export interface TabRoles {
  /** This tab writes; the lock is held until the returned promise settles. */
  writer(): Promise<void>;
  /** Another tab writes; `writer` is called later if that tab closes. */
  follower(): void;
}

/**
 * Elects one writer among the tabs of a device with Web Locks (the lock
 * `<name>:writer`): the first tab to ask writes, the others follow and
 * queue, so the lock passes to one of them when the writer's tab closes.
 * Without Web Locks (very old browsers) the tab assumes it is alone.
 * Aborting `signal` leaves the queue.
 */
export function electTabWriter(
  locks: LockManager | undefined,
  name: string,
  signal: AbortSignal,
  roles: TabRoles,
): void {
  if (!locks) {
    void roles.writer();
    return;
  }
  const lock = `${name}:writer`;
  locks
    .request(lock, { ifAvailable: true }, (granted) => {
      if (granted) return roles.writer();
      roles.follower();
      // Queued: granted when the writer's tab closes.
      locks.request(lock, { signal }, () => roles.writer()).catch(() => undefined);
      return undefined;
    })
    .catch(() => undefined);
}
