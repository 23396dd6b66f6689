import { createHash } from 'crypto';
import { gzipSync } from 'zlib';

/** How long a finished answer is reused: twice the live clock's resolution. */
export const ANSWER_TTL_MS = 30_000;

/** How many finished answers are kept at most (each at most ~100 KB, and its gzip). */
export const MAX_ANSWERS = 64;

/**
 * An answer as it is sent: its JSON text, made once, with an ETag of its content, and its gzip,
 * made the first time a client accepts it.
 */
export class SerialisedAnswer {
  readonly json: string;
  readonly etag: string;
  private gzipped?: Buffer;

  constructor(value: unknown) {
    this.json = JSON.stringify(value);
    this.etag = `"${createHash('sha1').update(this.json).digest('base64url')}"`;
  }

  gzip(): Buffer {
    this.gzipped ??= gzipSync(this.json);
    return this.gzipped;
  }
}

/**
 * Finished dashboard answers of this backend instance, serialised, for {@link ANSWER_TTL_MS}:
 * the warm path of a dashboard is one lookup. The caller's key says everything the answer
 * depends on (the caller, the window to its `asOf`, the filters, the results' generation, the
 * opt-in registry's version), so an entry is only ever reused for the same question; identical
 * requests under way at the same moment are answered by one computation.
 */
export class AnswerCache {
  private readonly entries = new Map<
    string,
    { answer: SerialisedAnswer; expires: number }
  >();
  private readonly inFlight = new Map<string, Promise<SerialisedAnswer>>();

  constructor(
    private readonly options: {
      ttlMs?: number;
      maxEntries?: number;
      /** Now, in milliseconds (tests fix it). */
      now?: () => number;
    } = {},
  ) {}

  /**
   * The answer of `key`, made by `make()` when there is none; kept only when `reusable` says so
   * of it (an answer with a failed panel is not).
   */
  async get<T>(
    key: string,
    make: () => Promise<T>,
    reusable: (value: T) => boolean = () => true,
  ): Promise<SerialisedAnswer> {
    const now = this.now();
    const hit = this.entries.get(key);
    if (hit && hit.expires > now) return hit.answer;
    if (hit) this.entries.delete(key);
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const making = make()
      .then(value => {
        const answer = new SerialisedAnswer(value);
        if (reusable(value)) this.remember(key, answer);
        return answer;
      })
      .finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, making);
    return making;
  }

  /** Forgets every answer (erasure's last step, on this instance). */
  clear(): void {
    this.entries.clear();
  }

  private remember(key: string, answer: SerialisedAnswer) {
    const max = this.options.maxEntries ?? MAX_ANSWERS;
    this.entries.set(key, {
      answer,
      expires: this.now() + (this.options.ttlMs ?? ANSWER_TTL_MS),
    });
    // Oldest first: Map keeps insertion order.
    for (const old of this.entries.keys()) {
      if (this.entries.size <= max) break;
      this.entries.delete(old);
    }
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }
}
