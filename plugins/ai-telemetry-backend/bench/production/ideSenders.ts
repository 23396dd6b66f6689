/**
 * IDE senders: developers who opted in, each with the real IDE client
 * (@fawkes/ai-telemetry-client's TelemetryClient: a durable queue on disk, batch ids, retries)
 * and their own telemetry token, recording events at an IDE's pace. Each sender keeps the totals
 * its events must add up to, series by series, so that the end of a run can check, exactly,
 * what the backend's metrics endpoint serves and what Prometheus holds.
 */
import { TelemetryClient, TelemetryEvent } from '@fawkes/ai-telemetry-client';
import { METRICS } from '@fawkes/plugin-ai-telemetry-common';
import { join } from 'path';
import { SignedInPerson, sleep } from './productionStack';
import { errorMessage, Recorder } from './stats';

export const EVENTS_ROUTE = 'POST /v1/events (IDE client)';

const SERIES_METRICS: string[] = [
  METRICS.suggestions,
  METRICS.linesGenerated,
  METRICS.timeSaved,
  METRICS.featureUsage,
];

/** `name{a="x",b="y"}` with labels sorted and `user_hash`, `job` and `instance` left out. */
export function seriesKey(
  name: string,
  labels: Record<string, string>,
): string {
  const inner = Object.entries(labels)
    .filter(([k]) => !['user_hash', 'job', 'instance', '__name__'].includes(k))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}="${v}"`)
    .join(',');
  return `${name}{${inner}}`;
}

const LANGUAGES = ['python', 'typescript', 'go', 'java', 'rust'];
const ASSISTANTS = ['copilot', 'claude-code', 'cursor'];
const FEATURES = ['completion', 'chat', 'explain', 'document', 'test'] as const;
const SECONDS_PER_LINE = 12;

export class IdeSender {
  readonly client: TelemetryClient;
  /** The totals the recorded events add up to, by series. */
  readonly expected = new Map<string, number>();
  recorded = 0;
  refused = 0;
  /** Events the backend acknowledged as counted now (202, not a duplicate). */
  acknowledged = 0;
  duplicateAnswers = 0;
  /** What those duplicate answers say the first delivery counted (its answer was lost). */
  duplicateAccepted = 0;
  private random: () => number;
  private timer?: NodeJS.Timeout;
  private pending = Promise.resolve();

  constructor(
    readonly person: SignedInPerson,
    options: {
      api: string;
      queueRoot: string;
      recorder: Recorder;
      seed: number;
    },
  ) {
    let a = options.seed >>> 0;
    this.random = () => {
      a = (Math.imul(a ^ (a >>> 15), 2246822519) + 0x9e3779b9) >>> 0;
      return ((a ^ (a >>> 13)) >>> 0) / 4294967296;
    };
    const recorder = options.recorder;
    const timedFetch: typeof fetch = async (input, init) => {
      const started = performance.now();
      try {
        const res = await fetch(input, init);
        const text = await res.clone().text();
        if (res.status === 202) {
          const body = JSON.parse(text) as {
            accepted: number;
            duplicate: boolean;
          };
          if (body.duplicate) {
            this.duplicateAnswers++;
            this.duplicateAccepted += body.accepted;
          } else {
            this.acknowledged += body.accepted;
          }
        }
        recorder.record({
          at: Date.now(),
          route: EVENTS_ROUTE,
          outcome: res.status,
          ms: performance.now() - started,
          message: res.status >= 400 ? errorMessage(text) : undefined,
        });
        return res;
      } catch (error) {
        recorder.record({
          at: Date.now(),
          route: EVENTS_ROUTE,
          outcome:
            (error as Error).name === 'TimeoutError' ? 'timeout' : 'connection',
          ms: performance.now() - started,
          message: String((error as Error & { cause?: Error }).cause ?? error),
        });
        throw error;
      }
    };
    this.client = new TelemetryClient({
      enabled: true,
      endpoint: options.api,
      token: person.telemetryToken,
      queueDir: join(options.queueRoot, person.name),
      // An IDE sends what it has every few seconds (the default waits a minute or 200 events).
      flushIntervalMs: 5_000,
      flushAtEvents: 25,
      retry: { maxAttempts: 4, baseDelayMs: 1_000, maxDelayMs: 15_000 },
      fetch: timedFetch,
    });
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)];
  }

  private add(name: string, labels: Record<string, string>, value: number) {
    const key = seriesKey(name, labels);
    this.expected.set(key, (this.expected.get(key) ?? 0) + value);
  }

  /** A random event as an IDE reports it, and what it adds to which series. */
  private event(): { event: TelemetryEvent; count: () => void } {
    const assistant = this.pick(ASSISTANTS);
    const kind = this.random();
    if (kind < 0.7) {
      const language = this.pick(LANGUAGES);
      const accepted = this.random() < 0.3;
      const count = 1 + Math.floor(this.random() * 3);
      const lines = 1 + Math.floor(this.random() * 20);
      // Whole seconds, and less than the lines are worth: time saved is a whole, positive number.
      const waitMs =
        1000 *
        Math.floor(this.random() * Math.min(6, lines * SECONDS_PER_LINE));
      const activity =
        this.random() < 0.8 ? 'code_completion' : 'code_generation';
      return {
        event: {
          kind: 'suggestion',
          language,
          accepted,
          lines,
          waitMs,
          activity,
          assistant,
          count,
        },
        count: () => {
          this.add(
            METRICS.suggestions,
            { language, accepted: String(accepted), assistant },
            count,
          );
          if (accepted) {
            this.add(
              METRICS.linesGenerated,
              { language, assistant },
              count * lines,
            );
            this.add(
              METRICS.timeSaved,
              { activity, assistant },
              count * (lines * SECONDS_PER_LINE - waitMs / 1000),
            );
          }
        },
      };
    }
    if (kind < 0.9) {
      const feature = this.pick(FEATURES);
      const count = 1 + Math.floor(this.random() * 2);
      return {
        event: { kind: 'feature', feature, assistant, count },
        count: () =>
          this.add(METRICS.featureUsage, { feature, assistant }, count),
      };
    }
    const seconds = 10 + Math.floor(this.random() * 290);
    return {
      event: {
        kind: 'time_saved',
        activity: 'documentation',
        seconds,
        assistant,
      },
      count: () =>
        this.add(
          METRICS.timeSaved,
          { activity: 'documentation', assistant },
          seconds,
        ),
    };
  }

  /** Records an event every `meanIntervalMs` on average (uniform between half and 1.5 times). */
  start(meanIntervalMs: number): void {
    const tick = () => {
      const { event, count } = this.event();
      this.pending = this.pending.then(async () => {
        const result = await this.client.record(event);
        if (result === 'queued') {
          this.recorded++;
          count();
        } else {
          this.refused++;
        }
      });
      this.timer = setTimeout(tick, meanIntervalMs * (0.5 + this.random()));
    };
    this.timer = setTimeout(tick, meanIntervalMs * this.random());
  }

  /** Stops recording; what was recorded stays queued. */
  async stopRecording(): Promise<void> {
    clearTimeout(this.timer);
    await this.pending;
  }

  /** Sends until the queue is empty (forcing past any backoff), or gives up after `timeoutMs`. */
  async drain(timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const result = await this.client.flush({ force: true });
      if (result.remainingEvents === 0 && result.outcome === 'delivered')
        return 0;
      if (Date.now() > deadline) return result.remainingEvents;
      await sleep(1000);
    }
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

export function seriesMetricNames(): string[] {
  return SERIES_METRICS;
}

/** Every opted-in user's counters as the metrics endpoint serves them, by pseudonym. */
export async function servedCounters(
  api: string,
  scrapeToken: string,
): Promise<Map<string, Map<string, number>>> {
  const res = await fetch(`${api}/v1/metrics`, {
    headers: { authorization: `Bearer ${scrapeToken}` },
  });
  const text = await res.text();
  if (res.status !== 200) {
    throw new Error(
      `GET /v1/metrics answered ${res.status}: ${text.slice(0, 300)}`,
    );
  }
  const byUser = new Map<string, Map<string, number>>();
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)\{(.*)\} (\S+)$/.exec(line);
    if (!match || !SERIES_METRICS.includes(match[1])) continue;
    const labels: Record<string, string> = {};
    for (const [, k, v] of match[2].matchAll(
      /([a-zA-Z_]+)="((?:[^"\\]|\\.)*)"/g,
    )) {
      labels[k] = v;
    }
    const series = byUser.get(labels.user_hash) ?? new Map<string, number>();
    series.set(seriesKey(match[1], labels), Number(match[3]));
    byUser.set(labels.user_hash, series);
  }
  return byUser;
}

/** The latest value of every backend-scraped series of the given pseudonyms in Prometheus. */
export async function prometheusCounters(
  prometheusUrl: string,
  userHashes: string[],
): Promise<Map<string, Map<string, number>>> {
  const query = `{__name__=~"${SERIES_METRICS.join(
    '|',
  )}",job="ai-telemetry-backend",user_hash=~"${userHashes.join('|')}"}`;
  const res = await fetch(
    `${prometheusUrl}/api/v1/query?query=${encodeURIComponent(query)}`,
  );
  const body = (await res.json()) as {
    status: string;
    error?: string;
    data: {
      result: Array<{
        metric: Record<string, string>;
        value: [number, string];
      }>;
    };
  };
  if (body.status !== 'success') {
    throw new Error(`Prometheus answered ${res.status}: ${body.error}`);
  }
  const byUser = new Map<string, Map<string, number>>();
  for (const { metric, value } of body.data.result) {
    const series = byUser.get(metric.user_hash) ?? new Map<string, number>();
    const key = seriesKey(metric.__name__, metric);
    // Two instances scraped under one target give one series; anything else would be summed.
    series.set(key, (series.get(key) ?? 0) + Number(value[1]));
    byUser.set(metric.user_hash, series);
  }
  return byUser;
}

/** The differences between what a sender expects and what a source holds (empty: exact). */
export function differences(
  expected: Map<string, number>,
  actual: Map<string, number> | undefined,
): string[] {
  const found = actual ?? new Map<string, number>();
  const out: string[] = [];
  for (const [key, value] of expected) {
    const got = found.get(key);
    if (got === undefined || Math.abs(got - value) > 1e-6) {
      out.push(`${key}: expected ${value}, found ${got ?? 'nothing'}`);
    }
  }
  for (const [key, value] of found) {
    if (!expected.has(key) && value !== 0) {
      out.push(`${key}: expected nothing, found ${value}`);
    }
  }
  return out;
}
