import { OTLP_METRICS, TokenType } from '@fawkes/plugin-ai-telemetry-common';
import { DropReason, OtlpAssistant, Target, Targets } from './mapping';

/**
 * Where each mapping comes from. Metric names, attributes and units are the assistants'
 * documented ones; where a documented metric's attribute values are documented only in the
 * assistant's source code, the source is named too.
 */
export const SOURCE_DOCS = {
  claudeCode: 'https://code.claude.com/docs/en/monitoring-usage',
  geminiCli:
    'https://github.com/google-gemini/gemini-cli/blob/main/docs/cli/telemetry.md',
  geminiCliEditTools:
    'https://github.com/google-gemini/gemini-cli/blob/main/packages/core/src/tools/tool-names.ts',
  codex: 'https://developers.openai.com/codex/config-advanced#metrics',
  codexApprovals:
    'https://github.com/openai/codex/blob/main/codex-rs/core/src/tools/sandboxing.rs',
  copilotChat:
    'https://code.visualstudio.com/docs/agents/guides/monitoring-agents',
  copilotChatAttributes:
    'https://github.com/microsoft/vscode-copilot-chat/blob/main/src/platform/otel/common/genAiMetrics.ts',
  genAiSemconv:
    'https://opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-metrics/',
} as const;

/** Attributes of a data point, read by key. */
type Attributes = ReadonlyMap<string, string>;

/** One assistant metric the receiver maps onto the contract. */
export type SourceMetric = {
  assistant: OtlpAssistant;
  /** The OTLP metric name. */
  name: string;
  /**
   * How the assistant exports it: a monotonic sum (a counter), or a histogram, whose sum over
   * its recorded values is what is counted.
   */
  instrument: 'sum' | 'histogram';
  /** Only from these `service.name`s (for metric names several sources share). */
  serviceNames?: readonly string[];
  docs: readonly string[];
  /** The contract counters one data point adds to; `undefined` when the contract counts none. */
  targets(attributes: Attributes, targets: Targets): Target[] | undefined;
};

/** A metric of a known source that another metric of it already counts. */
type DuplicateMetric = {
  name: string;
  serviceNames: readonly string[];
  reason: DropReason;
};

const claudeTokenTypes: Record<string, TokenType> = {
  input: 'input',
  output: 'output',
  cacheRead: 'cache_read',
  cacheCreation: 'cache_creation',
};
const geminiTokenTypes: Record<string, TokenType> = {
  input: 'input',
  output: 'output',
  thought: 'reasoning',
  cache: 'cache_read',
};
const codexTokenTypes: Record<string, TokenType> = {
  input: 'input',
  cached_input: 'cache_read',
  output: 'output',
  reasoning_output: 'reasoning',
};
const genAiTokenTypes: Record<string, TokenType> = {
  input: 'input',
  output: 'output',
};

/** Gemini CLI's file-editing tools (EDIT_TOOL_NAMES: `replace`, `write_file`). */
const geminiEditTools = new Set(['replace', 'write_file']);
const geminiDecisions: Record<string, boolean> = {
  accept: true,
  modify: true,
  auto_accept: true,
  reject: false,
};
const codexApprovals: Record<string, boolean> = {
  approved: true,
  approved_with_amendment: true,
  approved_for_session: true,
  denied: false,
  abort: false,
};
const copilotOutcomes: Record<string, boolean> = {
  accepted: true,
  rejected: false,
};

function lookup<T>(table: Record<string, T>, key: string | undefined) {
  return key !== undefined && Object.prototype.hasOwnProperty.call(table, key)
    ? table[key]
    : undefined;
}

/** The assistant metrics the receiver counts (docs/metric-contract.md#from-otlp-metrics-to-counters). */
export const SOURCE_METRICS: readonly SourceMetric[] = [
  // Claude Code: every metric of "Available metrics and events".
  {
    assistant: 'claude-code',
    name: 'claude_code.session.count',
    instrument: 'sum',
    docs: [SOURCE_DOCS.claudeCode],
    targets: (_a, t) => t.count(OTLP_METRICS.sessions),
  },
  {
    assistant: 'claude-code',
    name: 'claude_code.lines_of_code.count',
    instrument: 'sum',
    docs: [SOURCE_DOCS.claudeCode],
    // type "added" or "removed"; no language attribute.
    targets: (a, t) =>
      a.get('type') === 'added' ? t.linesAdded(undefined) : undefined,
  },
  {
    assistant: 'claude-code',
    name: 'claude_code.pull_request.count',
    instrument: 'sum',
    docs: [SOURCE_DOCS.claudeCode],
    targets: (_a, t) => t.count(OTLP_METRICS.pullRequests),
  },
  {
    assistant: 'claude-code',
    name: 'claude_code.commit.count',
    instrument: 'sum',
    docs: [SOURCE_DOCS.claudeCode],
    targets: (_a, t) => t.count(OTLP_METRICS.commits),
  },
  {
    assistant: 'claude-code',
    name: 'claude_code.cost.usage',
    instrument: 'sum',
    docs: [SOURCE_DOCS.claudeCode],
    targets: (a, t) => t.cost(a.get('model')),
  },
  {
    assistant: 'claude-code',
    name: 'claude_code.token.usage',
    instrument: 'sum',
    docs: [SOURCE_DOCS.claudeCode],
    targets: (a, t) => {
      const type = lookup(claudeTokenTypes, a.get('type'));
      // Claude Code reports its own cost (claude_code.cost.usage): no price is applied.
      return type && t.tokens(a.get('model'), type, { priced: false });
    },
  },
  {
    assistant: 'claude-code',
    name: 'claude_code.code_edit_tool.decision',
    instrument: 'sum',
    docs: [SOURCE_DOCS.claudeCode],
    targets: (a, t) => {
      const decision = a.get('decision');
      if (decision !== 'accept' && decision !== 'reject') return undefined;
      return t.suggestion(decision === 'accept', a.get('language'));
    },
  },
  {
    assistant: 'claude-code',
    name: 'claude_code.active_time.total',
    instrument: 'sum',
    docs: [SOURCE_DOCS.claudeCode],
    targets: (a, t) => {
      const type = a.get('type');
      if (type === 'user') return t.activeSeconds('user');
      if (type === 'cli') return t.activeSeconds('agent');
      return undefined;
    },
  },

  // Gemini CLI: "Metrics" of the telemetry documentation.
  {
    assistant: 'gemini-cli',
    name: 'gemini_cli.session.count',
    instrument: 'sum',
    docs: [SOURCE_DOCS.geminiCli],
    targets: (_a, t) => t.count(OTLP_METRICS.sessions),
  },
  {
    assistant: 'gemini-cli',
    name: 'gemini_cli.token.usage',
    instrument: 'sum',
    docs: [SOURCE_DOCS.geminiCli],
    targets: (a, t) => {
      const type = lookup(geminiTokenTypes, a.get('type'));
      return type && t.tokens(a.get('model'), type, { priced: true });
    },
  },
  {
    assistant: 'gemini-cli',
    name: 'gemini_cli.lines.changed',
    instrument: 'sum',
    docs: [SOURCE_DOCS.geminiCli],
    targets: (a, t) =>
      a.get('type') === 'added' ? t.linesAdded(undefined) : undefined,
  },
  {
    assistant: 'gemini-cli',
    name: 'gemini_cli.tool.call.count',
    instrument: 'sum',
    docs: [SOURCE_DOCS.geminiCli, SOURCE_DOCS.geminiCliEditTools],
    // Decisions on the file-editing tools only; other tools are not code suggestions.
    targets: (a, t) => {
      if (!geminiEditTools.has(a.get('function_name') ?? '')) return undefined;
      const accepted = lookup(geminiDecisions, a.get('decision'));
      return accepted === undefined
        ? undefined
        : t.suggestion(accepted, undefined);
    },
  },

  // OpenAI Codex: "Metrics catalog" of the advanced configuration.
  {
    assistant: 'codex',
    name: 'codex.thread.started',
    instrument: 'sum',
    docs: [SOURCE_DOCS.codex],
    targets: (_a, t) => t.count(OTLP_METRICS.sessions),
  },
  {
    assistant: 'codex',
    name: 'codex.turn.token_usage',
    instrument: 'histogram',
    docs: [SOURCE_DOCS.codex],
    // token_type "total" is the sum of the others: not counted again.
    targets: (a, t) => {
      const type = lookup(codexTokenTypes, a.get('token_type'));
      return type && t.tokens(a.get('model'), type, { priced: true });
    },
  },
  {
    assistant: 'codex',
    name: 'codex.approval.requested',
    instrument: 'sum',
    docs: [SOURCE_DOCS.codex, SOURCE_DOCS.codexApprovals],
    // Approvals of apply_patch, Codex's file-editing tool, only.
    targets: (a, t) => {
      if (a.get('tool') !== 'apply_patch') return undefined;
      const accepted = lookup(codexApprovals, a.get('approved'));
      return accepted === undefined
        ? undefined
        : t.suggestion(accepted, undefined);
    },
  },

  // GitHub Copilot Chat in VS Code: "Metrics" of "Monitor agent usage with OpenTelemetry".
  {
    assistant: 'copilot',
    name: 'copilot_chat.session.count',
    instrument: 'sum',
    docs: [SOURCE_DOCS.copilotChat],
    targets: (_a, t) => t.count(OTLP_METRICS.sessions),
  },
  {
    assistant: 'copilot',
    name: 'copilot_chat.edit.acceptance.count',
    instrument: 'sum',
    docs: [SOURCE_DOCS.copilotChat, SOURCE_DOCS.copilotChatAttributes],
    targets: (a, t) => {
      const accepted = lookup(
        copilotOutcomes,
        a.get('copilot_chat.edit.outcome'),
      );
      return accepted === undefined
        ? undefined
        : t.suggestion(accepted, a.get('copilot_chat.language_id'));
    },
  },
  {
    assistant: 'copilot',
    name: 'copilot_chat.lines_of_code.count',
    instrument: 'sum',
    docs: [SOURCE_DOCS.copilotChat, SOURCE_DOCS.copilotChatAttributes],
    targets: (a, t) =>
      a.get('type') === 'added'
        ? t.linesAdded(a.get('copilot_chat.language_id'))
        : undefined,
  },
  {
    assistant: 'copilot',
    name: 'copilot_chat.pull_request.count',
    instrument: 'sum',
    docs: [SOURCE_DOCS.copilotChat],
    targets: (_a, t) => t.count(OTLP_METRICS.pullRequests),
  },
  {
    assistant: 'copilot',
    name: 'gen_ai.client.token.usage',
    instrument: 'histogram',
    serviceNames: ['copilot-chat', 'github-copilot'],
    docs: [SOURCE_DOCS.copilotChat, SOURCE_DOCS.genAiSemconv],
    targets: (a, t) => {
      const type = lookup(genAiTokenTypes, a.get('gen_ai.token.type'));
      return (
        type &&
        t.tokens(
          a.get('gen_ai.response.model') ?? a.get('gen_ai.request.model'),
          type,
          { priced: true },
        )
      );
    },
  },
];

/** Metrics a known source exports twice: the copy is refused, so nothing counts twice. */
const DUPLICATE_METRICS: readonly DuplicateMetric[] = [
  // Gemini CLI records the same tokens as gemini_cli.token.usage (which has the cache and
  // thought tokens too).
  {
    name: 'gen_ai.client.token.usage',
    serviceNames: ['gemini-cli'],
    reason: 'duplicate_source',
  },
];

const byName = new Map<string, SourceMetric[]>();
for (const metric of SOURCE_METRICS) {
  byName.set(metric.name, [...(byName.get(metric.name) ?? []), metric]);
}

/** The source metric a data point belongs to, or why it has none. */
export function sourceMetricOf(
  name: string,
  serviceName: string | undefined,
): SourceMetric | DropReason {
  const candidates = byName.get(name) ?? [];
  const match = candidates.find(
    metric =>
      !metric.serviceNames ||
      (serviceName !== undefined && metric.serviceNames.includes(serviceName)),
  );
  if (match) return match;
  const duplicate = DUPLICATE_METRICS.find(
    metric =>
      metric.name === name &&
      serviceName !== undefined &&
      metric.serviceNames.includes(serviceName),
  );
  return duplicate ? duplicate.reason : 'unknown_metric';
}
