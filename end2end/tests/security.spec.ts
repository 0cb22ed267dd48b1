import { Page } from '@playwright/test';
import { test, expect, expectConsoleError, open, register, uniqueEmail } from './fixtures';

// Markup that would run script if any page rendered it as HTML instead of text.
const XSS = '<img src=x onerror=alert(1)><script>alert(2)</script>';

/** Any dialog means injected script ran: record it so the test fails. */
function failOnDialogs(page: Page, fired: string[]) {
  page.on('dialog', async (dialog) => {
    fired.push(dialog.message());
    await dialog.dismiss();
  });
}

function localDay(days: number, hour = 10): string {
  const d = new Date();
  d.setDate(d.getDate() + days);
  d.setHours(hour, 0, 0, 0);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

async function expectNoInjectedElements(page: Page) {
  await expect(page.locator('img[src="x"]')).toHaveCount(0);
  await expect(page.locator('script:not([nonce])')).toHaveCount(0);
}

test('pages hydrate under the CSP, and a script without the nonce is refused', async ({ page }) => {
  const res = await page.goto('/register');
  const csp = res?.headers()['content-security-policy'] ?? '';
  const scriptSrc = csp.split(';').find((d) => d.trim().startsWith('script-src')) ?? '';
  expect(scriptSrc).toMatch(/'nonce-[0-9a-f]{32}'/);
  expect(scriptSrc).not.toContain('unsafe-inline');
  expect(res?.headers()['x-content-type-options']).toBe('nosniff');
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();

  // The policy is enforced, not just sent: an injected inline script does not run.
  expectConsoleError(page, /Content Security Policy/);
  const ran = await page.evaluate(async () => {
    const script = document.createElement('script');
    script.textContent = 'window.__injected = true;';
    document.body.appendChild(script);
    await new Promise((r) => setTimeout(r, 100));
    return (window as unknown as { __injected?: boolean }).__injected === true;
  });
  expect(ran).toBe(false);
});

test('a hostile meeting title, user name and proposal comment render as inert text', async ({ page, browser }) => {
  const fired: string[] = [];
  const owner = page;
  failOnDialogs(owner, fired);
  const guestContext = await browser.newContext();
  const guest = await guestContext.newPage();
  failOnDialogs(guest, fired);
  const guestEmail = uniqueEmail('xss-guest');

  // A user name with markup.
  await register(owner, XSS, uniqueEmail('xss-owner'));
  await expect(owner.getByRole('heading', { level: 1 })).toHaveText(`Welcome, ${XSS}!`);
  await expectNoInjectedElements(owner);

  // A meeting title with markup, on the list and on the meeting page.
  await open(owner, '/meetings');
  await owner.getByLabel('Title').fill(XSS);
  await owner.getByLabel('When').fill(localDay(3));
  await owner.getByLabel('Duration (minutes)').fill('30');
  await owner.getByRole('button', { name: 'Create meeting' }).click();
  await expect(owner.getByRole('status').filter({ hasText: 'Created' })).toBeVisible();
  await owner.getByRole('status').getByRole('link', { name: XSS }).click();
  await expect(owner.getByRole('heading', { level: 1 })).toHaveText(XSS);
  await expect(owner.locator('body[data-hydrated="true"]')).toBeAttached();
  await expectNoInjectedElements(owner);
  const meetingPath = new URL(owner.url()).pathname;
  await owner.getByLabel('Email to invite').fill(guestEmail);
  await owner.getByRole('button', { name: 'Invite', exact: true }).click();
  await expect(owner.locator(`li[data-email="${guestEmail}"]`)).toContainText('pending');

  // A proposal comment with markup, from the guest, as the owner sees it.
  await register(guest, 'Gil Guest', guestEmail);
  await expect(guest.getByRole('heading', { name: 'Welcome, Gil Guest!' })).toBeVisible();
  await open(guest, '/invitations');
  const card = guest.locator('.invitation-card').filter({ hasText: XSS });
  await expect(card).toBeVisible();
  await expectNoInjectedElements(guest);
  await card.getByText('Propose another time').click();
  await card.getByLabel('Proposed time').fill(localDay(4, 15));
  await card.getByLabel('Comment').fill(XSS);
  await card.getByRole('button', { name: 'Propose time' }).click();
  await expect(card).toContainText('proposed');

  await open(owner, meetingPath);
  const row = owner.locator(`li[data-email="${guestEmail}"]`);
  await expect(row).toContainText('proposed');
  await expect(row).toContainText(XSS);
  await expectNoInjectedElements(owner);

  expect(fired, 'dialogs opened by injected script').toEqual([]);
  await guestContext.close();
});
