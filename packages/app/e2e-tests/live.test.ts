/* eslint-disable no-restricted-imports -- end-to-end tests run in Node under Playwright, not in the app's browser bundle */
import {
  APIRequestContext,
  expect,
  Locator,
  Page,
  test,
} from '@playwright/test';
import { backendUrl, guestToken, signIn, visit } from './helpers';

/**
 * Live pages (docs/architecture.md#live-pages): an open page shows new figures when the backend
 * announces them through Backstage signals, without a reload. The backend announces counters
 * one scrape and the dashboards' 15-second clock after they are stored (23 s with the
 * development config), and again once a new series has left its hold at 0 (43 s).
 */
const LIVE_TIMEOUT_MS = 90_000;

/** The guest's telemetry token, opted in afresh (after any erasure an earlier test started). */
async function guestTelemetryToken(request: APIRequestContext) {
  const authorization = `Bearer ${await guestToken(request)}`;
  await expect
    .poll(
      async () => {
        const response = await request.get(
          `${backendUrl}/api/ai-telemetry/v1/me/erasure`,
          { headers: { Authorization: authorization } },
        );
        const { jobs } = await response.json();
        return jobs.some(
          (j: { state: string }) => j.state !== 'done' && j.state !== 'failed',
        );
      },
      { timeout: 180_000, intervals: [2000] },
    )
    .toBe(false);
  const response = await request.put(
    `${backendUrl}/api/ai-telemetry/v1/me/opt-in`,
    { headers: { Authorization: authorization }, data: { enabled: true } },
  );
  expect(response.status()).toBe(200);
  return (await response.json()).token as string;
}

/** Sends accepted Python suggestions through the events API, as an IDE does. */
async function sendSuggestions(
  request: APIRequestContext,
  token: string,
  count: number,
) {
  const response = await request.post(
    `${backendUrl}/api/ai-telemetry/v1/events`,
    {
      headers: { Authorization: `Bearer ${token}` },
      data: {
        batchId: `e2e-live-${Date.now()}-${Math.floor(Math.random() * 1e9)}`,
        events: [
          {
            kind: 'suggestion',
            language: 'python',
            accepted: true,
            count,
            assistant: 'copilot',
          },
        ],
      },
    },
  );
  expect(response.status()).toBe(202);
}

/**
 * Marks the loaded page, and watches `within` for a loading state from now on: a reload would
 * lose the mark, and a refresh that flashes the spinner would be seen.
 */
async function watchPage(page: Page, within: string) {
  await page.evaluate(selector => {
    const w = window as unknown as Record<string, unknown>;
    w.__liveMark = 'still the same page';
    w.__sawBusy = false;
    new MutationObserver(() => {
      if (document.querySelector(`${selector} [aria-busy="true"]`)) {
        w.__sawBusy = true;
      }
    }).observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
    });
  }, within);
  let navigations = 0;
  page.on('framenavigated', frame => {
    if (frame === page.mainFrame()) navigations += 1;
  });
  return {
    expectSamePage: async () => {
      expect(navigations).toBe(0);
      expect(
        await page.evaluate(() => ({
          mark: (window as unknown as Record<string, unknown>).__liveMark,
          sawBusy: (window as unknown as Record<string, unknown>).__sawBusy,
        })),
      ).toEqual({ mark: 'still the same page', sawBusy: false });
    },
  };
}

/** The number a figure shows, e.g. "12,345" → 12345. */
async function figure(locator: Locator): Promise<number> {
  const text = (await locator.textContent()) ?? '';
  return Number(text.replace(/[^0-9.]/g, ''));
}

test('the organisation figure follows new events without a reload', async ({
  page,
  request,
}) => {
  test.setTimeout(300_000);
  const token = await guestTelemetryToken(request);
  await signIn(page);
  await visit(page, '/ai-telemetry');
  const overview = page.getByTestId('panel-overview');
  const total = overview
    .getByRole('group', { name: 'Total suggestions' })
    .locator('p')
    .first();
  await expect(total).toHaveText(/[1-9]/, { timeout: 60_000 });
  // The first answer is in; let a refresh that was already on its way settle.
  await expect(overview.locator('[aria-busy="true"]')).toHaveCount(0);
  const before = await figure(total);
  const watch = await watchPage(page, '[data-testid="panel-overview"]');

  await sendSuggestions(request, token, 40);

  await expect
    .poll(() => figure(total), {
      timeout: LIVE_TIMEOUT_MS,
      intervals: [1000],
    })
    .toBeGreaterThanOrEqual(before + 40);
  await watch.expectSamePage();
});

test('My data follows new events without a reload', async ({
  page,
  request,
}) => {
  test.setTimeout(300_000);
  const token = await guestTelemetryToken(request);
  await signIn(page);
  await visit(page, '/ai-telemetry/my-data');
  await expect(page.getByTestId('pseudonym')).toBeVisible();
  const runningTotal = async () => {
    const table = page.getByRole('table', { name: 'Running totals' });
    if ((await table.count()) === 0) return 0;
    const rows = table
      .getByRole('row')
      .filter({ hasText: 'ai_copilot_suggestions_total' })
      .filter({ hasText: 'accepted="true"' })
      .filter({ hasText: 'language="python"' });
    let sum = 0;
    for (const row of await rows.all()) {
      sum += await figure(row.getByRole('cell').nth(2));
    }
    return sum;
  };
  const before = await runningTotal();
  const watch = await watchPage(page, 'body');

  await sendSuggestions(request, token, 7);

  await expect
    .poll(runningTotal, { timeout: LIVE_TIMEOUT_MS, intervals: [1000] })
    .toBe(before + 7);
  await watch.expectSamePage();
});
