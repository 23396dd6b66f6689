/** Stands in for the telemetry token in every snippet while the token is not on screen. */
export const TOKEN_PLACEHOLDER = '<your telemetry token>';

/** One copyable piece of an assistant's set-up. */
export type SetupSnippet = { title: string; text: string; help: string };

/** How one assistant exports its OpenTelemetry metrics to the portal. */
export type AssistantSetup = {
  id: 'claude-code' | 'gemini-cli' | 'codex' | 'copilot-chat';
  name: string;
  /** The assistant's own documentation the snippets follow. */
  docs: string;
  snippets: SetupSnippet[];
  /** What the assistant cannot be made to do, or what its documentation does not say. */
  notes: string[];
};

/**
 * The OTLP/HTTP base URL of the backend's receiver (`POST <base>/v1/metrics`), under the
 * plugin's base URL: what `OTEL_EXPORTER_OTLP_ENDPOINT` takes.
 */
export function otlpBaseOf(endpoint: string): string {
  return `${endpoint}/otlp`;
}

/** `export NAME=value`, the value in double quotes when the shell would split or expand it. */
function exportLine(name: string, value: string): string {
  return /^[\w./:@%+=,-]*$/.test(value)
    ? `export ${name}=${value}`
    : `export ${name}="${value}"`;
}

const json = (value: unknown) => JSON.stringify(value, null, 2);

/**
 * The set-up of each assistant whose OTLP metrics the backend maps
 * (plugins/ai-telemetry-backend/src/otlp/sources.ts): metrics only, with nothing but the
 * settings each assistant documents, and the token in place when it is given.
 */
export function assistantSetups(
  endpoint: string,
  token: string | undefined,
): AssistantSetup[] {
  const otlpBase = otlpBaseOf(endpoint);
  const authorization = `Bearer ${token ?? TOKEN_PLACEHOLDER}`;
  const headers = `Authorization=${authorization}`;
  const headersLine = exportLine('OTEL_EXPORTER_OTLP_HEADERS', headers);

  const claudeEnv: Record<string, string> = {
    CLAUDE_CODE_ENABLE_TELEMETRY: '1',
    OTEL_METRICS_EXPORTER: 'otlp',
    OTEL_LOGS_EXPORTER: 'none',
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    OTEL_EXPORTER_OTLP_ENDPOINT: otlpBase,
    OTEL_EXPORTER_OTLP_HEADERS: headers,
  };

  return [
    {
      id: 'claude-code',
      name: 'Claude Code',
      docs: 'https://code.claude.com/docs/en/monitoring-usage',
      snippets: [
        {
          title: 'Environment variables',
          text: Object.entries(claudeEnv)
            .map(([name, value]) => exportLine(name, value))
            .join('\n'),
          help: 'In the shell that starts claude. Only metrics leave: events (logs) are off, and traces stay off unless you turn on Claude Code’s traces beta. In ~/.profile they reach other tools too: Copilot Chat in VS Code starts exporting when OTEL_EXPORTER_OTLP_ENDPOINT is set.',
        },
        {
          title: '~/.claude/settings.json',
          text: json({ env: claudeEnv }),
          help: 'Or the same as an env block in your Claude Code user settings (merge it into the file): every Claude Code session gets it, your shell does not.',
        },
      ],
      notes: [
        'An administrator can roll out the same env block to everyone through Claude Code’s managed settings file (managed-settings.json), which users cannot override. The token identifies one developer, so a shared file leaves OTEL_EXPORTER_OTLP_HEADERS out; Claude Code’s otelHeadersHelper setting (a script that prints the headers) can supply each developer’s own.',
      ],
    },
    {
      id: 'gemini-cli',
      name: 'Gemini CLI',
      docs: 'https://github.com/google-gemini/gemini-cli/blob/main/docs/cli/telemetry.md',
      snippets: [
        {
          title: '~/.gemini/settings.json',
          text: json({
            telemetry: {
              enabled: true,
              target: 'local',
              otlpEndpoint: otlpBase,
              otlpProtocol: 'http',
              logPrompts: false,
            },
          }),
          help: 'Merge the telemetry block into your Gemini CLI user settings.',
        },
        {
          title: 'Environment variable',
          text: headersLine,
          help: 'Gemini CLI’s settings have no header field, so the token goes in the environment it starts from, e.g. ~/.profile.',
        },
      ],
      notes: [
        'Gemini CLI’s documentation does not mention OTEL_EXPORTER_OTLP_HEADERS: the OpenTelemetry exporters it uses read it, and a header setting of its own is still an open request (google-gemini/gemini-cli#11802).',
        'Gemini CLI cannot export metrics only: it also sends its logs and traces to the same address. The portal refuses them and stores none of it; logPrompts: false keeps your prompts out of them.',
      ],
    },
    {
      id: 'codex',
      name: 'Codex CLI',
      docs: 'https://developers.openai.com/codex/config-advanced#metrics',
      snippets: [
        {
          title: '~/.codex/config.toml',
          text: [
            '[otel]',
            'log_user_prompt = false',
            'exporter = "none"',
            'trace_exporter = "none"',
            '',
            '[otel.metrics_exporter."otlp-http"]',
            `endpoint = ${JSON.stringify(`${otlpBase}/v1/metrics`)}`,
            'protocol = "binary"',
            `headers = { "Authorization" = ${JSON.stringify(authorization)} }`,
          ].join('\n'),
          help: 'Merge into the [otel] table of your Codex config (a file defines [otel] once). The token is written in the file: keep it private, e.g. chmod 600 ~/.codex/config.toml.',
        },
      ],
      notes: [
        'The endpoint is the whole metrics URL: Codex does not add /v1/metrics itself. Logs (exporter) and traces (trace_exporter) stay off.',
        'The token is written out because not every Codex version expands environment variables in header values.',
      ],
    },
    {
      id: 'copilot-chat',
      name: 'VS Code Copilot Chat',
      docs: 'https://code.visualstudio.com/docs/agents/guides/monitoring-agents',
      snippets: [
        {
          title: 'VS Code settings.json',
          text: json({
            'github.copilot.chat.otel.enabled': true,
            'github.copilot.chat.otel.exporterType': 'otlp-http',
            'github.copilot.chat.otel.otlpEndpoint': otlpBase,
            'github.copilot.chat.otel.captureContent': false,
          }),
          help: 'In your user settings (Preferences: Open User Settings (JSON)).',
        },
        {
          title: 'Environment variable',
          text: headersLine,
          help: 'Copilot Chat takes authentication headers only from this variable: set it where VS Code starts from, e.g. ~/.profile, and restart VS Code.',
        },
      ],
      notes: [
        'Copilot Chat cannot export metrics only: it also sends traces and events to the same address. The portal refuses them and stores none of it; captureContent: false keeps prompts and code out of them.',
      ],
    },
  ];
}
