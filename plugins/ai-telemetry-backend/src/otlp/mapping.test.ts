import {
  DEFAULT_ASSISTANTS,
  DEFAULT_LANGUAGES,
  DEFAULT_MODEL_PATTERNS,
} from '@fawkes/plugin-ai-telemetry-common';
import { MappingSettings, languageLabel, pricePerMillion } from './mapping';
import { OtlpDataPoint } from './otlpProtocol';
import { mapDataPoint } from './OtlpReceiver';
import { SOURCE_METRICS } from './sources';
import { incrementMilli } from './temporality';

const settings: MappingSettings = {
  languages: DEFAULT_LANGUAGES,
  assistants: DEFAULT_ASSISTANTS,
  models: DEFAULT_MODEL_PATTERNS,
  pricing: [
    { model: 'gemini-2.5-pro', input: 1.25, output: 10, cacheRead: 0.25 },
    { model: 'gpt-5*', input: 2, output: 8, cacheRead: 0.5, reasoning: 8 },
    { model: 'claude-*', input: 3, output: 15 },
  ],
  secondsPerLine: 12,
};

const T = 1_700_000_000_000_000_000n;

function point(
  metric: string,
  attributes: Record<string, string>,
  value: number,
  options: Partial<OtlpDataPoint> = {},
): OtlpDataPoint {
  return {
    metric,
    kind: 'sum',
    monotonic: true,
    temporality: 'delta',
    attributes: new Map(Object.entries(attributes)),
    identity: JSON.stringify({ metric, attributes }),
    startNanos: T,
    timeNanos: T + 60_000_000_000n,
    value,
    ...options,
  };
}

/** What one point adds to the contract's counters, as [metric, labels, value]. */
function counts(p: OtlpDataPoint, config: MappingSettings = settings) {
  const mapped = mapDataPoint(p, config);
  if (typeof mapped === 'string') return mapped;
  return mapped.targets.map(target => [
    target.metric,
    target.labels,
    incrementMilli(0, mapped.point.value, target.factor) / 1000,
  ]);
}

const histogram = { kind: 'histogram' as const };

describe('Claude Code (code.claude.com/docs/en/monitoring-usage)', () => {
  // Every point carries the standard attributes, which the contract does not name.
  const standard = {
    'session.id': '6f1a6a52-5b3c-4c58-9a3f-3d1f0c1e2a77',
    'user.account_uuid': 'f2b6c8a0-0000-4000-8000-000000000001',
    'user.email': 'jane.doe@example.com',
    'organization.id': 'org-123',
    'terminal.type': 'vscode',
  };
  const claude = (name: string, attrs: Record<string, string>, value: number) =>
    point(name, { ...standard, ...attrs }, value, {
      serviceName: 'claude-code',
    });

  it('counts sessions, commits and pull requests', () => {
    expect(counts(claude('claude_code.session.count', {}, 1))).toEqual([
      ['ai_copilot_sessions_total', { assistant: 'claude-code' }, 1],
    ]);
    expect(counts(claude('claude_code.commit.count', {}, 2))).toEqual([
      ['ai_copilot_commits_total', { assistant: 'claude-code' }, 2],
    ]);
    expect(counts(claude('claude_code.pull_request.count', {}, 1))).toEqual([
      ['ai_copilot_pull_requests_total', { assistant: 'claude-code' }, 1],
    ]);
  });

  it('counts lines added, with the time they saved; not lines removed', () => {
    expect(
      counts(
        claude(
          'claude_code.lines_of_code.count',
          { type: 'added', model: 'claude-sonnet-4-5-20250929' },
          10,
        ),
      ),
    ).toEqual([
      [
        'ai_copilot_lines_generated',
        { language: 'unknown', assistant: 'claude-code' },
        10,
      ],
      [
        'ai_copilot_time_saved_seconds',
        { activity: 'code_generation', assistant: 'claude-code' },
        120,
      ],
    ]);
    expect(
      counts(claude('claude_code.lines_of_code.count', { type: 'removed' }, 4)),
    ).toBe('not_counted');
  });

  it('counts tokens by normalised model and type, without pricing them', () => {
    for (const [type, contractType] of [
      ['input', 'input'],
      ['output', 'output'],
      ['cacheRead', 'cache_read'],
      ['cacheCreation', 'cache_creation'],
    ]) {
      expect(
        counts(
          claude(
            'claude_code.token.usage',
            { type, model: 'claude-sonnet-4-5-20250929', query_source: 'main' },
            1500,
          ),
        ),
      ).toEqual([
        [
          'ai_copilot_tokens_total',
          {
            assistant: 'claude-code',
            model: 'claude-sonnet-4-5',
            type: contractType,
          },
          1500,
        ],
      ]);
    }
    expect(
      counts(claude('claude_code.token.usage', { type: 'total' }, 1)),
    ).toBe('not_counted');
  });

  it('takes its own cost in US dollars', () => {
    expect(
      counts(
        claude(
          'claude_code.cost.usage',
          { model: 'claude-opus-4-1-20250805', 'skill.name': 'x' },
          0.125,
        ),
      ),
    ).toEqual([
      [
        'ai_copilot_cost_usd_total',
        { assistant: 'claude-code', model: 'claude-opus-4-1' },
        0.125,
      ],
    ]);
  });

  it('counts edit decisions as suggestions, by language', () => {
    expect(
      counts(
        claude(
          'claude_code.code_edit_tool.decision',
          {
            tool_name: 'Edit',
            decision: 'accept',
            source: 'user_temporary',
            language: 'TypeScript',
          },
          1,
        ),
      ),
    ).toEqual([
      [
        'ai_copilot_suggestions_total',
        { language: 'typescript', accepted: 'true', assistant: 'claude-code' },
        1,
      ],
    ]);
    expect(
      counts(
        claude(
          'claude_code.code_edit_tool.decision',
          { tool_name: 'Write', decision: 'reject', language: 'Markdown' },
          2,
        ),
      ),
    ).toEqual([
      [
        'ai_copilot_suggestions_total',
        { language: 'other', accepted: 'false', assistant: 'claude-code' },
        2,
      ],
    ]);
    expect(
      counts(
        claude(
          'claude_code.code_edit_tool.decision',
          { decision: 'accept', language: 'unknown' },
          1,
        ),
      ),
    ).toEqual([
      [
        'ai_copilot_suggestions_total',
        { language: 'unknown', accepted: 'true', assistant: 'claude-code' },
        1,
      ],
    ]);
  });

  it('counts active time of the user and of the CLI (the agent)', () => {
    expect(
      counts(claude('claude_code.active_time.total', { type: 'user' }, 42.5)),
    ).toEqual([
      [
        'ai_copilot_active_seconds_total',
        { assistant: 'claude-code', type: 'user' },
        42.5,
      ],
    ]);
    expect(
      counts(claude('claude_code.active_time.total', { type: 'cli' }, 7)),
    ).toEqual([
      [
        'ai_copilot_active_seconds_total',
        { assistant: 'claude-code', type: 'agent' },
        7,
      ],
    ]);
  });
});

describe('Gemini CLI (google-gemini/gemini-cli docs/cli/telemetry.md)', () => {
  const gemini = (name: string, attrs: Record<string, string>, value: number) =>
    point(
      name,
      { 'session.id': 's', 'installation.id': 'i', ...attrs },
      value,
      { serviceName: 'gemini-cli', temporality: 'cumulative' },
    );

  it('counts sessions, and tokens by type at the configured price', () => {
    expect(counts(gemini('gemini_cli.session.count', {}, 1))).toEqual([
      ['ai_copilot_sessions_total', { assistant: 'gemini-cli' }, 1],
    ]);
    expect(
      counts(
        gemini(
          'gemini_cli.token.usage',
          { model: 'gemini-2.5-pro', type: 'input' },
          2_000_000,
        ),
      ),
    ).toEqual([
      [
        'ai_copilot_tokens_total',
        { assistant: 'gemini-cli', model: 'gemini-2.5-pro', type: 'input' },
        2_000_000,
      ],
      [
        'ai_copilot_cost_usd_total',
        { assistant: 'gemini-cli', model: 'gemini-2.5-pro' },
        2.5,
      ],
    ]);
    expect(
      counts(
        gemini(
          'gemini_cli.token.usage',
          { model: 'gemini-2.5-pro', type: 'thought' },
          100,
        ),
      ),
    ).toEqual([
      [
        'ai_copilot_tokens_total',
        {
          assistant: 'gemini-cli',
          model: 'gemini-2.5-pro',
          type: 'reasoning',
        },
        100,
      ],
    ]);
    expect(
      counts(
        gemini(
          'gemini_cli.token.usage',
          { model: 'gemini-2.5-pro', type: 'cache' },
          1_000_000,
        ),
      )[0],
    ).toEqual([
      'ai_copilot_tokens_total',
      { assistant: 'gemini-cli', model: 'gemini-2.5-pro', type: 'cache_read' },
      1_000_000,
    ]);
    expect(
      counts(
        gemini(
          'gemini_cli.token.usage',
          { model: 'gemini-2.5-pro', type: 'tool' },
          1,
        ),
      ),
    ).toBe('not_counted');
  });

  it('invents no cost for a model without a price', () => {
    expect(
      counts(
        gemini(
          'gemini_cli.token.usage',
          { model: 'gemini-2.5-flash', type: 'output' },
          1000,
        ),
      ),
    ).toEqual([
      [
        'ai_copilot_tokens_total',
        { assistant: 'gemini-cli', model: 'gemini-2.5-flash', type: 'output' },
        1000,
      ],
    ]);
  });

  it('counts lines added and the decisions on its editing tools', () => {
    expect(
      counts(
        gemini(
          'gemini_cli.lines.changed',
          { type: 'added', function_name: 'replace' },
          3,
        ),
      ),
    ).toEqual([
      [
        'ai_copilot_lines_generated',
        { language: 'unknown', assistant: 'gemini-cli' },
        3,
      ],
      [
        'ai_copilot_time_saved_seconds',
        { activity: 'code_generation', assistant: 'gemini-cli' },
        36,
      ],
    ]);
    const decision = (function_name: string, value: string) =>
      counts(
        gemini(
          'gemini_cli.tool.call.count',
          { function_name, decision: value, success: 'true' },
          1,
        ),
      );
    expect(decision('replace', 'accept')).toEqual([
      [
        'ai_copilot_suggestions_total',
        { language: 'unknown', accepted: 'true', assistant: 'gemini-cli' },
        1,
      ],
    ]);
    expect(decision('write_file', 'auto_accept')[0].slice(0, 2)).toMatchObject([
      'ai_copilot_suggestions_total',
      { accepted: 'true' },
    ]);
    expect(decision('write_file', 'modify')[0].slice(0, 2)).toMatchObject([
      'ai_copilot_suggestions_total',
      { accepted: 'true' },
    ]);
    expect(decision('replace', 'reject')[0].slice(0, 2)).toMatchObject([
      'ai_copilot_suggestions_total',
      { accepted: 'false' },
    ]);
    expect(decision('run_shell_command', 'accept')).toBe('not_counted');
  });

  it('refuses its gen_ai.client.token.usage copy: gemini_cli.token.usage counts the tokens', () => {
    expect(
      counts(
        gemini(
          'gen_ai.client.token.usage',
          { 'gen_ai.token.type': 'input' },
          5,
        ),
      ),
    ).toBe('duplicate_source');
  });
});

describe('OpenAI Codex (developers.openai.com/codex/config-advanced)', () => {
  const codex = (
    name: string,
    attrs: Record<string, string>,
    value: number,
    options: Partial<OtlpDataPoint> = {},
  ) =>
    point(
      name,
      { auth_mode: 'api', originator: 'codex_cli_rs', ...attrs },
      value,
      { serviceName: 'codex_cli_rs', ...options },
    );

  it('counts threads as sessions', () => {
    expect(
      counts(codex('codex.thread.started', { is_git: 'true' }, 1)),
    ).toEqual([['ai_copilot_sessions_total', { assistant: 'codex' }, 1]]);
  });

  it('counts the sum of the per-turn token histogram, priced, but not the total', () => {
    const tokens = (token_type: string) =>
      counts(
        codex(
          'codex.turn.token_usage',
          { token_type, model: 'gpt-5.1-codex' },
          1_000_000,
          histogram,
        ),
      );
    expect(tokens('input')).toEqual([
      [
        'ai_copilot_tokens_total',
        { assistant: 'codex', model: 'gpt-5.1-codex', type: 'input' },
        1_000_000,
      ],
      [
        'ai_copilot_cost_usd_total',
        { assistant: 'codex', model: 'gpt-5.1-codex' },
        2,
      ],
    ]);
    expect(tokens('cached_input')[0].slice(0, 2)).toMatchObject([
      'ai_copilot_tokens_total',
      { type: 'cache_read' },
    ]);
    expect(tokens('output')[1]).toEqual([
      'ai_copilot_cost_usd_total',
      { assistant: 'codex', model: 'gpt-5.1-codex' },
      8,
    ]);
    expect(tokens('reasoning_output')[0].slice(0, 2)).toMatchObject([
      'ai_copilot_tokens_total',
      { type: 'reasoning' },
    ]);
    expect(tokens('total')).toBe('not_counted');
  });

  it('counts approvals of apply_patch as suggestions', () => {
    const approval = (tool: string, approved: string) =>
      counts(codex('codex.approval.requested', { tool, approved }, 1));
    expect(approval('apply_patch', 'approved')).toEqual([
      [
        'ai_copilot_suggestions_total',
        { language: 'unknown', accepted: 'true', assistant: 'codex' },
        1,
      ],
    ]);
    expect(
      approval('apply_patch', 'approved_for_session')[0].slice(0, 2),
    ).toMatchObject(['ai_copilot_suggestions_total', { accepted: 'true' }]);
    expect(approval('apply_patch', 'denied')[0].slice(0, 2)).toMatchObject([
      'ai_copilot_suggestions_total',
      { accepted: 'false' },
    ]);
    expect(approval('apply_patch', 'abort')[0].slice(0, 2)).toMatchObject([
      'ai_copilot_suggestions_total',
      { accepted: 'false' },
    ]);
    expect(approval('shell', 'approved')).toBe('not_counted');
  });
});

describe('GitHub Copilot Chat (code.visualstudio.com/docs/agents/guides/monitoring-agents)', () => {
  const copilot = (
    name: string,
    attrs: Record<string, string>,
    value: number,
    options: Partial<OtlpDataPoint> = {},
  ) =>
    point(name, attrs, value, {
      serviceName: 'copilot-chat',
      temporality: 'cumulative',
      ...options,
    });

  it('counts sessions and pull requests', () => {
    expect(counts(copilot('copilot_chat.session.count', {}, 1))).toEqual([
      ['ai_copilot_sessions_total', { assistant: 'copilot' }, 1],
    ]);
    expect(counts(copilot('copilot_chat.pull_request.count', {}, 1))).toEqual([
      ['ai_copilot_pull_requests_total', { assistant: 'copilot' }, 1],
    ]);
  });

  it('counts edit decisions and lines added, with the VS Code language id', () => {
    expect(
      counts(
        copilot(
          'copilot_chat.edit.acceptance.count',
          {
            'copilot_chat.edit.source': 'chat_editing_hunk',
            'copilot_chat.edit.outcome': 'rejected',
            'copilot_chat.language_id': 'python',
          },
          1,
        ),
      ),
    ).toEqual([
      [
        'ai_copilot_suggestions_total',
        { language: 'python', accepted: 'false', assistant: 'copilot' },
        1,
      ],
    ]);
    expect(
      counts(
        copilot(
          'copilot_chat.edit.acceptance.count',
          { 'copilot_chat.edit.outcome': 'saved' },
          1,
        ),
      ),
    ).toBe('not_counted');
    expect(
      counts(
        copilot(
          'copilot_chat.lines_of_code.count',
          { type: 'added', 'copilot_chat.language_id': 'go' },
          5,
        ),
      ),
    ).toEqual([
      [
        'ai_copilot_lines_generated',
        { language: 'go', assistant: 'copilot' },
        5,
      ],
      [
        'ai_copilot_time_saved_seconds',
        { activity: 'code_generation', assistant: 'copilot' },
        60,
      ],
    ]);
  });

  it('counts gen_ai.client.token.usage by its response model, priced', () => {
    expect(
      counts(
        copilot(
          'gen_ai.client.token.usage',
          {
            'gen_ai.token.type': 'output',
            'gen_ai.request.model': 'gpt-5',
            'gen_ai.response.model': 'gpt-5-2025-08-07',
            'gen_ai.operation.name': 'chat',
            'gen_ai.provider.name': 'github',
          },
          500_000,
          histogram,
        ),
      ),
    ).toEqual([
      [
        'ai_copilot_tokens_total',
        { assistant: 'copilot', model: 'gpt-5-2025-08-07', type: 'output' },
        500_000,
      ],
      [
        'ai_copilot_cost_usd_total',
        { assistant: 'copilot', model: 'gpt-5-2025-08-07' },
        4,
      ],
    ]);
  });

  it('does not take gen_ai.client.token.usage from an unknown service', () => {
    expect(
      counts(
        copilot(
          'gen_ai.client.token.usage',
          { 'gen_ai.token.type': 'input' },
          1,
          { ...histogram, serviceName: 'my-app' },
        ),
      ),
    ).toBe('unknown_metric');
  });
});

describe('points the mapping refuses', () => {
  const claude = (options: Partial<OtlpDataPoint>, value = 1) =>
    counts(
      point('claude_code.session.count', {}, value, {
        serviceName: 'claude-code',
        ...options,
      }),
    );

  it('says why', () => {
    expect(counts(point('claude_code.unknown.metric', {}, 1))).toBe(
      'unknown_metric',
    );
    expect(claude({ kind: 'gauge' })).toBe('unsupported_type');
    expect(claude({ monotonic: false })).toBe('unsupported_type');
    expect(claude({ kind: 'histogram' })).toBe('unsupported_type');
    expect(claude({ temporality: 'unspecified' })).toBe('unsupported_type');
    expect(claude({ value: undefined })).toBe('invalid_value');
    expect(claude({}, Number.NaN)).toBe('invalid_value');
    expect(claude({}, Number.POSITIVE_INFINITY)).toBe('invalid_value');
    expect(claude({}, -1)).toBe('negative_value');
    expect(claude({}, 1e13)).toBe('value_out_of_range');
    expect(claude({ timeNanos: 0n })).toBe('invalid_timestamps');
    expect(claude({ startNanos: T + 120_000_000_000n })).toBe(
      'invalid_timestamps',
    );
  });

  it('counts assistants outside the configured list as other', () => {
    expect(
      counts(
        point('claude_code.session.count', {}, 1, {
          serviceName: 'claude-code',
        }),
        { ...settings, assistants: ['copilot', 'other'] },
      ),
    ).toEqual([['ai_copilot_sessions_total', { assistant: 'other' }, 1]]);
  });
});

describe('the mapping table', () => {
  it('names a documentation page for every source metric', () => {
    for (const metric of SOURCE_METRICS) {
      expect(metric.docs.length).toBeGreaterThan(0);
      for (const url of metric.docs) expect(url).toMatch(/^https:\/\//);
    }
  });
});

describe('languageLabel', () => {
  it('lower-cases, maps display names to editor ids, bounds by the list', () => {
    expect(languageLabel('Python', DEFAULT_LANGUAGES)).toBe('python');
    expect(languageLabel('C++', DEFAULT_LANGUAGES)).toBe('cpp');
    expect(languageLabel('C#', DEFAULT_LANGUAGES)).toBe('csharp');
    expect(languageLabel('COBOL', DEFAULT_LANGUAGES)).toBe('other');
    expect(languageLabel(undefined, DEFAULT_LANGUAGES)).toBe('unknown');
    expect(languageLabel('', DEFAULT_LANGUAGES)).toBe('unknown');
    expect(languageLabel('Unknown', DEFAULT_LANGUAGES)).toBe('unknown');
  });
});

describe('pricePerMillion', () => {
  it('takes the first entry whose pattern matches the normalised model', () => {
    expect(pricePerMillion('GPT-5-mini', 'input', settings.pricing)).toBe(2);
    expect(
      pricePerMillion('claude-sonnet-4-5-20250929', 'output', settings.pricing),
    ).toBe(15);
    expect(
      pricePerMillion('claude-sonnet-4-5', 'cache_read', settings.pricing),
    ).toBeUndefined();
    expect(
      pricePerMillion('llama-3', 'input', settings.pricing),
    ).toBeUndefined();
    expect(
      pricePerMillion(undefined, 'input', settings.pricing),
    ).toBeUndefined();
  });
});
