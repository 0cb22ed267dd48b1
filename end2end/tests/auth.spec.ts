import { test, expect, expectConsoleError, open, register, uniqueEmail } from './fixtures';

test('a new user registers, is greeted, logs out and logs back in', async ({ page }) => {
  const email = uniqueEmail('ann');
  await register(page, 'Ann Example', email);
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole('heading', { name: 'Welcome, Ann Example!' })).toBeVisible();
  await expect(page.getByTestId('current-user')).toHaveText('Ann Example');

  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByRole('link', { name: 'Log in' })).toBeVisible();

  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('correct horse battery');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('heading', { name: 'Welcome, Ann Example!' })).toBeVisible();

  // The home page leads on to scheduling.
  await page.getByRole('link', { name: 'Schedule a meeting' }).click();
  await expect(page).toHaveURL(/\/meetings$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Meetings' })).toBeVisible();
});

test('a wrong password shows a clear message', async ({ page }) => {
  const email = uniqueEmail('bo');
  await register(page, 'Bo', email);
  await expect(page.getByRole('heading', { name: 'Welcome, Bo!' })).toBeVisible();
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/login$/);

  expectConsoleError(page, /status of 401/);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('not my password');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'The email or password is incorrect.' })).toBeVisible();
  await expect(page).toHaveURL(/\/login$/);
});

test('signing up with a taken email shows the problem next to the field', async ({ page }) => {
  const email = uniqueEmail('cy');
  await register(page, 'Cy', email);
  await expect(page.getByRole('heading', { name: 'Welcome, Cy!' })).toBeVisible();
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  expectConsoleError(page, /status of 422/);
  await register(page, 'Cy again', email.toUpperCase());
  await expect(page.locator('#field-email-error')).toHaveText('is already registered');
});

test('an anonymous visitor to the home page is sent to log in', async ({ page }) => {
  await open(page, '/');
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByRole('heading', { name: 'Log in' })).toBeVisible();
});

test('signing in from a page behind sign-in returns to that page', async ({ page }) => {
  const email = uniqueEmail('deep');
  const res = await page.request.post('/api/auth/register', {
    data: { name: 'Dee Link', email, password: 'correct horse battery' },
  });
  expect(res.status()).toBe(201);
  await open(page, '/invitations?from=mail');
  await expect(page).toHaveURL(/\/login\?next=\/invitations%3Ffrom%3Dmail$/);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('correct horse battery');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page).toHaveURL(/\/invitations\?from=mail$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Invitations' })).toBeVisible();
});
