import { createHash } from 'node:crypto';
import { backoffDelay } from './backoff';
import { TelemetryEvent } from './contract';
import { Blocked, DiskQueue, QueueState, QueuedBatch } from './queue/DiskQueue';
import {
  ClientSettings,
  ENV,
  TelemetryClientOptions,
  TelemetryLogger,
  readClientSettings,
} from './settings';
import { SendOutcome, sendBatch } from './transport';
import { validateEvent } from './validateEvent';

/** What `record()` did with an event. */
export type RecordResult =
  /** Stored in the queue; it will be sent. */
  | 'queued'
  /** Telemetry is off (`FAWKES_AI_TELEMETRY` is not `enabled`): nothing was stored. */
  | 'disabled'
  /**
   * The backend refused this token (401) or this user (403, not opted in): nothing new
   * is recorded until the token changes (see `status().paused`).
   */
  | 'paused'
  /** The queue holds `maxQueuedEvents` already: this event was dropped. */
  | 'queue-full';

/** How a flush ended. */
export type FlushOutcome =
  /** Everything queued was delivered (or nothing was queued). */
  | 'delivered'
  | 'disabled'
  /** No endpoint or no token is configured; events stay queued. */
  | 'not-configured'
  /** 401: the token was refused; events stay queued until a new token is set. */
  | 'unauthorized'
  /** 403: the user has not opted in; events stay queued. */
  | 'not-opted-in'
  /** The backend was unreachable or failing; events stay queued for a later try. */
  | 'retrying'
  /** An earlier failure's backoff is not over yet; nothing was sent. */
  | 'backing-off'
  /** Another process is flushing this queue right now. */
  | 'locked'
  /** The queue directory could not be read or written. */
  | 'error';

/** The result of a flush. `flush()` never throws: problems are reported here. */
export type FlushResult = {
  outcome: FlushOutcome;
  /** Events the backend counted now. */
  sentEvents: number;
  /** Batches the backend had counted before (a retry after a lost answer). */
  duplicateBatches: number;
  /** Events moved to the dead-letter directory because the backend refused them (400). */
  deadLetteredEvents: number;
  /** Events still queued after this flush. */
  remainingEvents: number;
  /** What went wrong, if anything, as a sentence for the user. */
  message?: string;
  /** When an automatic flush will try again, after `retrying`. */
  nextAttemptAt?: number;
};

/** What `status()` reports. */
export type TelemetryStatus = {
  enabled: boolean;
  endpoint?: string;
  tokenConfigured: boolean;
  queueDir: string;
  /** Events waiting to be sent (recorded, batched or not). */
  queuedEvents: number;
  queuedBatches: number;
  deadLetters: number;
  lastError?: { at: string; message: string; status?: number };
  lastSentAt?: string;
  /** Set while sending is paused after a 401 or 403. */
  paused?: { reason: Blocked['reason']; message: string; since: string };
  nextAttemptAt?: string;
};

/** A lock older than this is someone's crash, not a flush in progress. */
const LOCK_STALE_MS = 10 * 60_000;

const TOKEN_HELP = `Get a new token from the portal (Settings → AI Telemetry) and set ${ENV.token}. Until then nothing new is recorded; the events already queued are kept and sent with the new token.`;
const OPT_IN_HELP = `Opt in from the portal (Settings → AI Telemetry) and set the token it shows in ${ENV.token}. Until then nothing new is recorded; the events already queued are kept and sent once you have.`;

function fingerprint(token: string | undefined): string {
  return createHash('sha256')
    .update(token ?? '')
    .digest('hex')
    .slice(0, 16);
}

const silentLogger: TelemetryLogger = { info() {}, warn() {} };

function iso(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : new Date(ms).toISOString();
}

/**
 * The Fawkes AI Telemetry client an IDE extension embeds. Off unless
 * `FAWKES_AI_TELEMETRY=enabled`. `record()` checks an event and stores it in a queue on
 * disk; `flush()` (automatic on an interval and once enough events wait) sends the
 * queue in batches, each with an id fixed before its first send, so that a retry is
 * counted once. Network and server failures never throw: they are retried with
 * backoff, or reported in `status()`.
 */
export class TelemetryClient {
  readonly settings: ClientSettings;
  private readonly queue: DiskQueue;
  private readonly logger: TelemetryLogger;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly fetchImpl: typeof fetch;
  private readonly tokenFingerprint: string;
  private timer?: NodeJS.Timeout;
  private inFlight?: Promise<FlushResult>;
  private closed = false;
  /** Known after the first disk read; kept current by record() and flush(). */
  private queuedEstimate?: number;

  constructor(options: TelemetryClientOptions = {}) {
    this.settings = readClientSettings(options);
    this.logger = options.logger ?? silentLogger;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.sleep =
      options.sleep ?? (ms => new Promise(resolve => setTimeout(resolve, ms)));
    this.fetchImpl = options.fetch ?? fetch;
    this.tokenFingerprint = fingerprint(this.settings.token);
    this.queue = new DiskQueue(this.settings.queueDir, this.now);
    if (this.settings.enabled && this.settings.flushIntervalMs > 0) {
      this.timer = setInterval(() => {
        this.flush().catch(() => {});
      }, this.settings.flushIntervalMs);
      this.timer.unref();
    }
  }

  /** Whether telemetry is on. */
  get enabled(): boolean {
    return this.settings.enabled;
  }

  /** A pause applies to the token it was recorded for; a new token lifts it. */
  private activeBlock(state: QueueState): Blocked | undefined {
    return state.blocked?.tokenFingerprint === this.tokenFingerprint
      ? state.blocked
      : undefined;
  }

  private async queuedEvents(): Promise<number> {
    if (this.queuedEstimate === undefined) {
      const stats = await this.queue.stats();
      this.queuedEstimate = stats.pendingEvents + stats.batchedEvents;
    }
    return this.queuedEstimate;
  }

  /**
   * The pause in force for this token, if any. A 403 pause is re-checked after
   * `optInRecheckMs` by sending the oldest queued batch; with nothing queued to send,
   * it is lifted then, so that a user who opted in again is heard.
   */
  private async currentPause(state: QueueState): Promise<Blocked | undefined> {
    const block = this.activeBlock(state);
    if (
      block?.reason === 'not-opted-in' &&
      this.now() - block.at >= this.settings.optInRecheckMs &&
      (await this.queuedEvents()) === 0
    ) {
      state.blocked = undefined;
      await this.queue.writeState(state);
      return undefined;
    }
    return block;
  }

  /**
   * Checks an event and queues it on disk. Throws InputError, naming the field, for an
   * event that breaks the rules (code-like or free-text values, unknown fields, counts
   * out of range); does nothing when telemetry is off.
   */
  async record(event: TelemetryEvent): Promise<RecordResult> {
    if (!this.settings.enabled) {
      return 'disabled';
    }
    const checked = validateEvent(event, this.settings);
    if (await this.currentPause(await this.queue.readState())) {
      return 'paused';
    }
    if ((await this.queuedEvents()) >= this.settings.maxQueuedEvents) {
      return 'queue-full';
    }
    await this.queue.append(checked);
    this.queuedEstimate = (this.queuedEstimate ?? 0) + 1;
    if (
      this.settings.flushAtEvents > 0 &&
      this.queuedEstimate >= this.settings.flushAtEvents &&
      !this.inFlight &&
      !this.closed
    ) {
      this.flush().catch(() => {});
    }
    return 'queued';
  }

  /**
   * Sends what is queued. One flush at a time per client (a second call joins the
   * running one) and per queue directory (a lock file). `force` ignores the backoff
   * and a pause after 401/403, for a user who asks explicitly.
   */
  flush(options: { force?: boolean } = {}): Promise<FlushResult> {
    if (!this.inFlight) {
      this.inFlight = this.flushOnce(options.force ?? false).finally(() => {
        this.inFlight = undefined;
      });
    }
    return this.inFlight;
  }

  private result(
    outcome: FlushOutcome,
    counts: Partial<FlushResult> = {},
  ): FlushResult {
    return {
      outcome,
      sentEvents: 0,
      duplicateBatches: 0,
      deadLetteredEvents: 0,
      remainingEvents: this.queuedEstimate ?? 0,
      ...counts,
    };
  }

  private async flushOnce(force: boolean): Promise<FlushResult> {
    if (!this.settings.enabled) {
      return this.result('disabled', { remainingEvents: 0 });
    }
    try {
      await this.queuedEvents();
      const { endpoint, token } = this.settings;
      if (!endpoint || !token) {
        const missing = !endpoint ? ENV.endpoint : ENV.token;
        return this.result('not-configured', {
          message: `${missing} is not set: events stay queued until it is.`,
        });
      }
      const release = await this.queue.lock(LOCK_STALE_MS);
      if (!release) {
        return this.result('locked', {
          message: `Another process is sending the queue in ${this.settings.queueDir}.`,
        });
      }
      try {
        return await this.sendQueued(endpoint, token, force);
      } finally {
        await release();
      }
    } catch (error) {
      const message = `The telemetry queue in ${this.settings.queueDir} could not be used: ${error}`;
      this.logger.warn(message);
      return this.result('error', { message });
    }
  }

  private async sendQueued(
    endpoint: string,
    token: string,
    force: boolean,
  ): Promise<FlushResult> {
    const state = await this.queue.readState();
    const now = this.now();
    const block = await this.currentPause(state);
    if (block && !force) {
      const recheckDue =
        block.reason === 'not-opted-in' &&
        now - block.at >= this.settings.optInRecheckMs;
      if (!recheckDue) {
        return this.result(block.reason, { message: block.message });
      }
    }
    if (state.backoff && now < state.backoff.nextAttemptAt && !force) {
      return this.result('backing-off', {
        message: state.lastError?.message,
        nextAttemptAt: state.backoff.nextAttemptAt,
      });
    }

    await this.queue.formBatches(
      this.settings.maxBatchEvents,
      this.settings.maxBatchBytes,
    );
    const work = await this.queue.batches();
    const counts = {
      sentEvents: 0,
      duplicateBatches: 0,
      deadLetteredEvents: 0,
    };
    const finish = async (
      outcome: FlushOutcome,
      extra: Partial<FlushResult> = {},
    ) => {
      const stats = await this.queue.stats();
      this.queuedEstimate = stats.pendingEvents + stats.batchedEvents;
      return this.result(outcome, { ...counts, ...extra });
    };

    while (work.length > 0) {
      const batch = work[0];
      const { outcome, attempts } = await this.sendWithRetries(
        endpoint,
        token,
        batch,
      );
      switch (outcome.type) {
        case 'accepted':
          await this.queue.remove(batch);
          work.shift();
          counts.sentEvents += outcome.response.duplicate
            ? 0
            : batch.events.length;
          counts.duplicateBatches += outcome.response.duplicate ? 1 : 0;
          if (state.blocked) {
            this.logger.info('The AI Telemetry backend accepts events again.');
          }
          state.blocked = undefined;
          state.backoff = undefined;
          state.lastSentAt = this.now();
          await this.queue.writeState(state);
          break;
        case 'too-large':
          work.shift();
          if (batch.events.length > 1) {
            work.unshift(...(await this.queue.split(batch)));
          } else {
            await this.deadLetter(
              batch,
              outcome.status,
              outcome.message,
              state,
            );
            counts.deadLetteredEvents += 1;
          }
          break;
        case 'invalid':
          work.shift();
          await this.deadLetter(batch, outcome.status, outcome.message, state);
          counts.deadLetteredEvents += batch.events.length;
          break;
        case 'unauthorized':
        case 'not-opted-in': {
          const help =
            outcome.type === 'unauthorized' ? TOKEN_HELP : OPT_IN_HELP;
          const message = `The AI Telemetry backend refused the events (${outcome.status} ${outcome.message}). ${help}`;
          if (this.activeBlock(state)?.reason !== outcome.type) {
            this.logger.warn(message);
          }
          state.blocked = {
            reason: outcome.type,
            status: outcome.status,
            message,
            at: this.now(),
            tokenFingerprint: this.tokenFingerprint,
          };
          state.lastError = {
            at: this.now(),
            status: outcome.status,
            message,
          };
          await this.queue.writeState(state);
          return finish(outcome.type, { message });
        }
        case 'retry':
        default: {
          const failures = (state.backoff?.failures ?? 0) + 1;
          const delay = backoffDelay(
            failures,
            this.settings.retry,
            this.random,
            outcome.retryAfterMs,
          );
          const nextAttemptAt = this.now() + delay;
          const message = `${outcome.message} (after ${attempts} ${
            attempts === 1 ? 'try' : 'tries'
          }); the events stay queued and are sent again from ${new Date(
            nextAttemptAt,
          ).toISOString()}.`;
          this.logger.warn(message);
          state.backoff = { failures, nextAttemptAt };
          state.lastError = { at: this.now(), status: outcome.status, message };
          await this.queue.writeState(state);
          return finish('retrying', { message, nextAttemptAt });
        }
      }
    }
    return finish('delivered');
  }

  /**
   * Sends one batch, retrying a transient failure up to `retry.maxAttempts` times with
   * exponential backoff; a wait longer than `retry.maxDelayMs` (a long Retry-After)
   * ends the flush instead.
   */
  private async sendWithRetries(
    endpoint: string,
    token: string,
    batch: QueuedBatch,
  ): Promise<{ outcome: SendOutcome; attempts: number }> {
    for (let attempt = 1; ; attempt++) {
      const outcome = await sendBatch({
        fetch: this.fetchImpl,
        endpoint,
        token,
        body: { batchId: batch.batchId, events: batch.events },
        timeoutMs: this.settings.requestTimeoutMs,
        now: this.now(),
      });
      if (
        outcome.type !== 'retry' ||
        attempt >= this.settings.retry.maxAttempts ||
        this.closed
      ) {
        return { outcome, attempts: attempt };
      }
      const delay = backoffDelay(
        attempt,
        this.settings.retry,
        this.random,
        outcome.retryAfterMs,
      );
      if (delay > this.settings.retry.maxDelayMs) {
        return { outcome, attempts: attempt };
      }
      await this.sleep(delay);
    }
  }

  private async deadLetter(
    batch: QueuedBatch,
    status: number,
    message: string,
    state: QueueState,
  ): Promise<void> {
    const file = await this.queue.deadLetter(batch, status, message);
    const text = `The AI Telemetry backend refused ${batch.events.length} event(s) as invalid (${status} ${message}); they were moved to ${file} and will not be sent again.`;
    this.logger.warn(text);
    state.lastError = { at: this.now(), status, message: text };
    await this.queue.writeState(state);
  }

  /** What the client is configured with and what its queue holds. */
  async status(): Promise<TelemetryStatus> {
    const stats = await this.queue.stats();
    const state = await this.queue.readState();
    const block = this.activeBlock(state);
    return {
      enabled: this.settings.enabled,
      endpoint: this.settings.endpoint,
      tokenConfigured: !!this.settings.token,
      queueDir: this.settings.queueDir,
      queuedEvents: stats.pendingEvents + stats.batchedEvents,
      queuedBatches: stats.batches,
      deadLetters: stats.deadLetters,
      lastError: state.lastError && {
        at: iso(state.lastError.at)!,
        message: state.lastError.message,
        status: state.lastError.status,
      },
      lastSentAt: iso(state.lastSentAt),
      paused: block && {
        reason: block.reason,
        message: block.message,
        since: iso(block.at)!,
      },
      nextAttemptAt: iso(state.backoff?.nextAttemptAt),
    };
  }

  /**
   * Stops the automatic flush and sends what is queued once more (without waiting out
   * a backoff's retries). Call it when the IDE extension deactivates.
   */
  async close(): Promise<FlushResult> {
    if (this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
    await this.inFlight;
    this.closed = true;
    return this.flush();
  }
}
