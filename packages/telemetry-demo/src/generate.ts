import { pseudonymize } from '@fawkes/plugin-ai-telemetry-common';
import {
  CONTRACT_METRICS,
  makeProfile,
  MetricKey,
  Period,
  simulateUser,
  UserProfile,
  UserSeries,
} from './activity';
import { AgentProfile, makeAgentProfile, simulateAgent } from './agentActivity';
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
  /**
   * How many sample values (8 bytes each) may be kept between the family passes, so that a
   * user is simulated once rather than once per family; users beyond it are played again for
   * each family. Default {@link DEFAULT_CACHED_VALUES}.
   */
  cachedValues?: number;
};

/** About 200 MB of series: every user of the default sets, the first ones of larger sets. */
export const DEFAULT_CACHED_VALUES = 25_000_000;

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
  /** Users who report over OTLP, by assistant. */
  otlpUsers: Record<string, number>;
  series: number;
  samples: number;
  suggestions: number;
  accepted: number;
  lines: number;
  timeSavedHours: number;
  tokens: number;
  costUsd: number;
  sessions: number;
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

/** Every family of the contract, in its order: the seed's four, then the OTLP-fed ones. */
const FAMILIES = Object.keys(CONTRACT_METRICS) as MetricKey[];
/** The families the IDE events feed (simulateUser); the others come from OTLP only. */
const IDE_FAMILIES = new Set<MetricKey>([
  'suggestions',
  'linesGenerated',
  'timeSaved',
  'featureUsage',
]);

/**
 * Writes every user's cumulative counters as OpenMetrics text. OpenMetrics keeps a metric
 * family's samples together, so the users are gone through once per family. The first pass
 * keeps each user's series for the others, up to `cachedValues`; the users beyond it are played
 * again for each family (only the series of that family, where the simulation allows), which
 * the simulation being deterministic makes the same. Memory stays bounded however large the
 * set.
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
  const users: Array<{
    profile: UserProfile;
    agent?: AgentProfile;
    userHash: string;
    /** Copilot comes from the GitHub import for this user: no Copilot history here. */
    importsCopilot: boolean;
  }> = [];
  const otlpUsers: Record<string, number> = {};
  for (const user of org.users) {
    const team = teams.get(user.team);
    if (!team)
      throw new Error(`user ${user.name} is in unknown team ${user.team}`);
    const agent = makeAgentProfile(user, options.seed);
    if (agent) {
      otlpUsers[agent.assistant] = (otlpUsers[agent.assistant] ?? 0) + 1;
    }
    users.push({
      profile: makeProfile(user, team, options.seed, options.period),
      agent,
      userHash: await pseudonymize(user.ref, options.key),
      importsCopilot: user.githubLogin !== undefined,
    });
  }

  const summary: MetricsSummary = {
    users: users.length,
    otlpUsers,
    series: 0,
    samples: 0,
    suggestions: 0,
    accepted: 0,
    lines: 0,
    timeSavedHours: 0,
    tokens: 0,
    costUsd: 0,
    sessions: 0,
  };
  const { period, seed } = options;
  const cache = new Map<number, UserSeries[]>();
  let cacheRoom = options.cachedValues ?? DEFAULT_CACHED_VALUES;
  /** A user's series: all of them on the first pass (kept if there is room), else the family's. */
  const seriesOf = (index: number, family: MetricKey): UserSeries[] => {
    const cached = cache.get(index);
    if (cached) return cached;
    const { profile, agent, userHash } = users[index];
    const first = family === FAMILIES[0];
    const series = [
      ...(first || IDE_FAMILIES.has(family)
        ? simulateUser(profile, userHash, period, seed)
        : []),
      ...(agent
        ? simulateAgent(
            profile,
            agent,
            userHash,
            period,
            seed,
            first ? undefined : family,
          )
        : []),
    ];
    if (first) {
      const size = series.reduce((n, s) => n + s.values.length, 0);
      if (size <= cacheRoom) {
        cache.set(index, series);
        cacheRoom -= size;
      }
    }
    return series;
  };

  for (const family of FAMILIES) {
    for (const { sink } of targets) sink.write(familyHeader(family));
    for (let index = 0; index < users.length; index++) {
      for (const s of seriesOf(index, family)) {
        if (s.metric !== family) continue;
        // Their Copilot usage reaches Prometheus through the GitHub import, on its own days.
        if (users[index].importsCopilot && s.labels.assistant === 'copilot') {
          continue;
        }
        for (const { sink, from, to } of targets) {
          writeSeries(sink, s, period, { job: DEMO_JOB }, from, to);
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
        } else if (family === 'tokens') {
          summary.tokens += total;
        } else if (family === 'costUsd') {
          summary.costUsd += total / s.scale;
        } else if (family === 'sessions') {
          summary.sessions += total;
        }
      }
    }
  }
  for (const { sink } of targets) sink.write(EOF_LINE);
  return summary;
}
