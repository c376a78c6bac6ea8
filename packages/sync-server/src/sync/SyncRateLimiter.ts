import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { LIMITS } from '@coffre/protocol';

/**
 * Allowances on what clients send over sync sockets, per second. Real use
 * stays far below them: a person typing sends tens of messages a second, a
 * reconnecting client its whole offline queue as one sync step 2 (up to
 * {@link LIMITS.maxMessageBytes}), and `./run bench`, typing as fast as the
 * machine can, one message per hundred keystrokes. A flood (thousands of
 * messages in a few milliseconds) is cut off after a quarter of
 * `messagesPerSocket`: messages are counted in windows of
 * {@link MESSAGE_WINDOW_MS}, bytes in windows of {@link BYTE_WINDOW_MS}.
 */
export interface SyncRateLimitOptions {
  /** Messages one socket may send per second. */
  messagesPerSocket: number;
  /** Bytes one socket may send per second; at least the largest message allowed. */
  bytesPerSocket: number;
  /** Messages all sockets of one organisation may send, together, per second (to its signed-in documents). */
  messagesPerTenant: number;
  /** Bytes all sockets of one organisation may send, together, per second. */
  bytesPerTenant: number;
}

export const DEFAULT_SYNC_RATE_LIMITS: SyncRateLimitOptions = {
  messagesPerSocket: 1000,
  bytesPerSocket: 2 * LIMITS.maxMessageBytes,
  messagesPerTenant: 10_000,
  bytesPerTenant: 8 * LIMITS.maxMessageBytes,
};

/**
 * Messages are counted in short windows, so that a burst is cut off early:
 * every message accepted costs the relay about a millisecond or two of work
 * and its document one write, which the next acknowledgements wait for.
 */
export const MESSAGE_WINDOW_MS = 250;
/** Bytes are counted per second, so that one message of {@link LIMITS.maxMessageBytes} fits. */
export const BYTE_WINDOW_MS = 1000;

/**
 * Counts every message a sync socket sends, and its bytes, against the
 * socket's allowance and, once it has signed in to a document, against its
 * organisation's: one socket cannot take the relay's time from every other
 * socket, nor the sockets of one organisation from every other organisation.
 * Windows are fixed (at most {@link LIMITS.rateLimitRetryAfterMs} long,
 * so a client that waits that long starts afresh), in this process's memory
 * (rate-limiter-flexible's RateLimiterMemory).
 */
export class SyncRateLimiter {
  readonly options: SyncRateLimitOptions;
  readonly #socketMessages: RateLimiterMemory;
  readonly #socketBytes: RateLimiterMemory;
  readonly #tenantMessages: RateLimiterMemory;
  readonly #tenantBytes: RateLimiterMemory;

  constructor(options: Partial<SyncRateLimitOptions> = {}) {
    this.options = { ...DEFAULT_SYNC_RATE_LIMITS, ...options };
    const limiter = (keyPrefix: string, perSecond: number, windowMs: number) =>
      new RateLimiterMemory({
        keyPrefix,
        points: Math.max(1, Math.ceil((perSecond * windowMs) / 1000)),
        duration: windowMs / 1000,
      });
    this.#socketMessages = limiter('socket-messages', this.options.messagesPerSocket, MESSAGE_WINDOW_MS);
    this.#socketBytes = limiter('socket-bytes', this.options.bytesPerSocket, BYTE_WINDOW_MS);
    this.#tenantMessages = limiter('tenant-messages', this.options.messagesPerTenant, MESSAGE_WINDOW_MS);
    this.#tenantBytes = limiter('tenant-bytes', this.options.bytesPerTenant, BYTE_WINDOW_MS);
  }

  /**
   * Counts one message of `bytes` from `socketId` (and from `tenant` when
   * known); resolves false when it is over an allowance.
   */
  async admit(socketId: string, tenant: string | null, bytes: number): Promise<boolean> {
    try {
      await this.#socketMessages.consume(socketId);
      await this.#socketBytes.consume(socketId, bytes);
      if (tenant !== null) {
        await this.#tenantMessages.consume(tenant);
        await this.#tenantBytes.consume(tenant, bytes);
      }
      return true;
    } catch (error) {
      if (error instanceof RateLimiterRes) return false;
      throw error;
    }
  }
}
