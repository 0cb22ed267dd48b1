import { spawn } from 'node:child_process';
import { request as apiRequest } from '@playwright/test';
import type { APIRequestContext, Page } from '@playwright/test';
import { test, expect, open, register, uniqueEmail } from './fixtures';

/**
 * A participant that is not a browser (end2end/peer/peer.py: aiortc, written from
 * docs/SIGNALING.md and docs/API.md only) in a call with Chromium, both ways round of who
 * offers: the lower user id offers, so who signs up first decides.
 */

type Account = { id: number; token: string };

async function signUpByApi(api: APIRequestContext, name: string): Promise<Account> {
  const res = await api.post('/api/auth/register', {
    data: { name, email: uniqueEmail(name.split(' ')[0].toLowerCase()), password: 'correct horse battery' },
  });
  expect(res.status()).toBe(201);
  const body = await res.json();
  return { id: body.user.id, token: body.access_token };
}

async function signUpInPage(page: Page, name: string): Promise<number> {
  await register(page, name, uniqueEmail(name.split(' ')[0].toLowerCase()));
  await expect(page.getByRole('heading', { name: `Welcome, ${name}!` })).toBeVisible();
  return (await (await page.request.get('/api/auth/me')).json()).id;
}

/** Runs the peer until it has decoded `frames` frames from the browser; its exit and output. */
function runPeer(baseURL: string, peer: Account, meetingId: number) {
  const child = spawn('../.tools/venv/bin/python', [
    'peer/peer.py', '--base', baseURL, '--token', peer.token, '--meeting', String(meetingId),
    '--frames', '30', '--seconds', '40',
  ]);
  const lines: string[] = [];
  child.stdout.on('data', (chunk) => lines.push(...String(chunk).split('\n').filter(Boolean)));
  child.stderr.on('data', (chunk) => lines.push(`stderr: ${chunk}`));
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { exit, lines };
}

for (const offerer of ['the browser', 'the non-browser peer'] as const) {
  test(`a non-browser peer and Chromium see each other, ${offerer} offering`, async ({ page, baseURL }) => {
    const api = await apiRequest.newContext({ baseURL });
    let peer: Account;
    let browserId: number;
    if (offerer === 'the browser') {
      browserId = await signUpInPage(page, 'Bianca Browser');
      peer = await signUpByApi(api, 'Pyotr Peer');
    } else {
      peer = await signUpByApi(api, 'Pyotr Peer');
      browserId = await signUpInPage(page, 'Bianca Browser');
    }
    expect(browserId < peer.id).toBe(offerer === 'the browser');

    const created = await page.request.post('/api/meetings', {
      data: { title: 'Mixed call', scheduled_at: new Date(Date.now() + 3_600_000).toISOString(), duration_minutes: 30 },
    });
    const { meeting } = await created.json();
    const invited = await page.request.post(`/api/meetings/${meeting.id}/invite`, { data: { invitee_user_id: peer.id } });
    expect(invited.status()).toBe(201);
    const accepted = await api.post(`/api/invitations/${(await invited.json()).id}/accept`, {
      headers: { Authorization: `Bearer ${peer.token}` },
    });
    expect(accepted.status()).toBe(200);

    const run = runPeer(baseURL!, peer, meeting.id);
    await open(page, `/meetings/${meeting.id}/call`);
    // The browser decodes the peer's video…
    const tile = page.locator(`[data-testid="remote-tile"][data-user-id="${peer.id}"]`);
    await expect(tile).toHaveAttribute('data-connection-state', 'connected', { timeout: 30_000 });
    await expect.poll(async () => Number(await tile.getAttribute('data-frames-decoded') ?? '0'), {
      timeout: 20_000,
    }).toBeGreaterThan(10);
    // …and the peer decodes the browser's, then says goodbye and leaves.
    const code = await run.exit;
    expect(code, run.lines.join('\n')).toBe(0);
    await expect(tile).toHaveCount(0, { timeout: 10_000 });
    await api.dispose();
  });
}
