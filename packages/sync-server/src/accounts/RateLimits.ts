import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { CoffreError, ErrorCode } from '@coffre/protocol';

/** At most `points` requests per `durationSeconds` for one key. */
export interface RateLimitRule {
  points: number;
  durationSeconds: number;
}

/** The relay's limits on its authentication endpoints (accounts and share links) and the Drive's chunks. */
export interface RateLimitOptions {
  /** Login attempts per account (tenant + email), whether the account exists or not. */
  loginPerAccount: RateLimitRule;
  /** Login attempts per client address. */
  loginPerIp: RateLimitRule;
  /** Registrations per client address. */
  registerPerIp: RateLimitRule;
  /** KDF parameter look-ups per client address. */
  kdfPerIp: RateLimitRule;
  /** Refreshes per client address. */
  refreshPerIp: RateLimitRule;
  /** Two-factor codes tried by one signed-in user (confirm and disable). */
  secondFactorPerUser: RateLimitRule;
  /** Link-session requests per client address. */
  linkSessionPerIp: RateLimitRule;
  /** Link-session requests per link (tenant + link id) since its last successful one. */
  linkSessionPerLink: RateLimitRule;
  /** Drive chunks one signed-in user uploads (about 1 MiB each). */
  chunkWritesPerUser: RateLimitRule;
  /** Drive chunks one signed-in user downloads, and "which do you hold" questions. */
  chunkReadsPerUser: RateLimitRule;
  /** Requests of garbage-collection sweeps one signed-in user makes (start, a page of chunks, a release). */
  driveSweepsPerUser: RateLimitRule;
}

export type RateLimitName = keyof RateLimitOptions;

export const DEFAULT_RATE_LIMITS: RateLimitOptions = {
  loginPerAccount: { points: 10, durationSeconds: 15 * 60 },
  loginPerIp: { points: 50, durationSeconds: 60 },
  registerPerIp: { points: 10, durationSeconds: 60 * 60 },
  kdfPerIp: { points: 100, durationSeconds: 60 },
  refreshPerIp: { points: 120, durationSeconds: 60 },
  secondFactorPerUser: { points: 10, durationSeconds: 15 * 60 },
  linkSessionPerIp: { points: 60, durationSeconds: 60 },
  linkSessionPerLink: { points: 30, durationSeconds: 15 * 60 },
  // About 50 MiB/s up and 100 MiB/s down per user, sustained over a minute.
  chunkWritesPerUser: { points: 3000, durationSeconds: 60 },
  chunkReadsPerUser: { points: 6000, durationSeconds: 60 },
  // A page lists and a release deletes up to 1000 chunks: about 300,000 a minute.
  driveSweepsPerUser: { points: 600, durationSeconds: 60 },
};

/** A request over a limit: answered 429 with `Retry-After`. */
export class RateLimitedError extends CoffreError {
  readonly retryAfterSeconds: number;
  constructor(retryAfterSeconds: number) {
    super(ErrorCode.RateLimited);
    this.name = 'RateLimitedError';
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/**
 * Counters for the authentication endpoints, in this process's memory.
 * Several relays behind one address each count on their own.
 * TODO(scale-out): RateLimiterRedis when REDIS_URL is set (needs a Redis client dependency).
 */
export class RateLimits {
  readonly #limiters: Record<RateLimitName, RateLimiterMemory>;

  constructor(options: Partial<RateLimitOptions> = {}) {
    const rules = { ...DEFAULT_RATE_LIMITS, ...options };
    const limiter = (name: RateLimitName) =>
      new RateLimiterMemory({ keyPrefix: name, points: rules[name].points, duration: rules[name].durationSeconds });
    this.#limiters = {
      loginPerAccount: limiter('loginPerAccount'),
      loginPerIp: limiter('loginPerIp'),
      registerPerIp: limiter('registerPerIp'),
      kdfPerIp: limiter('kdfPerIp'),
      refreshPerIp: limiter('refreshPerIp'),
      secondFactorPerUser: limiter('secondFactorPerUser'),
      linkSessionPerIp: limiter('linkSessionPerIp'),
      linkSessionPerLink: limiter('linkSessionPerLink'),
      chunkWritesPerUser: limiter('chunkWritesPerUser'),
      chunkReadsPerUser: limiter('chunkReadsPerUser'),
      driveSweepsPerUser: limiter('driveSweepsPerUser'),
    };
  }

  /**
   * Counts `points` requests (one by default; a batch upload counts its
   * chunks, at most the rule's whole allowance, so a batch larger than the
   * allowance waits for a fresh window rather than never passing); rejects
   * with {@link RateLimitedError} when `key` is over the limit.
   */
  async consume(name: RateLimitName, key: string, points = 1): Promise<void> {
    const limiter = this.#limiters[name];
    try {
      await limiter.consume(key, Math.min(points, limiter.points));
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) {
        throw new RateLimitedError(Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)));
      }
      throw rejection;
    }
  }

  /** Forgets a key's count (e.g. the account's after a successful login). */
  async reset(name: RateLimitName, key: string): Promise<void> {
    await this.#limiters[name].delete(key);
  }
}
