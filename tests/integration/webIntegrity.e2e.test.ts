import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { documentId as toDocumentId, tenantId as toTenantId } from '@coffre/protocol';
import { AccountClient, Workspace, YjsEngine } from '@coffre/client';
import { MemoryStore } from './support/accountApi.ts';
import { forgedUpdate, hocuspocusUpdateMessage } from './support/forgedEntries.ts';
import { isDocumentUpdate } from './support/hocuspocusMessages.ts';
import { storageEngine } from './support/relayHarness.ts';
import {
  PASSWORD,
  TIMEOUT,
  createDocument,
  editorOf,
  newCredentials,
  openFromList,
  webAppSuite,
  writeDocument,
} from './support/webAppSuite.ts';

/** Cheap Argon2id for the accounts made from Node; the browser's use the app's real parameters. */
const FAST = { opsLimit: 1, memLimit: 8 * 1024 * 1024 };

/**
 * Roles checked in the browser: a compromised relay (here, Playwright adding
 * a message to the page's WebSocket) slips in a change signed by a viewer's
 * real, certified device. The page leaves it out of the document and says
 * so in words. Screens are saved to /tmp/coffre-shots/ (integrity-*).
 */
describe(`web app: a viewer's change slipped in by the relay is left out, in Chromium (${storageEngine})`, () => {
  const web = webAppSuite();

  it('shows only what verifies and names who signed what was left out', async () => {
    const owner = newCredentials('olga');
    const laptop = await web.newApp();
    await laptop.signUp(owner);
    const id = toDocumentId(await createDocument(laptop));
    await writeDocument(laptop, 'Budget', 'Travel: 100.');

    // A viewer, from Node: registered in the same organisation, given the document to read.
    const viewer = newCredentials('vic');
    const victor = new AccountClient({
      baseUrl: web.harness.httpUrl,
      kdfParameters: FAST,
      minimumKdfParameters: FAST,
    });
    await victor.register(web.tenant, viewer.email, PASSWORD, 'laptop');
    const olga = new AccountClient({ baseUrl: web.harness.httpUrl });
    await olga.login(web.tenant, owner.email, owner.password, { deviceName: 'script' });
    const olgaWorkspace = await Workspace.open({ account: olga, store: new MemoryStore() });
    await olgaWorkspace.share(id, viewer.email, 'viewer');
    const victorWorkspace = await Workspace.open({ account: victor, store: new MemoryStore() });
    const victorCopy = await victorWorkspace.openDocument(id, new YjsEngine());
    const access = await victorWorkspace.documentAccess(id);
    const session = victor.session;
    if (!session) throw new Error('signed out');
    const address = { tenantId: toTenantId(web.tenant), documentId: id };
    const forged = forgedUpdate(
      address,
      access,
      { id: session.deviceId, signingKeyPair: session.device.signing },
      Y.encodeStateAsUpdate(victorCopy.envelope.envelope),
      ' Bonus for Vic: 5000.',
    );
    victorCopy.destroy();

    // Olga opens the document on another browser; the relay adds Victor's change to what it sends.
    const desk = await web.newApp();
    let injected = false;
    await desk.page.routeWebSocket(/\/sync/, (socket) => {
      const relay = socket.connectToServer();
      relay.onMessage((message) => {
        socket.send(message);
        if (!injected && typeof message !== 'string' && isDocumentUpdate(new Uint8Array(message))) {
          injected = true;
          socket.send(Buffer.from(hocuspocusUpdateMessage(`${web.tenant}/${id}`, forged)));
        }
      });
    });
    await desk.logIn(owner);
    await openFromList(desk, 'Budget');
    const editor = editorOf(desk);
    await expect.poll(() => editor.bodyText(), { timeout: TIMEOUT }).toBe('Travel: 100.');
    const notice = desk.page.getByText(
      `1 change signed by ${viewer.email}, who could not edit this document then, was left out.`,
    );
    await notice.waitFor({ timeout: TIMEOUT });
    expect(injected).toBe(true);
    expect(await editor.bodyText()).not.toContain('Bonus');
    await desk.screenshot('integrity-01-viewer-change-left-out');
    await desk.audit('integrity-01-viewer-change-left-out');

    // The desk's browser keeps the envelope it was sent and syncs it on, so the relay now stores Victor's entry
    // (it takes another device's entry whose signature verifies: see the closing note). The laptop refuses it
    // too: what a member cannot write never reaches anyone's document.
    await laptop.page
      .getByText(`1 change signed by ${viewer.email}, who could not edit this document then, was left out.`)
      .waitFor({ timeout: TIMEOUT });
    expect(await editorOf(laptop).bodyText()).toBe('Travel: 100.');
    await laptop.screenshot('integrity-02-laundered-change-left-out');
    for (const account of [olga, victor]) account.close();
  }, 120_000);
});
