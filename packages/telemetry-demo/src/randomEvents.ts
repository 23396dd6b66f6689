import {
  Activity,
  Feature,
  TelemetryEvent,
} from '@fawkes/plugin-ai-telemetry-common';
import { Random } from './random';

function weighted<T extends string>(
  random: Random,
  weights: Record<T, number>,
): T {
  return random.weighted(Object.keys(weights) as T[], value => weights[value]);
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
export function developerProfile(random: Random): DeveloperProfile {
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
  random: Random,
  profile: DeveloperProfile,
): TelemetryEvent {
  const assistant = random.chance(0.85)
    ? profile.assistant
    : weighted(random, ASSISTANT_WEIGHTS);
  const kind = weighted(random, { suggestion: 75, feature: 20, time_saved: 5 });
  if (kind === 'feature') {
    const feature = weighted(random, FEATURE_WEIGHTS);
    return { kind, feature, assistant, count: random.int(1, 3) };
  }
  if (kind === 'time_saved') {
    const activity: Activity = random.chance(0.6)
      ? 'documentation'
      : 'code_generation';
    return { kind, activity, seconds: random.int(30, 600), assistant };
  }
  const language = random.chance(0.8)
    ? profile.languages[random.chance(0.7) ? 0 : 1]
    : weighted(random, LANGUAGE_WEIGHTS);
  if (!random.chance(0.3)) {
    return {
      kind,
      language,
      accepted: false,
      assistant,
      count: random.int(1, 4),
    };
  }
  const lines = random.chance(0.8) ? random.int(1, 6) : random.int(7, 40);
  return {
    kind,
    language,
    accepted: true,
    lines,
    waitMs: random.int(150, 2500),
    activity: lines > 6 ? 'code_generation' : 'code_completion',
    assistant,
  };
}
