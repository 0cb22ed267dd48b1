import { Response } from '@playwright/test';
import { test, expect, open } from './fixtures';

test('the bundle loads under content-hashed names that browsers keep for a year', async ({ page }) => {
  const bundle: Response[] = [];
  page.on('response', (res) => {
    if (new URL(res.url()).pathname.startsWith('/pkg/')) bundle.push(res);
  });
  await open(page, '/');

  const names = bundle.map((res) => new URL(res.url()).pathname);
  expect(names).toHaveLength(3);
  for (const ext of ['css', 'js', 'wasm']) {
    const hashed = new RegExp(`^/pkg/projitt-meet\\.[A-Za-z0-9_-]{22}\\.${ext}$`);
    expect(names.filter((name) => hashed.test(name)), ext).toHaveLength(1);
  }
  for (const res of bundle) {
    expect(res.status()).toBe(200);
    const headers = await res.allHeaders();
    expect(headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(headers['vary']).toContain('accept-encoding');
  }

  // A file the build did not produce (an old hash, say) is a plain 404, never cached.
  const missing = await page.request.get('/pkg/projitt-meet.0000000000000000000000.js');
  expect(missing.status()).toBe(404);
  expect(missing.headers()['cache-control']).toBeUndefined();
});
