/* eslint-disable no-restricted-imports -- end-to-end tests run in Node under Playwright, not in the app's browser bundle */
import { APIRequestContext, expect, test } from '@playwright/test';
import {
  backendUrl,
  elementScreenshot,
  guestToken,
  signIn,
  visit,
} from './helpers';

/**
 * The GitHub Copilot import in the portal: the organisation page's "Copilot seats" panel and the
 * import's card, the settings tab and My data, each showing what the backend answers, whether
 * the import is on (the demo's stand-in) or off.
 */

// What the test reads of the backend's answers (their full types are in
// @fawkes/plugin-ai-telemetry-common, src/github.ts).
type CopilotSeatsResponse =
  | { withheld: string; message: string }
  | { withheld?: undefined; seats: { total: number; idle: number } };
type GithubImportStatusResponse =
  | { enabled: false; message: string }
  | {
      enabled: true;
      scope: { name: string };
      usageImported: boolean;
      importedThrough?: string;
      failing: boolean;
      lastError?: { message: string };
    };
type MyGithubImportResponse = {
  imported: boolean;
  message: string;
  login?: string;
  days: Array<{ day: string }>;
};

async function api<T>(request: APIRequestContext, path: string): Promise<T> {
  const token = await guestToken(request);
  const response = await request.get(`${backendUrl}/api/ai-telemetry${path}`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  expect(response.ok()).toBe(true);
  return response.json();
}

test('the organisation page shows the Copilot seats and the GitHub import as the backend answers them', async ({
  page,
  request,
}) => {
  await signIn(page);
  await visit(page, '/ai-telemetry');
  const seatsPanel = page.getByTestId('copilot-seats');
  const importCard = page.getByTestId('github-import');
  await expect(seatsPanel).toBeVisible();
  await expect(importCard).toBeVisible();

  const seats = await api<CopilotSeatsResponse>(request, '/v1/github/seats');
  if (seats.withheld === undefined) {
    await expect(
      seatsPanel.getByRole('group', { name: 'Seats', exact: true }),
    ).toContainText(String(seats.seats.total));
    await expect(
      seatsPanel.getByRole('group', { name: 'Idle seats', exact: true }),
    ).toContainText(String(seats.seats.idle));
    await expect(
      seatsPanel.getByRole('group', { name: 'Idle seats cost a month' }),
    ).toContainText('$');
  } else {
    await expect(seatsPanel).toContainText(seats.message);
  }

  const status = await api<GithubImportStatusResponse>(
    request,
    '/v1/github/status',
  );
  if (!status.enabled) {
    await expect(importCard.getByTestId('github-import-off')).toBeVisible();
    await expect(page.getByTestId('github-import-note')).toHaveCount(0);
  } else {
    await expect(importCard).toContainText(status.scope.name);
    if (status.importedThrough && status.usageImported) {
      await expect(page.getByTestId('github-import-note')).toContainText(
        `Copilot figures up to ${status.importedThrough}`,
      );
    }
    if (status.lastError) {
      await expect(importCard.getByTestId('github-import-error')).toContainText(
        status.lastError.message,
      );
    } else if (status.failing) {
      await expect(
        importCard.getByTestId('github-import-failing'),
      ).toBeVisible();
    }
  }
  await elementScreenshot(page, seatsPanel, 'github-seats');
  await elementScreenshot(page, importCard, 'github-import');
});

test("the settings tab and My data say whether the guest's Copilot usage is imported, and list the days", async ({
  page,
  request,
}) => {
  const mine = await api<MyGithubImportResponse>(request, '/v1/me/github');
  await signIn(page);

  await visit(page, '/settings/ai-telemetry');
  const state = page.getByTestId('github-import-state');
  await expect(state).toBeVisible();
  if (mine.imported) {
    await expect(state).toContainText(
      `Your Copilot usage is imported from GitHubUnder the login ${mine.login}`,
    );
  } else {
    await expect(state).toContainText(mine.message);
  }
  const section = page.getByTestId('my-github-import');
  await expect(section).toContainText(`Days imported (${mine.days.length})`);
  if (mine.days.length > 0) {
    await expect(
      section.getByRole('table', { name: 'Days imported from GitHub' }),
    ).toContainText(mine.days[0].day);
  }
  await elementScreenshot(page, section, 'github-settings');

  await visit(page, '/ai-telemetry/my-data');
  const myData = page.getByTestId('my-github-import');
  await expect(myData).toContainText(`Days imported (${mine.days.length})`);
  await expect(myData).toContainText('Running totals of the import');
  await elementScreenshot(page, myData, 'github-my-data');
});
