import { test as base, expect, Page } from '@playwright/test';

const allowed = new WeakMap<Page, RegExp[]>();

/**
 * Declares a console error that this test provokes on purpose, such as the browser's
 * "Failed to load resource: … status of 401" after a refused login.
 */
export function expectConsoleError(page: Page, pattern: RegExp) {
  allowed.set(page, [...(allowed.get(page) ?? []), pattern]);
}

/** Fails the test on any other console error, page error or hydration warning. */
export const test = base.extend<{ consoleGuard: void }>({
  consoleGuard: [async ({ page }, use) => {
    const problems: string[] = [];
    page.on('console', (msg) => {
      const text = msg.text();
      if (msg.type() !== 'error' && !/hydrat/i.test(text)) return;
      if ((allowed.get(page) ?? []).some((p) => p.test(text))) return;
      problems.push(`${msg.type()}: ${text}`);
    });
    page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
    await use();
    expect(problems, 'console errors').toEqual([]);
  }, { auto: true }],
});
export { expect };

export function uniqueEmail(prefix: string): string {
  return `${prefix}-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.org`;
}

/** Opens a page and waits until the wasm has hydrated it, so clicks are not lost. */
export async function open(page: Page, path: string) {
  await page.goto(path);
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
}

export async function register(page: Page, name: string, email: string, password = 'correct horse battery') {
  await open(page, '/register');
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign up' }).click();
}
