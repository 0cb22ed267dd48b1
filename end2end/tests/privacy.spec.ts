import { test, expect, open, register, uniqueEmail } from './fixtures';
import type { Page } from '@playwright/test';

/**
 * A meeting of a freshly signed-up owner, with someone invited by email: the owner's meeting
 * page shows the invitee's address and the join link, which nobody may see after sign-out.
 */
async function ownerWithMeeting(page: Page) {
  await register(page, 'Priya Private', uniqueEmail('priya'));
  await expect(page.getByRole('heading', { name: 'Welcome, Priya Private!' })).toBeVisible();
  const scheduled_at = new Date(Date.now() + 86_400_000).toISOString();
  const created = await page.request.post('/api/meetings', {
    data: { title: 'Board salaries 2027', scheduled_at, duration_minutes: 30 },
  });
  expect(created.status()).toBe(201);
  const { meeting } = await created.json();
  const invitee = uniqueEmail('confidential');
  const invited = await page.request.post(`/api/meetings/${meeting.id}/invite`, {
    data: { invitee_email: invitee },
  });
  expect(invited.status()).toBe(201);
  return { id: meeting.id as number, code: meeting.join_code as string, invitee };
}

/** None of the meeting's private data anywhere in the document, visible or not. */
async function expectNothingPrivate(page: Page, secrets: string[]) {
  const html = await page.content();
  for (const secret of secrets) expect(html, `the document holds ${secret}`).not.toContain(secret);
}

async function logOut(page: Page) {
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByRole('heading', { name: 'Log in' })).toBeVisible();
}

for (const how of ['full page loads', 'in-app navigation'] as const) {
  test(`after logging out, going back two pages shows nothing private (${how})`, async ({ page }) => {
    const { id, code, invitee } = await ownerWithMeeting(page);
    const secrets = [invitee, code, 'Board salaries 2027'];
    await open(page, `/meetings/${id}`);
    await expect(page.getByText(invitee)).toBeVisible();
    if (how === 'full page loads') {
      await open(page, '/invitations');
    } else {
      await page.getByRole('link', { name: 'Meetings', exact: true }).click();
      await expect(page).toHaveURL(/\/meetings$/);
      await expect(page.getByRole('heading', { level: 1, name: 'Meetings' })).toBeVisible();
    }
    await logOut(page);
    // Logging out leaves nothing of the earlier pages behind in the document.
    await expectNothingPrivate(page, secrets);

    await page.evaluate(() => history.go(-2));
    await expect(page).toHaveURL(new RegExp(`/login\\?next=/meetings/${id}$`));
    await expect(page.getByRole('heading', { name: 'Log in' })).toBeVisible();
    await expectNothingPrivate(page, secrets);
  });
}

test('Back after logging out walks back through the history instead of sticking on the login page', async ({ page }) => {
  const { id } = await ownerWithMeeting(page);
  await open(page, `/meetings/${id}`);
  await open(page, '/invitations');
  await logOut(page);
  // Each page behind sign-in now sends back to the login page, in place of its own entry.
  for (let i = 0; i < 6 && !/\/register$/.test(page.url()); i++) {
    await page.goBack();
    await expect(page.getByRole('heading', { name: /Log in|Create your account/ })).toBeVisible();
  }
  await expect(page).toHaveURL(/\/register$/);
});
