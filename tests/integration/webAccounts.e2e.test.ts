import { readFile } from 'node:fs/promises';
import { Secret, TOTP } from 'otpauth';
import { describe, expect, it } from 'vitest';
import { AccountClient, AccountError } from '@coffre/client';
import { ERROR_MESSAGES, type TenantId } from '@coffre/protocol';
import { ensureTenant, WEB_CONTENT_SECURITY_POLICY } from '@coffre/sync-server';
import { randomId, storageEngine } from './support/relayHarness.ts';
import { WebAppPage } from './support/WebAppPage.ts';
import { PASSWORD, newCredentials, webAppSuite } from './support/webAppSuite.ts';

/** The TOTP code of `secret` for the time step `stepsAhead` steps from now. */
function totpCode(secret: string, stepsAhead = 0): string {
  return new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 }).generate({
    timestamp: Date.now() + stepsAhead * 30_000,
  });
}

/**
 * The web app, built with Vite and served by a real relay (PGlite or
 * PostgreSQL, port 0), driven in headless Chromium the way a person uses it.
 * Every screen visited is saved to /tmp/coffre-shots/.
 */
describe(`web app accounts in Chromium (${storageEngine})`, () => {
  const web = webAppSuite({
    viewport: { width: 1280, height: 840 },
    colorScheme: 'light',
    allowWebSocketErrors: false,
  });

  it('serves the app at / under a strict Content-Security-Policy, with the status page at /status', async () => {
    const app = await web.newApp();
    const response = await app.page.goto(`${web.harness.httpUrl}/`);
    expect(response?.headers()['content-security-policy']).toBe(WEB_CONTENT_SECURITY_POLICY);
    expect(response?.headers()['referrer-policy']).toBe('no-referrer');
    await app.waitForHeading('Log in to Coffre');
    await app.screenshot('01-log-in');
    await app.audit('01-log-in');
    const status = await fetch(`${web.harness.httpUrl}/status`);
    expect(await status.text()).toContain('Coffre relay');
    const config = (await (await fetch(`${web.harness.httpUrl}/v1/config`)).json()) as { defaultTenant: string };
    expect(config.defaultTenant).toBe(web.tenant);
  });

  it('signs up into the default organisation, logs out and logs back in', async () => {
    const app = await web.newApp();
    const credentials = newCredentials('alice');
    await app.open('/signup');
    await app.fillSignUp(credentials);
    await expect.poll(() => app.page.getByLabel('Organisation').inputValue()).toBe(web.tenant);
    await expect.poll(() => app.page.getByText('Good.', { exact: true }).count()).toBe(1);
    await app.screenshot('02-sign-up');
    await app.audit('02-sign-up');
    // Hold the relay's answer back a moment so the progress of the key derivation can be seen.
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    await app.page.route('**/users', async (route) => {
      await held;
      await route.continue();
    });
    await app.page.getByRole('button', { name: 'Create account' }).click();
    await app.page.getByRole('status').filter({ hasText: 'Deriving your keys' }).waitFor();
    await app.screenshot('02b-sign-up-deriving-keys');
    release();
    await app.waitForHeading('Documents');
    await app.page.unroute('**/users');
    await expect.poll(() => app.page.getByRole('heading', { name: 'No documents here yet' }).count()).toBe(1);
    await app.screenshot('03-documents-empty');
    await app.audit('03-documents-empty');

    await app.logOut();
    await app.logIn(credentials);
    expect(await app.page.getByText(credentials.email).count()).toBe(1);
  });

  it('shows a wrong password as the plain-words error and stays on the form', async () => {
    const app = await web.newApp();
    const credentials = newCredentials('bob');
    await app.signUp(credentials);
    await app.logOut();
    await app.fillLogIn({ ...credentials, password: 'not my password at all' });
    await app.submitLogIn();
    await expect.poll(() => app.alert().textContent(), { timeout: 30_000 }).toBe(ERROR_MESSAGES.INVALID_CREDENTIALS);
    await app.screenshot('04-log-in-wrong-password');
    await app.audit('04-log-in-wrong-password');
    expect(await app.heading('Log in to Coffre').count()).toBe(1);
  });

  it('after a reload keeps the session sealed until the password unlocks it, even offline', async () => {
    const app = await web.newApp();
    const credentials = newCredentials('carol');
    await app.open('/signup');
    await app.fillSignUp(credentials);
    const registered = app.page.waitForResponse(
      (response) => response.url().endsWith('/users') && response.request().method() === 'POST',
    );
    await app.page.getByRole('button', { name: 'Create account' }).click();
    const tokens = (await (await registered).json()) as { accessToken: string; refreshToken: string };
    await app.waitForHeading('Documents');

    const stored = await app.dumpStorage();
    expect(stored.databases).toContain('coffre-web');
    expect(stored.text).toContain('coffre-web-session/1');
    for (const secret of [tokens.accessToken, tokens.refreshToken, PASSWORD]) expect(stored.text).not.toContain(secret);
    expect(stored.text).not.toContain('SecretKey');

    await app.page.reload();
    await app.waitForHeading('Unlock Coffre');
    expect(await app.page.getByText(credentials.email).count()).toBe(1);
    await app.screenshot('05-unlock');
    await app.audit('05-unlock');

    await app.page.context().setOffline(true);
    await app.page.getByLabel('Password', { exact: true }).fill('a wrong password');
    await app.page.getByRole('button', { name: 'Unlock' }).click();
    await expect.poll(() => app.alert().textContent(), { timeout: 30_000 }).toContain('does not unlock this device');
    await app.screenshot('06-unlock-wrong-password');
    await app.audit('06-unlock-wrong-password');
    await app.page.getByLabel('Password', { exact: true }).fill(credentials.password);
    await app.page.getByRole('button', { name: 'Unlock' }).click();
    await app.waitForHeading('Documents');
    await app.page.context().setOffline(false);
  });

  it('keeps a remembered session signed in across a reload, and forgets it once turned off', async () => {
    const app = await web.newApp();
    await app.signUp(newCredentials('dora'), { remember: true });
    await app.page.reload();
    await app.waitForHeading('Documents');
    const stored = await app.dumpStorage();
    expect(stored.text).toContain('[CryptoKey extractable=false]');

    await app.goTo('Security');
    await app.page.getByLabel('Keep me signed in on this device').uncheck();
    await expect.poll(async () => (await app.dumpStorage()).text.includes('CryptoKey')).toBe(false);
    await app.page.reload();
    await app.waitForHeading('Unlock Coffre');
  });

  it('turns on two-factor authentication, shows the recovery codes once, asks for a code at login, and turns it off with a recovery code', async () => {
    const app = await web.newApp();
    const credentials = newCredentials('erin');
    await app.signUp(credentials);
    await app.goTo('Security');
    await app.screenshot('07-security');
    await app.audit('07-security');
    await app.page.getByRole('button', { name: 'Set up two-factor authentication' }).click();
    await app.page.getByText('Can’t scan it? Enter the key by hand').click();
    const secret = ((await app.page.locator('code.secret').textContent()) ?? '').replace(/\s+/g, '');
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(await app.page.getByRole('img', { name: /QR code/ }).count()).toBe(1);
    await app.screenshot('08-two-factor-setup');
    await app.audit('08-two-factor-setup');

    await app.page.getByLabel('Enter the 6-digit code the app shows').fill(totpCode(secret));
    await app.page.getByRole('button', { name: 'Turn on' }).click();
    const codes = app.page.getByRole('list', { name: 'Recovery codes' }).locator('code');
    await expect.poll(() => codes.count()).toBe(10);
    await app.screenshot('09-recovery-codes');
    await app.audit('09-recovery-codes');
    const recoveryCodes = await codes.allTextContents();
    const [download] = await Promise.all([
      app.page.waitForEvent('download'),
      app.page.getByRole('button', { name: 'Download as a text file' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('coffre-recovery-codes.txt');
    const saved = await readFile(await download.path(), 'utf8');
    for (const code of recoveryCodes) expect(saved).toContain(code);
    await app.page.getByLabel('I have saved my recovery codes').check();
    await app.page.getByRole('button', { name: 'Done' }).click();
    await expect.poll(() => app.page.getByText('Two-factor authentication is on for your account.').count()).toBe(1);
    expect(await codes.count()).toBe(0);

    await app.logOut();
    await app.fillLogIn(credentials);
    await app.submitLogIn();
    await app.waitForHeading('Two-step verification');
    await app.screenshot('10-log-in-second-factor');
    await app.audit('10-log-in-second-factor');
    // The code that turned it on was spent; the next step's code is accepted (one step of clock drift).
    await app.page.getByLabel('Authentication code').fill(totpCode(secret, 1));
    await app.page.getByRole('button', { name: 'Verify and log in' }).click();
    await app.waitForHeading('Documents');

    await app.goTo('Security');
    await app.page.getByRole('button', { name: 'Turn off two-factor authentication' }).click();
    await app.page.getByLabel('Code from your app, or a recovery code').fill(recoveryCodes[0] ?? '');
    await app.screenshot('10b-two-factor-turn-off');
    await app.audit('10b-two-factor-turn-off');
    await app.page.getByRole('button', { name: 'Turn off', exact: true }).click();
    await expect
      .poll(() => app.page.getByText('Anyone with your password can log in on a new device.').count())
      .toBe(1);
    await app.logOut();
    await app.logIn(credentials);
  });

  it('lists this device as such and revokes another one, which is signed out at once', async () => {
    const app = await web.newApp();
    const credentials = newCredentials('frank');
    await app.signUp(credentials);
    const laptop = new AccountClient({ baseUrl: web.harness.httpUrl });
    await laptop.login(web.tenant, credentials.email, credentials.password, { deviceName: 'Old laptop' });

    await app.goTo('Devices');
    const rows = app.page.getByRole('list', { name: 'Your devices' }).getByRole('listitem');
    await expect.poll(() => rows.count()).toBe(2);
    const current = rows.filter({ hasText: 'This device' });
    expect(await current.count()).toBe(1);
    expect(await current.getByRole('button').count()).toBe(0);
    await app.screenshot('11-devices');
    await app.audit('11-devices');

    await app.page.getByRole('button', { name: 'Revoke Old laptop' }).click();
    await app.screenshot('12-devices-confirm-revoke');
    await app.audit('12-devices-confirm-revoke');
    await app.page.getByRole('button', { name: 'Revoke', exact: true }).click();
    await expect.poll(() => rows.filter({ hasText: 'Revoked' }).count()).toBe(1);
    await app.screenshot('13-devices-revoked');
    await app.audit('13-devices-revoked');

    const refused = await laptop.refresh().then(
      () => null,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(AccountError);
    expect((refused as AccountError).status).toBe(401);
    laptop.close();
  });

  it('signs this browser out, and says why, once another device revokes it', async () => {
    const app = await web.newApp();
    const credentials = newCredentials('kim');
    await app.signUp(credentials);
    const phone = new AccountClient({ baseUrl: web.harness.httpUrl });
    await phone.login(web.tenant, credentials.email, credentials.password, { deviceName: 'Phone' });
    const browserDevice = (await phone.listDevices()).find((device) => !device.current);
    if (!browserDevice) throw new Error('the browser is not among the devices');
    await phone.revokeDevice(browserDevice.id);
    phone.close();

    await app.page.getByRole('link', { name: 'Devices' }).click();
    await app.waitForHeading('Log in to Coffre');
    await expect.poll(() => app.page.getByRole('status').first().textContent()).toBe(ERROR_MESSAGES.DEVICE_REVOKED);
    expect(await app.page.getByLabel('Email').inputValue()).toBe(credentials.email);
    await app.screenshot('14b-signed-out-revoked');
    await app.audit('14b-signed-out-revoked');
    expect((await app.dumpStorage()).text).not.toContain('coffre-web-session/1');
  });

  it('shares one sign-in between the tabs of a browser, and a log out in one signs out the others', async () => {
    const first = await web.newApp();
    const credentials = newCredentials('lea');
    await first.open('/login');
    await first.waitForHeading('Log in to Coffre');
    const second = new WebAppPage(await first.page.context().newPage(), web.harness.httpUrl);
    web.watch(second.page);
    await second.open('/');
    await second.waitForHeading('Log in to Coffre');

    await first.signUp(credentials);
    await second.waitForHeading('Unlock Coffre');
    await second.page.getByLabel('Password', { exact: true }).fill(credentials.password);
    await second.page.getByRole('button', { name: 'Unlock' }).click();
    await second.waitForHeading('Documents');

    await first.logOut();
    await second.waitForHeading('Log in to Coffre');
    await expect
      .poll(() => second.page.getByRole('status').first().textContent())
      .toBe('You were signed out in another tab.');
  });

  it('shows the members of the organisation to an admin only', async () => {
    const admin = await web.newApp();
    const adminCredentials = newCredentials('gina');
    // A fresh organisation, so its first member is the admin.
    const organisation = randomId('team') as TenantId;
    await ensureTenant(web.harness.relay.database, organisation, 'Members test');
    await admin.open('/signup');
    await admin.waitForHeading('Create your account');
    await admin.page.getByLabel('Organisation').fill(organisation);
    await admin.fillSignUp(adminCredentials);
    await admin.page.getByRole('button', { name: 'Create account' }).click();
    await admin.waitForHeading('Documents');
    const member = new AccountClient({ baseUrl: web.harness.httpUrl });
    await member.register(organisation, 'hugo@example.test', PASSWORD, 'Hugo’s phone');
    member.close();

    await admin.goTo('Members');
    const table = admin.page.getByRole('table');
    await expect.poll(() => table.getByRole('row').count()).toBe(3);
    expect(await table.getByText('hugo@example.test').count()).toBe(1);
    await admin.screenshot('14-members');
    await admin.audit('14-members');

    const memberApp = await web.newApp();
    await memberApp.open('/login');
    await memberApp.fillLogIn({ email: 'hugo@example.test', password: PASSWORD });
    await memberApp.page.getByLabel('Organisation').fill(organisation);
    await memberApp.submitLogIn();
    await memberApp.waitForHeading('Documents');
    expect(await memberApp.page.getByRole('link', { name: 'Members' }).count()).toBe(0);
    await memberApp.open('/admin/members');
    await memberApp.waitForHeading('Members');
    expect(await memberApp.page.getByText('Only administrators of the organisation see its members.').count()).toBe(1);
  });

  it('signs up with the keyboard alone (Tab and Enter)', async () => {
    const app = await web.newApp();
    const credentials = newCredentials('ines');
    await app.open('/signup');
    await app.waitForHeading('Create your account');
    const keyboard = app.page.keyboard;
    // The email field has the focus on arrival.
    await keyboard.type(credentials.email);
    await keyboard.press('Tab');
    await keyboard.type(credentials.password);
    await keyboard.press('Tab');
    await keyboard.press('Tab'); // the device name keeps its suggestion
    await keyboard.press('Space'); // keep me signed in: off again below, just proving it is reachable
    await keyboard.press('Space');
    await app.screenshot('15-sign-up-keyboard-focus');
    await app.audit('15-sign-up-keyboard-focus');
    await keyboard.press('Tab');
    await keyboard.press('Enter');
    await app.waitForHeading('Documents');
    await app.screenshot('16-documents-after-keyboard-sign-up');
    await app.audit('16-documents-after-keyboard-sign-up');

    // The sidebar is reachable and usable by keyboard too.
    await app.page.getByRole('link', { name: 'Devices' }).focus();
    await keyboard.press('Enter');
    await app.waitForHeading('Devices');
  });

  it('works in dark mode and on a phone-sized screen', async () => {
    const app = await web.newApp({ colorScheme: 'dark', viewport: { width: 390, height: 844 } });
    await app.open('/signup');
    await app.waitForHeading('Create your account');
    await app.screenshot('18-dark-phone-sign-up');
    await app.audit('18-dark-phone-sign-up');
    await app.signUp(newCredentials('jules'));
    await app.screenshot('19-dark-phone-documents');
    await app.audit('19-dark-phone-documents');
    await app.goTo('Security');
    await app.screenshot('20-dark-phone-security');
    await app.audit('20-dark-phone-security');
  });

  it('opens the share-link route without signing in and says when a link is cut short', async () => {
    const app = await web.newApp();
    await app.open(`/link/${web.tenant}/some-secret`);
    await app.waitForHeading('This link is not complete');
    await app.screenshot('17-share-link');
    await app.audit('17-share-link');
  });
});
