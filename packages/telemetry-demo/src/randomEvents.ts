import {
  Activity,
  Feature,
  TelemetryEvent,
} from '@fawkes/plugin-ai-telemetry-common';

/** A seeded generator of floats in [0, 1) (mulberry32), so a seed replays the same trickle. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function weighted<T extends string>(
  random: () => number,
  weights: Record<T, number>,
): T {
  const entries = Object.entries(weights) as [T, number][];
  const total = entries.reduce((sum, [, w]) => sum + w, 0);
  let point = random() * total;
  for (const [value, weight] of entries) {
    point -= weight;
    if (point < 0) {
      return value;
    }
  }
  return entries[entries.length - 1][0];
}

function between(random: () => number, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

const LANGUAGE_WEIGHTS = {
  typescript: 25,
  python: 24,
  javascript: 12,
  java: 10,
  go: 8,
  csharp: 6,
  rust: 4,
  cpp: 4,
  ruby: 3,
  kotlin: 3,
  other: 1,
};

const ASSISTANT_WEIGHTS = {
  copilot: 45,
  'claude-code': 18,
  cursor: 15,
  continue: 10,
  cody: 8,
  other: 4,
};

const FEATURE_WEIGHTS: Record<Feature, number> = {
  completion: 40,
  chat: 30,
  explain: 12,
  test: 10,
  document: 8,
};

/** What a simulated developer mostly uses: one assistant, two languages. */
export type DeveloperProfile = {
  assistant: string;
  languages: [string, string];
};

/** A developer's habits, drawn once from the trickle's random source. */
export function developerProfile(random: () => number): DeveloperProfile {
  return {
    assistant: weighted(random, ASSISTANT_WEIGHTS),
    languages: [
      weighted(random, LANGUAGE_WEIGHTS),
      weighted(random, LANGUAGE_WEIGHTS),
    ],
  };
}

/**
 * One realistic event of a developer: mostly suggestions (about 30 % accepted, a few
 * lines each, a short wait), some feature invocations, now and then a time-saved
 * estimate for documentation or generated code.
 */
export function randomEvent(
  random: () => number,
  profile: DeveloperProfile,
): TelemetryEvent {
  const assistant =
    random() < 0.85 ? profile.assistant : weighted(random, ASSISTANT_WEIGHTS);
  const kind = weighted(random, { suggestion: 75, feature: 20, time_saved: 5 });
  if (kind === 'feature') {
    const feature = weighted(random, FEATURE_WEIGHTS);
    return { kind, feature, assistant, count: between(random, 1, 3) };
  }
  if (kind === 'time_saved') {
    const activity: Activity =
      random() < 0.6 ? 'documentation' : 'code_generation';
    return { kind, activity, seconds: between(random, 30, 600), assistant };
  }
  const language =
    random() < 0.8
      ? profile.languages[random() < 0.7 ? 0 : 1]
      : weighted(random, LANGUAGE_WEIGHTS);
  if (random() >= 0.3) {
    return {
      kind,
      language,
      accepted: false,
      assistant,
      count: between(random, 1, 4),
    };
  }
  const lines = random() < 0.8 ? between(random, 1, 6) : between(random, 7, 40);
  return {
    kind,
    language,
    accepted: true,
    lines,
    waitMs: between(random, 150, 2500),
    activity: lines > 6 ? 'code_generation' : 'code_completion',
    assistant,
  };
}
