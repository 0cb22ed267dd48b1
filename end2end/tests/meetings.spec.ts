import { APIRequestContext, Browser, Page, Request } from '@playwright/test';
import { test, expect, expectConsoleError, open, register, uniqueEmail } from './fixtures';

/** A `datetime-local` value `days` from now at 10:00 local time. */
function localDay(days: number, hour = 10): string {
  const d = new Date();
  d.setDate(d.getDate() + days);
  d.setHours(hour, 0, 0, 0);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

async function newUserPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext();
  return context.newPage();
}

async function createMeeting(page: Page, title: string, when: string) {
  await open(page, '/meetings');
  await page.getByLabel('Title').fill(title);
  await page.getByLabel('When').fill(when);
  await page.getByLabel('Duration (minutes)').fill('45');
  await page.getByRole('button', { name: 'Create meeting' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Created' })).toBeVisible();
  // Once stored, the form is emptied for the next meeting.
  await expect(page.getByLabel('Title')).toHaveValue('');
  await expect(page.getByLabel('Duration (minutes)')).toHaveValue('30');
  await page.getByRole('status').getByRole('link', { name: title }).click();
  await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible();
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
}

test('owner and guest schedule, invite, propose, accept, record and take notes', async ({ page, browser }) => {
  const owner = page;
  const guest = await newUserPage(browser);
  const guestEmail = uniqueEmail('guest');
  const title = `Planning ${Date.now()}`;

  // 1. The owner registers, creates a meeting and invites the guest's email (no account yet).
  const ownerEmail = uniqueEmail('owner');
  await register(owner, 'Olive Owner', ownerEmail);
  await expect(owner.getByRole('heading', { name: 'Welcome, Olive Owner!' })).toBeVisible();
  await createMeeting(owner, title, localDay(3));
  // The join link is there to share: one click copies it.
  await owner.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  const joinLink = await owner.locator('.meeting-head code').textContent();
  expect(joinLink).toMatch(/^http:\/\/.+\/join\/\w+$/);
  await owner.getByRole('button', { name: 'Copy link' }).click();
  await expect(owner.getByRole('button', { name: 'Copied' })).toBeVisible();
  expect(await owner.evaluate(() => navigator.clipboard.readText())).toBe(joinLink);
  await owner.getByLabel('Email to invite').fill(guestEmail);
  await owner.getByRole('button', { name: 'Invite', exact: true }).click();
  const invitationRow = owner.locator(`li[data-email="${guestEmail}"]`);
  await expect(invitationRow).toContainText('pending');
  await expect(owner.getByLabel('Email to invite')).toHaveValue('');
  // Inviting the same address again is refused: the message stays with what was typed, and
  // the page does not reload over it.
  let reloads = 0;
  const countReloads = (req: Request) => { if (req.url().includes('/rpc/meeting_page')) reloads += 1; };
  owner.on('request', countReloads);
  expectConsoleError(owner, /status of 409/);
  await owner.getByLabel('Email to invite').fill(guestEmail);
  await owner.getByRole('button', { name: 'Invite', exact: true }).click();
  const refused = owner.getByRole('alert').filter({ hasText: 'This person is already invited to the meeting.' });
  await expect(refused).toBeVisible();
  await owner.waitForTimeout(1_000);
  await expect(refused).toBeVisible();
  await expect(owner.getByLabel('Email to invite')).toHaveValue(guestEmail);
  expect(reloads).toBe(0);
  owner.off('request', countReloads);
  // Once the address is edited, the message about it goes.
  await owner.getByLabel('Email to invite').fill('');
  await expect(refused).toBeHidden();
  // Inviting oneself is refused next to the field.
  expectConsoleError(owner, /status of 422/);
  await owner.getByLabel('Email to invite').fill(ownerEmail);
  await owner.getByRole('button', { name: 'Invite', exact: true }).click();
  await expect(owner.locator('#field-invitee_email-error')).toHaveText('cannot be yourself');
  await owner.getByLabel('Email to invite').fill('');

  // 2. The guest registers, sees the invitation and proposes another time with a comment.
  await register(guest, 'Gus Guest', guestEmail);
  await expect(guest.getByRole('heading', { name: 'Welcome, Gus Guest!' })).toBeVisible();
  await guest.getByRole('link', { name: 'Invitations', exact: true }).click();
  const card = guest.locator('.invitation-card').filter({ hasText: title });
  await expect(card).toBeVisible();
  await card.getByText('Propose another time').click();
  const proposed = localDay(5, 15);
  await card.getByLabel('Proposed time').fill(proposed);
  await card.getByLabel('Comment').fill('Thursday afternoon suits the whole team better.');
  await card.getByRole('button', { name: 'Propose time' }).click();
  await expect(card).toContainText('proposed');
  // The sent proposal's form folds away, emptied for a next one.
  await expect(card.locator('details.propose')).not.toHaveAttribute('open');
  await card.getByText('Propose another time').click();
  await expect(card.getByLabel('Comment')).toHaveValue('');
  await expect(card.getByLabel('Proposed time')).toHaveValue('');
  await card.getByText('Propose another time').click();

  // 3. The owner sees the proposal, accepts it, and the meeting moves. The guest accepts.
  await owner.reload();
  await expect(owner.locator('body[data-hydrated="true"]')).toBeAttached();
  await expect(invitationRow).toContainText('proposed');
  // The guest has an account now: the owner sees their name beside the address.
  await expect(invitationRow.locator('strong')).toHaveText('Gus Guest');
  await expect(invitationRow).toContainText('Thursday afternoon suits the whole team better.');
  await invitationRow.getByRole('button', { name: 'Accept proposal' }).click();
  await expect(invitationRow).toContainText('accepted');
  // An accepted invitee may be in the call: their invitation cannot be withdrawn.
  await expect(invitationRow.getByRole('button', { name: 'Withdraw' })).toHaveCount(0);
  // The comment went with the proposal.
  await expect(invitationRow).not.toContainText('Thursday afternoon');
  const expected = new Date(proposed);
  const shownTime = owner.locator('.meeting-head time');
  await expect(shownTime).toHaveAttribute('datetime', expected.toISOString().replace('.000Z', 'Z'));
  await expect(shownTime).toContainText(`${String(expected.getHours()).padStart(2, '0')}:00`);

  await guest.reload();
  await expect(guest.locator('body[data-hydrated="true"]')).toBeAttached();
  await expect(card).toContainText('accepted');
  // The proposal was taken: the invitation no longer speaks of it.
  await expect(card).not.toContainText('you proposed');

  // 4. Both join the call (each in a tab of their own); on the meeting page each sees the other
  //    in the participants panel without reloading. The guest leaves; the owner's panel drops them.
  const meetingPath = new URL(owner.url()).pathname;
  const callPath = await owner.getByRole('link', { name: 'Join call' }).getAttribute('href');
  expect(callPath).toBe(`${meetingPath}/call`);
  const ownerCall = await owner.context().newPage();
  await open(ownerCall, callPath!);
  const guestCall = await guest.context().newPage();
  await open(guestCall, callPath!);
  const ownerPanel = owner.getByRole('list', { name: 'Participants' });
  await expect(ownerPanel).toContainText('Gus Guest');
  await expect(ownerPanel).toContainText('Olive Owner');
  await open(guest, meetingPath);
  const guestPanel = guest.getByRole('list', { name: 'Participants' });
  await expect(guestPanel).toContainText('Olive Owner');
  await expect(guestPanel).toContainText('Gus Guest');
  await guestCall.getByRole('button', { name: 'Leave' }).click();
  await expect(ownerPanel).not.toContainText('Gus Guest', { timeout: 5_000 });
  await expect(ownerPanel).toContainText('Olive Owner');

  // 5. The owner starts the meeting, records, downloads the recording and generates notes.
  await owner.getByRole('button', { name: 'Start meeting' }).click();
  await expect(owner.locator('.meeting-head')).toContainText('started');
  // The guest's page, open all along, follows without a reload.
  await expect(guest.locator('.meeting-head')).toContainText('started');
  await owner.getByRole('button', { name: 'Start recording' }).click();
  await expect(owner.getByRole('status').filter({ hasText: 'Recording' })).toBeVisible();
  await owner.getByRole('button', { name: 'Stop recording' }).click();
  const download = owner.getByRole('link', { name: 'Download', exact: true });
  await expect(download).toBeVisible();
  const [file] = await Promise.all([owner.waitForEvent('download'), download.click()]);
  expect(file.suggestedFilename()).toMatch(/^meeting-\d+-\d+-\d{8}T\d{6}Z\.txt$/);
  const fs = await import('fs');
  const content = fs.readFileSync(await file.path(), 'utf8');
  expect(content).toContain(title);
  await owner.getByRole('button', { name: 'Generate notes' }).click();
  const note = owner.locator('article.note').first();
  await expect(note).toBeVisible();
  await expect(note.getByRole('heading', { name: 'Key points' })).toBeVisible();
  await expect(note.locator('.transcript')).toContainText(title);
  await expect(note.locator('.badge')).toHaveText(/neutral|positive|negative/);

  // 6. The guest comes back to the call, then the owner ends the meeting: both calls, still
  //    open in their tabs, stop and say why; the pages say it is over instead of offering
  //    what is not possible any more.
  const guestBack = await guest.context().newPage();
  await open(guestBack, callPath!);
  await expect(ownerPanel).toContainText('Gus Guest');
  await expect(ownerCall.getByRole('button', { name: 'Mute' })).toBeEnabled();
  owner.once('dialog', (dialog) => {
    expect(dialog.message()).toContain('End this meeting for everyone?');
    void dialog.accept();
  });
  await owner.getByRole('button', { name: 'End meeting' }).click();
  await expect(owner.locator('.meeting-head')).toContainText('ended');
  for (const call of [ownerCall, guestBack]) {
    await expect(call.getByRole('alert')).toHaveText('The meeting has ended.');
    await expect(call.getByTestId('call')).not.toContainText('Waiting for others');
    await expect(call.getByTestId('remote-tile')).toHaveCount(0);
    // Camera and microphone are off: no tiles and no media buttons are left.
    await expect(call.getByTestId('local-tile')).toHaveCount(0);
    await expect(call.getByRole('button', { name: 'Mute' })).toHaveCount(0);
  }
  const ownerHere = owner.getByRole('region', { name: 'Here now' });
  await expect(ownerHere).toContainText('The meeting has ended.');
  await expect(owner.getByRole('region', { name: 'Recordings' })).not.toContainText('Start the meeting');
  await expect(owner.getByRole('link', { name: 'Join call' })).toHaveCount(0);
  // The guest's meeting page, still open from before, follows too.
  await expect(guest.getByRole('region', { name: 'Here now' })).toContainText('The meeting has ended.');
  await expect(guest.getByRole('region', { name: 'Here now' })).not.toContainText('Join the call');
  await expect(guest.getByRole('link', { name: 'Join call' })).toHaveCount(0);

  await ownerCall.close();
  await guest.context().close();
});

test('a started meeting offers to decline a proposal, not to accept it', async ({ page, request }) => {
  const title = `Standup ${Date.now()}`;
  await register(page, 'Pia Planner', uniqueEmail('pia'));
  await expect(page.getByRole('heading', { name: 'Welcome, Pia Planner!' })).toBeVisible();
  await createMeeting(page, title, localDay(2));
  const guestEmail = uniqueEmail('quinn');
  await page.getByLabel('Email to invite').fill(guestEmail);
  await page.getByRole('button', { name: 'Invite', exact: true }).click();
  const row = page.locator(`li[data-email="${guestEmail}"]`);
  await expect(row).toContainText('pending');

  // The guest proposes another time through the API.
  const registered = await request.post('/api/auth/register', {
    data: { name: 'Quinn Guest', email: guestEmail, password: 'correct horse battery' },
  });
  expect(registered.status()).toBe(201);
  const auth = { Authorization: `Bearer ${(await registered.json()).access_token}` };
  const [invitation] = await (await request.get('/api/invitations', { headers: auth })).json();
  const proposed = await request.post(`/api/invitations/${invitation.id}/propose`, {
    headers: auth,
    data: { proposed_time: new Date(Date.now() + 5 * 86400_000).toISOString() },
  });
  expect(proposed.status()).toBe(200);

  await page.reload();
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
  await expect(row.getByRole('button', { name: 'Accept proposal' })).toBeVisible();
  await page.getByRole('button', { name: 'Start meeting' }).click();
  await expect(page.getByRole('button', { name: 'End meeting' })).toBeVisible();
  // Accepting would move a meeting that is under way: only declining is offered.
  await expect(row.getByRole('button', { name: 'Accept proposal' })).toHaveCount(0);
  await row.getByRole('button', { name: 'Decline proposal' }).click();
  await expect(row).toContainText('pending');
});

test('a second meeting is not created at the first one\'s time when "When" is left empty', async ({ page }) => {
  await register(page, 'Rae Repeat', uniqueEmail('rae'));
  await expect(page.getByRole('heading', { name: 'Welcome, Rae Repeat!' })).toBeVisible();
  await open(page, '/meetings');
  await page.getByLabel('Title').fill('First');
  await page.getByLabel('When').fill(localDay(3));
  await page.getByRole('button', { name: 'Create meeting' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Created' })).toBeVisible();
  await expect(page.getByLabel('When')).toHaveValue('');

  expectConsoleError(page, /status of 422/);
  await page.getByLabel('Title').fill('Second');
  await page.getByRole('button', { name: 'Create meeting' }).click();
  await expect(page.locator('#field-scheduled_at-error')).toHaveText('must not be empty');
  await page.reload();
  const mine = page.getByRole('region', { name: 'My meetings' });
  await expect(mine.getByRole('link', { name: 'First' })).toBeVisible();
  await expect(mine.getByRole('link', { name: 'Second' })).toHaveCount(0);
});

test('an invalid create form shows an inline message and creates nothing', async ({ page }) => {
  await register(page, 'Fay Forms', uniqueEmail('fay'));
  await expect(page.getByRole('heading', { name: 'Welcome, Fay Forms!' })).toBeVisible();
  await open(page, '/meetings');
  await expect(page.getByText('You have no meetings yet.')).toBeVisible();
  expectConsoleError(page, /status of 422/);
  await page.getByLabel('When').fill(localDay(1));
  await page.getByLabel('Duration (minutes)').fill('5000');
  await page.getByRole('button', { name: 'Create meeting' }).click();
  await expect(page.locator('#field-title-error')).toHaveText('must not be empty');
  await expect(page.locator('#field-duration_minutes-error')).toContainText('between 1 and 1440');
  await expect(page.locator('#field-scheduled_at-error')).toBeHidden();
  // A refused form keeps what was typed, to be corrected.
  await expect(page.getByLabel('Duration (minutes)')).toHaveValue('5000');
  await page.reload();
  await expect(page.getByText('You have no meetings yet.')).toBeVisible();
});

test('long unbroken words and names fit a phone screen', async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  const name = 'Bartholomew Maximilian Featherstonehaugh-Cholmondeley of Westmorland';
  await register(page, name, uniqueEmail('bart'));
  await expect(page.getByRole('heading', { name: `Welcome, ${name}!` })).toBeVisible();
  const title = `Kick-off ${'Supercalifragilisticexpialidocious'.repeat(3)} ${Date.now()}`;
  const soon = new Date(Date.now() + 86_400_000).toISOString();
  const res = await page.request.post('/api/meetings', { data: { title, scheduled_at: soon, duration_minutes: 30 } });
  expect(res.status()).toBe(201);
  const { meeting } = await res.json();
  for (const path of ['/meetings', `/meetings/${meeting.id}`, `/meetings/${meeting.id}/call`]) {
    await open(page, path);
    await expect(page.getByText(title).first()).toBeVisible();
    const widths = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    expect(widths[0], `${path} is wider than the screen`).toBeLessThanOrEqual(widths[1]);
    const user = page.getByTestId('current-user');
    await expect(user).toHaveAttribute('title', name);
    expect((await user.boundingBox())!.height, `${path}: the name takes one line`).toBeLessThan(40);
  }
  await context.close();
});

test('the home page shows the next meetings and the invitations waiting for an answer', async ({ page, browser }) => {
  await register(page, 'Hal Home', uniqueEmail('hal'));
  const next = page.getByRole('region', { name: 'Next up' });
  const waiting = page.getByRole('region', { name: 'Waiting for your answer' });
  await expect(next).toContainText('Nothing coming up.');
  await expect(waiting).toContainText('No invitations are waiting for your answer.');

  const hour = 3_600_000;
  const create = async (request: APIRequestContext, title: string, hours: number) => {
    const scheduled_at = new Date(Date.now() + hours * hour).toISOString();
    const res = await request.post('/api/meetings', { data: { title, scheduled_at, duration_minutes: 30 } });
    expect(res.status()).toBe(201);
    return (await res.json()).meeting.id as number;
  };
  // Hal owns four meetings; the one that ended and the furthest off are not shown.
  const over = await create(page.request, 'Over already', 1);
  for (const step of ['start', 'end']) expect((await page.request.post(`/api/meetings/${over}/${step}`)).status()).toBe(200);
  await create(page.request, 'Third', 30);
  await create(page.request, 'Far off', 40);
  const underway = await create(page.request, 'Under way', 20);
  expect((await page.request.post(`/api/meetings/${underway}/start`)).status()).toBe(200);

  // Someone else invites Hal twice; Hal has not answered either yet.
  const other = await newUserPage(browser);
  await register(other, 'Ola Other', uniqueEmail('ola'));
  await expect(other.getByRole('heading', { name: 'Welcome, Ola Other!' })).toBeVisible();
  const halEmail = await page.evaluate(async () => (await (await fetch('/api/auth/me')).json()).email);
  for (const [title, hours] of [['Second', 25], ['Later still', 50]] as const) {
    const id = await create(other.request, title, hours);
    expect((await other.request.post(`/api/meetings/${id}/invite`, { data: { invitee_email: halEmail } })).status()).toBe(201);
  }
  await other.context().close();

  await open(page, '/');
  const items = next.locator('.meeting-item');
  await expect(items).toHaveCount(3);
  await expect(items.nth(0)).toContainText('Under way');
  await expect(items.nth(1)).toContainText('Second');
  await expect(items.nth(1)).toContainText('pending');
  await expect(items.nth(2)).toContainText('Third');
  // The one under way can be joined from here.
  await expect(items.nth(0).getByRole('link', { name: 'Join call' })).toHaveAttribute('href', `/meetings/${underway}/call`);
  await expect(items.nth(1).getByRole('link', { name: 'Join call' })).toHaveCount(0);
  await expect(waiting).toContainText('2 invitations are waiting for your answer.');
  await waiting.getByRole('link', { name: 'Go to your invitations' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Invitations' })).toBeVisible();
});

test('invitations to meetings that are over are tucked away below the others', async ({ page, browser }) => {
  await register(page, 'Ike Invitee', uniqueEmail('ike'));
  await expect(page.getByRole('heading', { name: 'Welcome, Ike Invitee!' })).toBeVisible();
  const ikeEmail = await page.evaluate(async () => (await (await fetch('/api/auth/me')).json()).email);
  const owner = await newUserPage(browser);
  await register(owner, 'Oda Owner', uniqueEmail('oda'));
  await expect(owner.getByRole('heading', { name: 'Welcome, Oda Owner!' })).toBeVisible();
  const ids: number[] = [];
  for (const title of ['Called off', 'Still on']) {
    const scheduled_at = new Date(Date.now() + 86_400_000).toISOString();
    const res = await owner.request.post('/api/meetings', { data: { title, scheduled_at, duration_minutes: 30 } });
    expect(res.status()).toBe(201);
    const id = (await res.json()).meeting.id as number;
    expect((await owner.request.post(`/api/meetings/${id}/invite`, { data: { invitee_email: ikeEmail } })).status()).toBe(201);
    ids.push(id);
  }
  expect((await owner.request.post(`/api/meetings/${ids[0]}/cancel`)).status()).toBe(200);
  await owner.context().close();

  await open(page, '/invitations');
  const still = page.locator('.invitation-card').filter({ hasText: 'Still on' });
  const off = page.locator('.invitation-card').filter({ hasText: 'Called off' });
  await expect(still).toBeVisible();
  await expect(still.getByRole('button', { name: 'Accept' })).toBeVisible();
  await expect(off).toBeHidden();
  await page.getByText('Past meetings (1)').click();
  await expect(off).toBeVisible();
  await expect(off).toContainText('The meeting was cancelled.');
});

test('the owner withdraws an invitation sent to the wrong address, after saying yes', async ({ page }) => {
  await register(page, 'Wyn Withdraw', uniqueEmail('wyn'));
  await expect(page.getByRole('heading', { name: 'Welcome, Wyn Withdraw!' })).toBeVisible();
  await createMeeting(page, `Typo ${Date.now()}`, localDay(2));
  const wrong = uniqueEmail('typo');
  await page.getByLabel('Email to invite').fill(wrong);
  await page.getByRole('button', { name: 'Invite', exact: true }).click();
  const row = page.locator(`li[data-email="${wrong}"]`);
  await expect(row).toContainText('pending');
  // Asked first; saying no keeps it.
  page.once('dialog', (dialog) => void dialog.dismiss());
  await row.getByRole('button', { name: 'Withdraw' }).click();
  await expect(row).toBeVisible();
  page.once('dialog', (dialog) => {
    expect(dialog.message()).toContain(`Withdraw the invitation to ${wrong}?`);
    void dialog.accept();
  });
  await row.getByRole('button', { name: 'Withdraw' }).click();
  await expect(row).toHaveCount(0);
  await expect(page.getByRole('region', { name: 'Invitations' })).toContainText('No one is invited yet.');
  await page.reload();
  await expect(page.locator(`li[data-email="${wrong}"]`)).toHaveCount(0);
});

test('a stranger who opens a meeting URL sees a not-found page', async ({ page, browser }) => {
  await register(page, 'Sam Owner', uniqueEmail('sam'));
  await expect(page.getByRole('heading', { name: 'Welcome, Sam Owner!' })).toBeVisible();
  await createMeeting(page, `Private ${Date.now()}`, localDay(2));
  const url = page.url();

  const stranger = await newUserPage(browser);
  await register(stranger, 'Stan Stranger', uniqueEmail('stan'));
  await expect(stranger.getByRole('heading', { name: 'Welcome, Stan Stranger!' })).toBeVisible();
  const response = await stranger.goto(url);
  expect(response?.status()).toBe(404);
  await expect(stranger.getByRole('heading', { name: 'Not found' })).toBeVisible();
  await stranger.context().close();
});

test('the meetings list pages through more meetings than fit on a page', async ({ page }) => {
  await register(page, 'Pia Pager', uniqueEmail('pia'));
  await expect(page.getByRole('heading', { name: 'Welcome, Pia Pager!' })).toBeVisible();
  const day = 86_400_000;
  const create = async (n: number) => {
    const title = `Paged ${String(n).padStart(2, '0')}`;
    const scheduled_at = new Date(Date.now() + n * day).toISOString();
    const res = await page.request.post('/api/meetings', { data: { title, scheduled_at, duration_minutes: 30 } });
    expect(res.status()).toBe(201);
    return (await res.json()).meeting.id as number;
  };
  const first = await create(1);
  for (let n = 2; n <= 10; n++) await create(n);
  await open(page, '/meetings');
  const mine = page.getByRole('region', { name: 'My meetings' });
  const previous = mine.getByRole('button', { name: 'Previous', exact: true });
  const next = mine.getByRole('button', { name: 'Next', exact: true });
  // One page full: no pager.
  await expect(mine.getByRole('link', { name: 'Paged 10' })).toBeVisible();
  await expect(mine.getByRole('navigation')).toHaveCount(0);

  for (let n = 11; n <= 12; n++) await create(n);
  await open(page, '/meetings');
  await expect(mine).toContainText('Page 1 of 2 · 12 in all');
  await expect(mine.getByRole('link', { name: 'Paged 10' })).toBeVisible();
  await expect(mine.getByRole('link', { name: 'Paged 11' })).toHaveCount(0);
  await expect(previous).toBeDisabled();
  await expect(next).toBeEnabled();

  await next.click();
  await expect(mine).toContainText('Page 2 of 2 · 12 in all');
  await expect(mine.getByRole('link', { name: 'Paged 11' })).toBeVisible();
  await expect(mine.getByRole('link', { name: 'Paged 12' })).toBeVisible();
  await expect(mine.getByRole('link', { name: 'Paged 01' })).toHaveCount(0);
  await expect(next).toBeDisabled();

  await previous.click();
  await expect(mine).toContainText('Page 1 of 2 · 12 in all');
  await expect(mine.getByRole('link', { name: 'Paged 01' })).toBeVisible();

  // Once over, the soonest meeting makes way for those still to come: it moves to the end.
  for (const step of ['start', 'end']) {
    expect((await page.request.post(`/api/meetings/${first}/${step}`)).status()).toBe(200);
  }
  await open(page, '/meetings');
  await expect(mine.getByRole('link', { name: 'Paged 11' })).toBeVisible();
  await expect(mine.getByRole('link', { name: 'Paged 01' })).toHaveCount(0);
  await next.click();
  await expect(mine.locator('.meeting-item').last()).toContainText('Paged 01');
  await expect(mine.locator('.meeting-item').last()).toContainText('ended');
});

test('cancelling a meeting stops the calls in it', async ({ page, browser }) => {
  const owner = page;
  await register(owner, 'Cora Canceller', uniqueEmail('cora'));
  await expect(owner.getByRole('heading', { name: 'Welcome, Cora Canceller!' })).toBeVisible();
  const guest = await newUserPage(browser);
  await register(guest, 'Gil Guest', uniqueEmail('gil'));
  await expect(guest.getByRole('heading', { name: 'Welcome, Gil Guest!' })).toBeVisible();
  const me = await (await guest.request.get('/api/auth/me')).json();
  const scheduled_at = new Date(Date.now() + 86_400_000).toISOString();
  const created = await owner.request.post('/api/meetings', { data: { title: 'Soon cancelled', scheduled_at, duration_minutes: 30 } });
  expect(created.status()).toBe(201);
  const { meeting } = await created.json();
  const invited = await owner.request.post(`/api/meetings/${meeting.id}/invite`, { data: { invitee_user_id: me.id } });
  expect(invited.status()).toBe(201);
  const accepted = await guest.request.post(`/api/invitations/${(await invited.json()).id}/accept`);
  expect(accepted.status()).toBe(200);

  // Both are in the call of the still scheduled meeting and see each other.
  const ownerCall = await owner.context().newPage();
  await open(ownerCall, `/meetings/${meeting.id}/call`);
  await open(guest, `/meetings/${meeting.id}/call`);
  for (const call of [ownerCall, guest]) {
    await expect(call.getByTestId('remote-tile')).toHaveCount(1);
  }

  await open(owner, `/meetings/${meeting.id}`);
  await expect(owner.locator('.meeting-head')).toContainText('Join link');
  // Asked first; saying no changes nothing.
  owner.once('dialog', (dialog) => void dialog.dismiss());
  await owner.getByRole('button', { name: 'Cancel meeting' }).click();
  await expect(owner.locator('.meeting-head')).toContainText('scheduled');
  owner.once('dialog', (dialog) => {
    expect(dialog.message()).toContain('Cancel this meeting?');
    void dialog.accept();
  });
  await owner.getByRole('button', { name: 'Cancel meeting' }).click();
  await expect(owner.locator('.meeting-head')).toContainText('cancelled');
  for (const call of [ownerCall, guest]) {
    await expect(call.getByRole('alert')).toHaveText('The meeting was cancelled.');
    await expect(call.getByTestId('remote-tile')).toHaveCount(0);
  }
  await expect(owner.getByRole('region', { name: 'Here now' })).toContainText('The meeting was cancelled.');
  await expect(owner.locator('.meeting-head')).not.toContainText('Join link');
  // What is left to do in the stopped call is going back to the meeting. The server has let
  // everyone go already: the page does not ask to leave again.
  const leaves: string[] = [];
  guest.on('request', (req) => { if (req.url().includes('/presence/leave')) leaves.push(req.url()); });
  await guest.getByRole('button', { name: 'Back to the meeting' }).click();
  await expect(guest.getByRole('heading', { level: 1, name: 'Soon cancelled' })).toBeVisible();
  expect(leaves, 'no leave after the meeting let everyone go').toEqual([]);
  await expect(guest.getByRole('region', { name: 'Here now' })).toContainText('The meeting was cancelled.');
  await ownerCall.close();
  await guest.context().close();
});
