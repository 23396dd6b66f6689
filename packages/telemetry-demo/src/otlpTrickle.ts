import { TokenType } from '@fawkes/plugin-ai-telemetry-common';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  MeterProvider,
  PeriodicExportingMetricReader,
  PushMetricExporter,
} from '@opentelemetry/sdk-metrics';
import {
  DEMO_MODELS,
  drawModelUse,
  logNormal,
  ModelUse,
  OtlpAssistant,
  tokenCostUsd,
  TOKENS_CV,
} from './otlpDevelopers';
import { Random } from './random';

/**
 * The live trickle of the demo's OTLP developers (otlpDevelopers.ts): each records their
 * assistant's documented OpenTelemetry metrics, with its names, attributes, resource and
 * temporality, through a MeterProvider of the official SDK of their own, which exports them
 * with the OTLP/HTTP protobuf exporter to the backend's receiver under their telemetry token, as
 * the assistant would once set up for it. What the receiver reads of each metric is
 * plugins/ai-telemetry-backend/src/otlp/sources.ts; the other attributes are there because the
 * assistants send them, and the receiver drops them.
 */

/** How each assistant exports: its resource, its meter and its aggregation temporality. */
export const OTLP_EXPORT: Record<
  OtlpAssistant,
  {
    resource: Record<string, string>;
    meter: { name: string; version: string };
    temporality: AggregationTemporality;
  }
> = {
  // https://code.claude.com/docs/en/monitoring-usage: delta by default.
  'claude-code': {
    resource: {
      'service.name': 'claude-code',
      'service.version': '2.1.0',
      'os.type': 'linux',
      'host.arch': 'amd64',
    },
    meter: { name: 'com.anthropic.claude_code', version: '2.1.0' },
    temporality: AggregationTemporality.DELTA,
  },
  // Gemini CLI exports with the SDK's default, cumulative.
  'gemini-cli': {
    resource: { 'service.name': 'gemini-cli', 'service.version': '0.9.0' },
    meter: { name: 'gemini-cli', version: '0.9.0' },
    temporality: AggregationTemporality.CUMULATIVE,
  },
  // Codex names its service after its originator; the OTLP exporters' default, cumulative.
  codex: {
    resource: {
      'service.name': 'codex_cli_rs',
      'service.version': '0.46.0',
      env: 'prod',
    },
    meter: { name: 'codex', version: '0.46.0' },
    temporality: AggregationTemporality.CUMULATIVE,
  },
};

/** The metric names each assistant records here (sources.ts maps them all but Codex's total). */
export const OTLP_METRIC_NAMES: Record<OtlpAssistant, readonly string[]> = {
  'claude-code': [
    'claude_code.session.count',
    'claude_code.token.usage',
    'claude_code.cost.usage',
    'claude_code.active_time.total',
    'claude_code.code_edit_tool.decision',
    'claude_code.lines_of_code.count',
    'claude_code.commit.count',
    'claude_code.pull_request.count',
  ],
  'gemini-cli': [
    'gemini_cli.session.count',
    'gemini_cli.token.usage',
    'gemini_cli.tool.call.count',
    'gemini_cli.lines.changed',
  ],
  codex: [
    'codex.thread.started',
    'codex.turn.token_usage',
    'codex.approval.requested',
  ],
};

type Attributes = Record<string, string>;
type Counter = { add(value: number, attributes?: Attributes): void };
type Histogram = { record(value: number, attributes?: Attributes): void };
type Meter = {
  createCounter(name: string, options?: { unit?: string }): Counter;
  createHistogram(name: string, options?: { unit?: string }): Histogram;
};

/** Records one agent turn (a prompt and the work it sets off); returns the measurements made. */
type TurnRecorder = (random: Random) => number;

/** What a developer's exports came to. */
export type ExportOutcome = {
  delivered: number;
  failed: number;
  /** The last failure's message. */
  error?: string;
};

export type OtlpDeveloperOptions = {
  userRef: string;
  token: string;
  assistant: OtlpAssistant;
  /** The plugin's base URL: exports go to `<endpoint>/otlp/v1/metrics`. */
  endpoint: string;
  /** The developer's languages (editor language ids): Claude Code's edits are in them. */
  languages: readonly string[];
  /** Draws the developer's habits and ids. */
  random: Random;
  /** Replaces the OTLP/HTTP protobuf exporter (tests). */
  exporter?: PushMetricExporter;
};

/** The receiver's URL under the plugin's base URL. */
export function otlpMetricsUrl(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, '')}/otlp/v1/metrics`;
}

/** One demo developer whose assistant reports over OTLP, with a MeterProvider of their own. */
export class OtlpDeveloper {
  readonly userRef: string;
  readonly token: string;
  readonly assistant: OtlpAssistant;
  private readonly provider: MeterProvider;
  private readonly recordTurn: TurnRecorder;
  private readonly outcome: ExportOutcome = { delivered: 0, failed: 0 };
  private closed?: Promise<ExportOutcome>;

  constructor(options: OtlpDeveloperOptions) {
    this.userRef = options.userRef;
    this.token = options.token;
    this.assistant = options.assistant;
    const how = OTLP_EXPORT[options.assistant];
    const exporter =
      options.exporter ??
      new OTLPMetricExporter({
        url: otlpMetricsUrl(options.endpoint),
        headers: { Authorization: `Bearer ${options.token}` },
        temporalityPreference: how.temporality,
      });
    this.provider = new MeterProvider({
      resource: resourceFromAttributes(how.resource),
      readers: [
        new PeriodicExportingMetricReader({
          exporter: this.watch(exporter),
          // The trickle flushes after each tick in which the developer worked; this is a
          // fallback only.
          exportIntervalMillis: 600_000,
          exportTimeoutMillis: 30_000,
        }),
      ],
    });
    const meter = this.provider.getMeter(
      how.meter.name,
      how.meter.version,
    ) as Meter;
    const habits = {
      languages: options.languages,
      models: drawModelUse(options.random, options.assistant),
      acceptance: 0.72 + 0.16 * options.random.next(),
    };
    this.recordTurn = recorderFor(options.assistant)(
      meter,
      habits,
      options.random,
    );
  }

  /** Records one agent turn; returns how many measurements it made. */
  turn(random: Random): number {
    return this.recordTurn(random);
  }

  /** Exports what was recorded since the last export; resolves to how the exports went. */
  async flush(): Promise<ExportOutcome> {
    if (this.closed) return { delivered: 0, failed: 0 };
    return this.counting(() => this.provider.forceFlush());
  }

  /** Exports what is left and shuts the provider down; once. */
  shutdown(): Promise<ExportOutcome> {
    this.closed ??= this.counting(() => this.provider.shutdown());
    return this.closed;
  }

  private async counting(run: () => Promise<void>): Promise<ExportOutcome> {
    const before = { ...this.outcome };
    try {
      await run();
    } catch (error) {
      this.outcome.failed += 1;
      this.outcome.error = String((error as Error)?.message ?? error);
    }
    return {
      delivered: this.outcome.delivered - before.delivered,
      failed: this.outcome.failed - before.failed,
      error: this.outcome.error,
    };
  }

  /** The exporter, counting the outcome of every export (the reader only logs failures). */
  private watch(exporter: PushMetricExporter): PushMetricExporter {
    return {
      export: (metrics, done) =>
        exporter.export(metrics, result => {
          if (result.code === 0) {
            this.outcome.delivered += 1;
          } else {
            this.outcome.failed += 1;
            this.outcome.error = String(
              result.error?.message ?? result.error ?? 'export failed',
            );
          }
          done(result);
        }),
      forceFlush: () => exporter.forceFlush(),
      shutdown: () => exporter.shutdown(),
      selectAggregationTemporality:
        exporter.selectAggregationTemporality?.bind(exporter),
      selectAggregation: exporter.selectAggregation?.bind(exporter),
    };
  }
}

type Habits = {
  languages: readonly string[];
  models: ModelUse[];
  /** Share of proposed edits the developer accepts. */
  acceptance: number;
};

/** Mean turns per session, and seconds per turn of the developer and of the agent. */
const TURNS_PER_SESSION = 8;
const USER_SECONDS_PER_TURN = 55;
const AGENT_SECONDS_PER_TURN = 95;
const EDITS_PER_TURN = 0.85;

/** A random id in the shape of a UUID. */
function uuid(random: Random): string {
  const hex = Array.from({ length: 32 }, () =>
    random.int(0, 15).toString(16),
  ).join('');
  const variant = '89ab'[random.int(0, 3)];
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(
    13,
    16,
  )}-${variant}${hex.slice(17, 20)}-${hex.slice(20)}`;
}

/** The models one turn uses: the main one or the alternative, and a helper now and then. */
function turnModels(random: Random, models: ModelUse[]): string[] {
  const alternative = models.find(m => m.kind === 'alternative');
  const onAlternative = alternative ? random.chance(alternative.share) : false;
  return models
    .filter(m => {
      if (m.kind === 'main') return !onAlternative;
      if (m.kind === 'alternative') return onAlternative;
      return random.chance(m.share);
    })
    .map(m => m.model);
}

/** Tokens of each type one turn uses with a model. */
function turnTokens(
  random: Random,
  model: string,
): Array<{ type: TokenType; tokens: number }> {
  return Object.entries(DEMO_MODELS[model].tokensPerTurn).map(
    ([type, mean]) => ({
      type: type as TokenType,
      tokens: Math.max(1, Math.round(logNormal(random, mean!, TOKENS_CV))),
    }),
  );
}

/** Lines an accepted edit adds: mostly a few, now and then a new file. */
function editLines(random: Random): number {
  return 1 + Math.floor(80 * random.next() ** 4);
}

/** Claude Code reports the file's language by name. */
const CLAUDE_LANGUAGE_NAMES: Record<string, string> = {
  python: 'Python',
  typescript: 'TypeScript',
  javascript: 'JavaScript',
  java: 'Java',
  go: 'Go',
  rust: 'Rust',
  csharp: 'C#',
  cpp: 'C++',
  ruby: 'Ruby',
  kotlin: 'Kotlin',
  other: 'Markdown',
};

const CLAUDE_TOKEN_TYPES: Partial<Record<TokenType, string>> = {
  input: 'input',
  output: 'output',
  cache_read: 'cacheRead',
  cache_creation: 'cacheCreation',
};
const GEMINI_TOKEN_TYPES: Partial<Record<TokenType, string>> = {
  input: 'input',
  output: 'output',
  reasoning: 'thought',
  cache_read: 'cache',
};
const CODEX_TOKEN_TYPES: Partial<Record<TokenType, string>> = {
  input: 'input',
  cache_read: 'cached_input',
  output: 'output',
  reasoning: 'reasoning_output',
};

/** Claude Code: https://code.claude.com/docs/en/monitoring-usage#metrics */
function claudeCode(meter: Meter, habits: Habits, ids: Random): TurnRecorder {
  const m = {
    session: meter.createCounter('claude_code.session.count'),
    lines: meter.createCounter('claude_code.lines_of_code.count'),
    pullRequests: meter.createCounter('claude_code.pull_request.count'),
    commits: meter.createCounter('claude_code.commit.count'),
    cost: meter.createCounter('claude_code.cost.usage', { unit: 'USD' }),
    tokens: meter.createCounter('claude_code.token.usage', {
      unit: 'tokens',
    }),
    decisions: meter.createCounter('claude_code.code_edit_tool.decision'),
    activeTime: meter.createCounter('claude_code.active_time.total', {
      unit: 's',
    }),
  };
  const userId = Array.from({ length: 64 }, () =>
    ids.int(0, 15).toString(16),
  ).join('');
  const organizationId = uuid(ids);
  const terminal = ids.pick(['vscode', 'iTerm.app', 'tmux', 'cursor']);
  let sessionId = '';
  let turnsLeft = 0;

  return random => {
    let measurements = 0;
    const standard = () => ({
      'session.id': sessionId,
      'user.id': userId,
      'organization.id': organizationId,
      'terminal.type': terminal,
    });
    if (turnsLeft <= 0) {
      sessionId = uuid(random);
      turnsLeft = random.int(TURNS_PER_SESSION / 2, TURNS_PER_SESSION * 1.5);
      m.session.add(1, {
        ...standard(),
        start_type: random.chance(0.8) ? 'fresh' : 'resume',
      });
      measurements++;
    }
    turnsLeft--;

    for (const model of turnModels(random, habits.models)) {
      const { reported } = DEMO_MODELS[model];
      const attributes = {
        ...standard(),
        model: reported,
        query_source: 'main',
      };
      let cost = 0;
      for (const { type, tokens } of turnTokens(random, model)) {
        m.tokens.add(tokens, {
          ...attributes,
          type: CLAUDE_TOKEN_TYPES[type]!,
        });
        cost += tokenCostUsd(model, type, tokens);
        measurements++;
      }
      // Claude Code reports its own cost of the tokens.
      m.cost.add(cost, attributes);
      measurements++;
    }

    m.activeTime.add(
      Math.round(10 * logNormal(random, USER_SECONDS_PER_TURN, 0.7)) / 10,
      { ...standard(), type: 'user' },
    );
    m.activeTime.add(
      Math.round(10 * logNormal(random, AGENT_SECONDS_PER_TURN, 0.8)) / 10,
      { ...standard(), type: 'cli' },
    );
    measurements += 2;

    const edits = random.poisson(EDITS_PER_TURN);
    for (let e = 0; e < edits; e++) {
      const accept = random.chance(habits.acceptance);
      const language = random.chance(0.9)
        ? random.pick(habits.languages)
        : 'other';
      m.decisions.add(1, {
        ...standard(),
        tool_name: random.pick(['Edit', 'Edit', 'MultiEdit', 'Write']),
        decision: accept ? 'accept' : 'reject',
        source: accept
          ? random.pick(['config', 'user_temporary', 'user_permanent'])
          : 'user_reject',
        language: CLAUDE_LANGUAGE_NAMES[language] ?? 'Markdown',
      });
      measurements++;
      if (accept) {
        m.lines.add(editLines(random), { ...standard(), type: 'added' });
        // Lines removed are reported too; the contract does not count them.
        m.lines.add(random.int(0, 12), { ...standard(), type: 'removed' });
        measurements += 2;
      }
    }
    if (random.chance(0.12)) {
      m.commits.add(1, standard());
      measurements++;
      if (random.chance(0.3)) {
        m.pullRequests.add(1, standard());
        measurements++;
      }
    }
    return measurements;
  };
}

/** Gemini CLI: https://github.com/google-gemini/gemini-cli/blob/main/docs/cli/telemetry.md */
function geminiCli(meter: Meter, habits: Habits, ids: Random): TurnRecorder {
  const m = {
    session: meter.createCounter('gemini_cli.session.count'),
    tokens: meter.createCounter('gemini_cli.token.usage'),
    toolCalls: meter.createCounter('gemini_cli.tool.call.count'),
    lines: meter.createCounter('gemini_cli.lines.changed'),
  };
  const installationId = uuid(ids);
  let sessionId = '';
  let turnsLeft = 0;

  return random => {
    let measurements = 0;
    if (turnsLeft <= 0) {
      sessionId = uuid(random);
      turnsLeft = random.int(TURNS_PER_SESSION / 2, TURNS_PER_SESSION * 1.5);
      m.session.add(1, {
        'session.id': sessionId,
        'installation.id': installationId,
      });
      measurements++;
    }
    turnsLeft--;
    const common = {
      'session.id': sessionId,
      'installation.id': installationId,
    };

    for (const model of turnModels(random, habits.models)) {
      for (const { type, tokens } of turnTokens(random, model)) {
        m.tokens.add(tokens, {
          ...common,
          model: DEMO_MODELS[model].reported,
          type: GEMINI_TOKEN_TYPES[type]!,
        });
        measurements++;
      }
    }

    // Reading files and running commands, and the edits the developer decides on.
    const reads = random.int(0, 3);
    for (let r = 0; r < reads; r++) {
      m.toolCalls.add(1, {
        ...common,
        function_name: random.pick(['read_file', 'glob', 'run_shell_command']),
        success: 'true',
        decision: 'auto_accept',
        tool_type: 'native',
      });
      measurements++;
    }
    const edits = random.poisson(EDITS_PER_TURN);
    for (let e = 0; e < edits; e++) {
      const accept = random.chance(habits.acceptance);
      const functionName = random.chance(0.75) ? 'replace' : 'write_file';
      m.toolCalls.add(1, {
        ...common,
        function_name: functionName,
        success: accept ? 'true' : 'false',
        decision: accept
          ? random.pick(['accept', 'accept', 'auto_accept', 'modify'])
          : 'reject',
        tool_type: 'native',
      });
      measurements++;
      if (accept) {
        m.lines.add(editLines(random), {
          ...common,
          function_name: functionName,
          type: 'added',
        });
        m.lines.add(random.int(0, 12), {
          ...common,
          function_name: functionName,
          type: 'removed',
        });
        measurements += 2;
      }
    }
    return measurements;
  };
}

/** Codex: https://developers.openai.com/codex/config-advanced#metrics */
function codex(meter: Meter, habits: Habits, ids: Random): TurnRecorder {
  const m = {
    threads: meter.createCounter('codex.thread.started'),
    tokens: meter.createHistogram('codex.turn.token_usage'),
    approvals: meter.createCounter('codex.approval.requested'),
  };
  const common = {
    originator: 'codex_cli_rs',
    auth_mode: ids.chance(0.7) ? 'chatgpt' : 'api',
  };
  let turnsLeft = 0;

  return random => {
    let measurements = 0;
    if (turnsLeft <= 0) {
      turnsLeft = random.int(TURNS_PER_SESSION / 2, TURNS_PER_SESSION * 1.5);
      m.threads.add(1, { ...common, is_git: 'true' });
      measurements++;
    }
    turnsLeft--;

    for (const model of turnModels(random, habits.models)) {
      const attributes = { ...common, model: DEMO_MODELS[model].reported };
      let total = 0;
      for (const { type, tokens } of turnTokens(random, model)) {
        m.tokens.record(tokens, {
          ...attributes,
          token_type: CODEX_TOKEN_TYPES[type]!,
        });
        total += tokens;
        measurements++;
      }
      // Codex records the turn's total too; the contract does not count it twice.
      m.tokens.record(total, { ...attributes, token_type: 'total' });
      measurements++;
    }

    const patches = random.poisson(EDITS_PER_TURN);
    for (let p = 0; p < patches; p++) {
      m.approvals.add(1, {
        ...common,
        tool: 'apply_patch',
        approved: random.chance(habits.acceptance)
          ? random.pick(['approved', 'approved', 'approved_for_session'])
          : random.pick(['denied', 'abort']),
      });
      measurements++;
    }
    if (random.chance(0.3)) {
      m.approvals.add(1, { ...common, tool: 'shell', approved: 'approved' });
      measurements++;
    }
    return measurements;
  };
}

/** How the developers of an assistant record a turn. */
function recorderFor(
  assistant: OtlpAssistant,
): (meter: Meter, habits: Habits, ids: Random) => TurnRecorder {
  switch (assistant) {
    case 'claude-code':
      return claudeCode;
    case 'gemini-cli':
      return geminiCli;
    case 'codex':
    default:
      return codex;
  }
}
