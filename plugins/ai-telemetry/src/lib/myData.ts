import {
  METRICS,
  MyDataSeries,
  OTLP_METRICS,
  Point,
  USER_HASH_LABEL,
} from '@fawkes/plugin-ai-telemetry-common';

const DAY_MS = 86_400_000;

/** A developer's own figures per UTC day, computed from the series of their export. */
export type PersonalDaily = {
  /** Accepted ÷ shown per day, for days with suggestions. */
  acceptanceRate: Point[];
  /** Suggestions shown per day. */
  suggestions: Point[];
  /** Lines accepted per day. */
  lines: Point[];
  /** Hours saved per day. */
  hoursSaved: Point[];
  /** Model tokens per day, from assistants that report over OpenTelemetry. */
  tokens: Point[];
  /** Usage cost per day (US dollars). */
  costUsd: Point[];
  totals: {
    suggestions: number;
    accepted: number;
    lines: number;
    hoursSaved: number;
    tokens: number;
    costUsd: number;
    sessions: number;
    /** Seconds active: the developer's own, and the agent's working alone. */
    activeSeconds: { user: number; agent: number };
    commits: number;
    pullRequests: number;
  };
};

/**
 * The increases of a counter between its samples, at the time of the later sample. A value
 * lower than the one before is a reset, and counts from zero; the first sample has no increase.
 */
export function increases(samples: Array<[number, number]>): Point[] {
  const points: Point[] = [];
  for (let i = 1; i < samples.length; i++) {
    const [t, v] = samples[i];
    const previous = samples[i - 1][1];
    const increase = v >= previous ? v - previous : v;
    if (increase > 0) points.push({ t, v: increase });
  }
  return points;
}

function dayOf(t: number): number {
  return Math.floor((t - 1) / DAY_MS) * DAY_MS;
}

function addDaily(target: Map<number, number>, points: Point[]) {
  for (const { t, v } of points) {
    // A sample at t covers the step that ends at t: midnight belongs to the day before.
    const day = dayOf(t);
    target.set(day, (target.get(day) ?? 0) + v);
  }
}

function toPoints(days: Map<number, number>, scale = 1): Point[] {
  return [...days.entries()]
    .sort(([a], [b]) => a - b)
    .map(([t, v]) => ({ t, v: v * scale }));
}

/** The developer's daily suggestions, acceptance, lines and time saved. */
export function personalDaily(series: MyDataSeries[]): PersonalDaily {
  const shown = new Map<number, number>();
  const accepted = new Map<number, number>();
  const lines = new Map<number, number>();
  const seconds = new Map<number, number>();
  const tokens = new Map<number, number>();
  const cost = new Map<number, number>();
  const totalOf = (points: Point[]) => points.reduce((a, p) => a + p.v, 0);
  const usage = {
    sessions: 0,
    activeSeconds: { user: 0, agent: 0 },
    commits: 0,
    pullRequests: 0,
  };
  for (const s of series) {
    const inc = increases(s.samples);
    switch (s.metric) {
      case METRICS.suggestions:
        addDaily(shown, inc);
        if (s.labels.accepted === 'true') addDaily(accepted, inc);
        break;
      case METRICS.linesGenerated:
        addDaily(lines, inc);
        break;
      case METRICS.timeSaved:
        addDaily(seconds, inc);
        break;
      case OTLP_METRICS.tokens:
        addDaily(tokens, inc);
        break;
      case OTLP_METRICS.costUsd:
        addDaily(cost, inc);
        break;
      case OTLP_METRICS.sessions:
        usage.sessions += totalOf(inc);
        break;
      case OTLP_METRICS.activeSeconds:
        if (s.labels.type === 'agent') {
          usage.activeSeconds.agent += totalOf(inc);
        } else {
          usage.activeSeconds.user += totalOf(inc);
        }
        break;
      case OTLP_METRICS.commits:
        usage.commits += totalOf(inc);
        break;
      case OTLP_METRICS.pullRequests:
        usage.pullRequests += totalOf(inc);
        break;
      default:
        break;
    }
  }
  const acceptanceRate = toPoints(shown)
    .filter(p => p.v > 0)
    .map(p => ({ t: p.t, v: (accepted.get(p.t) ?? 0) / p.v }));
  const sum = (m: Map<number, number>) =>
    [...m.values()].reduce((a, b) => a + b, 0);
  return {
    acceptanceRate,
    suggestions: toPoints(shown),
    lines: toPoints(lines),
    hoursSaved: toPoints(seconds, 1 / 3600),
    tokens: toPoints(tokens),
    costUsd: toPoints(cost),
    totals: {
      suggestions: sum(shown),
      accepted: sum(accepted),
      lines: sum(lines),
      hoursSaved: sum(seconds) / 3600,
      tokens: sum(tokens),
      costUsd: sum(cost),
      ...usage,
    },
  };
}

/**
 * The labels of a series as text, `user_hash` last (it is the same on every series), or left
 * out with `withoutUserHash`.
 */
export function labelText(
  labels: Record<string, string>,
  options?: { withoutUserHash?: boolean },
): string {
  const rank = (name: string) => (name === USER_HASH_LABEL ? 1 : 0);
  return Object.entries(labels)
    .filter(([k]) => !(options?.withoutUserHash && k === USER_HASH_LABEL))
    .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
    .map(([k, v]) => `${k}="${v}"`)
    .join(', ');
}
