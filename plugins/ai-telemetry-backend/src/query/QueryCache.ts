import { CacheService } from '@backstage/backend-plugin-api';
import { createHash, randomUUID } from 'crypto';

/** What the cache service can hold (@backstage/types' JsonValue). */
type JsonValue = Parameters<CacheService['set']>[1];

/** How long a query result is reused. Windows are aligned, so equal requests ask equal queries. */
export const DEFAULT_RESULT_TTL_MS = 5 * 60 * 1000;

const GENERATION_KEY = 'query-results-generation';

/**
 * How much this process keeps of the results, decoded, besides the cache service: in points of
 * series (a value that is no list of series weighs 1), about 100 bytes each.
 */
export const LOCAL_RESULTS_WEIGHT = 250_000;

/** How much a result weighs in {@link LOCAL_RESULTS_WEIGHT}. */
function weightOf(value: JsonValue): number {
  if (!Array.isArray(value)) return 1;
  return value.reduce<number>((sum, item) => {
    const points = (item as { points?: unknown } | null)?.points;
    return sum + 1 + (Array.isArray(points) ? points.length : 0);
  }, 0);
}

/**
 * The results this process used lately, decoded, newest last, up to a total weight: reading one
 * again needs no decoding of the cache service's copy. Keyed as the cache service is, so the
 * generation drops them too.
 */
class LocalResults {
  private readonly entries = new Map<
    string,
    { value: JsonValue; expires: number; weight: number }
  >();
  private weight = 0;

  constructor(private readonly maxWeight: number) {}

  get(key: string): JsonValue | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.expires <= Date.now()) {
      this.weight -= entry.weight;
      return undefined;
    }
    this.entries.set(key, entry);
    return entry.value;
  }

  set(key: string, value: JsonValue, ttlMs: number): void {
    const weight = weightOf(value);
    if (weight > this.maxWeight / 4) return;
    const old = this.entries.get(key);
    if (old) {
      this.entries.delete(key);
      this.weight -= old.weight;
    }
    this.entries.set(key, { value, expires: Date.now() + ttlMs, weight });
    this.weight += weight;
    for (const [oldest, entry] of this.entries) {
      if (this.weight <= this.maxWeight) break;
      this.entries.delete(oldest);
      this.weight -= entry.weight;
    }
  }

  clear(): void {
    this.entries.clear();
    this.weight = 0;
  }
}

/**
 * Query results in Backstage's cache service, keyed by the query and its (aligned) times, and
 * identical loads that are under way at the same moment coalesced into one: the second caller
 * waits for the first caller's answer instead of asking Prometheus again.
 *
 * Every key carries a generation kept in the cache itself, so {@link QueryCache.dropAll}
 * (erasure's last step) invalidates every result on every backend instance at once; a cache that
 * lost it (emptied, restarted) starts a new one, so that nothing worked out from the old results
 * outlives them.
 *
 * The results this instance used lately are also kept decoded in memory (no longer than in the
 * cache service): they are shared by every caller, who must not change them.
 */
export class QueryCache {
  private readonly inFlight = new Map<string, Promise<JsonValue>>();
  private readonly local: LocalResults;
  private starting?: Promise<string>;
  /** The generation read in this turn of the event loop ({@link QueryCache.generation}). */
  private current?: Promise<string>;

  constructor(
    private readonly cache: CacheService,
    private readonly ttlMs: number = DEFAULT_RESULT_TTL_MS,
    localWeight: number = LOCAL_RESULTS_WEIGHT,
  ) {
    this.local = new LocalResults(localWeight);
  }

  /**
   * The cached value of `key`, or `load()`'s, shared with every concurrent caller of the same
   * key; kept for `ttlMs` (default: the cache's).
   */
  async get<T extends JsonValue>(
    key: string,
    load: () => Promise<T>,
    options: { ttlMs?: number } = {},
  ): Promise<T> {
    const generation = await this.generation();
    const fullKey = `result:${generation}:${createHash('sha256')
      .update(key)
      .digest('hex')}`;
    const ttlMs = options.ttlMs ?? this.ttlMs;

    const known = this.local.get(fullKey);
    if (known !== undefined) return known as T;
    const pending = this.inFlight.get(fullKey);
    if (pending) return pending as Promise<T>;

    const loading = (async () => {
      const hit = await this.cache.get<T>(fullKey);
      if (hit !== undefined) {
        this.local.set(fullKey, hit, ttlMs);
        return hit;
      }
      const value = await load();
      this.local.set(fullKey, value, ttlMs);
      // The shared copy is for the other instances: the answer does not wait for it, and a
      // store that fails to keep it only costs them a query of their own.
      this.cache.set(fullKey, value, { ttl: ttlMs }).catch(() => undefined);
      return value;
    })().finally(() => this.inFlight.delete(fullKey));
    this.inFlight.set(fullKey, loading);
    return loading;
  }

  /**
   * The generation every key carries now: it changes when {@link QueryCache.dropAll} drops the
   * results, on any backend instance, or when the cache loses them, so that what was worked out
   * from them can be keyed by it.
   */
  generation(): Promise<string> {
    // Read once per turn of the event loop: the gets of one moment (a raw query's day-by-day
    // pooling counts, a dashboard's queries) share the read instead of each asking the cache
    // service (and decoding its copy) again. Another instance's drop is seen from the next turn.
    if (!this.current) {
      const read = this.readGeneration();
      this.current = read;
      setImmediate(() => {
        if (this.current === read) this.current = undefined;
      });
    }
    return this.current;
  }

  private async readGeneration(): Promise<string> {
    const known = await this.cache.get<string | number>(GENERATION_KEY);
    if (known !== undefined) return String(known);
    // Callers that find it missing at the same moment share the one that replaces it.
    this.starting ??= (async () => {
      const fresh = randomUUID();
      await this.cache.set(GENERATION_KEY, fresh);
      return fresh;
    })().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  /** Forgets every cached result (new keys from now on; the old ones expire). */
  async dropAll(): Promise<void> {
    this.local.clear();
    await this.cache.set(GENERATION_KEY, randomUUID());
    // A read of this turn holds the old generation: the next caller reads the new one.
    this.current = undefined;
  }
}
