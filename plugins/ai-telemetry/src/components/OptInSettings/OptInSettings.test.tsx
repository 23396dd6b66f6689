import { discoveryApiRef } from '@backstage/core-plugin-api';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { aiTelemetryApiRef } from '../../api';
import {
  erasureJob,
  githubApi,
  meOptedIn,
  meOptedOut,
  mockApi,
  myGithubImported,
  myGithubNotImported,
  tokenResponse,
} from '../../testing/fixtures';
import { OptInSettings } from './OptInSettings';

const discovery = {
  getBaseUrl: async () => 'http://localhost:7007/api/ai-telemetry',
};

function render(api: ReturnType<typeof mockApi>) {
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [aiTelemetryApiRef, api],
        [discoveryApiRef, discovery],
      ]}
    >
      <OptInSettings />
    </TestApiProvider>,
  );
}

const otlp = 'http://localhost:7007/api/ai-telemetry/otlp';

/** Lines each assistant's set-up must show: the OTLP endpoint, the token, metrics only. */
const assistantLines: Record<string, (token: string) => string[]> = {
  'Claude Code': token => [
    `export OTEL_EXPORTER_OTLP_ENDPOINT=${otlp}`,
    `export OTEL_EXPORTER_OTLP_HEADERS="Authorization=Bearer ${token}"`,
    'export OTEL_METRICS_EXPORTER=otlp',
    'export OTEL_LOGS_EXPORTER=none',
    `"OTEL_EXPORTER_OTLP_ENDPOINT": "${otlp}"`,
    `"OTEL_EXPORTER_OTLP_HEADERS": "Authorization=Bearer ${token}"`,
    'managed-settings.json',
  ],
  'Gemini CLI': token => [
    `"otlpEndpoint": "${otlp}"`,
    '"otlpProtocol": "http"',
    '"logPrompts": false',
    `export OTEL_EXPORTER_OTLP_HEADERS="Authorization=Bearer ${token}"`,
  ],
  'Codex CLI': token => [
    `endpoint = "${otlp}/v1/metrics"`,
    `headers = { "Authorization" = "Bearer ${token}" }`,
    'log_user_prompt = false',
    'exporter = "none"',
    'trace_exporter = "none"',
  ],
  'VS Code Copilot Chat': token => [
    `"github.copilot.chat.otel.otlpEndpoint": "${otlp}"`,
    '"github.copilot.chat.otel.captureContent": false',
    `export OTEL_EXPORTER_OTLP_HEADERS="Authorization=Bearer ${token}"`,
  ],
};

/** Opens an assistant's tab and returns its panel. */
function showAssistant(name: string) {
  fireEvent.click(screen.getByRole('tab', { name }));
  return screen.getByRole('tabpanel');
}

function theSwitch() {
  return screen.getByRole('checkbox', {
    name: 'Send AI telemetry from my IDEs',
  });
}

describe('OptInSettings', () => {
  let writeText: jest.Mock;
  beforeEach(() => {
    writeText = jest.fn().mockResolvedValue(undefined);
    Object.defineProperty(navigator, 'clipboard', {
      value: { writeText },
      configurable: true,
    });
  });

  it('lists exactly what is collected', async () => {
    await render(
      mockApi({
        ...githubApi(),
        getMe: jest.fn().mockResolvedValue(meOptedOut),
      }),
    );
    const table = await screen.findByRole('table', {
      name: 'Metrics collected',
    });
    const metrics = within(table)
      .getAllByRole('row')
      .slice(1)
      .map(r => r.querySelector('td code')?.textContent);
    expect(metrics).toEqual([
      'ai_copilot_suggestions_total',
      'ai_copilot_lines_generated',
      'ai_copilot_time_saved_seconds',
      'ai_copilot_feature_usage',
      'ai_copilot_tokens_total',
      'ai_copilot_cost_usd_total',
      'ai_copilot_sessions_total',
      'ai_copilot_active_seconds_total',
      'ai_copilot_commits_total',
      'ai_copilot_pull_requests_total',
    ]);
    expect(table).toHaveTextContent('user_hash, language, accepted, assistant');
    expect(table).toHaveTextContent('user_hash, assistant, model, type');
  });

  it('opts in, shows the token once with a copy button and the IDE snippets', async () => {
    const getMe = jest
      .fn()
      .mockResolvedValueOnce(meOptedOut)
      .mockResolvedValue(meOptedIn);
    const api = mockApi({
      ...githubApi(),
      getMe,
      setOptIn: jest.fn().mockResolvedValue(tokenResponse('fat_first')),
    });
    await render(api);

    expect(
      await screen.findByText(/Off: nothing is collected/),
    ).toBeInTheDocument();
    fireEvent.click(theSwitch());

    const token = await screen.findByTestId('telemetry-token');
    expect(api.setOptIn).toHaveBeenCalledWith(true);
    expect(token).toHaveTextContent('It is shown only this once');
    expect(
      within(token).getByRole('textbox', { name: 'Telemetry token' }),
    ).toHaveValue('fat_first');
    await waitFor(() => expect(theSwitch()).toBeChecked());

    fireEvent.click(within(token).getByRole('button', { name: 'Copy token' }));
    await waitFor(() => expect(writeText).toHaveBeenCalledWith('fat_first'));
    expect(
      within(token).getByRole('button', { name: 'Copied' }),
    ).toBeInTheDocument();

    expect(
      screen.getByText(/export FAWKES_AI_TELEMETRY_TOKEN=fat_first/),
    ).toBeInTheDocument();
    for (const [assistant, lines] of Object.entries(assistantLines)) {
      const panel = showAssistant(assistant);
      for (const line of lines('fat_first')) {
        expect(panel).toHaveTextContent(line);
      }
      expect(panel).not.toHaveTextContent(/fawkes\.ai\.telemetry\./);
    }
    expect(document.body).not.toHaveTextContent(/fawkes\.ai\.telemetry\./);

    fireEvent.click(
      within(showAssistant('Codex CLI')).getByRole('button', {
        name: 'Copy ~/.codex/config.toml',
      }),
    );
    await waitFor(() =>
      expect(writeText).toHaveBeenLastCalledWith(
        expect.stringContaining(
          'endpoint = "http://localhost:7007/api/ai-telemetry/otlp/v1/metrics"',
        ),
      ),
    );

    fireEvent.click(screen.getByRole('button', { name: /hide the token/ }));
    expect(screen.queryByTestId('telemetry-token')).toBeNull();
    expect(screen.queryByText(/fat_first/)).toBeNull();
    for (const [assistant, lines] of Object.entries(assistantLines)) {
      const panel = showAssistant(assistant);
      expect(panel).not.toHaveTextContent('fat_first');
      for (const line of lines('<your telemetry token>')) {
        expect(panel).toHaveTextContent(line);
      }
    }
  });

  it('rotates the token after asking', async () => {
    const api = mockApi({
      ...githubApi(),
      getMe: jest.fn().mockResolvedValue(meOptedIn),
      rotateToken: jest.fn().mockResolvedValue(tokenResponse('fat_second')),
    });
    await render(api);
    fireEvent.click(
      await screen.findByRole('button', { name: 'Rotate token' }),
    );
    const dialog = screen.getByRole('dialog', {
      name: 'Replace your telemetry token?',
    });
    expect(api.rotateToken).not.toHaveBeenCalled();
    fireEvent.click(
      within(dialog).getByRole('button', { name: 'Issue a new token' }),
    );

    const token = await screen.findByTestId('telemetry-token');
    expect(api.rotateToken).toHaveBeenCalledTimes(1);
    // The closing dialog hides the page from assistive technology until it is gone.
    await waitFor(() =>
      expect(within(token).getByRole('textbox')).toHaveValue('fat_second'),
    );
  });

  it('offers erasure when turning off, and starts it on request', async () => {
    const api = mockApi({
      ...githubApi(),
      getMe: jest
        .fn()
        .mockResolvedValueOnce(meOptedIn)
        .mockResolvedValue({ ...meOptedIn, optedIn: false }),
      setOptIn: jest.fn().mockResolvedValue({
        ...meOptedIn,
        optedIn: false,
        erasureJob: erasureJob('pending', 0),
      }),
    });
    await render(api);
    await waitFor(() => expect(theSwitch()).toBeChecked());
    fireEvent.click(theSwitch());

    const dialog = screen.getByRole('dialog', {
      name: 'Turn off AI telemetry?',
    });
    expect(api.setOptIn).not.toHaveBeenCalled();
    expect(
      within(dialog).getByRole('button', { name: 'Turn off, keep my data' }),
    ).toBeInTheDocument();
    fireEvent.click(
      within(dialog).getByRole('button', {
        name: 'Turn off and erase my data',
      }),
    );

    expect(
      await screen.findByText(/the erasure of your data has started/),
    ).toBeInTheDocument();
    expect(api.setOptIn).toHaveBeenCalledWith(false, { erase: true });
    await waitFor(() => expect(theSwitch()).not.toBeChecked());
  });

  it('turns off and keeps the data when asked to', async () => {
    const api = mockApi({
      ...githubApi(),
      getMe: jest.fn().mockResolvedValue(meOptedIn),
      setOptIn: jest.fn().mockResolvedValue({ ...meOptedIn, optedIn: false }),
    });
    await render(api);
    await waitFor(() => expect(theSwitch()).toBeChecked());
    fireEvent.click(theSwitch());
    fireEvent.click(
      screen.getByRole('button', { name: 'Turn off, keep my data' }),
    );
    expect(
      await screen.findByText(/AI telemetry is off\. Nothing more/),
    ).toBeInTheDocument();
    expect(api.setOptIn).toHaveBeenCalledWith(false, { erase: false });
  });
  it('says whether Copilot usage is imported from GitHub, and reads it again after the switch', async () => {
    const getMyGithubImport = jest
      .fn()
      .mockResolvedValueOnce(
        myGithubNotImported('not_opted_in', { login: 'guest-gh' }),
      )
      .mockResolvedValue(myGithubImported);
    const api = mockApi({
      getMe: jest
        .fn()
        .mockResolvedValueOnce(meOptedOut)
        .mockResolvedValue(meOptedIn),
      setOptIn: jest.fn().mockResolvedValue(tokenResponse('fat_first')),
      getMyGithubImport,
    });
    await render(api);

    const section = await screen.findByTestId('github-import-state');
    expect(section).toHaveTextContent(
      'Not imported: AI telemetry is off for you',
    );
    expect(section).toHaveTextContent(
      'Your GitHub login in the catalog: guest-gh.',
    );

    fireEvent.click(theSwitch());
    await waitFor(() =>
      expect(screen.getByTestId('github-import-state')).toHaveTextContent(
        'Your Copilot usage is imported from GitHubUnder the login guest-gh',
      ),
    );
    expect(getMyGithubImport).toHaveBeenCalledTimes(2);
    expect(
      screen.getByRole('table', { name: 'Days imported from GitHub' }),
    ).toHaveTextContent('2026-11-02yes');
  });
});
