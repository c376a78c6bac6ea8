/** Size limits shared by client and relay. The relay enforces them; the client respects them. */
export const LIMITS = {
  /** Largest WebSocket message the relay accepts, in bytes. */
  maxMessageBytes: 8 * 1024 * 1024,
  /** Largest sealed entry (header + nonce + ciphertext + signature). */
  maxEntryBytes: 6 * 1024 * 1024,
  /** Largest sealed awareness (presence) blob. */
  maxAwarenessBytes: 16 * 1024,
  /** Largest header inside an entry. */
  maxHeaderBytes: 32 * 1024,
  /** Most author devices a snapshot's coverage may list. */
  maxCoverageEntries: 1000,
  /**
   * Saved versions a document keeps: older ones may be deleted only while at
   * least this many remain (the relay refuses any other deletion of a version).
   */
  keptVersions: 100,
  /** Seconds an unauthenticated connection may stay open. */
  unauthenticatedTimeoutSeconds: 10,
  /** Messages an unauthenticated connection may send before it is closed. */
  unauthenticatedMaxMessages: 16,
  /**
   * After a close with RATE_LIMITED (4429), how long a client waits before
   * reconnecting, at least: the relay counts messages and bytes in windows
   * of this length, so a new socket then starts with a full allowance.
   */
  rateLimitRetryAfterMs: 1000,
} as const;
