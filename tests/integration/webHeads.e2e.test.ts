import { describe, expect, it } from 'vitest';
import { isDocumentUpdate } from './support/hocuspocusMessages.ts';
import { storageEngine } from './support/relayHarness.ts';
import { TIMEOUT, createDocument, editorOf, newCredentials, openFromList, webAppSuite } from './support/webAppSuite.ts';

/**
 * Signed heads in the web app: a relay that stops delivering one device's
 * changes to another (here, Playwright dropping document updates on the
 * phone's WebSocket, as a withholding relay would) is shown on both screens
 * in words, and the notice goes once everything is delivered again.
 * Screens are saved to /tmp/coffre-shots/ (heads-*).
 */
describe(`web app: a withholding relay made visible, in Chromium (${storageEngine})`, () => {
  const web = webAppSuite();

  it('tells each device which changes the other has not received, and clears once they arrive', async () => {
    const credentials = newCredentials('cyd');
    const laptop = await web.newApp();
    await laptop.signUp(credentials);
    await createDocument(laptop);
    const onLaptop = editorOf(laptop);
    await onLaptop.title.fill('Ledger');
    await onLaptop.text.click();
    await laptop.page.keyboard.type('Opening balance.');
    await expect.poll(() => onLaptop.statusText(), { timeout: TIMEOUT }).toBe('Saved');

    const phone = await web.newApp();
    let withholding = false;
    await phone.page.routeWebSocket(/\/sync/, (socket) => {
      const relay = socket.connectToServer();
      relay.onMessage((message) => {
        if (withholding && typeof message !== 'string' && isDocumentUpdate(new Uint8Array(message))) return;
        socket.send(message);
      });
    });
    await phone.logIn(credentials);
    await openFromList(phone, 'Ledger');
    const onPhone = editorOf(phone);
    await expect.poll(() => onPhone.bodyText(), { timeout: TIMEOUT }).toBe('Opening balance.');

    withholding = true;
    await onLaptop.caretToEnd();
    await laptop.page.keyboard.type(' Paid the rent.');
    await expect.poll(() => onLaptop.statusText(), { timeout: TIMEOUT }).toBe('Saved');
    // Typed key by key, the sentence is several entries; both screens say how many, and whose.
    const phoneNotice = phone.page.getByText(/^Your other device has \d+ changes? this device has not received yet\.$/);
    await phoneNotice.waitFor({ timeout: TIMEOUT });
    const laptopNotice = laptop.page.getByText(/^Your other device has not received \d+ changes? you saved\.$/);
    await laptopNotice.waitFor({ timeout: TIMEOUT });
    const count = (text: string | null) => Number(/\d+/.exec(text ?? '')?.[0]);
    expect(count(await phoneNotice.textContent())).toBeGreaterThan(0);
    expect(count(await laptopNotice.textContent())).toBe(count(await phoneNotice.textContent()));
    expect(await onPhone.bodyText()).toBe('Opening balance.');
    await phone.screenshot('heads-01-changes-not-received');
    await phone.audit('heads-01-changes-not-received');
    await laptop.screenshot('heads-02-changes-not-delivered');
    await laptop.audit('heads-02-changes-not-delivered');

    // Delivered again (the phone goes offline and back, and syncs): the text arrives and both notices go.
    withholding = false;
    await phone.page.context().setOffline(true);
    await expect.poll(() => onPhone.statusText(), { timeout: TIMEOUT }).toMatch(/^Offline/);
    await phone.page.context().setOffline(false);
    await expect.poll(() => onPhone.bodyText(), { timeout: TIMEOUT }).toBe('Opening balance. Paid the rent.');
    await expect
      .poll(() => laptop.page.getByText('has not received', { exact: false }).count(), { timeout: TIMEOUT })
      .toBe(0);
    expect(await phone.page.getByText('has not received', { exact: false }).count()).toBe(0);
  }, 120_000);
});
