import AxeBuilder from '@axe-core/playwright';
import { Page } from '@playwright/test';
import { test, expect, expectConsoleError, open, register, uniqueEmail } from './fixtures';

/** What axe-core finds against WCAG 2.1 A and AA and its own best practices on the open page. */
async function problems(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
    .analyze();
  return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

test('every page passes the WCAG 2.1 AA checks of axe-core', async ({ page, browser }) => {
  test.setTimeout(120_000);
  const found: Record<string, string[]> = {};
  const check = async (name: string) => { found[name] = await problems(page); };

  await open(page, '/login');
  await check('login');
  await open(page, '/register');
  await check('register');
  const guestEmail = uniqueEmail('gil');
  await register(page, 'Ann Access', uniqueEmail('ann'));
  await expect(page.getByRole('heading', { name: 'Welcome, Ann Access!' })).toBeVisible();
  await check('home');
  await open(page, '/meetings');
  await expect(page.getByText('You have no meetings yet.')).toBeVisible();
  await check('meetings, empty');
  await open(page, '/invitations');
  await check('invitations, empty');

  const soon = new Date(Date.now() + 3_600_000).toISOString();
  const created = await page.request.post('/api/meetings', { data: { title: 'Access review', scheduled_at: soon, duration_minutes: 30 } });
  expect(created.status()).toBe(201);
  const { meeting } = await created.json();
  const invited = await page.request.post(`/api/meetings/${meeting.id}/invite`, { data: { invitee_email: guestEmail } });
  expect(invited.status()).toBe(201);
  await open(page, '/meetings');
  await check('meetings');
  await open(page, `/meetings/${meeting.id}`);
  await check('meeting, owner, scheduled');

  const guestContext = await browser.newContext();
  const guest = await guestContext.newPage();
  await register(guest, 'Gil Guest', guestEmail);
  await expect(guest.getByRole('heading', { name: 'Welcome, Gil Guest!' })).toBeVisible();
  await open(guest, '/invitations');
  await expect(guest.getByRole('button', { name: 'Accept' })).toBeVisible();
  found['invitations, pending'] = await problems(guest);
  await guestContext.close();

  expect((await page.request.post(`/api/meetings/${meeting.id}/start`)).status()).toBe(200);
  await open(page, `/meetings/${meeting.id}/call`);
  await expect(page.getByText('Waiting for others to join…')).toBeVisible();
  await check('call');
  await open(page, `/meetings/${meeting.id}`);
  await expect(page.getByRole('region', { name: 'Here now' })).toBeVisible();
  await check('meeting, owner, started');

  expectConsoleError(page, /status of 404/);
  await open(page, '/no/such/page');
  await check('not found');

  expect(found).toEqual(Object.fromEntries(Object.keys(found).map((name) => [name, []])));
});
