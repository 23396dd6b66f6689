/**
 * What the SDK integration test records as Claude Code would, and what the metrics endpoint
 * must serve for it. Metric names, attributes, units and temporality are Claude Code's
 * documented ones: https://code.claude.com/docs/en/monitoring-usage#metrics
 */

/** The values that identify someone, which must arrive nowhere. */
export const IDENTIFYING = {
  email: 'jane.doe@example.com',
  sessionIds: [
    '8f14e45f-ceea-467f-a0e6-3c2d5ba1b7c1',
    '45c48cce-2e2d-4fbd-b1f6-0a2e0c3a9d55',
  ],
  filePath: '/home/jane/secret-project/src/payroll/salaries.ts',
  accountUuid: 'a3c1f0de-4b5e-4f70-9d2e-1b7e8c9d0a11',
  accountId: 'user_01BWBeN28example',
  organizationId: '0b9d5c4e-7a8f-4e3d-b2c1-5f6e7d8c9b0a',
} as const;

/** Every value of {@link IDENTIFYING}, and a telling part of the file path. */
export const IDENTIFYING_VALUES = [
  IDENTIFYING.email,
  ...IDENTIFYING.sessionIds,
  IDENTIFYING.filePath,
  'secret-project',
  IDENTIFYING.accountUuid,
  IDENTIFYING.accountId,
  IDENTIFYING.organizationId,
];

/** The resource attributes of Claude Code's exports, and two that OTEL_RESOURCE_ATTRIBUTES add. */
export const RESOURCE = {
  'service.name': 'claude-code',
  'service.version': '2.1.0',
  'os.type': 'linux',
  'host.arch': 'amd64',
  'enduser.id': IDENTIFYING.email,
  'workspace.path': IDENTIFYING.filePath,
};

/** The meter Claude Code records with. */
export const METER = { name: 'com.anthropic.claude_code', version: '2.1.0' };

/** Claude Code's counters: name and unit (https://code.claude.com/docs/en/monitoring-usage#metrics). */
export const INSTRUMENTS = {
  session: { name: 'claude_code.session.count' },
  lines: { name: 'claude_code.lines_of_code.count' },
  pullRequests: { name: 'claude_code.pull_request.count' },
  commits: { name: 'claude_code.commit.count' },
  cost: { name: 'claude_code.cost.usage', unit: 'USD' },
  tokens: { name: 'claude_code.token.usage', unit: 'tokens' },
  editDecisions: { name: 'claude_code.code_edit_tool.decision' },
  activeTime: { name: 'claude_code.active_time.total', unit: 's' },
} as const;

type Counter = { add(value: number, attributes: Record<string, string>): void };
export type ClaudeCodeCounters = Record<keyof typeof INSTRUMENTS, Counter>;

/** The standard attributes of every Claude Code metric, for one session. */
function standard(session: number) {
  return {
    'session.id': IDENTIFYING.sessionIds[session],
    'user.account_uuid': IDENTIFYING.accountUuid,
    'user.account_id': IDENTIFYING.accountId,
    'organization.id': IDENTIFYING.organizationId,
    'user.email': IDENTIFYING.email,
    'user.id': 'f00dfeedbeef',
    'terminal.type': 'vscode',
  };
}

const SONNET = 'claude-sonnet-4-5-20250929';
const OPUS = 'claude-opus-4-1-20250805';

/** Two sessions of work, recorded in three rounds, with an export after each. */
export const ROUNDS: Array<(m: ClaudeCodeCounters) => void> = [
  m => {
    m.session.add(1, { ...standard(0), start_type: 'fresh' });
    const main = { ...standard(0), model: SONNET, query_source: 'main' };
    m.tokens.add(1200, { ...main, type: 'input' });
    m.tokens.add(350, { ...main, type: 'output' });
    m.tokens.add(5000, { ...main, type: 'cacheRead' });
    m.cost.add(0.125, main);
    m.editDecisions.add(1, {
      ...standard(0),
      tool_name: 'Edit',
      decision: 'accept',
      source: 'user_temporary',
      language: 'TypeScript',
      // No documented attribute: dropped on arrival all the same.
      file_path: IDENTIFYING.filePath,
    });
    m.lines.add(10, { ...standard(0), type: 'added', model: SONNET });
    m.lines.add(7, { ...standard(0), type: 'removed', model: SONNET });
    m.activeTime.add(12.5, { ...standard(0), type: 'user' });
    m.activeTime.add(45.25, { ...standard(0), type: 'cli' });
  },
  m => {
    m.tokens.add(800, {
      ...standard(0),
      model: SONNET,
      query_source: 'main',
      type: 'input',
    });
    m.tokens.add(900, {
      ...standard(0),
      model: SONNET,
      query_source: 'subagent',
      type: 'cacheCreation',
    });
    m.cost.add(0.25, { ...standard(0), model: SONNET, query_source: 'main' });
    m.editDecisions.add(1, {
      ...standard(0),
      tool_name: 'Write',
      decision: 'reject',
      source: 'user_reject',
      language: 'Python',
      file_path: IDENTIFYING.filePath,
    });
    m.editDecisions.add(2, {
      ...standard(0),
      tool_name: 'Edit',
      decision: 'accept',
      source: 'config',
      language: 'TypeScript',
      file_path: IDENTIFYING.filePath,
    });
    m.lines.add(25, { ...standard(0), type: 'added', model: SONNET });
    m.commits.add(2, standard(0));
    m.activeTime.add(30, { ...standard(0), type: 'user' });
  },
  m => {
    m.session.add(1, { ...standard(1), start_type: 'resume' });
    m.tokens.add(400, {
      ...standard(1),
      model: OPUS,
      query_source: 'main',
      type: 'output',
    });
    m.cost.add(0.5, { ...standard(1), model: OPUS, query_source: 'main' });
    m.editDecisions.add(1, {
      ...standard(1),
      tool_name: 'NotebookEdit',
      decision: 'accept',
      source: 'user_permanent',
      language: 'Markdown',
      file_path: IDENTIFYING.filePath,
    });
    m.pullRequests.add(1, standard(1));
  },
];

/** What {@link ROUNDS} add to the contract, as the metrics endpoint serves it (sorted, no user_hash). */
export const EXPECTED_SERIES = [
  'ai_copilot_active_seconds_total{assistant="claude-code",type="agent"} 45.25',
  'ai_copilot_active_seconds_total{assistant="claude-code",type="user"} 42.5',
  'ai_copilot_commits_total{assistant="claude-code"} 2',
  'ai_copilot_cost_usd_total{assistant="claude-code",model="claude-opus-4-1"} 0.5',
  'ai_copilot_cost_usd_total{assistant="claude-code",model="claude-sonnet-4-5"} 0.375',
  'ai_copilot_lines_generated{language="unknown",assistant="claude-code"} 35',
  'ai_copilot_pull_requests_total{assistant="claude-code"} 1',
  'ai_copilot_sessions_total{assistant="claude-code"} 2',
  'ai_copilot_suggestions_total{language="other",accepted="true",assistant="claude-code"} 1',
  'ai_copilot_suggestions_total{language="python",accepted="false",assistant="claude-code"} 1',
  'ai_copilot_suggestions_total{language="typescript",accepted="true",assistant="claude-code"} 3',
  'ai_copilot_time_saved_seconds{activity="code_generation",assistant="claude-code"} 420',
  'ai_copilot_tokens_total{assistant="claude-code",model="claude-opus-4-1",type="output"} 400',
  'ai_copilot_tokens_total{assistant="claude-code",model="claude-sonnet-4-5",type="cache_creation"} 900',
  'ai_copilot_tokens_total{assistant="claude-code",model="claude-sonnet-4-5",type="cache_read"} 5000',
  'ai_copilot_tokens_total{assistant="claude-code",model="claude-sonnet-4-5",type="input"} 2000',
  'ai_copilot_tokens_total{assistant="claude-code",model="claude-sonnet-4-5",type="output"} 350',
].sort();

/** How the SDK exports in each variant of the test. */
export const EXPORT_VARIANTS = {
  'protobuf-delta-env': {
    description:
      'http/protobuf, gzip, delta (Claude Code’s default), set up through OTEL_EXPORTER_OTLP_*',
  },
  'json-cumulative': { description: 'http/json, cumulative' },
} as const;
export type ExportVariant = keyof typeof EXPORT_VARIANTS;
