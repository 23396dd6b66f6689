/* eslint-disable no-restricted-imports -- end-to-end tests run in Node under Playwright, not in the app's browser bundle */
import { expect, Page, test } from '@playwright/test';
import {
  backendUrl,
  guestToken,
  productionBuild,
  screenshot,
  signIn,
  visit,
} from './helpers';

/**
 * A second development backend whose guest sign-in is a demo developer who is not a telemetry
 * admin (scripts/portal.sh start-member): the same frontend, pointed at it.
 */
const memberBackendUrl =
  process.env.MEMBER_BACKEND_URL ??
  `http://localhost:${Number(process.env.BACKEND_PORT ?? '7007') + 1}`;

/** Sends every request of the page's frontend to the member's backend instead. */
async function asMember(page: Page) {
  await page.route(`${backendUrl}/**`, route =>
    route.continue({
      url: route.request().url().replace(backendUrl, memberBackendUrl),
    }),
  );
}

const adminTab = (page: Page) => page.getByRole('tab', { name: 'Admin' });

test('the guest, a telemetry admin in development, has the admin controls', async ({
  page,
}) => {
  await signIn(page);
  await visit(page, '/ai-telemetry');
  await expect(adminTab(page)).toBeVisible();
  await adminTab(page).click();
  for (const card of [
    'PromQL console',
    "Erase a developer's data",
    'Audit log',
  ]) {
    await expect(page.getByRole('heading', { name: card })).toBeVisible();
  }

  // A pooled query answers; one that would single out a person is refused with the reason.
  const queryCard = page.getByTestId('admin-promql-console');
  await queryCard
    .getByRole('textbox', { name: 'PromQL' })
    .fill(
      'sum by (language) (increase(ai_copilot_suggestions_total{language="python"}[7d]))',
    );
  // An aggregation is evaluated no more often than the window it reads, and every group must
  // pool at least five developers with data: python over a week does.
  await queryCard.getByRole('textbox', { name: 'Step' }).fill('7d');
  await queryCard.getByRole('button', { name: 'Run' }).click();
  await expect(queryCard.getByTestId('raw-query-result')).toContainText(
    'python',
    { timeout: 60_000 },
  );
  await screenshot(page, 'admin-console');
  await queryCard
    .getByRole('textbox', { name: 'PromQL' })
    .fill(
      'sum by (u) (label_replace(ai_copilot_suggestions_total, "u", "$1", "user_hash", "(.*)"))',
    );
  await queryCard.getByRole('button', { name: 'Run' }).click();
  await expect(queryCard.getByRole('alert')).toContainText(/user_hash/);
  await screenshot(page, 'admin-console-refused');
});

test('a developer who is not an admin sees no admin controls, and the API refuses them', async ({
  page,
  request,
}) => {
  test.skip(
    productionBuild,
    'needs the member backend, a second development backend (scripts/portal.sh start-member)',
  );
  await asMember(page);
  await signIn(page);
  await visit(page, '/ai-telemetry');
  await expect(page.getByRole('tab', { name: 'Overview' })).toBeVisible();
  await expect(adminTab(page)).toHaveCount(0);
  await visit(page, '/ai-telemetry/admin');
  await expect(
    page.getByRole('heading', { name: 'PromQL console' }),
  ).toHaveCount(0);
  await screenshot(page, 'member-no-admin');

  // The member's backend reads the catalog in the background after it starts.
  const member = await guestToken(request, memberBackendUrl);
  const headers = { Authorization: `Bearer ${member}` };
  await expect
    .poll(
      async () =>
        (
          await request.get(
            `${memberBackendUrl}/api/catalog/entities/by-name/group/default/cloud-infrastructure`,
            { headers },
          )
        ).status(),
      { timeout: 90_000 },
    )
    .toBe(200);

  // Their own team's tab is theirs to read (this backend has no opt-ins of its own, so it
  // answers "too few participants"); another team's says which permission is missing.
  await visit(page, '/catalog/default/group/cloud-infrastructure/ai-telemetry');
  await expect(page.getByTestId('too-few-participants')).toBeVisible({
    timeout: 60_000,
  });
  await expect(page.getByText('ai-telemetry.team.read')).toHaveCount(0);
  await visit(page, '/catalog/default/group/checkout/ai-telemetry');
  await expect(page.getByText('ai-telemetry.team.read')).toBeVisible();
  await screenshot(page, 'member-other-team');

  // The server refuses the admin routes to them whatever the UI shows.
  const raw = await request.post(
    `${memberBackendUrl}/api/ai-telemetry/v1/query`,
    {
      headers,
      data: {
        query: 'sum(ai_copilot_suggestions_total)',
        start: 0,
        end: 60,
        step: 60,
      },
    },
  );
  const audit = await request.get(
    `${memberBackendUrl}/api/ai-telemetry/v1/admin/audit`,
    { headers },
  );
  expect([raw.status(), audit.status()]).toEqual([403, 403]);

  // The guest of the first backend is an admin there.
  const admin = await guestToken(request);
  const adminAudit = await request.get(
    `${backendUrl}/api/ai-telemetry/v1/admin/audit`,
    { headers: { Authorization: `Bearer ${admin}` } },
  );
  expect(adminAudit.status()).toBe(200);
});
