/**
 * Browser-test support: build the app once, start the composed server in embedded mode, drive
 * Debian's Chromium with playwright-core (one context per person), save screenshots.
 */
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { demoPassword } from '../../src/auth/seed-users.ts';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/log.ts';
import { startHotline, type Hotline } from '../../src/server.ts';

const root = path.resolve(import.meta.dirname, '../..');
export const screenshotDir = path.join(root, 'docs/screenshots');

function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(full) : statSync(full).mtimeMs);
  }
  return latest;
}

/** Builds softphone/dist unless it is newer than every source file. */
export async function ensureBuilt(): Promise<void> {
  const index = path.join(root, 'softphone/dist/index.html');
  const sources = Math.max(newest(path.join(root, 'softphone/src')), statSync(path.join(root, 'softphone/index.html')).mtimeMs);
  if (existsSync(index) && statSync(index).mtimeMs > sources) return;
  const { build } = await import('vite');
  await build({ configFile: path.join(root, 'softphone/vite.config.ts'), logLevel: 'error' });
}

export async function startDemoServer(): Promise<Hotline> {
  return startHotline(loadConfig({ PORT: '0', SIM_PORT: '0', LOG_LEVEL: 'silent', SHUTDOWN_GRACE_MS: '0' }), createLogger('silent'));
}

/** Playwright starts Chromium with a fresh temporary profile (user-data-dir) each time. */
export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
      '--autoplay-policy=no-user-gesture-required', '--lang=zh-CN', '--font-render-hinting=none',
    ],
  });
}

export async function openPage(browser: Browser, url: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  await page.goto(url);
  return page;
}

export async function login(page: Page, username: string): Promise<void> {
  await page.getByTestId('login-user').fill(username);
  await page.getByTestId('login-password').fill(demoPassword);
  await page.keyboard.press('Enter');
  await page.locator('header nav').waitFor();
}

/** Waits until the element with this test id shows `text`. */
export async function waitText(page: Page, testId: string, text: string | RegExp, timeout = 20_000): Promise<void> {
  await page.getByTestId(testId).filter({ hasText: text }).first().waitFor({ timeout });
}

export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true, animations: 'disabled', caret: 'hide' });
}
