import { test, expect, open, register, uniqueEmail } from './fixtures';

// Screenshots of the main pages for the README, taken from a real run (end2end/screenshots/).

test('screenshots of the main pages', async ({ page, browser, request }) => {
  await page.setViewportSize({ width: 1200, height: 860 });
  const guestEmail = uniqueEmail('maya');
  await register(page, 'Olive Owner', uniqueEmail('olive'));
  await expect(page.getByRole('heading', { name: 'Welcome, Olive Owner!' })).toBeVisible();

  const soon = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();
  for (const [title, days] of [['Quarterly planning', 1], ['Design review', 2], ['Weekly sync', 7]] as const) {
    const res = await page.request.post('/api/meetings', { data: { title, scheduled_at: soon(days), duration_minutes: 45 } });
    expect(res.status()).toBe(201);
  }
  await open(page, '/meetings');
  await expect(page.getByRole('link', { name: 'Quarterly planning' })).toBeVisible();
  await page.screenshot({ path: 'screenshots/meetings.png', fullPage: true });

  await page.getByRole('link', { name: 'Quarterly planning' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Quarterly planning' })).toBeVisible();
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
  await page.getByLabel('Email to invite').fill(guestEmail);
  await page.getByRole('button', { name: 'Invite', exact: true }).click();
  await expect(page.locator(`li[data-email="${guestEmail}"]`)).toBeVisible();
  await page.screenshot({ path: 'screenshots/meeting-owner.png', fullPage: true });

  const guestContext = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const guest = await guestContext.newPage();
  await register(guest, 'Maya Guest', guestEmail);
  await expect(guest.getByRole('heading', { name: 'Welcome, Maya Guest!' })).toBeVisible();
  await open(guest, '/invitations');
  await expect(guest.getByRole('link', { name: 'Quarterly planning' })).toBeVisible();
  await guest.screenshot({ path: 'screenshots/invitations-phone.png', fullPage: true });
  await guestContext.close();
});
