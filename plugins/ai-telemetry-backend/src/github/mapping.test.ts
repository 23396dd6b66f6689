import {
  DEFAULT_ASSISTANTS,
  DEFAULT_LANGUAGES,
} from '@fawkes/plugin-ai-telemetry-common';
import {
  loginOf,
  mapReportLine,
  ReportLineError,
  ReportMappingSettings,
} from './mapping';

const SETTINGS: ReportMappingSettings = {
  languages: DEFAULT_LANGUAGES,
  assistants: DEFAULT_ASSISTANTS,
  secondsPerLine: 12,
};

/** Increments as `metric{labels} value`, sorted, for readable expectations. */
function shown(line: unknown, settings = SETTINGS): string[] {
  return mapReportLine(line, settings)
    .map(
      i =>
        `${i.metric}{${Object.entries(i.labels)
          .map(([k, v]) => `${k}=${v}`)
          .join(',')}} ${i.valueMilli / 1000}`,
    )
    .sort();
}

describe('mapReportLine', () => {
  it('counts suggestions, lines and time saved by language, without agent edits as suggestions', () => {
    const line = {
      user_login: 'Ada-GH',
      day: '2026-11-20',
      totals_by_language_feature: [
        {
          language: 'python',
          feature: 'code_completion',
          code_generation_activity_count: 10,
          code_acceptance_activity_count: 4,
          loc_suggested_to_add_sum: 30,
          loc_added_sum: 9,
        },
        {
          language: 'TypeScript',
          feature: 'chat_panel_ask_mode',
          code_generation_activity_count: 3,
          code_acceptance_activity_count: 1,
          loc_added_sum: 5,
        },
        {
          language: 'unknown',
          feature: 'agent_edit',
          code_generation_activity_count: 345,
          code_acceptance_activity_count: 0,
          loc_added_sum: 2342,
          loc_deleted_sum: 947,
        },
        {
          language: 'cobol',
          feature: 'code_completion',
          code_generation_activity_count: 2,
          code_acceptance_activity_count: 3,
          loc_added_sum: 0,
        },
      ],
    };
    expect(loginOf(line)).toBe('ada-gh');
    expect(shown(line)).toEqual(
      [
        'ai_copilot_suggestions_total{language=python,accepted=true,assistant=copilot} 4',
        'ai_copilot_suggestions_total{language=python,accepted=false,assistant=copilot} 6',
        'ai_copilot_lines_generated{language=python,assistant=copilot} 9',
        'ai_copilot_time_saved_seconds{activity=code_completion,assistant=copilot} 108',
        'ai_copilot_suggestions_total{language=typescript,accepted=true,assistant=copilot} 1',
        'ai_copilot_suggestions_total{language=typescript,accepted=false,assistant=copilot} 2',
        'ai_copilot_lines_generated{language=typescript,assistant=copilot} 5',
        'ai_copilot_time_saved_seconds{activity=code_generation,assistant=copilot} 60',
        // Agent edits: lines and time, no suggestions.
        'ai_copilot_lines_generated{language=unknown,assistant=copilot} 2342',
        'ai_copilot_time_saved_seconds{activity=code_generation,assistant=copilot} 28104',
        // More acceptances than generations (the copy button twice): none rejected.
        'ai_copilot_suggestions_total{language=other,accepted=true,assistant=copilot} 3',
      ].sort(),
    );
  });

  it('counts completions shown and chat prompts as feature use, and the CLI as sessions and tokens', () => {
    const line = {
      user_login: 'bob',
      totals_by_feature: [
        {
          feature: 'code_completion',
          code_generation_activity_count: 7,
          user_initiated_interaction_count: 0,
        },
        {
          feature: 'chat_panel_agent_mode',
          user_initiated_interaction_count: 3,
        },
        { feature: 'chat_inline', user_initiated_interaction_count: 2 },
        { feature: 'agent_edit', code_generation_activity_count: 40 },
        { feature: 'something_new', user_initiated_interaction_count: 9 },
      ],
      totals_by_cli: {
        session_count: 2,
        request_count: 5,
        token_usage: {
          prompt_tokens_sum: 3800,
          output_tokens_sum: 5000,
          avg_tokens_per_request: 1760,
        },
      },
    };
    const increments = shown(line);
    expect(increments).toEqual(
      expect.arrayContaining([
        'ai_copilot_feature_usage{feature=completion,assistant=copilot} 7',
        'ai_copilot_feature_usage{feature=chat,assistant=copilot} 3',
        'ai_copilot_feature_usage{feature=chat,assistant=copilot} 2',
        'ai_copilot_sessions_total{assistant=copilot} 2',
        'ai_copilot_tokens_total{assistant=copilot,model=other,type=input} 3800',
        'ai_copilot_tokens_total{assistant=copilot,model=other,type=output} 5000',
      ]),
    );
    // Without a language breakdown, totals_by_feature gives suggestions under `unknown`.
    expect(increments).toContain(
      'ai_copilot_suggestions_total{language=unknown,accepted=false,assistant=copilot} 7',
    );
    expect(increments.join('\n')).not.toMatch(/something_new|feature=agent/);
  });

  it('reads the line totals when there is no breakdown, and nothing for a day without use', () => {
    expect(
      shown({
        user_login: 'cy',
        code_generation_activity_count: 5,
        code_acceptance_activity_count: 2,
        loc_added_sum: 4,
      }),
    ).toEqual(
      [
        'ai_copilot_suggestions_total{language=unknown,accepted=true,assistant=copilot} 2',
        'ai_copilot_suggestions_total{language=unknown,accepted=false,assistant=copilot} 3',
        'ai_copilot_lines_generated{language=unknown,assistant=copilot} 4',
        'ai_copilot_time_saved_seconds{activity=code_generation,assistant=copilot} 48',
      ].sort(),
    );
    expect(
      shown({ user_login: 'dee', totals_by_language_feature: [] }),
    ).toEqual([]);
  });

  it('labels the counts `other` when copilot is not a configured assistant', () => {
    expect(
      shown(
        { user_login: 'x', totals_by_cli: { session_count: 1 } },
        { ...SETTINGS, assistants: ['cody', 'other'] },
      ),
    ).toEqual(['ai_copilot_sessions_total{assistant=other} 1']);
  });

  it('refuses a line whose counts are not counts, without quoting the line', () => {
    const bad = (value: unknown) => () =>
      mapReportLine(
        {
          user_login: 'secret-login',
          totals_by_language_feature: [
            { language: 'go', code_generation_activity_count: value },
          ],
        },
        SETTINGS,
      );
    for (const value of [-1, 1.5, '3', 1e13]) {
      expect(bad(value)).toThrow(ReportLineError);
    }
    expect(bad(-1)).toThrow(
      'totals_by_language_feature[0].code_generation_activity_count is not a count',
    );
    expect(bad(-1)).not.toThrow(/secret-login/);
    expect(() => mapReportLine({ totals_by_feature: 'no' }, SETTINGS)).toThrow(
      'totals_by_feature is not a list of objects',
    );
  });
});
