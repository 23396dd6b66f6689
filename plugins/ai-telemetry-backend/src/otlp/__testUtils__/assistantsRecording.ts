/**
 * What the fault test (otlpSdk.faults.integration.test.ts) records with the OpenTelemetry SDK,
 * as four assistants record it for two developers, and what the metric contract must count for
 * it. Metric names, attributes, instruments and temporality are the assistants' documented ones
 * (the sources of src/otlp/sources.ts, SOURCE_DOCS); the expected counts below are written out
 * from docs/metric-contract.md#from-otlp-metrics-to-counters, independently of the mapping code.
 *
 * Every recording also carries what identifies the developer (e-mail, session and account ids,
 * organisation id, installation id, file paths), as resource attributes and as point
 * attributes: none of it may arrive anywhere.
 */
import {
  INSTRUMENTS as CLAUDE_INSTRUMENTS,
  METER as CLAUDE_METER,
} from './claudeCodeRecording';

export type AttributeValue = string | number | boolean;
export type Attributes = Record<string, AttributeValue>;

/** One `add` (a counter) or `record` (a histogram) of an assistant's instrument. */
export type Recording = {
  metric: string;
  value: number;
  attributes: Attributes;
};

export type AssistantName =
  | 'claude-code'
  | 'gemini-cli'
  | 'codex'
  | 'copilot-chat';

/**
 * How an assistant exports: OTLP/HTTP protobuf with gzip set up through OTEL_EXPORTER_OTLP_*
 * (as a developer sets up Claude Code), protobuf configured in code, or JSON.
 */
export type ExportTransport = 'protobuf-gzip-env' | 'protobuf' | 'json';

export type AssistantProfile = {
  /** The `assistant` label its counts carry. */
  label: string;
  serviceName: string;
  serviceVersion: string;
  meter: { name: string; version: string };
  temporality: 'delta' | 'cumulative';
  transport: ExportTransport;
  instruments: Record<string, { kind: 'counter' | 'histogram'; unit?: string }>;
};

export const ASSISTANTS: Record<AssistantName, AssistantProfile> = {
  // https://code.claude.com/docs/en/monitoring-usage: delta is Claude Code's default.
  'claude-code': {
    label: 'claude-code',
    serviceName: 'claude-code',
    serviceVersion: '2.1.0',
    meter: CLAUDE_METER,
    temporality: 'delta',
    transport: 'protobuf-gzip-env',
    instruments: Object.fromEntries(
      Object.values(CLAUDE_INSTRUMENTS).map(instrument => [
        instrument.name,
        {
          kind: 'counter' as const,
          unit: 'unit' in instrument ? instrument.unit : undefined,
        },
      ]),
    ),
  },
  // Gemini CLI's telemetry.md: the Node SDK's default, cumulative, over OTLP/HTTP.
  'gemini-cli': {
    label: 'gemini-cli',
    serviceName: 'gemini-cli',
    serviceVersion: '0.9.0',
    meter: { name: 'gemini-cli', version: '0.9.0' },
    temporality: 'cumulative',
    transport: 'json',
    instruments: {
      'gemini_cli.session.count': { kind: 'counter' },
      'gemini_cli.token.usage': { kind: 'counter', unit: 'token' },
      'gemini_cli.lines.changed': { kind: 'counter' },
      'gemini_cli.tool.call.count': { kind: 'counter' },
    },
  },
  // Codex's metrics catalog; token usage per turn is a histogram. Delta, as collectors that
  // take Codex's metrics ask it to be configured.
  codex: {
    label: 'codex',
    serviceName: 'codex_tui',
    serviceVersion: '0.46.0',
    meter: { name: 'codex', version: '0.46.0' },
    temporality: 'delta',
    transport: 'protobuf',
    instruments: {
      'codex.thread.started': { kind: 'counter' },
      'codex.turn.token_usage': { kind: 'histogram', unit: 'token' },
      'codex.approval.requested': { kind: 'counter' },
    },
  },
  // Copilot Chat in VS Code ("Monitor agent usage with OpenTelemetry"): the Node SDK's
  // default, cumulative; token usage is the GenAI semantic conventions' histogram.
  'copilot-chat': {
    label: 'copilot',
    serviceName: 'copilot-chat',
    serviceVersion: '0.33.0',
    meter: { name: 'copilot-chat', version: '0.33.0' },
    temporality: 'cumulative',
    transport: 'json',
    instruments: {
      'copilot_chat.session.count': { kind: 'counter' },
      'copilot_chat.edit.acceptance.count': { kind: 'counter' },
      'copilot_chat.lines_of_code.count': { kind: 'counter' },
      'copilot_chat.pull_request.count': { kind: 'counter' },
      'gen_ai.client.token.usage': { kind: 'histogram', unit: '{token}' },
    },
  },
};

/** A developer, and everything about them that must arrive nowhere. */
export type Person = {
  user: string;
  /** Scales their numbers, so that the two developers' totals differ. */
  scale: number;
  email: string;
  sessionIds: readonly [string, string];
  accountUuid: string;
  accountId: string;
  organizationId: string;
  installationId: string;
  /** A file path, and a telling part of it (the project's name). */
  filePath: string;
  project: string;
};

export const PEOPLE = {
  ada: {
    user: 'user:default/ada',
    scale: 1,
    email: 'ada.lovelace@analytical-engine.example',
    sessionIds: [
      '3d6f0a52-9c1e-4b7a-8e21-5f4c2b9d7a10',
      'c1a9e7f4-2b3d-4e5f-9a8b-7c6d5e4f3a21',
    ],
    accountUuid: 'a7e2c4d1-0f3b-4c5d-8e9f-112233445566',
    accountId: 'user_01AdaLovelaceAcct',
    organizationId: 'org-6c3f9b1e-difference-engine',
    installationId: 'inst-ada-5b8e2f71c9d4',
    filePath: '/home/ada/bernoulli-numbers/src/notes/note-g.ts',
    project: 'bernoulli-numbers',
  },
  bob: {
    user: 'user:default/bob',
    scale: 2,
    email: 'bob.hopper+ci@cobol-shop.example',
    sessionIds: [
      '9e8d7c6b-5a49-4382-b1c0-d9e8f7a6b5c4',
      '0f1e2d3c-4b5a-4697-8877-665544332211',
    ],
    accountUuid: 'b0b0b0b0-1111-4222-8333-444455556666',
    accountId: 'user_01BobHopperAcct',
    organizationId: 'org-4d2a8c7e-harvard-mark-one',
    installationId: 'inst-bob-0c7a3e9d21f6',
    filePath: 'C:\\Users\\bob\\payroll-ledger\\src\\moth-bug.py',
    project: 'payroll-ledger',
  },
} satisfies Record<string, Person>;
export type PersonName = keyof typeof PEOPLE;

/** Every value that identifies someone, which must be found nowhere. */
export const IDENTIFYING_VALUES: string[] = Object.values(PEOPLE).flatMap(
  (p: Person) => [
    p.email,
    ...p.sessionIds,
    p.accountUuid,
    p.accountId,
    p.organizationId,
    p.installationId,
    p.filePath,
    p.project,
  ],
);

/** One assistant's SDK in use by one developer: its own MeterProvider and exporter. */
export type SdkSession = {
  key: string;
  person: PersonName;
  assistant: AssistantName;
};

export const SDK_SESSIONS: readonly SdkSession[] = [
  { key: 'ada/claude-code', person: 'ada', assistant: 'claude-code' },
  { key: 'ada/gemini-cli', person: 'ada', assistant: 'gemini-cli' },
  { key: 'ada/codex', person: 'ada', assistant: 'codex' },
  { key: 'bob/claude-code', person: 'bob', assistant: 'claude-code' },
  { key: 'bob/gemini-cli', person: 'bob', assistant: 'gemini-cli' },
  { key: 'bob/copilot-chat', person: 'bob', assistant: 'copilot-chat' },
];

/** The resource an assistant's SDK reports, with what OTEL_RESOURCE_ATTRIBUTES may add. */
export function resourceOf(session: SdkSession): Attributes {
  const p: Person = PEOPLE[session.person];
  const profile = ASSISTANTS[session.assistant];
  return {
    'service.name': profile.serviceName,
    'service.version': profile.serviceVersion,
    'os.type': 'linux',
    'host.arch': 'amd64',
    'enduser.id': p.email,
    'workspace.path': p.filePath,
    'service.instance.id': p.installationId,
  };
}

export const ROUNDS = 4;

const SONNET = 'claude-sonnet-4-5-20250929';
const OPUS = 'claude-opus-4-1-20250805';
const GEMINI_PRO = 'gemini-2.5-pro';
const GEMINI_FLASH = 'gemini-2.5-flash';
const CODEX_MODEL = 'gpt-5-codex';
const COPILOT_REQUEST_MODEL = 'gpt-4.1';
const COPILOT_RESPONSE_MODEL = 'gpt-4.1-2025-04-14';

function claudeRound(p: Person, round: number): Recording[] {
  const k = p.scale;
  const std: Attributes = {
    'session.id': p.sessionIds[round < 2 ? 0 : 1],
    'user.account_uuid': p.accountUuid,
    'user.account_id': p.accountId,
    'organization.id': p.organizationId,
    'user.email': p.email,
    'user.id': p.installationId,
    'terminal.type': 'vscode',
  };
  const model = round < 2 ? SONNET : OPUS;
  const main = { ...std, model, query_source: 'main' };
  const out: Recording[] = [];
  const add = (metric: string, value: number, attributes: Attributes) =>
    out.push({ metric: `claude_code.${metric}`, value, attributes });
  if (round % 2 === 0) {
    add('session.count', 1, {
      ...std,
      start_type: round === 0 ? 'fresh' : 'resume',
    });
  }
  add('token.usage', 1000 * k * (round + 1), { ...main, type: 'input' });
  add('token.usage', 250 * k, { ...main, type: 'output' });
  add('token.usage', 4000 * k, { ...main, type: 'cacheRead' });
  if (round % 2 === 1) {
    add('token.usage', 800 * k, {
      ...std,
      model,
      query_source: 'subagent',
      type: 'cacheCreation',
    });
  }
  add('cost.usage', 0.125 * k * (round + 1), main);
  add('code_edit_tool.decision', k, {
    ...std,
    tool_name: 'Edit',
    decision: 'accept',
    source: 'config',
    language: 'TypeScript',
    file_path: p.filePath,
  });
  if (round % 2 === 1) {
    add('code_edit_tool.decision', 1, {
      ...std,
      tool_name: 'Write',
      decision: 'reject',
      source: 'user_reject',
      language: 'Python',
      file_path: p.filePath,
    });
  }
  if (round === 2) {
    add('code_edit_tool.decision', 1, {
      ...std,
      tool_name: 'NotebookEdit',
      decision: 'accept',
      source: 'user_permanent',
      language: 'Markdown',
      file_path: p.filePath,
    });
  }
  add('lines_of_code.count', 10 * k * (round + 1), {
    ...std,
    type: 'added',
    model,
  });
  add('lines_of_code.count', 4, { ...std, type: 'removed', model });
  add('active_time.total', 12.5 * k, { ...std, type: 'user' });
  add('active_time.total', 30.25, { ...std, type: 'cli' });
  if (round === 1) add('commit.count', 1, std);
  if (round === 3) add('pull_request.count', 1, std);
  return out;
}

function geminiRound(p: Person, round: number): Recording[] {
  const k = p.scale;
  const std: Attributes = {
    'session.id': p.sessionIds[round < 2 ? 0 : 1],
    'installation.id': p.installationId,
    'user.email': p.email,
    active_approval_mode: 'default',
  };
  const out: Recording[] = [];
  const add = (metric: string, value: number, attributes: Attributes) =>
    out.push({ metric: `gemini_cli.${metric}`, value, attributes });
  const tool = (name: string, decision: string, value = 1) =>
    add('tool.call.count', value, {
      ...std,
      function_name: name,
      success: true,
      decision,
      tool_type: 'native',
      // No documented attribute: dropped on arrival all the same.
      file_path: p.filePath,
    });
  if (round % 2 === 0) {
    add('session.count', 1, { ...std, model: GEMINI_PRO });
  }
  add('token.usage', 2000 * k, { ...std, model: GEMINI_PRO, type: 'input' });
  add('token.usage', 1000 * k, { ...std, model: GEMINI_PRO, type: 'output' });
  add('token.usage', 1000, { ...std, model: GEMINI_PRO, type: 'thought' });
  add('token.usage', 3000 * k, { ...std, model: GEMINI_PRO, type: 'cache' });
  add('token.usage', 700, { ...std, model: GEMINI_PRO, type: 'tool' });
  if (round === 1) {
    add('token.usage', 5000, { ...std, model: GEMINI_FLASH, type: 'input' });
  }
  add('lines.changed', 20 * k, {
    ...std,
    function_name: 'replace',
    type: 'added',
    model: GEMINI_PRO,
  });
  add('lines.changed', 5, {
    ...std,
    function_name: 'replace',
    type: 'removed',
    model: GEMINI_PRO,
  });
  tool('replace', 'accept', k);
  tool('read_file', 'accept', 3);
  if (round % 2 === 1) tool('write_file', 'reject');
  if (round === 2) tool('write_file', 'modify');
  if (round === 3) tool('replace', 'auto_accept');
  return out;
}

function codexRound(p: Person, round: number): Recording[] {
  const k = p.scale;
  const std: Attributes = {
    'conversation.id': p.sessionIds[round < 2 ? 0 : 1],
    'user.account_id': p.accountId,
    'user.email': p.email,
    originator: 'codex_cli_rs',
    auth_mode: 'ChatGPT',
  };
  const out: Recording[] = [];
  const add = (metric: string, value: number, attributes: Attributes) =>
    out.push({ metric: `codex.${metric}`, value, attributes });
  const turn = (
    input: number,
    cached: number,
    output: number,
    reasoning = 0,
  ) => {
    const tokens = (token_type: string, value: number) =>
      add('turn.token_usage', value, {
        ...std,
        model: CODEX_MODEL,
        token_type,
      });
    tokens('input', input);
    tokens('cached_input', cached);
    tokens('output', output);
    tokens('reasoning_output', reasoning);
    tokens('total', input + cached + output + reasoning);
  };
  if (round % 2 === 0) add('thread.started', 1, { ...std, model: CODEX_MODEL });
  turn(3000 * k, 2000, 1000 * k, 1000);
  turn(1000, 1000 * k, 2000, round === 3 ? 3000 : 0);
  const approval = (tool: string, approved: string) =>
    add('approval.requested', 1, {
      ...std,
      tool,
      approved,
      cwd: p.filePath,
    });
  approval('apply_patch', 'approved');
  approval('shell', 'approved');
  if (round % 2 === 1) approval('apply_patch', 'denied');
  if (round === 2) approval('apply_patch', 'approved_for_session');
  if (round === 3) approval('apply_patch', 'abort');
  return out;
}

function copilotRound(p: Person, round: number): Recording[] {
  const k = p.scale;
  const std: Attributes = {
    'session.id': p.sessionIds[round < 2 ? 0 : 1],
    'user.email': p.email,
    'user.account_id': p.accountId,
    'organization.id': p.organizationId,
  };
  const out: Recording[] = [];
  const add = (metric: string, value: number, attributes: Attributes) =>
    out.push({ metric, value, attributes });
  if (round === 0) add('copilot_chat.session.count', 1, std);
  const edit = (outcome: string, language: string, value = 1) =>
    add('copilot_chat.edit.acceptance.count', value, {
      ...std,
      'copilot_chat.edit.outcome': outcome,
      'copilot_chat.language_id': language,
      'code.file.path': p.filePath,
    });
  edit('accepted', 'typescript', k);
  if (round % 2 === 1) edit('rejected', 'python');
  if (round === 2) edit('accepted', 'typescriptreact');
  add('copilot_chat.lines_of_code.count', 15 * k, {
    ...std,
    type: 'added',
    'copilot_chat.language_id': 'typescript',
  });
  add('copilot_chat.lines_of_code.count', 3, {
    ...std,
    type: 'removed',
    'copilot_chat.language_id': 'typescript',
  });
  if (round === 3) add('copilot_chat.pull_request.count', 1, std);
  const tokens = (type: string, value: number) =>
    add('gen_ai.client.token.usage', value, {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'github',
      'gen_ai.request.model': COPILOT_REQUEST_MODEL,
      'gen_ai.response.model': COPILOT_RESPONSE_MODEL,
      'gen_ai.token.type': type,
      'session.id': p.sessionIds[round < 2 ? 0 : 1],
    });
  tokens('input', 2000 * k);
  tokens('output', 1000 * k);
  tokens('input', 1000);
  return out;
}

const ROUND_OF: Record<
  AssistantName,
  (p: Person, round: number) => Recording[]
> = {
  'claude-code': claudeRound,
  'gemini-cli': geminiRound,
  codex: codexRound,
  'copilot-chat': copilotRound,
};

/** What one session records in a round (0 to ROUNDS - 1). */
export function recordingsOf(session: SdkSession, round: number): Recording[] {
  return ROUND_OF[session.assistant](PEOPLE[session.person], round);
}

/** The mapping settings the test's backend runs with (aiTelemetry.*). */
export const MAPPING_CONFIG = {
  estimates: { secondsPerLine: 12 },
  languages: ['python', 'typescript', 'go', 'other'],
  assistants: ['claude-code', 'gemini-cli', 'codex', 'copilot', 'other'],
  models: ['claude-*', 'gemini-*', 'gpt-*'],
  pricing: [
    {
      model: 'gemini-2.5-pro',
      input: 2,
      output: 12,
      cacheRead: 1,
      reasoning: 12,
    },
    { model: 'gpt-5*', input: 1, output: 10, cacheRead: 1, reasoning: 10 },
    { model: 'gpt-4.1*', input: 2, output: 8 },
    // Claude Code reports its own cost: a price for its models must never be applied.
    { model: 'claude-*', input: 3, output: 15, cacheRead: 1, cacheCreation: 4 },
  ],
};

/** One contract counter's increase, in thousandths. */
export type ContractIncrement = {
  metric: string;
  labels: Record<string, string>;
  milli: number;
};

/** The `model` label of each model above (normalised, dated suffix dropped). */
const MODEL_LABELS: Record<string, string> = {
  [SONNET]: 'claude-sonnet-4-5',
  [OPUS]: 'claude-opus-4-1',
  [GEMINI_PRO]: 'gemini-2.5-pro',
  [GEMINI_FLASH]: 'gemini-2.5-flash',
  [CODEX_MODEL]: 'gpt-5-codex',
  [COPILOT_RESPONSE_MODEL]: 'gpt-4.1-2025-04-14',
};

/** USD per million tokens, by model label and token type, from MAPPING_CONFIG.pricing. */
const PRICES: Record<string, Record<string, number>> = {
  'gemini-2.5-pro': { input: 2, output: 12, cache_read: 1, reasoning: 12 },
  'gpt-5-codex': { input: 1, output: 10, cache_read: 1, reasoning: 10 },
  'gpt-4.1-2025-04-14': { input: 2, output: 8 },
};

function languageLabelOf(value: AttributeValue | undefined): string {
  if (value === undefined) return 'unknown';
  const lower = String(value).toLowerCase();
  return MAPPING_CONFIG.languages.includes(lower) ? lower : 'other';
}

/**
 * What one recording adds to the contract (docs/metric-contract.md), written out from the
 * documentation's table rather than from src/otlp/sources.ts.
 */
export function contractIncrements(
  assistant: AssistantName,
  recording: Recording,
): ContractIncrement[] {
  const label = ASSISTANTS[assistant].label;
  const a = recording.attributes;
  const v = recording.value;
  const milli = (value: number) => Math.round(value * 1000);
  const sessions = (): ContractIncrement[] => [
    {
      metric: 'ai_copilot_sessions_total',
      labels: { assistant: label },
      milli: milli(v),
    },
  ];
  const linesAdded = (lang?: AttributeValue): ContractIncrement[] => [
    {
      metric: 'ai_copilot_lines_generated',
      labels: { language: languageLabelOf(lang), assistant: label },
      milli: milli(v),
    },
    {
      metric: 'ai_copilot_time_saved_seconds',
      labels: { activity: 'code_generation', assistant: label },
      milli: milli(v * MAPPING_CONFIG.estimates.secondsPerLine),
    },
  ];
  const suggestion = (
    accepted: boolean,
    lang?: AttributeValue,
  ): ContractIncrement[] => [
    {
      metric: 'ai_copilot_suggestions_total',
      labels: {
        language: languageLabelOf(lang),
        accepted: String(accepted),
        assistant: label,
      },
      milli: milli(v),
    },
  ];
  const tokens = (
    model: AttributeValue | undefined,
    type: string | undefined,
    priced: boolean,
  ): ContractIncrement[] => {
    if (type === undefined) return [];
    const modelLabel = MODEL_LABELS[String(model)] ?? 'other';
    const out: ContractIncrement[] = [
      {
        metric: 'ai_copilot_tokens_total',
        labels: { assistant: label, model: modelLabel, type },
        milli: milli(v),
      },
    ];
    const price = priced ? PRICES[modelLabel]?.[type] : undefined;
    if (price) {
      out.push({
        metric: 'ai_copilot_cost_usd_total',
        labels: { assistant: label, model: modelLabel },
        // tokens × USD per million, in thousandths of a dollar.
        milli: (v * price) / 1000,
      });
    }
    return out;
  };
  const plain = (metric: string): ContractIncrement[] => [
    { metric, labels: { assistant: label }, milli: milli(v) },
  ];

  switch (`${assistant} ${recording.metric}`) {
    case 'claude-code claude_code.session.count':
    case 'gemini-cli gemini_cli.session.count':
    case 'codex codex.thread.started':
    case 'copilot-chat copilot_chat.session.count':
      return sessions();
    case 'claude-code claude_code.lines_of_code.count':
    case 'gemini-cli gemini_cli.lines.changed':
      return a.type === 'added' ? linesAdded() : [];
    case 'copilot-chat copilot_chat.lines_of_code.count':
      return a.type === 'added'
        ? linesAdded(a['copilot_chat.language_id'])
        : [];
    case 'claude-code claude_code.pull_request.count':
    case 'copilot-chat copilot_chat.pull_request.count':
      return plain('ai_copilot_pull_requests_total');
    case 'claude-code claude_code.commit.count':
      return plain('ai_copilot_commits_total');
    case 'claude-code claude_code.cost.usage':
      return [
        {
          metric: 'ai_copilot_cost_usd_total',
          labels: {
            assistant: label,
            model: MODEL_LABELS[String(a.model)] ?? 'other',
          },
          milli: milli(v),
        },
      ];
    case 'claude-code claude_code.token.usage':
      return tokens(
        a.model,
        {
          input: 'input',
          output: 'output',
          cacheRead: 'cache_read',
          cacheCreation: 'cache_creation',
        }[String(a.type)],
        false,
      );
    case 'claude-code claude_code.code_edit_tool.decision':
      if (a.decision !== 'accept' && a.decision !== 'reject') return [];
      return suggestion(a.decision === 'accept', a.language);
    case 'claude-code claude_code.active_time.total': {
      const type = { user: 'user', cli: 'agent' }[String(a.type)];
      return type
        ? [
            {
              metric: 'ai_copilot_active_seconds_total',
              labels: { assistant: label, type },
              milli: milli(v),
            },
          ]
        : [];
    }
    case 'gemini-cli gemini_cli.token.usage':
      return tokens(
        a.model,
        {
          input: 'input',
          output: 'output',
          thought: 'reasoning',
          cache: 'cache_read',
        }[String(a.type)],
        true,
      );
    case 'gemini-cli gemini_cli.tool.call.count': {
      if (a.function_name !== 'replace' && a.function_name !== 'write_file') {
        return [];
      }
      const accepted = {
        accept: true,
        modify: true,
        auto_accept: true,
        reject: false,
      }[String(a.decision)];
      return accepted === undefined ? [] : suggestion(accepted);
    }
    case 'codex codex.turn.token_usage':
      return tokens(
        a.model,
        {
          input: 'input',
          cached_input: 'cache_read',
          output: 'output',
          reasoning_output: 'reasoning',
        }[String(a.token_type)],
        true,
      );
    case 'codex codex.approval.requested': {
      if (a.tool !== 'apply_patch') return [];
      const accepted = {
        approved: true,
        approved_with_amendment: true,
        approved_for_session: true,
        denied: false,
        abort: false,
      }[String(a.approved)];
      return accepted === undefined ? [] : suggestion(accepted);
    }
    case 'copilot-chat copilot_chat.edit.acceptance.count': {
      const accepted = { accepted: true, rejected: false }[
        String(a['copilot_chat.edit.outcome'])
      ];
      return accepted === undefined
        ? []
        : suggestion(accepted, a['copilot_chat.language_id']);
    }
    case 'copilot-chat gen_ai.client.token.usage':
      return tokens(
        a['gen_ai.response.model'] ?? a['gen_ai.request.model'],
        { input: 'input', output: 'output' }[String(a['gen_ai.token.type'])],
        true,
      );
    default:
      throw new Error(
        `no expectation written for ${assistant}'s ${recording.metric}`,
      );
  }
}

/** Messages between the test and the SDK process (__testUtils__/exportAssistants.ts). */
export type SdkRequest =
  | { kind: 'record'; round: number }
  | { kind: 'flush'; sessions: string[] }
  | { kind: 'shutdown' };
export type SdkCommand = SdkRequest & { id: number };

/** What became of each export the SDK made while carrying out a command, by session. */
export type ExportOutcome = { ok: boolean; error?: string };
export type SdkReply = {
  id: number;
  error?: string;
  exports?: Record<string, ExportOutcome[]>;
};
