import { LoggerService } from '@backstage/backend-plugin-api';
import { SignalsService } from '@backstage/plugin-signals-node';
import {
  AI_TELEMETRY_DATA_CHANNEL,
  DataChangedMessage,
} from '@fawkes/plugin-ai-telemetry-common';
import { LiveSettings } from '../config/AiTelemetryConfig';
import { LIVE_RESOLUTION_SECONDS } from '../query/window';

/** Time for a scrape to finish and Prometheus to store what it read. */
const SCRAPE_MARGIN_SECONDS = 3;

/** What decides when stored counters can be seen on a page; all in seconds. */
export type AnnouncementTiming = LiveSettings & {
  /** How long the metrics endpoint serves a new label combination at 0 (metrics.*). */
  newSeriesZeroSeconds: number;
};

/**
 * When, after counters are stored, a page that loads again finds them, in seconds:
 *
 * - first, after the next scrape (within one scrape interval, plus a margin for the scrape
 *   itself) and once the dashboards' clock, which reads now to {@link LIVE_RESOLUTION_SECONDS},
 *   has passed that scrape (a page that loads earlier asks for a time before it);
 * - again, for a label combination seen for the first time, which the metrics endpoint serves
 *   at 0 for `newSeriesZeroSeconds` after its first scrape: one scrape after that hold ends.
 */
export function announcementDelays(timing: AnnouncementTiming): number[] {
  const { scrapeIntervalSeconds, newSeriesZeroSeconds } = timing;
  const first =
    scrapeIntervalSeconds + SCRAPE_MARGIN_SECONDS + LIVE_RESOLUTION_SECONDS;
  return newSeriesZeroSeconds > 0
    ? [first, first + newSeriesZeroSeconds + scrapeIntervalSeconds]
    : [first];
}

/** Changes that become ready after one same delay, not yet announced; times in ms. */
type Pending = { earliest: number; latest: number };

/**
 * Tells open pages that new data can be seen (docs/architecture.md#live-pages): a Backstage
 * signal to every signed-in user on {@link AI_TELEMETRY_DATA_CHANNEL}, which carries no
 * identity and no figure.
 *
 * A change is ready when a page can find it ({@link announcementDelays} after counters are
 * stored; at once after an erasure), and is never announced before. One announcement covers
 * every change ready by then, and an instance announces at most once per
 * `signalIntervalSeconds`, so a burst of ingestion sends one signal (and its follow-up for new
 * label combinations), and a steady stream about one per scrape delay.
 */
export class LiveUpdates {
  /** By delay: the ready times of the oldest and the newest change not yet announced. */
  private readonly pending = new Map<number, Pending>();
  private timer?: ReturnType<typeof setTimeout>;
  private dueAt?: number;
  private lastAnnouncedAt = -Infinity;
  private stopped = false;
  private readonly countersDelaysMs: number[];
  private readonly intervalMs: number;
  private readonly now: () => number;

  constructor(
    private readonly options: {
      signals: SignalsService;
      logger: LoggerService;
      timing: AnnouncementTiming;
      now?: () => number;
    },
  ) {
    this.countersDelaysMs = announcementDelays(options.timing).map(
      seconds => seconds * 1000,
    );
    this.intervalMs = options.timing.signalIntervalSeconds * 1000;
    this.now = options.now ?? Date.now;
  }

  /** Counters were added to (events or OTLP): announce them once pages can find them. */
  countersStored(): void {
    for (const delayMs of this.countersDelaysMs) this.changed(delayMs);
    this.schedule();
  }

  /** An erasure job finished: its data is gone from the database and from Prometheus. */
  dataErased(): void {
    this.changed(0);
    this.schedule();
  }

  /** Stops announcing (at shutdown); changes not yet announced are dropped. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.clear();
  }

  private changed(delayMs: number): void {
    if (this.stopped) return;
    const readyAt = this.now() + delayMs;
    const pending = this.pending.get(delayMs);
    this.pending.set(
      delayMs,
      pending
        ? {
            earliest: pending.earliest,
            latest: Math.max(pending.latest, readyAt),
          }
        : { earliest: readyAt, latest: readyAt },
    );
  }

  /** Sets the timer for the next announcement, or brings it forward. */
  private schedule(): void {
    if (this.pending.size === 0 || this.stopped) return;
    const earliest = Math.min(
      ...[...this.pending.values()].map(p => p.earliest),
    );
    const dueAt = Math.max(earliest, this.lastAnnouncedAt + this.intervalMs);
    if (this.timer && this.dueAt! <= dueAt) return;
    clearTimeout(this.timer);
    this.dueAt = dueAt;
    this.timer = setTimeout(
      () => this.announce(),
      Math.max(0, dueAt - this.now()),
    );
    // A pending announcement never keeps the process alive.
    this.timer.unref?.();
  }

  private async announce(): Promise<void> {
    this.timer = undefined;
    this.dueAt = undefined;
    const at = this.now();
    for (const [delayMs, { earliest, latest }] of this.pending) {
      if (earliest > at) continue;
      // Covered now: the changes ready by now. The others of this delay are announced when the
      // newest is ready (their exact times are not kept), so none is announced early.
      if (latest > at) this.pending.set(delayMs, { earliest: latest, latest });
      else this.pending.delete(delayMs);
    }
    this.lastAnnouncedAt = at;
    const message: DataChangedMessage = { kind: 'counters-updated', at };
    try {
      await this.options.signals.publish({
        recipients: { type: 'broadcast' },
        channel: AI_TELEMETRY_DATA_CHANNEL,
        message,
      });
    } catch (error) {
      this.options.logger.warn(
        `Could not tell open pages about new AI telemetry data: ${
          (error as Error).message
        }`,
      );
    }
    this.schedule();
  }
}
