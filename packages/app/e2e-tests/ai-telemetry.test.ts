/* eslint-disable no-restricted-imports -- end-to-end tests run in Node under Playwright, not in the app's browser bundle */
import { expect, Page, test } from '@playwright/test';
import { execFile } from 'child_process';
import { mkdtemp, rm } from 'fs/promises';
import os from 'os';
import path from 'path';
import { promisify } from 'util';
import {
  backendUrl,
  guestToken,
  repoRoot,
  elementScreenshot,
  screenshot,
  sidebarLink,
  signIn,
  visit,
} from './helpers';

const run = promisify(execFile);

const PANELS = [
  'overview',
  'acceptance-rate',
  'lines-generated',
  'time-saved',
  'feature-usage',
  'usage',
];

function panel(page: Page, id: string) {
  return page.getByTestId(`panel-${id}`);
}

/** Every panel shows figures: no empty state, no error, charts drawn. */
async function expectEveryPanelWithData(
  page: Page,
  options: { team?: boolean } = {},
) {
  for (const id of PANELS) {
    await expect(panel(page, id)).toBeVisible();
    await expect(panel(page, id).locator('[aria-busy="true"]')).toHaveCount(0, {
      timeout: 60_000,
    });
    await expect(panel(page, id).getByTestId('empty-telemetry')).toHaveCount(0);
    await expect(panel(page, id).getByText(/^Could not load/)).toHaveCount(0);
  }
  await expect(
    panel(page, 'overview').getByRole('group', { name: 'Total suggestions' }),
  ).toContainText(/[1-9]/);
  await expect(
    panel(page, 'acceptance-rate').locator('.recharts-line-curve').first(),
  ).toBeVisible();
  await expect(
    panel(page, 'lines-generated').locator('.recharts-area-area').first(),
  ).toBeVisible();
  await expect(
    panel(page, 'time-saved').locator('.recharts-bar-rectangle').first(),
  ).toBeVisible();
  await expect(
    panel(page, 'feature-usage').getByRole('cell').first(),
  ).toBeVisible();
  if (options.team) {
    // A team has few developers whose assistants report over OTLP: the usage panel alone may
    // withhold its figures, saying why, while the rest of the team's dashboard shows.
    const usage = panel(page, 'usage');
    await expect(
      usage
        .getByTestId('usage-withheld')
        .or(usage.getByRole('group', { name: 'Tokens' })),
    ).toBeVisible();
    return;
  }
  // The demo's Claude Code, Gemini CLI and Codex developers report tokens and cost over OTLP.
  await expect(
    panel(page, 'usage').getByRole('group', { name: 'Tokens' }),
  ).toContainText(/[1-9]/);
  await expect(
    panel(page, 'usage').getByRole('table', {
      name: 'Tokens and cost by model',
    }),
  ).toContainText(/claude-|gemini-|gpt-/);
}

test('the AI Telemetry tab draws every panel with data and keeps its view in the URL', async ({
  page,
}) => {
  await signIn(page);
  await sidebarLink(page, 'AI Telemetry').click();
  await expect(page).toHaveURL(/\/ai-telemetry$/);
  await expect(
    page.getByRole('heading', { name: 'AI Telemetry', level: 1 }),
  ).toBeVisible();

  await expectEveryPanelWithData(page);
  await expect(page.getByTestId('panel-alerts')).toContainText(
    /Firing|Pending|No AI Telemetry alert is firing/,
  );

  const lines = panel(page, 'lines-generated');
  await lines.getByRole('button', { name: 'Show query' }).click();
  await expect(lines.getByText(/lines_generated/).first()).toBeVisible();
  await lines.getByRole('button', { name: 'Table' }).click();
  await expect(
    lines.getByRole('table', { name: 'Lines generated as a table' }),
  ).toBeVisible();

  const download = page.waitForEvent('download');
  await page
    .getByRole('button', { name: 'Download Time saved as CSV' })
    .click();
  expect((await download).suggestedFilename()).toBe(
    'ai-telemetry-time-saved.csv',
  );
  await screenshot(page, 'ai-telemetry-overview');
  await elementScreenshot(
    page,
    panel(page, 'usage'),
    'ai-telemetry-usage-panel',
  );
  await elementScreenshot(
    page,
    panel(page, 'acceptance-rate'),
    'ai-telemetry-acceptance-daily',
  );

  await page.getByRole('button', { name: '7 days' }).click();
  await expect(page).toHaveURL(/range=7d/);
  await page.getByRole('button', { name: /Language/ }).click();
  await page.getByRole('option', { name: 'python' }).click();
  await expect(page).toHaveURL(/language=python/);

  // The view is in the URL: a reload (or a shared link) shows the same.
  await visit(page, page.url());
  await expect(page.getByRole('button', { name: '7 days' })).toHaveAttribute(
    'aria-pressed',
    'true',
  );
  await expectEveryPanelWithData(page);
  await screenshot(page, 'ai-telemetry-overview-7d-python');

  await page.evaluate(() => localStorage.setItem('theme', 'dark'));
  await visit(page, page.url());
  await expectEveryPanelWithData(page);
  await screenshot(page, 'ai-telemetry-overview-dark');
  await page.evaluate(() => localStorage.removeItem('theme'));
});

test('a team above the privacy threshold shows its panels; one below it shows none', async ({
  page,
}) => {
  await signIn(page);
  await visit(page, '/catalog/default/group/cloud-infrastructure');
  await page
    .locator('a[href$="/group/cloud-infrastructure/ai-telemetry"]')
    .click();
  await expect(page).toHaveURL(/\/group\/cloud-infrastructure\/ai-telemetry/);
  await expectEveryPanelWithData(page, { team: true });
  await expect(panel(page, 'overview')).toContainText(/Organisation: \d/);
  // Daily by default, with the organisation's moving average dotted beside the team's days.
  await expect(
    panel(page, 'acceptance-rate').getByTestId('acceptance-marks'),
  ).toContainText('organisation’s 7-day moving average');
  await screenshot(page, 'team-above-threshold');
  await panel(page, 'acceptance-rate')
    .getByRole('button', { name: 'Per step, by language' })
    .click();
  await expect(
    panel(page, 'acceptance-rate').getByRole('checkbox', {
      name: 'Organisation, 7-day moving average',
    }),
  ).toBeChecked();

  await visit(page, '/catalog/default/group/security/ai-telemetry');
  await expect(page.getByTestId('too-few-participants')).toContainText(
    'Too few participants',
  );
  await expect(page.getByTestId('too-few-participants')).toContainText(
    'Fewer than 5 members',
  );
  await expect(panel(page, 'overview')).toHaveCount(0);
  await screenshot(page, 'team-below-threshold');
});

test("the opt-in card is on the signed-in user's own page only", async ({
  page,
}) => {
  await signIn(page);
  await visit(page, '/catalog/default/user/guest');
  const own = page.getByTestId('ai-telemetry-opt-in');
  await expect(own).toBeVisible();
  await expect(page.getByText('Only you see this card')).toBeVisible();
  await screenshot(page, 'user-card');

  await visit(page, '/catalog/default/user/isabel.muller');
  await expect(
    page.getByText('isabel.muller@fawkes.example.com'),
  ).toBeVisible();
  await expect(page.getByText('Only you see this card')).toHaveCount(0);
});

/** Opens My data from the sidebar, as a user would (it loads afresh each time). */
async function openMyData(page: Page) {
  await sidebarLink(page, 'AI Telemetry').click();
  await page.getByRole('tab', { name: 'My data' }).click();
  await expect(page).toHaveURL(/\/ai-telemetry\/my-data$/);
  await expect(page.getByTestId('pseudonym')).toBeVisible();
}

/** The total of a metric's running totals for one language, as My data lists them. */
async function runningTotal(page: Page, metric: string, language: string) {
  const table = page.getByRole('table', { name: 'Running totals' });
  if ((await table.count()) === 0) return 0;
  const rows = table
    .getByRole('row')
    .filter({ hasText: metric })
    .filter({ hasText: `language="${language}"` });
  let sum = 0;
  for (const row of await rows.all()) {
    const value = await row.getByRole('cell').nth(2).textContent();
    sum += Number((value ?? '0').replace(/,/g, ''));
  }
  return sum;
}

test('opt in from settings, send events with the CLI, see them on My data, and erase them', async ({
  page,
  context,
  request,
}) => {
  test.setTimeout(300_000);
  const token = await guestToken(request);
  // An erasure left running by an earlier run blocks a new opt-in (409): let it finish.
  await expect
    .poll(
      async () => {
        const response = await request.get(
          `${backendUrl}/api/ai-telemetry/v1/me/erasure`,
          { headers: { Authorization: `Bearer ${token}` } },
        );
        const { jobs } = await response.json();
        return jobs.some(
          (j: { state: string }) => j.state !== 'done' && j.state !== 'failed',
        );
      },
      { timeout: 180_000, intervals: [2000] },
    )
    .toBe(false);

  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await signIn(page);
  await visit(page, '/settings');
  await page.getByRole('tab', { name: 'AI Telemetry' }).click();
  await expect(page).toHaveURL(/\/settings\/ai-telemetry$/);

  const toggle = page.getByRole('checkbox', {
    name: 'Send AI telemetry from my IDEs',
  });
  await expect(page.getByText(/^(On since|Off: nothing)/)).toBeVisible();
  if (await toggle.isChecked()) {
    await toggle.click();
    await page.getByRole('button', { name: 'Turn off, keep my data' }).click();
    await expect(toggle).not.toBeChecked();
  }
  await toggle.click();

  const reveal = page.getByTestId('telemetry-token');
  await expect(reveal).toContainText('It is shown only this once');
  const tokenBox = reveal.getByRole('textbox', { name: 'Telemetry token' });
  await expect(tokenBox).toHaveValue(/^fat_/);
  const telemetryToken = await tokenBox.inputValue();
  await reveal.getByRole('button', { name: 'Copy token' }).click();
  await expect(
    reveal.getByRole('button', { name: 'Copied', exact: true }),
  ).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(
    telemetryToken,
  );
  await expect(toggle).toBeChecked();
  await expect(
    page.getByText(`export FAWKES_AI_TELEMETRY_TOKEN=${telemetryToken}`),
  ).toBeVisible();
  await screenshot(page, 'settings-opt-in');
  // Each assistant's set-up, with this developer's token in it.
  for (const [tab, id] of [
    ['Claude Code', 'claude-code'],
    ['Gemini CLI', 'gemini-cli'],
    ['Codex CLI', 'codex'],
    ['VS Code Copilot Chat', 'copilot-chat'],
  ]) {
    await page.getByRole('tab', { name: tab }).click();
    const setup = page.locator(`#ai-telemetry-setup-${id}`);
    await expect(setup).toContainText(telemetryToken);
    await elementScreenshot(page, setup, `settings-setup-${id}`);
  }

  await openMyData(page);
  const before = await runningTotal(
    page,
    'ai_copilot_lines_generated',
    'python',
  );

  const queueDir = await mkdtemp(path.join(os.tmpdir(), 'fawkes-e2e-queue-'));
  try {
    await run(
      'yarn',
      [
        'fawkes-ai-telemetry',
        'push',
        'suggestion',
        '--language',
        'python',
        '--accepted',
        '--lines',
        '12',
      ],
      {
        cwd: repoRoot,
        env: {
          ...process.env,
          FAWKES_AI_TELEMETRY: 'enabled',
          FAWKES_AI_TELEMETRY_ENDPOINT: `${backendUrl}/api/ai-telemetry`,
          FAWKES_AI_TELEMETRY_TOKEN: telemetryToken,
          FAWKES_AI_TELEMETRY_QUEUE_DIR: queueDir,
        },
      },
    );
  } finally {
    await rm(queueDir, { recursive: true, force: true });
  }

  await openMyData(page);
  expect(await runningTotal(page, 'ai_copilot_lines_generated', 'python')).toBe(
    before + 12,
  );
  // Prometheus scrapes the new counters within seconds; then they are listed as series too.
  await expect(async () => {
    await openMyData(page);
    await expect(
      page
        .getByRole('table', { name: 'Series in Prometheus' })
        .getByRole('row')
        .filter({ hasText: 'ai_copilot_lines_generated' })
        .filter({ hasText: 'job="ai-telemetry-backend"' }),
    ).not.toHaveCount(0, { timeout: 1000 });
  }).toPass({ timeout: 60_000, intervals: [2000] });
  await expect(page.getByTestId('panel-my-lines')).toBeVisible();
  await screenshot(page, 'my-data');

  await page.getByRole('button', { name: 'Erase all my data' }).click();
  const dialog = page.getByRole('dialog', {
    name: 'Erase all my AI telemetry?',
  });
  await dialog.getByRole('button', { name: 'Erase everything' }).click();
  const job = page.getByTestId('erasure-job');
  await expect(job).toBeVisible();
  await screenshot(page, 'my-data-erasing');
  await expect(job).toContainText('Erasure done', { timeout: 180_000 });
  for (const step of [
    'stop_ingestion',
    'delete_counters',
    'delete_pushgateway_groups',
    'wait_for_scrapes',
    'delete_prometheus_series',
    'verify',
    'drop_cached_results',
  ]) {
    await expect(page.getByTestId(`erasure-step-${step}`)).toContainText(
      'done',
    );
  }
  await expect(
    page.getByText('Prometheus holds no series with your pseudonym.'),
  ).toBeVisible();
  await expect(
    page.getByText('Running totals in the portal database (0)'),
  ).toBeVisible();
  await screenshot(page, 'my-data-erased');
});
