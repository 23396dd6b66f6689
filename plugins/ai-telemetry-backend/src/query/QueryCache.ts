import { CacheService } from '@backstage/backend-plugin-api';
import { createHash } from 'crypto';

/** What the cache service can hold (@backstage/types' JsonValue). */
type JsonValue = Parameters<CacheService['set']>[1];

/** How long a query result is reused. Windows are aligned, so equal requests ask equal queries. */
export const DEFAULT_RESULT_TTL_MS = 5 * 60 * 1000;

const GENERATION_KEY = 'query-results-generation';

/**
 * Query results in Backstage's cache service, keyed by the query and its (aligned) times, and
 * identical loads that are under way at the same moment coalesced into one: the second caller
 * waits for the first caller's answer instead of asking Prometheus again.
 *
 * Every key carries a generation number kept in the cache itself, so {@link QueryCache.dropAll}
 * (erasure's last step) invalidates every result on every backend instance at once.
 */
export class QueryCache {
  private readonly inFlight = new Map<string, Promise<JsonValue>>();

  constructor(
    private readonly cache: CacheService,
    private readonly ttlMs: number = DEFAULT_RESULT_TTL_MS,
  ) {}

  /**
   * The cached value of `key`, or `load()`'s, shared with every concurrent caller of the same
   * key; kept for `ttlMs` (default: the cache's).
   */
  async get<T extends JsonValue>(
    key: string,
    load: () => Promise<T>,
    options: { ttlMs?: number } = {},
  ): Promise<T> {
    const generation = (await this.cache.get<number>(GENERATION_KEY)) ?? 0;
    const fullKey = `result:${generation}:${createHash('sha256')
      .update(key)
      .digest('hex')}`;

    const pending = this.inFlight.get(fullKey);
    if (pending) return pending as Promise<T>;

    const loading = (async () => {
      const hit = await this.cache.get<T>(fullKey);
      if (hit !== undefined) return hit;
      const value = await load();
      await this.cache.set(fullKey, value, {
        ttl: options.ttlMs ?? this.ttlMs,
      });
      return value;
    })().finally(() => this.inFlight.delete(fullKey));
    this.inFlight.set(fullKey, loading);
    return loading;
  }

  /** Forgets every cached result (new keys from now on; the old ones expire). */
  async dropAll(): Promise<void> {
    const generation = (await this.cache.get<number>(GENERATION_KEY)) ?? 0;
    await this.cache.set(GENERATION_KEY, generation + 1);
  }
}
