/**
 * Browser entry: opens a LocalDocument (real IndexedDB, Web Locks,
 * BroadcastChannel, localStorage, pagehide) and lets the Node test drive it
 * through `window.coffreTab`. Run by tests/integration/localFirst.chromium.test.ts.
 */
import { fromBase64Url, ready } from '@coffre/crypto';
import { DeviceDirectory, DocumentKeyring, LocalDocument, YjsEngine } from '@coffre/client';
import { deviceId, documentId, tenantId } from '@coffre/protocol';
import { containsBytes, dumpIndexedDb } from '@coffre/storage';

/** What the Node test hands a tab (keys as base64url). */
export interface TabConfig {
  tenant: string;
  document: string;
  device: string;
  signingPublicKey: string;
  signingSecretKey: string;
  /** Other devices allowed to write the document. */
  trusted: { id: string; publicKey: string }[];
  documentKey: string;
  url: string;
  token: string;
  batchWindowMs?: number;
}

export interface CoffreTab {
  open(config: TabConfig): Promise<void>;
  type(text: string): void;
  text(): string;
  role(): string;
  status(): { state: string; unsaved: number };
  whenSaved(): Promise<void>;
  /** Names of the IndexedDB databases/stores whose keys or values contain any of the strings or byte strings. */
  leaks(needles: string[]): Promise<string[]>;
}

let document: LocalDocument<YjsEngine> | null = null;
const current = (): LocalDocument<YjsEngine> => {
  if (!document) throw new Error('no document is open in this tab');
  return document;
};

const tab: CoffreTab = {
  async open(config) {
    await ready();
    const devices = new DeviceDirectory();
    for (const trusted of config.trusted) devices.set(deviceId(trusted.id), fromBase64Url(trusted.publicKey));
    devices.set(deviceId(config.device), fromBase64Url(config.signingPublicKey));
    document = new LocalDocument({
      address: { tenantId: tenantId(config.tenant), documentId: documentId(config.document) },
      engine: new YjsEngine(),
      device: {
        id: deviceId(config.device),
        signingKeyPair: {
          publicKey: fromBase64Url(config.signingPublicKey),
          secretKey: fromBase64Url(config.signingSecretKey),
        },
      },
      keyring: new DocumentKeyring([[0, fromBase64Url(config.documentKey)]]),
      devices,
      url: config.url,
      token: config.token,
      ...(config.batchWindowMs === undefined ? {} : { batchWindowMs: config.batchWindowMs }),
    });
    await document.whenLoaded();
  },
  type(text) {
    const body = current().engine.doc.getText('body');
    body.insert(body.length, text);
  },
  text: () => current().engine.doc.getText('body').toString(),
  role: () => current().role,
  status: () => current().status,
  whenSaved: () => current().whenSaved(),
  async leaks(needles) {
    const encoder = new TextEncoder();
    const patterns = needles.map((needle) =>
      needle.startsWith('b64:') ? fromBase64Url(needle.slice(4)) : encoder.encode(needle),
    );
    const dumps = await dumpIndexedDb(indexedDB);
    return dumps
      .filter((dump) => dump.chunks.some((chunk) => patterns.some((pattern) => containsBytes(chunk, pattern))))
      .map((dump) => `${dump.database}/${dump.store}`);
  },
};

(globalThis as unknown as { coffreTab: CoffreTab }).coffreTab = tab;
