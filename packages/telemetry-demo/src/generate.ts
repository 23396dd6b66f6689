import { pseudonymize } from '@fawkes/plugin-ai-telemetry-common';
import {
  makeProfile,
  MetricKey,
  Period,
  simulateUser,
  UserProfile,
} from './activity';
import { DemoOrg } from './org';
import { EOF_LINE, familyHeader, TextSink, writeSeries } from './openmetrics';

/** The `job` label of every demo series. */
export const DEMO_JOB = 'ai-telemetry-demo';

/** The development pseudonym key, the one app-config.yaml uses. */
export const DEVELOPMENT_PSEUDONYM_KEY = 'fawkes-development-pseudonym-key';

export type MetricsOptions = {
  seed: number;
  /** The pseudonym key: user_hash = HMAC-SHA256(user entity ref, key). */
  key: string;
  period: Period;
};

/** One output of the metrics: the samples with timestamps in [from, to) go to sink. */
export type MetricsTarget = {
  sink: TextSink;
  from: number;
  to: number;
};

/**
 * Time windows of `hours`, aligned to the epoch, that cover the period: with the block length
 * promtool uses, each window becomes exactly one TSDB block and each file is read once.
 */
export function blockWindows(
  period: Period,
  hours: number,
): Array<{ from: number; to: number }> {
  const width = hours * 3600;
  const last = period.start + (period.samples - 1) * period.step;
  const windows: Array<{ from: number; to: number }> = [];
  for (
    let from = Math.floor(period.start / width) * width;
    from <= last;
    from += width
  ) {
    windows.push({ from, to: from + width });
  }
  return windows;
}

/** What was written, for the CLI to report. */
export type MetricsSummary = {
  users: number;
  series: number;
  samples: number;
  suggestions: number;
  accepted: number;
  lines: number;
  timeSavedHours: number;
};

/** Seconds in a duration like 30s, 15m, 1h or 1d. */
export function parseDuration(text: string): number {
  const match = /^(\d+)(s|m|h|d)$/.exec(text);
  if (!match) {
    throw new Error(`"${text}" is not a duration like 30s, 15m, 1h or 1d`);
  }
  const unit = { s: 1, m: 60, h: 3600, d: 86400 }[
    match[2] as 's' | 'm' | 'h' | 'd'
  ];
  return Number(match[1]) * unit;
}

/** The sample times: `days` of samples every `step` seconds, ending at `end` rounded down to a step. */
export function makePeriod(days: number, step: number, end: number): Period {
  if (!(step > 0) || !Number.isInteger(step)) {
    throw new Error(`the step must be a whole number of seconds, not ${step}`);
  }
  if (!(days > 0)) {
    throw new Error(`days must be positive, not ${days}`);
  }
  const last = Math.floor(end / step) * step;
  const intervals = Math.floor((days * 86400) / step);
  return { start: last - intervals * step, step, samples: intervals + 1 };
}

const FAMILIES: MetricKey[] = [
  'suggestions',
  'linesGenerated',
  'timeSaved',
  'featureUsage',
];

/**
 * Writes every user's cumulative counters as OpenMetrics text. OpenMetrics keeps a metric
 * family's samples together, so the users are played once per family; the simulation is
 * deterministic, so every pass sees the same values, and only one user's series are ever held
 * in memory.
 */
export async function writeDemoMetrics(
  org: DemoOrg,
  options: MetricsOptions,
  output: TextSink | MetricsTarget[],
): Promise<MetricsSummary> {
  const targets: MetricsTarget[] = Array.isArray(output)
    ? output
    : [{ sink: output, from: -Infinity, to: Infinity }];
  const teams = new Map(org.groups.map(g => [g.name, g]));
  const users: Array<{ profile: UserProfile; userHash: string }> = [];
  for (const user of org.users) {
    const team = teams.get(user.team);
    if (!team)
      throw new Error(`user ${user.name} is in unknown team ${user.team}`);
    users.push({
      profile: makeProfile(user, team, options.seed, options.period),
      userHash: await pseudonymize(user.ref, options.key),
    });
  }

  const summary: MetricsSummary = {
    users: users.length,
    series: 0,
    samples: 0,
    suggestions: 0,
    accepted: 0,
    lines: 0,
    timeSavedHours: 0,
  };
  for (const family of FAMILIES) {
    for (const { sink } of targets) sink.write(familyHeader(family));
    for (const { profile, userHash } of users) {
      const series = simulateUser(
        profile,
        userHash,
        options.period,
        options.seed,
      );
      for (const s of series) {
        if (s.metric !== family) continue;
        for (const { sink, from, to } of targets) {
          writeSeries(sink, s, options.period, { job: DEMO_JOB }, from, to);
        }
        summary.series++;
        summary.samples += s.values.length;
        const total = s.values.length > 0 ? s.values[s.values.length - 1] : 0;
        if (family === 'suggestions') {
          summary.suggestions += total;
          if (s.labels.accepted === 'true') summary.accepted += total;
        } else if (family === 'linesGenerated') {
          summary.lines += total;
        } else if (family === 'timeSaved') {
          summary.timeSavedHours += total / s.scale / 3600;
        }
      }
    }
  }
  for (const { sink } of targets) sink.write(EOF_LINE);
  return summary;
}
