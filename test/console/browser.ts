import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';
import { DEMO_PASSWORD } from '../../src/database/seed/demo-accounts';
import { createTestApp, TestApp, TestAppOptions } from '../helpers/test-app';

/**
 * Browser tests drive the real app (listening on a port, on the suite's database) in a real headless
 * Chromium — Debian's `chromium` package, or CHROMIUM_PATH. Without a browser on the machine they are
 * skipped with a warning, unless REQUIRE_BROWSER=1 (set by .ci/run, which installs chromium).
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const browserAvailable = existsSync(CHROMIUM_PATH);
if (!browserAvailable) {
  if (process.env.REQUIRE_BROWSER === '1') throw new Error(`No Chromium at ${CHROMIUM_PATH}: install it (apt-get install -y chromium) or set CHROMIUM_PATH.`);
  process.stderr.write(`browser tests skipped: no Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium, or set CHROMIUM_PATH)\n`);
}

/** `describe`, or `describe.skip` when no browser is installed (see above). */
export const describeInBrowser: jest.Describe = browserAvailable ? describe : describe.skip;

export const SCREENSHOT_DIR = join(__dirname, '..', '..', '.screenshots');

export interface ConsoleHarness {
  t: TestApp;
  baseUrl: string;
  browser: Browser;
  /** A fresh browser context (its own cookies) per person. */
  newPage(options?: { language?: 'zh-CN' | 'en'; viewport?: { width: number; height: number } }): Promise<{ context: BrowserContext; page: Page }>;
  /** Signs a person in through the sign-in form and waits for their home page. */
  signIn(page: Page, email: string, password?: string): Promise<void>;
  screenshot(page: Page, name: string): Promise<void>;
  /** axe-core on the current page: the serious and critical violations (an empty list is the goal). */
  accessibilityViolations(page: Page): Promise<{ id: string; impact: string; help: string; targets: string[] }[]>;
  close(): Promise<void>;
}

const AXE_SOURCE = () => readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export async function startConsole(options: TestAppOptions = {}): Promise<ConsoleHarness> {
  const t = await createTestApp(options);
  await t.app.listen(0, '127.0.0.1');
  const { port } = t.app.getHttpServer().address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  const contexts: BrowserContext[] = [];
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return {
    t,
    baseUrl,
    browser,
    newPage: async (o = {}) => {
      // bypassCSP only so that the test can inject axe-core; the app's own pages run under its CSP regardless.
      const context = await browser.newContext({
        baseURL: baseUrl,
        locale: o.language ?? 'zh-CN',
        viewport: o.viewport ?? { width: 1280, height: 900 },
        bypassCSP: true,
      });
      contexts.push(context);
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      return { context, page };
    },
    signIn: async (page, email, password = DEMO_PASSWORD) => {
      await page.goto('/sign-in');
      await page.locator('#f-email').fill(email);
      await page.locator('#f-password').fill(password);
      await Promise.all([
        page.waitForURL((url) => !url.pathname.startsWith('/sign-in')),
        page.locator('main form[action="/sign-in"] button[type=submit]').click(),
      ]);
    },
    screenshot: async (page, name) => {
      await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
    },
    accessibilityViolations: async (page) => {
      await page.addScriptTag({ content: AXE_SOURCE() });
      // A string, not a function: the test program has no DOM types (the page has).
      const result: { id: string; impact: string; help: string; targets: string[] }[] = await page.evaluate(`(async () => {
        const r = await window.axe.run(document, { resultTypes: ['violations'] });
        return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) }));
      })()`);
      return result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    },
    close: async () => {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser.close();
      await t.close();
    },
  };
}

/** The text of the first element matching the selector, once it is there (jest's expect has no Playwright matchers). */
export async function textOf(page: Page, selector: string): Promise<string> {
  const el = page.locator(selector).first();
  await el.waitFor();
  return (await el.innerText()).trim();
}

export async function attributeOf(page: Page, selector: string, name: string): Promise<string | null> {
  const el = page.locator(selector).first();
  await el.waitFor({ state: 'attached' });
  return el.getAttribute(name);
}

/** Waits until an element matching the selector contains the text (after an htmx swap, say); fails after the page's timeout. */
export async function waitForText(page: Page, selector: string, text: string | RegExp): Promise<void> {
  await page.locator(selector, { hasText: text }).first().waitFor();
}

/** The script a page loaded, in bytes as transferred (gzip): the console keeps every page under 200 KB of script. */
export async function scriptBytesOf(page: Page): Promise<number> {
  return page.evaluate(
    `performance.getEntriesByType('resource').filter((e) => e.initiatorType === 'script').reduce((n, e) => n + (e.encodedBodySize || 0), 0)`,
  );
}
