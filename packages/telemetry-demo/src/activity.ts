import {
  ACTIVITIES,
  Activity,
  DEFAULT_ASSISTANTS,
  DEFAULT_LANGUAGES,
  FEATURES,
  Feature,
  METRICS,
  OTLP_METRICS,
  timeSavedSeconds,
} from '@fawkes/plugin-ai-telemetry-common';
import { otlpAssistantOf } from './otlpDevelopers';
import { DemoGroup, DemoUser } from './org';
import { createRandom, Random } from './random';

/** The sample times of the demo: `samples` timestamps, `step` seconds apart, from `start`. */
export type Period = {
  /** First sample, in seconds since the epoch. */
  start: number;
  /** Seconds between samples. */
  step: number;
  samples: number;
};

/** Every metric of the contract, by key: the seed's four, then the OTLP-fed ones. */
export const CONTRACT_METRICS = { ...METRICS, ...OTLP_METRICS } as const;
export type MetricKey = keyof typeof CONTRACT_METRICS;

/** One cumulative counter of one user: its labels and its values from `firstSample` on. */
export type UserSeries = {
  metric: MetricKey;
  labels: Record<string, string>;
  /** Index of the series' first sample in the period (users who start later begin at 0 then). */
  firstSample: number;
  /**
   * Cumulative values, one per sample from firstSample, whole numbers: time saved in tenths of
   * a second, cost in millionths of a dollar.
   */
  values: Float64Array;
  /** Divide values by this to get the metric's unit (10 for time saved, 10⁶ for cost, else 1). */
  scale: ValueScale;
};

/** What a series' whole-number values are divided by. */
export type ValueScale = 1 | 10 | 1_000_000;

/** How one user works with the assistants: drawn once per user from the seed. */
export type UserProfile = {
  user: DemoUser;
  /** Languages with their share of the user's suggestions (shares add up to 1). */
  languages: Array<{ language: string; share: number }>;
  primaryAssistant: string;
  secondaryAssistant?: { assistant: string; share: number };
  /** Suggestions shown per hour at full engagement. */
  suggestionsPerHour: number;
  /** Added to the acceptance probability. */
  acceptanceBias: number;
  /** Hour (UTC) the working day starts. */
  workdayStartHour: number;
  /** Shares of accepted suggestions by activity (primary assistant; a secondary one only completes). */
  activityMix: Record<Activity, number>;
  /** Multiplies the use of chat and explain. */
  chatAffinity: number;
  /** Seconds since the epoch from which the user uses an assistant. */
  onboardedAt: number;
  /** Days (since the epoch) off work. */
  daysOff: Set<number>;
  /** Whether the user's team adopts the assistants during the period. */
  rising: boolean;
};

const DAY = 86400;
const HOUR = 3600;

/** How common each language is across the organisation. */
const LANGUAGE_WEIGHTS: Record<string, number> = {
  typescript: 22,
  python: 22,
  java: 12,
  go: 10,
  javascript: 10,
  csharp: 6,
  rust: 5,
  kotlin: 4,
  cpp: 4,
  ruby: 3,
  other: 2,
};

/** How common each assistant is: mostly Copilot, as in the seed. */
const ASSISTANT_WEIGHTS: Record<string, number> = {
  copilot: 50,
  'claude-code': 15,
  cursor: 12,
  continue: 10,
  cody: 8,
  other: 5,
  // Assistants that report over OTLP only: no IDE events (weight 0); the history of the
  // developers who use them comes from their OTLP metrics (agentActivity.ts).
  'gemini-cli': 0,
  codex: 0,
};

/** Acceptance differs by language... */
const LANGUAGE_ACCEPTANCE: Record<string, number> = {
  python: 0.03,
  typescript: 0.02,
  javascript: 0.01,
  go: 0,
  ruby: 0,
  csharp: -0.01,
  java: -0.02,
  kotlin: -0.02,
  cpp: -0.04,
  rust: -0.05,
  other: -0.06,
};

/** ...and by assistant. */
const ASSISTANT_ACCEPTANCE: Record<string, number> = {
  copilot: 0,
  'claude-code': 0.04,
  cursor: 0.03,
  cody: -0.02,
  continue: -0.04,
  other: -0.05,
};

const BASE_ACCEPTANCE = 0.29;

/** IDE assistants that stand in for one an OTLP developer uses over OTLP: the most common. */
const IDE_FALLBACK_ASSISTANTS = ['copilot', 'cursor'] as const;

/** Feature invocations per suggestion shown (completion) or per unit of activity (others). */
const FEATURE_RATES: Record<Feature, number> = {
  completion: 0.85,
  chat: 0.09,
  explain: 0.04,
  document: 0.03,
  test: 0.025,
};

/**
 * Lines per accepted suggestion are 1 + floor(20 · u^k), at most 20: the larger k, the more
 * one-line completions. Generated code runs longer than completions.
 */
const LINES_SHAPE: Record<Activity, number> = {
  code_completion: 5,
  code_generation: 1.4,
  documentation: 2,
};

/** Mean and variance of that line count, for summing many suggestions at once. */
function lineMoments(k: number): { mean: number; variance: number } {
  let mean = 0;
  let square = 0;
  for (let j = 0; j < 20; j++) {
    const p = ((j + 1) / 20) ** (1 / k) - (j / 20) ** (1 / k);
    mean += p * (j + 1);
    square += p * (j + 1) ** 2;
  }
  return { mean, variance: square - mean * mean };
}
const LINE_MOMENTS = Object.fromEntries(
  ACTIVITIES.map(a => [a, lineMoments(LINES_SHAPE[a])]),
) as Record<Activity, { mean: number; variance: number }>;

/** The wait for a suggestion: 0.3 to 4.0 seconds, in tenths. */
const WAIT_MIN_TENTHS = 3;
const WAIT_MAX_TENTHS = 40;
/** Above this many accepted suggestions in a step, sums are drawn from their normal approximation. */
const EXACT_SUM_LIMIT = 16;

function teamAssistant(seed: number, team: string): string {
  return createRandom(seed, 'team-assistant', team).weighted(
    DEFAULT_ASSISTANTS,
    a => ASSISTANT_WEIGHTS[a] ?? 1,
  );
}

/** Draws how one user works: languages, assistants, activity level, habits. */
export function makeProfile(
  user: DemoUser,
  team: DemoGroup,
  seed: number,
  period: Period,
): UserProfile {
  const random = createRandom(seed, 'profile', user.name);

  const languageCount = random.weighted(
    [1, 2, 3],
    n => [0.3, 0.45, 0.25][n - 1],
  );
  const candidates = DEFAULT_LANGUAGES.slice();
  const chosen: string[] = [];
  while (chosen.length < languageCount) {
    const language = random.weighted(
      candidates.filter(l => !chosen.includes(l)),
      l => LANGUAGE_WEIGHTS[l] * (team.languages.includes(l) ? 6 : 1),
    );
    chosen.push(language);
  }
  const baseShares = [[1], [0.7, 0.3], [0.55, 0.3, 0.15]][languageCount - 1];
  const jittered = baseShares.map(s => s * (0.8 + 0.4 * random.next()));
  const shareTotal = jittered.reduce((a, b) => a + b, 0);
  const languages = chosen.map((language, i) => ({
    language,
    share: jittered[i] / shareTotal,
  }));

  const drawnPrimary = random.chance(0.75)
    ? teamAssistant(seed, team.name)
    : random.weighted(DEFAULT_ASSISTANTS, a => ASSISTANT_WEIGHTS[a] ?? 1);
  const drawnSecondary = random.chance(0.25)
    ? {
        assistant: random.weighted(
          DEFAULT_ASSISTANTS.filter(a => a !== drawnPrimary),
          a => ASSISTANT_WEIGHTS[a] ?? 1,
        ),
        share: 0.1 + 0.2 * random.next(),
      }
    : undefined;
  // A developer whose assistant reports over OTLP (agentActivity.ts) uses other assistants in
  // the IDE: the OTLP assistant's counters come from its own metrics only.
  const otlpAssistant = otlpAssistantOf(user.ref);
  const ideAssistant = (drawn: string, other?: string) =>
    drawn !== otlpAssistant
      ? drawn
      : IDE_FALLBACK_ASSISTANTS.find(a => a !== other)!;
  const primaryAssistant = ideAssistant(
    drawnPrimary,
    drawnSecondary?.assistant,
  );
  const secondaryAssistant = drawnSecondary && {
    ...drawnSecondary,
    assistant: ideAssistant(drawnSecondary.assistant, primaryAssistant),
  };

  const periodEnd = period.start + (period.samples - 1) * period.step;
  const joinsLate = team.rising && random.chance(0.35);
  const onboardedAt = joinsLate
    ? period.start + (periodEnd - period.start) * (0.1 + 0.5 * random.next())
    : period.start;

  const generation = 0.16 + 0.16 * random.next();
  const documentation = 0.04 + 0.08 * random.next();
  const daysOff = new Set<number>();
  for (
    let day = Math.floor(period.start / DAY);
    day <= Math.floor(periodEnd / DAY);
    day++
  ) {
    if (random.chance(0.05)) daysOff.add(day);
  }

  return {
    user,
    languages,
    primaryAssistant,
    secondaryAssistant,
    // Log-normal: a median of 20 suggestions an hour, some people far busier than others.
    suggestionsPerHour: Math.exp(random.normal(Math.log(20), 0.55)),
    acceptanceBias: random.normal(0, 0.035),
    workdayStartHour: 7 + 3 * random.next(),
    activityMix: {
      code_completion: 1 - generation - documentation,
      code_generation: generation,
      documentation,
    },
    chatAffinity: Math.exp(random.normal(0, 0.6)),
    onboardedAt,
    daysOff,
    rising: team.rising,
  };
}

/** How busy a user is at a moment, relative to a normal working hour: 0 to about 1. */
export function workRhythm(profile: UserProfile, t: number): number {
  const day = Math.floor(t / DAY);
  // 1970-01-01 was a Thursday: weekday 0 is Sunday.
  const weekday = (day + 4) % 7;
  const x = (t - day * DAY) / HOUR - profile.workdayStartHour;
  let level: number;
  if (x < 0 || x >= 13) level = 0.02;
  else if (x >= 9) level = 0.08;
  else if (x < 1) level = 0.6;
  else if (x >= 4 && x < 5) level = 0.55;
  else if (x >= 8) level = 0.5;
  else level = 1;
  if (weekday === 0 || weekday === 6) level *= 0.06;
  else if (profile.daysOff.has(day)) level *= 0.05;
  return level;
}

/** The mean rhythm over a step, sampled at most every 15 minutes. */
export function stepRhythm(
  profile: UserProfile,
  end: number,
  step: number,
): number {
  const points = Math.min(96, Math.max(1, Math.ceil(step / 900)));
  let sum = 0;
  for (let i = 0; i < points; i++) {
    sum += workRhythm(profile, end - step + ((i + 0.5) * step) / points);
  }
  return sum / points;
}

const DAY_WEEK = 7 * DAY;

/**
 * How much the user uses the assistants at `t`, relative to their usual level: a rising team's
 * use grows over the period; others vary a little over the week.
 */
export function engagementAt(
  profile: UserProfile,
  t: number,
  progress: number,
): number {
  return profile.rising
    ? 0.3 + 0.95 * progress
    : 1 +
        0.08 *
          Math.sin((2 * Math.PI * t) / DAY_WEEK + profile.workdayStartHour);
}

/** What a rising team's learning adds to acceptance (from -3 to +3 points over the period). */
export function learningAt(profile: UserProfile, progress: number): number {
  return profile.rising ? 0.06 * progress - 0.03 : 0;
}

/** The index of a user's first sample in the period: 0, or later for who starts late. */
export function firstSampleOf(profile: UserProfile, period: Period): number {
  return Math.max(
    0,
    Math.ceil((profile.onboardedAt - period.start) / period.step),
  );
}

/** Sum of n line counts of one activity. */
function drawLines(random: Random, n: number, activity: Activity): number {
  if (n <= EXACT_SUM_LIMIT) {
    let lines = 0;
    for (let i = 0; i < n; i++) {
      lines += 1 + Math.floor(20 * random.next() ** LINES_SHAPE[activity]);
    }
    return lines;
  }
  const { mean, variance } = LINE_MOMENTS[activity];
  const drawn = Math.round(random.normal(n * mean, Math.sqrt(n * variance)));
  return Math.min(20 * n, Math.max(n, drawn));
}

/** Sum of n waits, in tenths of a second. */
function drawWaitTenths(random: Random, n: number): number {
  if (n <= EXACT_SUM_LIMIT) {
    let wait = 0;
    for (let i = 0; i < n; i++)
      wait += random.int(WAIT_MIN_TENTHS, WAIT_MAX_TENTHS);
    return wait;
  }
  const width = WAIT_MAX_TENTHS - WAIT_MIN_TENTHS + 1;
  const mean = (WAIT_MIN_TENTHS + WAIT_MAX_TENTHS) / 2;
  const drawn = Math.round(
    random.normal(n * mean, Math.sqrt((n * (width * width - 1)) / 12)),
  );
  return Math.min(n * WAIT_MAX_TENTHS, Math.max(n * WAIT_MIN_TENTHS, drawn));
}

/** The order in which a user's series are listed: metric by metric, as OpenMetrics wants. */
const METRIC_ORDER: MetricKey[] = [
  'suggestions',
  'linesGenerated',
  'timeSaved',
  'featureUsage',
];

type LanguageCounters = {
  language: string;
  share: number;
  accepted: Float64Array;
  rejected: Float64Array;
  lines: Float64Array;
};

/** The counters of one user with one assistant. */
type AssistantCounters = {
  assistant: string;
  share: number;
  activityMix: Partial<Record<Activity, number>>;
  languages: LanguageCounters[];
  timeSaved: Array<{ activity: Activity; values: Float64Array }>;
  features: Array<{ feature: Feature; values: Float64Array }>;
};

/** Builds the user's counters and plays the period forward, step by step. */
export function simulateUser(
  profile: UserProfile,
  userHash: string,
  period: Period,
  seed: number,
): UserSeries[] {
  const random = createRandom(seed, 'activity', profile.user.name);
  const periodEnd = period.start + (period.samples - 1) * period.step;
  const firstSample = firstSampleOf(profile, period);
  const length = Math.max(0, period.samples - firstSample);

  const series: UserSeries[] = [];
  const counter = (
    metric: MetricKey,
    labels: Record<string, string>,
    scale: ValueScale = 1,
  ): Float64Array => {
    const values = new Float64Array(length);
    series.push({
      metric,
      labels: { user_hash: userHash, ...labels },
      firstSample,
      values,
      scale,
    });
    return values;
  };
  const counters = (
    assistant: string,
    share: number,
    languages: ReadonlyArray<{ language: string; share: number }>,
    activityMix: Partial<Record<Activity, number>>,
    features: readonly Feature[],
  ): AssistantCounters => ({
    assistant,
    share,
    activityMix,
    languages: languages.map(l => ({
      ...l,
      accepted: counter('suggestions', {
        language: l.language,
        accepted: 'true',
        assistant,
      }),
      rejected: counter('suggestions', {
        language: l.language,
        accepted: 'false',
        assistant,
      }),
      lines: counter('linesGenerated', { language: l.language, assistant }),
    })),
    timeSaved: ACTIVITIES.filter(a => activityMix[a]).map(activity => ({
      activity,
      values: counter('timeSaved', { activity, assistant }, 10),
    })),
    features: features.map(feature => ({
      feature,
      values: counter('featureUsage', { feature, assistant }),
    })),
  });

  // The primary assistant is used for everything; a secondary one only for completions and chat
  // in the user's main language.
  const secondary = profile.secondaryAssistant;
  const usage = [
    counters(
      profile.primaryAssistant,
      1 - (secondary?.share ?? 0),
      profile.languages,
      profile.activityMix,
      FEATURES,
    ),
  ];
  if (secondary) {
    usage.push(
      counters(
        secondary.assistant,
        secondary.share,
        [{ language: profile.languages[0].language, share: 1 }],
        { code_completion: 1 },
        ['completion', 'chat'],
      ),
    );
  }

  const span = Math.max(1, periodEnd - period.start);
  for (let i = 1; i < length; i++) {
    const t = period.start + (firstSample + i) * period.step;
    const progress = (t - period.start) / span;
    const engagement = engagementAt(profile, t, progress);
    const learning = learningAt(profile, progress);
    const expected =
      profile.suggestionsPerHour *
      engagement *
      stepRhythm(profile, t, period.step) *
      (period.step / HOUR);

    for (const u of usage) {
      for (const s of u.timeSaved) s.values[i] = s.values[i - 1];
      let shownWithAssistant = 0;
      for (const l of u.languages) {
        const shown = random.poisson(expected * u.share * l.share);
        const p = Math.min(
          0.6,
          Math.max(
            0.08,
            BASE_ACCEPTANCE +
              (LANGUAGE_ACCEPTANCE[l.language] ?? 0) +
              (ASSISTANT_ACCEPTANCE[u.assistant] ?? 0) +
              profile.acceptanceBias +
              learning,
          ),
        );
        const ok = random.binomial(shown, p);
        shownWithAssistant += shown;
        l.accepted[i] = l.accepted[i - 1] + ok;
        l.rejected[i] = l.rejected[i - 1] + shown - ok;

        // Share the accepted suggestions out over the activities; each brings lines and saves
        // time, as the backend estimates it.
        let left = ok;
        let restShare = 1;
        let lines = 0;
        u.timeSaved.forEach((s, k) => {
          const share = u.activityMix[s.activity] ?? 0;
          const n =
            k === u.timeSaved.length - 1
              ? left
              : random.binomial(left, Math.min(1, share / restShare));
          left -= n;
          restShare -= share;
          if (n === 0) return;
          const activityLines = drawLines(random, n, s.activity);
          const waitSeconds = drawWaitTenths(random, n) / 10;
          lines += activityLines;
          s.values[i] += Math.round(
            10 * timeSavedSeconds(activityLines, waitSeconds),
          );
        });
        l.lines[i] = l.lines[i - 1] + lines;
      }
      for (const f of u.features) {
        const mean =
          f.feature === 'completion'
            ? shownWithAssistant * FEATURE_RATES.completion
            : expected *
              u.share *
              FEATURE_RATES[f.feature] *
              (f.feature === 'chat' || f.feature === 'explain'
                ? profile.chatAffinity
                : 1);
        f.values[i] = f.values[i - 1] + random.poisson(mean);
      }
    }
  }
  return series.sort(
    (a, b) => METRIC_ORDER.indexOf(a.metric) - METRIC_ORDER.indexOf(b.metric),
  );
}
