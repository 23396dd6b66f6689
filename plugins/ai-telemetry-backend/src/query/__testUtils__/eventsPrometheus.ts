import { METRICS } from '@fawkes/plugin-ai-telemetry-common';
import { PrometheusSeries } from '../../upstream/PrometheusClient';
import { fakePrometheus, hash } from './testDoubles';

/** What one developer did at one moment, as the counters would have counted it. */
export type TestEvent = {
  /** The developer's number (their pseudonym is `hash(user)`). */
  user: number;
  /** Unix seconds. */
  t: number;
  language?: string;
  assistant?: string;
  /** Suggestions shown (rejected), accepted, lines accepted, seconds saved. */
  rejected?: number;
  accepted?: number;
  lines?: number;
  seconds?: number;
};

/** A counter's increase at an event: the series' metric and labels, and how much. */
type Sample = { metric: string; labels: Record<string, string>; value: number };

/** The samples of one counter series at `t`: its labels and its increase. */
function samplesOf(event: TestEvent): Sample[] {
  const user_hash = hash(event.user);
  const language = event.language ?? 'python';
  const assistant = event.assistant ?? 'copilot';
  const samples: Sample[] = [
    {
      metric: METRICS.suggestions,
      labels: { user_hash, language, assistant, accepted: 'true' },
      value: event.accepted ?? 0,
    },
    {
      metric: METRICS.suggestions,
      labels: { user_hash, language, assistant, accepted: 'false' },
      value: event.rejected ?? 0,
    },
    {
      metric: METRICS.linesGenerated,
      labels: { user_hash, language, assistant },
      value: event.lines ?? 0,
    },
    {
      metric: METRICS.timeSaved,
      labels: { user_hash, activity: 'code_completion', assistant },
      value: event.seconds ?? 0,
    },
  ];
  return samples.filter(s => s.value > 0);
}

const QUERY =
  /^(count\()?sum by \(([a-z_, ]+)\) \(increase\(([a-z_]+)(?:\{(.*)\})?\[(\d+)s\]\)\)( > 0)?\)?$/;
const MATCHER = /(\w+)(=~|=)"([^"]*)"/g;

/**
 * A Prometheus that evaluates the plain per-user queries of the panels and the privacy
 * threshold (`[count(]sum by (...) (increase(metric{matchers}[Ns]))[ > 0][)]`) over `events`:
 * an increase over (t − N, t] is the sum of the events in it. Every other query has no series.
 */
export function eventsPrometheus(events: TestEvent[]) {
  const evaluate = (query: string, time: number): PrometheusSeries[] => {
    const match = QUERY.exec(query);
    if (!match) return [];
    const [, count, byText, metric, matcherText, windowText, positive] = match;
    const by = byText.split(', ');
    const matchers = [...(matcherText ?? '').matchAll(MATCHER)].map(
      ([, label, op, value]) => ({ label, op, value }),
    );
    const sums = new Map<
      string,
      { labels: Record<string, string>; v: number }
    >();
    for (const event of events) {
      if (!(event.t > time - Number(windowText) && event.t <= time)) continue;
      for (const sample of samplesOf(event)) {
        if (sample.metric !== metric) continue;
        const ok = matchers.every(({ label, op, value }) =>
          op === '='
            ? sample.labels[label] === value
            : new RegExp(`^(?:${value})$`).test(sample.labels[label] ?? ''),
        );
        if (!ok) continue;
        const labels = Object.fromEntries(
          by.map(name => [name, sample.labels[name] ?? '']),
        );
        const key = JSON.stringify(labels);
        const sum = sums.get(key) ?? { labels, v: 0 };
        sum.v += sample.value;
        sums.set(key, sum);
      }
    }
    const kept = [...sums.values()].filter(s => !positive || s.v > 0);
    if (count) {
      return kept.length > 0
        ? [{ labels: {}, points: [[time, kept.length]] }]
        : [];
    }
    return kept.map(s => ({ labels: s.labels, points: [[time, s.v]] }));
  };

  const prometheus = fakePrometheus();
  const asked = prometheus.asked;
  prometheus.client.instantQuery = async (query: string, time: number) => {
    asked.push(`instant ${query} ${time}`);
    return evaluate(query, time);
  };
  prometheus.client.rangeQuery = async (
    query: string,
    start: number,
    end: number,
    step: number,
  ) => {
    asked.push(`range ${query} ${start} ${end} ${step}`);
    const series = new Map<string, PrometheusSeries>();
    for (let t = start; t <= end; t += step) {
      for (const s of evaluate(query, t)) {
        const key = JSON.stringify(s.labels);
        const joined = series.get(key) ?? { labels: s.labels, points: [] };
        joined.points.push(...s.points);
        series.set(key, joined);
      }
    }
    return [...series.values()];
  };
  return prometheus;
}
