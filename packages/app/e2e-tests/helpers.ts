/* eslint-disable no-restricted-imports -- end-to-end tests run in Node under Playwright, not in the app's browser bundle */
import { APIRequestContext, expect, Locator, Page } from '@playwright/test';
import path from 'path';

/** Where screenshots go (scripts/test.sh sets it; git-ignored). */
export const screenshotDir = process.env.SCREENSHOT_DIR ?? 'screenshots';

/**
 * Whether the portal under test is the production build (scripts/prod.sh), which serves the app
 * and the backend on one port and has none of development's extras: scripts/test.sh sets
 * E2E_TARGET=production for that run.
 */
export const productionBuild = process.env.E2E_TARGET === 'production';

/** The portal's backend, for the telemetry endpoint the CLI sends to. */
export const backendUrl =
  process.env.BACKEND_URL ??
  (productionBuild && process.env.PLAYWRIGHT_URL
    ? process.env.PLAYWRIGHT_URL
    : `http://localhost:${process.env.BACKEND_PORT ?? '7007'}`);

/** The repository root, where `yarn fawkes-ai-telemetry` runs. */
export const repoRoot = path.resolve(__dirname, '../../..');

/** Signs in as the guest (user:default/guest, a member of a team of the demo org). */
export async function signIn(page: Page) {
  await page.goto('/');
  await expect(page.getByText('Enter as a Guest User.')).toBeVisible();
  await page.getByRole('button', { name: 'Enter' }).click();
  await expect(sidebarLink(page, 'AI Telemetry')).toBeVisible();
}

/**
 * Opens a path of the portal. A full page load sometimes lands on the sign-in page again
 * (the guest session is restored in the browser); then the guest enters once more.
 */
export async function visit(page: Page, to: string) {
  await page.goto(to);
  const signInCard = page.getByText('Enter as a Guest User.');
  const sidebar = sidebarLink(page, 'AI Telemetry');
  await expect(signInCard.or(sidebar)).toBeVisible();
  if (await signInCard.isVisible()) {
    await page.getByRole('button', { name: 'Enter' }).click();
    await expect(sidebar).toBeVisible();
  }
}

/** A link of the portal's sidebar. */
export function sidebarLink(page: Page, name: string) {
  return page
    .getByRole('navigation', { name: 'sidebar nav' })
    .getByRole('link', { name });
}

/**
 * A screenshot of the whole page. Backstage scrolls inside its own layout, so the window is
 * made as tall as the content for the picture, then set back.
 */
export async function screenshot(page: Page, name: string) {
  const viewport = page.viewportSize()!;
  const height = await page.evaluate(() =>
    Math.max(
      ...Array.from(document.querySelectorAll('*')).map(e => e.scrollHeight),
    ),
  );
  await page.setViewportSize({
    width: viewport.width,
    height: Math.min(Math.max(viewport.height, height + 32), 8000),
  });
  // Charts follow their container's width and height; give them a frame to settle.
  await page.waitForTimeout(500);
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`) });
  await page.setViewportSize(viewport);
}

/**
 * A screenshot of one part of the page (a panel), taken with the window as tall as the content
 * so that Backstage's own scrolling does not hide it.
 */
export async function elementScreenshot(
  page: Page,
  locator: Locator,
  name: string,
) {
  const viewport = page.viewportSize()!;
  const height = await page.evaluate(() =>
    Math.max(
      ...Array.from(document.querySelectorAll('*')).map(e => e.scrollHeight),
    ),
  );
  await page.setViewportSize({
    width: viewport.width,
    height: Math.min(Math.max(viewport.height, height + 32), 8000),
  });
  await page.waitForTimeout(500);
  await locator.screenshot({ path: path.join(screenshotDir, `${name}.png`) });
  await page.setViewportSize(viewport);
}

/** A Backstage token of the guest (of the given backend), for asking the backend directly. */
export async function guestToken(
  request: APIRequestContext,
  backend: string = backendUrl,
): Promise<string> {
  const response = await request.get(`${backend}/api/auth/guest/refresh`, {
    headers: { 'X-Requested-With': 'XMLHttpRequest' },
  });
  expect(response.ok()).toBe(true);
  const body = await response.json();
  return body.backstageIdentity.token;
}
