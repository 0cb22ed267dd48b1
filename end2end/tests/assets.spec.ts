import { Response } from '@playwright/test';
import { test, expect, open, register, uniqueEmail } from './fixtures';

const YEAR = 'public, max-age=31536000, immutable';

/** Collects the responses for files under /pkg from now on. */
function bundleResponses(page: import('@playwright/test').Page): Response[] {
  const seen: Response[] = [];
  page.on('response', (res) => {
    if (new URL(res.url()).pathname.startsWith('/pkg/')) seen.push(res);
  });
  return seen;
}

async function expectCachedForAYear(responses: Response[]) {
  for (const res of responses) {
    expect(res.status(), res.url()).toBe(200);
    const headers = await res.allHeaders();
    expect(headers['cache-control'], res.url()).toBe(YEAR);
    expect(headers['vary'], res.url()).toContain('accept-encoding');
  }
}

test('the bundle loads under content-hashed names that browsers keep for a year', async ({ page }) => {
  const first = bundleResponses(page);
  await open(page, '/login');

  // A public page needs the main script, wasm and stylesheet (and the small module loader),
  // none of the signed-in pages' modules.
  const names = first.map((res) => new URL(res.url()).pathname);
  for (const ext of ['css', 'js', 'wasm']) {
    const hashed = new RegExp(`^/pkg/projitt-meet\\.[A-Za-z0-9_-]{22}\\.${ext}$`);
    expect(names.filter((name) => hashed.test(name)), ext).toHaveLength(1);
  }
  expect(names.filter((name) => name.endsWith('.wasm'))).toHaveLength(1);
  await expectCachedForAYear(first);

  // The signed-in pages bring their own modules when first opened, cached the same way.
  await register(page, 'Lazy Loader', uniqueEmail('assets'));
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Welcome');
  const later = bundleResponses(page);
  await page.getByRole('link', { name: 'Meetings', exact: true }).first().click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Meetings');
  const modules = later.filter((res) => /\/pkg\/.*split.*\.wasm$/.test(new URL(res.url()).pathname));
  expect(modules.length).toBeGreaterThan(0);
  await expectCachedForAYear(later);

  // A file the build did not produce (an old hash, say) is a plain 404, never cached.
  const missing = await page.request.get('/pkg/projitt-meet.0000000000000000000000.js');
  expect(missing.status()).toBe(404);
  expect(missing.headers()['cache-control']).toBe('no-store');
});
