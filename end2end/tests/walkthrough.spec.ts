import { test, expect, open, register, uniqueEmail } from './fixtures';
import type { Browser, Page } from '@playwright/test';

async function signedUp(browser: Browser, name: string, viewport = { width: 1280, height: 800 }): Promise<Page> {
  const page = await (await browser.newContext({ viewport })).newPage();
  await register(page, name, uniqueEmail(name.split(' ')[0].toLowerCase()));
  await expect(page.getByRole('heading', { name: `Welcome, ${name}!` })).toBeVisible();
  return page;
}

test('the new meeting notice keeps its join link on one line, with a Copy button', async ({ browser }) => {
  const page = await signedUp(browser, 'Nina Notice', { width: 390, height: 844 });
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await open(page, '/meetings');
  await page.getByLabel('Title').fill('Link check');
  await page.getByLabel('When').fill('2031-03-04T10:00');
  await page.getByRole('button', { name: 'Create meeting' }).click();
  const notice = page.getByRole('status').filter({ hasText: 'Created' });
  await expect(notice).toBeVisible();
  const link = notice.locator('code');
  const url = await link.getAttribute('title');
  expect(url).toMatch(/^http:\/\/.+\/join\/\w+$/);
  const lineHeight = await link.evaluate((el) => parseFloat(getComputedStyle(el).lineHeight) || 20);
  expect((await link.boundingBox())!.height, 'the link takes one line').toBeLessThan(lineHeight * 1.5);
  const widths = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  expect(widths[0], 'the page is no wider than the screen').toBeLessThanOrEqual(widths[1]);
  await notice.getByRole('button', { name: 'Copy link' }).click();
  await expect(notice.getByRole('button', { name: 'Copied' })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(url);
  await page.context().close();
});

for (const width of [360, 390]) {
  test(`the header stays on one row on a ${width} px phone`, async ({ browser }) => {
    const page = await signedUp(browser, 'Philippa Phone', { width, height: 780 });
    for (const path of ['/', '/meetings', '/invitations']) {
      await open(page, path);
      const bar = page.locator('header.topbar');
      const brand = await page.locator('.brand').boundingBox();
      const logout = await page.getByRole('button', { name: 'Log out' }).boundingBox();
      const user = await page.getByTestId('current-user').boundingBox();
      expect(brand && logout && user, `${path}: header parts are shown`).toBeTruthy();
      // One row: every part sits on the same line as the brand.
      for (const part of [logout!, user!]) {
        expect(Math.abs(part.y + part.height / 2 - (brand!.y + brand!.height / 2)), `${path}: one row`).toBeLessThan(8);
      }
      expect((await bar.boundingBox())!.height, `${path}: the bar's height`).toBeLessThan(60);
      const widths = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
      expect(widths[0], `${path} is wider than the screen`).toBeLessThanOrEqual(widths[1]);
    }
    await page.context().close();
  });
}

test('an accepted invitee sees who is in the call before joining it', async ({ browser }) => {
  const owner = await signedUp(browser, 'Otto Owner');
  const guest = await signedUp(browser, 'Greta Guest');
  const me = await (await guest.request.get('/api/auth/me')).json();
  const created = await owner.request.post('/api/meetings', {
    data: { title: 'Who is here', scheduled_at: new Date(Date.now() + 3_600_000).toISOString(), duration_minutes: 30 },
  });
  const { meeting } = await created.json();
  const invited = await owner.request.post(`/api/meetings/${meeting.id}/invite`, { data: { invitee_user_id: me.id } });
  expect(invited.status()).toBe(201);
  expect((await guest.request.post(`/api/invitations/${(await invited.json()).id}/accept`)).status()).toBe(200);
  expect((await owner.request.post(`/api/meetings/${meeting.id}/presence/join`)).status()).toBe(201);

  await open(guest, `/meetings/${meeting.id}`);
  const here = guest.getByRole('region', { name: 'Here now' });
  await expect(here.getByRole('list', { name: 'Participants' })).toContainText('Otto Owner');
  await owner.context().close();
  await guest.context().close();
});

test("the owner's open meeting page shows an invitee's answer and proposal without a reload", async ({ browser }) => {
  const owner = await signedUp(browser, 'Olga Owner');
  const guest = await signedUp(browser, 'Gil Guest');
  const me = await (await guest.request.get('/api/auth/me')).json();
  const created = await owner.request.post('/api/meetings', {
    data: { title: 'Live answers', scheduled_at: new Date(Date.now() + 86_400_000).toISOString(), duration_minutes: 30 },
  });
  const { meeting } = await created.json();
  const invited = await owner.request.post(`/api/meetings/${meeting.id}/invite`, { data: { invitee_user_id: me.id } });
  expect(invited.status()).toBe(201);
  const invitation = (await invited.json()).id;

  await open(owner, `/meetings/${meeting.id}`);
  const row = owner.locator(`li[data-email="${me.email}"]`);
  await expect(row).toContainText('pending');
  await owner.evaluate(() => { (window as unknown as { stillHere: boolean }).stillHere = true; });

  expect((await guest.request.post(`/api/invitations/${invitation}/accept`)).status()).toBe(200);
  await expect(row).toContainText('accepted');
  const proposed_time = new Date(Date.now() + 2 * 86_400_000).toISOString();
  const proposal = await guest.request.post(`/api/invitations/${invitation}/propose`, {
    data: { proposed_time, comment: 'Later suits me better.' },
  });
  expect(proposal.status()).toBe(200);
  await expect(row).toContainText('proposed');
  await expect(row).toContainText('Later suits me better.');
  await expect(row.getByRole('button', { name: 'Accept proposal' })).toBeVisible();
  expect(await owner.evaluate(() => (window as unknown as { stillHere?: boolean }).stillHere), 'the page was not reloaded').toBe(true);
  await owner.context().close();
  await guest.context().close();
});
