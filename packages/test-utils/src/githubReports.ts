import type { Random } from '@fawkes/ai-telemetry-demo';
import { GithubReportLine, GithubStandInSeat } from './GithubStandIn';

/** Languages as the reports name them (`unknown` among them, as GitHub's example has it). */
const REPORT_LANGUAGES = [
  'python',
  'typescript',
  'javascript',
  'go',
  'java',
  'rust',
  'c++',
  'markdown',
  'unknown',
];
/** Features as the reports name them. */
const REPORT_FEATURES = [
  'code_completion',
  'chat_panel_ask_mode',
  'chat_panel_agent_mode',
  'chat_panel_edit_mode',
  'chat_inline',
  'agent_edit',
];
const IDES = ['vscode', 'intellij', 'visualstudio', 'neovim'];
const MODELS = ['gpt-4.1', 'claude-sonnet-4', 'gemini-2.5-pro'];

type Counts = {
  code_generation_activity_count: number;
  code_acceptance_activity_count: number;
  loc_suggested_to_add_sum: number;
  loc_suggested_to_delete_sum: number;
  loc_added_sum: number;
  loc_deleted_sum: number;
};

function emptyCounts(): Counts {
  return {
    code_generation_activity_count: 0,
    code_acceptance_activity_count: 0,
    loc_suggested_to_add_sum: 0,
    loc_suggested_to_delete_sum: 0,
    loc_added_sum: 0,
    loc_deleted_sum: 0,
  };
}

function addCounts(into: Counts, from: Counts): void {
  for (const key of Object.keys(emptyCounts()) as Array<keyof Counts>) {
    into[key] += from[key];
  }
}

/**
 * A random line of a `users-1-day` report, in the shape GitHub documents (its user-level
 * example schema): totals per feature, per language and feature, per IDE, per model, the CLI's
 * usage now and then, and the line's totals that match its breakdowns. `activity` scales it
 * (1 is a typical developer's day).
 */
export function copilotReportLine(
  random: Random,
  options: { login: string; userId: number; day: string; activity?: number },
): GithubReportLine {
  const activity = options.activity ?? 1;
  const languages = random.shuffle(REPORT_LANGUAGES).slice(0, random.int(1, 3));
  const features = random.shuffle(REPORT_FEATURES).slice(0, random.int(1, 4));
  const byLanguageFeature: Array<
    Counts & { language: string; feature: string }
  > = [];
  const byFeature = new Map<
    string,
    Counts & { user_initiated_interaction_count: number }
  >();
  for (const feature of features) {
    const featureTotals = {
      ...emptyCounts(),
      user_initiated_interaction_count:
        feature === 'code_completion' || feature === 'agent_edit'
          ? 0
          : random.poisson(6 * activity),
    };
    for (const language of languages) {
      const generated = random.poisson(
        (feature === 'code_completion' ? 40 : 8) * activity,
      );
      const agent = feature === 'agent_edit';
      const accepted = agent ? 0 : random.binomial(generated, 0.3);
      const counts: Counts = {
        code_generation_activity_count: generated,
        code_acceptance_activity_count: accepted,
        loc_suggested_to_add_sum: agent ? 0 : generated * random.int(1, 6),
        loc_suggested_to_delete_sum: 0,
        loc_added_sum: agent
          ? random.poisson(60 * activity)
          : accepted * random.int(1, 5),
        loc_deleted_sum: agent ? random.poisson(20 * activity) : 0,
      };
      byLanguageFeature.push({ language, feature, ...counts });
      addCounts(featureTotals, counts);
    }
    byFeature.set(feature, featureTotals);
  }
  const totals = {
    ...emptyCounts(),
    user_initiated_interaction_count: 0,
  };
  for (const featureTotals of byFeature.values()) {
    addCounts(totals, featureTotals);
    totals.user_initiated_interaction_count +=
      featureTotals.user_initiated_interaction_count;
  }
  const ide = random.pick(IDES);
  const chat = features.some(f => f.startsWith('chat_'));
  const model = random.pick(MODELS);
  const line: GithubReportLine = {
    report_start_day: options.day,
    report_end_day: options.day,
    day: options.day,
    organization_id: '4242',
    enterprise_id: '42',
    user_id: options.userId,
    user_login: options.login,
    ...totals,
    totals_by_feature: [...byFeature.entries()].map(([feature, counts]) => ({
      feature,
      ...counts,
    })),
    totals_by_ide: [
      {
        ide,
        ...totals,
        last_known_ide_version: {
          ide_version: '1.104.0',
          sampled_at: `${options.day}T09:00:00.000Z`,
        },
        last_known_plugin_version: {
          plugin: 'copilot-chat',
          plugin_version: '0.31.0',
          sampled_at: `${options.day}T09:00:00.000Z`,
        },
      },
    ],
    totals_by_language_feature: byLanguageFeature,
    totals_by_language_model: chat
      ? languages.map(language => ({
          language,
          model,
          code_generation_activity_count: 1,
          code_acceptance_activity_count: 0,
          loc_suggested_to_add_sum: 0,
          loc_suggested_to_delete_sum: 0,
          loc_added_sum: 0,
          loc_deleted_sum: 0,
        }))
      : [],
    totals_by_model_feature: chat
      ? [
          {
            model,
            feature: features.find(f => f.startsWith('chat_'))!,
            code_generation_activity_count: 1,
            code_acceptance_activity_count: 0,
            user_initiated_interaction_count: 1,
          },
        ]
      : [],
    used_agent: features.includes('chat_panel_agent_mode'),
    used_chat: chat,
    used_cli: false,
  };
  if (random.chance(0.25)) {
    const prompts = random.poisson(2000 * activity);
    const outputs = random.poisson(1500 * activity);
    const requests = random.int(1, 20);
    line.used_cli = true;
    line.totals_by_cli = {
      session_count: random.int(1, 4),
      request_count: requests,
      prompt_count: random.int(1, requests),
      token_usage: {
        prompt_tokens_sum: prompts,
        output_tokens_sum: outputs,
        avg_tokens_per_request: (prompts + outputs) / requests,
      },
      last_known_cli_version: {
        cli_version: '1.0.8',
        sampled_at: `${options.day}T10:00:00.000Z`,
      },
    };
  }
  return line;
}

/** Random seats for logins: most used lately, some idle, a few never used or cancelled. */
export function copilotSeats(
  random: Random,
  logins: readonly string[],
  now: number,
): GithubStandInSeat[] {
  return logins.map(login => {
    const kind = random.weighted(
      ['recent', 'fortnight', 'month', 'idle', 'never'] as const,
      k =>
        (({ recent: 6, fortnight: 1, month: 1, idle: 1, never: 1 } as const)[
          k
        ]),
    );
    const daysAgo = {
      recent: random.int(0, 6),
      fortnight: random.int(8, 13),
      month: random.int(15, 27),
      idle: random.int(30, 80),
      never: -1,
    }[kind];
    return {
      login,
      lastActivityAt:
        daysAgo < 0
          ? null
          : new Date(now - daysAgo * 86_400_000 - 3_600_000).toISOString(),
      pendingCancellationDate: random.chance(0.05) ? '2026-12-31' : null,
    };
  });
}
