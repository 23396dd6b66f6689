import { renderInTestApp } from '@backstage/test-utils';
import { GithubImportStatusResponse } from '@fawkes/plugin-ai-telemetry-common';
import { fireEvent, screen, within } from '@testing-library/react';
import { LiveAsyncState } from '../../hooks/useLiveAsync';
import {
  githubRateLimited,
  githubStatus,
  githubStatusFailing,
  githubStatusFailingFor,
  githubStatusOff,
  responseError,
} from '../../testing/fixtures';
import { GithubImportCard } from './GithubImportCard';
import { GithubImportNote } from './GithubImportNote';

function answered(
  value: GithubImportStatusResponse,
): LiveAsyncState<GithubImportStatusResponse> {
  return { loading: false, value, retry: jest.fn() };
}

/** The card's details as "name: value" lines. */
function detail(name: string): string {
  const cell = screen.getByText(name).closest('tr');
  return cell?.textContent ?? '';
}

describe('GithubImportCard', () => {
  it('says what the import reads, the days imported, and its last run', async () => {
    await renderInTestApp(<GithubImportCard state={answered(githubStatus)} />);
    expect(detail('Reads')).toContain(
      'the Copilot usage reports and seats of the organisation fawkes',
    );
    expect(detail('Copilot counted from')).toContain('the GitHub import');
    expect(detail('Developers imported')).toContain('12');
    expect(detail('Days imported')).toContain('2026-10-06 to 2026-11-02');
    expect(detail('Published by GitHub through')).toContain('2026-11-02');
    expect(detail('Last run')).toContain(
      'succeeded 2026-11-03 06:00 UTC, 1 day imported, 1 day not published by GitHub yet',
    );
    expect(detail('Last success')).toContain('2026-11-03 06:00 UTC');
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('says when the clients count Copilot and the import reads seats only', async () => {
    await renderInTestApp(
      <GithubImportCard
        state={answered({
          ...githubStatus,
          sourceOfTruth: 'clients',
          usageImported: false,
        })}
      />,
    );
    expect(detail('Copilot counted from')).toContain(
      'IDE clients: the import reads seats only',
    );
    expect(screen.queryByText('Days imported')).toBeNull();
  });

  it('says the import has not run yet', async () => {
    const { lastRun, lastSuccessAt, ...fresh } = githubStatus;
    await renderInTestApp(<GithubImportCard state={answered(fresh)} />);
    expect(screen.getByRole('alert')).toHaveTextContent(
      'The import has not run yet',
    );
    expect(detail('Last run')).toContain('none yet');
  });

  it('says the import is off and how to turn it on', async () => {
    await renderInTestApp(
      <GithubImportCard state={answered(githubStatusOff)} />,
    );
    const off = screen.getByTestId('github-import-off');
    expect(off).toHaveTextContent(
      'The GitHub Copilot import is off in this portal (no aiTelemetry.github in its configuration).',
    );
    expect(off).toHaveTextContent(
      'To turn it on, add aiTelemetry.github to app-config, with the credentials of an integrations.github entry',
    );
    // The seats panel on the same page shows the configuration itself.
    expect(screen.queryByLabelText('Configuration of the import')).toBeNull();
  });

  it("shows an admin GitHub's rate limit, its message and when the import tries again", async () => {
    await renderInTestApp(
      <GithubImportCard
        state={answered(githubStatusFailingFor(githubRateLimited))}
      />,
    );
    const error = screen.getByTestId('github-import-error');
    expect(error).toHaveTextContent("GitHub's rate limit was reached");
    expect(error).toHaveTextContent(
      'GitHub answered 429 (secondary rate limit, Retry-After 900 s) to GET /orgs/fawkes/copilot/metrics/reports/users-1-day?day=2026-11-03 (HTTP 429)',
    );
    expect(error).toHaveTextContent(
      'Since 2026-11-03 07:00 UTC, 2 runs in a row, at the report of 2026-11-03. Next try as GitHub allows, at 2026-11-03 07:15 UTC.',
    );
    expect(detail('Next run')).toContain('2026-11-03 07:15 UTC');
    expect(detail('Last run')).toContain('failed 2026-11-03 07:00 UTC');
  });

  it.each([
    [
      'credentials' as const,
      401,
      'GitHub refused the credentials (401)',
      'it may be wrong, expired or revoked',
    ],
    [
      'not_found' as const,
      404,
      'GitHub has no Copilot metrics here (404)',
      'Check aiTelemetry.github.organization',
    ],
    [
      'link_expired' as const,
      403,
      "A report's download link expired",
      'the next run asks for fresh ones',
    ],
  ])(
    'shows an admin the reason %s with what to do',
    async (reason, status, title, hint) => {
      await renderInTestApp(
        <GithubImportCard
          state={answered(
            githubStatusFailingFor({
              reason,
              status,
              message: `GitHub answered ${status}`,
              at: '2026-11-03T07:00:01.000Z',
              consecutiveFailures: 1,
            }),
          )}
        />,
      );
      const error = screen.getByTestId('github-import-error');
      expect(error).toHaveTextContent(title);
      expect(error).toHaveTextContent(
        `GitHub answered ${status} (HTTP ${status})`,
      );
      expect(error).toHaveTextContent(
        'Since 2026-11-03 07:00 UTC, on the last run.',
      );
      expect(error).toHaveTextContent(hint);
    },
  );

  it('tells a developer who is not an admin that the import fails, without why', async () => {
    await renderInTestApp(
      <GithubImportCard state={answered(githubStatusFailing)} />,
    );
    expect(screen.getByTestId('github-import-failing')).toHaveTextContent(
      'The GitHub import is failingThe last run (2026-11-03 07:00 UTC) failed, so Copilot figures stop at 2026-11-02 until it recovers.',
    );
    expect(screen.queryByTestId('github-import-error')).toBeNull();
  });

  it("shows the server's error with a retry when the state cannot be read", async () => {
    const retry = jest.fn();
    await renderInTestApp(
      <GithubImportCard
        state={{
          loading: false,
          error: await responseError(401, 'AuthenticationError', 'No token'),
          retry,
        }}
      />,
    );
    const card = screen.getByTestId('github-import');
    expect(card).toHaveTextContent(
      "Could not read the GitHub import's stateNo token (HTTP 401)",
    );
    fireEvent.click(within(card).getByRole('button', { name: 'Retry' }));
    expect(retry).toHaveBeenCalled();
  });
});

describe('GithubImportNote', () => {
  it('says which figures come from the import and up to which day', async () => {
    await renderInTestApp(
      <GithubImportNote state={answered(githubStatus)} detailsAt="below" />,
    );
    expect(screen.getByTestId('github-import-note')).toHaveTextContent(
      "Copilot figures up to 2026-11-02 come from GitHub's Copilot usage reports, imported for the 12 developers of the organisation fawkes who opted in, each on the day it happened; later days follow once GitHub publishes their reports. Last imported 2026-11-03 06:00 UTC.",
    );
  });

  it('warns that the import is failing and points to its details', async () => {
    await renderInTestApp(
      <GithubImportNote
        state={answered(githubStatusFailing)}
        detailsAt="below"
      />,
    );
    expect(screen.getByTestId('github-import-note')).toHaveTextContent(
      'The import is failing at the moment: see "GitHub Copilot import" below.',
    );
  });

  it('says the figures will come from the import before its first day', async () => {
    const { importedFrom, importedThrough, ...fresh } = githubStatus;
    await renderInTestApp(
      <GithubImportNote
        state={answered({ ...fresh, importedDevelopers: 1 })}
      />,
    );
    expect(screen.getByTestId('github-import-note')).toHaveTextContent(
      "Copilot figures will come from GitHub's Copilot usage reports, imported for the 1 developer of the organisation fawkes who opted in, once the import has read its first day.",
    );
  });

  it.each([
    ['the import is off', githubStatusOff],
    [
      'the clients count Copilot',
      { ...githubStatus, sourceOfTruth: 'clients', usageImported: false },
    ],
  ] as Array<[string, GithubImportStatusResponse]>)(
    'says nothing when %s',
    async (_, status) => {
      await renderInTestApp(<GithubImportNote state={answered(status)} />);
      expect(screen.queryByTestId('github-import-note')).toBeNull();
    },
  );
});
