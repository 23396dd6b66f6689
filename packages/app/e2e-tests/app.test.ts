import { expect, test } from '@playwright/test';

const screenshots = process.env.SCREENSHOT_DIR ?? 'screenshots';

test('a guest signs in and sees the AI Telemetry page with the live stack', async ({
  page,
}) => {
  await page.goto('/');
  await expect(page.getByText('Enter as a Guest User.')).toBeVisible();
  await page.getByRole('button', { name: 'Enter' }).click();

  const nav = page.getByRole('navigation', { name: 'sidebar nav' });
  const item = nav.getByRole('link', { name: 'AI Telemetry' });
  await expect(item).toBeVisible();
  await item.click();

  await expect(page).toHaveURL(/\/ai-telemetry$/);
  await expect(
    page.getByRole('heading', { name: 'AI Telemetry', level: 1 }),
  ).toBeVisible();
  await expect(page.getByText('Telemetry stack')).toBeVisible();
  await expect(page.getByText(/^up \(\d+ ms\)$/)).toHaveCount(2);

  await page.screenshot({
    path: `${screenshots}/ai-telemetry-page.png`,
    fullPage: true,
  });
});
