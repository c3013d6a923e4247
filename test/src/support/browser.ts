import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's chromium package; the tests drive it with playwright-core (no browser download). */
export const CHROMIUM = '/usr/bin/chromium';

export const SCREENSHOTS = join(dirname(fileURLToPath(import.meta.url)), '../../../docs/screenshots');

export function hasChromium(): boolean {
  return existsSync(CHROMIUM);
}

export async function launchChromium(): Promise<Browser> {
  // --no-sandbox: CI runs as root, where Chromium's sandbox cannot start.
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}

/** Saves a screenshot of the page (from the top, or from `from`) for docs/screenshots (shown in the README). */
export async function screenshot(page: Page, name: string, from?: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  if (from) await page.locator(from).first().evaluate((el) => el.scrollIntoView({ block: 'start' }));
  else await page.evaluate('window.scrollTo(0, 0)');
  await page.waitForTimeout(150); // let the scroll settle before the capture (a picture, not an assertion)
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: false });
}

interface Waitable {
  textContent(options?: { timeout?: number }): Promise<string | null>;
  getAttribute(name: string, options?: { timeout?: number }): Promise<string | null>;
  count(): Promise<number>;
}

async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    try {
      last = await read();
      if (ok(last)) return last;
    } catch {
      // not there yet
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last seen: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const matches = (value: string | null, expected: string | RegExp, contains: boolean) =>
  value !== null && (typeof expected === 'string' ? (contains ? value.includes(expected) : value.trim() === expected) : expected.test(value));

/** Waits until the element's text is (or contains) the expected one: the page updates on its own. */
export function eventuallyText(locator: Waitable, expected: string | RegExp, { contains = false, timeoutMs = 10_000 } = {}): Promise<string | null> {
  return until(() => locator.textContent({ timeout: 500 }), (v) => matches(v, expected, contains), `text ${contains ? 'containing ' : ''}${String(expected)}`, timeoutMs);
}

export function eventuallyAttribute(locator: Waitable, name: string, expected: string | RegExp, { timeoutMs = 10_000 } = {}): Promise<string | null> {
  return until(() => locator.getAttribute(name, { timeout: 500 }), (v) => matches(v, expected, false), `${name}=${String(expected)}`, timeoutMs);
}

export function eventuallyCount(locator: Waitable, expected: number, { timeoutMs = 10_000 } = {}): Promise<number> {
  return until(() => locator.count(), (n) => n === expected, `${expected} element(s)`, timeoutMs);
}
