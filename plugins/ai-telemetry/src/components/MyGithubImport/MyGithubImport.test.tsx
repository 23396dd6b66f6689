import { signalApiRef } from '@backstage/plugin-signals-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { GithubNotImportedReason } from '@fawkes/plugin-ai-telemetry-common';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { ReactElement } from 'react';
import { aiTelemetryApiRef } from '../../api';
import {
  githubApi,
  mockApi,
  myDataGithubImport,
  myGithubImported,
  myGithubNotImported,
  responseError,
} from '../../testing/fixtures';
import { FakeSignalApi } from '../../__testUtils__/signals';
import { addedText, MyGithubImport } from './MyGithubImport';

function render(api: ReturnType<typeof mockApi>, element: ReactElement) {
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [aiTelemetryApiRef, api],
        [signalApiRef, new FakeSignalApi()],
      ]}
    >
      {element}
    </TestApiProvider>,
  );
}

describe('MyGithubImport', () => {
  it('says the usage is imported, under which login, and lists the imported days', async () => {
    await render(
      mockApi(githubApi({ me: myGithubImported })),
      <MyGithubImport />,
    );
    expect(await screen.findByTestId('github-import-state')).toHaveTextContent(
      'Your Copilot usage is imported from GitHubUnder the login guest-gh, from the usage reports of the organisation fawkes',
    );
    expect(screen.getByText('Days imported (2)')).toBeInTheDocument();
    const rows = within(
      screen.getByRole('table', { name: 'Days imported from GitHub' }),
    ).getAllByRole('row');
    expect(rows.map(r => r.textContent)).toEqual([
      'day (UTC)Copilot use that dayimported',
      '2026-11-02yes2026-11-03 06:00 UTC',
      '2026-11-01none reported2026-11-02 06:00 UTC',
    ]);
  });

  it('says no day is imported yet', async () => {
    await render(
      mockApi(githubApi({ me: { ...myGithubImported, days: [] } })),
      <MyGithubImport />,
    );
    expect(
      await screen.findByText(
        'None yet: the next run of the import brings in your recent days.',
      ),
    ).toBeInTheDocument();
  });

  it.each([
    [
      'not_opted_in',
      'Not imported: AI telemetry is off for you',
      'Turn AI telemetry on',
    ],
    [
      'no_login',
      'Not imported: no GitHub login on your catalog User',
      'add the annotation github.com/user-login with your GitHub login',
    ],
    [
      'not_configured',
      'Not imported: the GitHub import is off',
      'turn it on with aiTelemetry.github in app-config and GitHub credentials under integrations.github',
    ],
    [
      'clients_are_source_of_truth',
      'Copilot counts from your IDE, not from GitHub',
      'set up Copilot in your IDE',
    ],
    [
      'not_in_catalog',
      'Not imported: you are not a User in the catalog',
      'add you to the catalog',
    ],
  ] as Array<[GithubNotImportedReason, string, string]>)(
    'says in words why it is not imported: %s',
    async (reason, title, hint) => {
      const answer = myGithubNotImported(reason);
      await render(mockApi(githubApi({ me: answer })), <MyGithubImport />);
      const state = await screen.findByTestId('github-import-state');
      expect(state).toHaveTextContent(title);
      expect(state).toHaveTextContent(answer.message);
      expect(state).toHaveTextContent(hint);
      expect(screen.getByText('Days imported (0)')).toBeInTheDocument();
    },
  );

  it('names the login of a developer who opted out, and keeps the days imported before', async () => {
    await render(
      mockApi(
        githubApi({
          me: myGithubNotImported('not_opted_in', {
            login: 'guest-gh',
            days: myGithubImported.days,
          }),
        }),
      ),
      <MyGithubImport />,
    );
    expect(await screen.findByTestId('github-import-state')).toHaveTextContent(
      'Your GitHub login in the catalog: guest-gh.',
    );
    expect(
      screen.getByText(
        /What was imported before stays until you erase your data/,
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('table', { name: 'Days imported from GitHub' }),
    ).toHaveTextContent('2026-11-02');
  });

  it("with the ledger, says what each day added and lists the import's running totals", async () => {
    await render(
      mockApi(githubApi({ me: myGithubImported })),
      <MyGithubImport ledger={myDataGithubImport} />,
    );
    const days = await screen.findByRole('table', {
      name: 'Days imported from GitHub',
    });
    const rows = within(days).getAllByRole('row');
    expect(rows[0]).toHaveTextContent('what it added');
    expect(rows[1]).toHaveTextContent(
      'suggestions_total +10, lines_generated +18',
    );
    expect(rows[2]).toHaveTextContent('nothing');
    const totals = screen.getByRole('table', {
      name: 'Running totals of the GitHub import',
    });
    expect(within(totals).getAllByRole('row')[1]).toHaveTextContent(
      'ai_copilot_suggestions_totalaccepted="true", assistant="copilot", language="python"142026-11-02',
    );
    expect(
      screen.getByText('Running totals of the import (2)'),
    ).toBeInTheDocument();
  });

  it("shows the server's error with a retry", async () => {
    const getMyGithubImport = jest
      .fn()
      .mockReturnValueOnce(
        responseError(
          503,
          'ServiceUnavailableError',
          'The catalog could not be read for your GitHub login: ECONNREFUSED',
        ).then(e => Promise.reject(e)),
      )
      .mockResolvedValue(myGithubImported);
    await render(mockApi({ getMyGithubImport }), <MyGithubImport />);
    expect(
      await screen.findByText(
        'The catalog could not be read for your GitHub login: ECONNREFUSED (HTTP 503)',
        { exact: false },
      ),
    ).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    await waitFor(() =>
      expect(screen.getByTestId('github-import-state')).toHaveTextContent(
        'guest-gh',
      ),
    );
  });
});

describe('addedText', () => {
  it('sums what a day added by metric', () => {
    expect(addedText(myDataGithubImport.days[0].changes)).toBe(
      'suggestions_total +10, lines_generated +18',
    );
    expect(addedText([])).toBe('nothing');
  });
});
