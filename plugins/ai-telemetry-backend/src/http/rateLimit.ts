import { HttpAuthService } from '@backstage/backend-plugin-api';
import { RequestHandler } from 'express';
import { tooManyRequests } from './errors';

const MINUTE_MS = 60_000;

/** What {@link RateLimiter.take} answers. */
export type RateDecision =
  | { allowed: true }
  /** Nothing was spent; the cost fits the budget again after this many seconds. */
  | { allowed: false; retryAfterSeconds: number };

/**
 * A token bucket per key (a developer, a user), in this process: each key may spend
 * `perMinute` units a minute, in bursts of up to a minute's worth. A bucket untouched for a
 * minute is full again and is forgotten, so memory follows the keys active in the last minute.
 *
 * Per backend instance: behind a load balancer over N instances a key may spend up to N times
 * as much. A shared store (Redis, the database) would make it global.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly now: () => number;
  private lastSweep: number;

  constructor(
    private readonly options: {
      perMinute: number;
      /** Milliseconds since the epoch; `Date.now` by default. */
      now?: () => number;
    },
  ) {
    this.now = options.now ?? Date.now;
    this.lastSweep = this.now();
  }

  /** The most one request may cost: a minute's worth. Refuse larger requests outright. */
  get capacity(): number {
    return this.options.perMinute;
  }

  /**
   * Spends `cost` units of `key`'s budget when it holds them; otherwise spends nothing and
   * says when it will. A cost above {@link RateLimiter.capacity} is never allowed.
   */
  take(key: string, cost: number = 1): RateDecision {
    const now = this.now();
    this.sweep(now);
    const perMs = this.options.perMinute / MINUTE_MS;
    const bucket = this.buckets.get(key);
    const tokens = bucket
      ? Math.min(this.capacity, bucket.tokens + (now - bucket.at) * perMs)
      : this.capacity;
    // A hair of slack, so that waiting out Retry-After is always enough despite rounding.
    if (cost <= tokens + 1e-9) {
      this.buckets.set(key, { tokens: Math.max(0, tokens - cost), at: now });
      return { allowed: true };
    }
    const missing = Math.min(cost, this.capacity) - tokens;
    return {
      allowed: false,
      retryAfterSeconds: Math.max(1, Math.ceil(missing / perMs / 1000)),
    };
  }

  /** Forgets the buckets that are full again (untouched for a minute), once a minute. */
  private sweep(now: number): void {
    if (now - this.lastSweep < MINUTE_MS) return;
    this.lastSweep = now;
    for (const [key, bucket] of this.buckets) {
      if (now - bucket.at >= MINUTE_MS) this.buckets.delete(key);
    }
  }
}

/**
 * At most `max` things at once per key (a user's raw queries), in this process.
 */
export class ConcurrencyLimiter {
  private readonly running = new Map<string, number>();

  constructor(readonly max: number) {}

  /**
   * A slot for `key`, as the function that gives it back (call it once, when done), or
   * undefined when `key` holds `max` slots already.
   */
  tryAcquire(key: string): (() => void) | undefined {
    const held = this.running.get(key) ?? 0;
    if (held >= this.max) return undefined;
    this.running.set(key, held + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.running.get(key) ?? 1) - 1;
      if (left > 0) {
        this.running.set(key, left);
      } else {
        this.running.delete(key);
      }
    };
  }
}

/**
 * Limits each signed-in user (or service) to the limiter's requests a minute: a 429 with
 * `Retry-After` beyond it. A request without valid credentials passes, for the route to answer
 * its 401.
 */
export function requestRateLimit(options: {
  httpAuth: HttpAuthService;
  limiter: RateLimiter;
  /** The config key that sets the limit, for the message. */
  configKey: string;
}): RequestHandler {
  const { httpAuth, limiter, configKey } = options;
  return async (req, res, next) => {
    let key: string;
    try {
      const { principal } = await httpAuth.credentials(req, {
        allow: ['user', 'service'],
      });
      key =
        principal.type === 'user'
          ? principal.userEntityRef
          : `service:${principal.subject}`;
    } catch {
      next();
      return;
    }
    const decision = limiter.take(key);
    if (decision.allowed) {
      next();
      return;
    }
    next(
      tooManyRequests(
        res,
        `Too many requests: at most ${limiter.capacity} a minute per user (${configKey})`,
        decision.retryAfterSeconds,
      ),
    );
  };
}
