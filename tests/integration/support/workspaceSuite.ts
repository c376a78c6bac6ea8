import { afterAll, beforeAll } from 'vitest';
import { AccountClient, type EncryptedDocument, Workspace, type YjsEngine, settle } from '@coffre/client';
import { MemoryStore } from './accountApi.ts';
import { type RelayHarness, randomId, startRelay } from './relayHarness.ts';

/** Cheap Argon2id for tests only; real accounts use ACCOUNT_KDF_PARAMETERS. */
export const FAST_KDF = { opsLimit: 1, memLimit: 8 * 1024 * 1024 };
export const SUITE_TIMEOUT = 15_000;
export const SUITE_PASSWORD = 'correct horse battery staple';

/** Someone signed up on a fresh device: no contact known, nothing remembered. */
export interface SuitePerson {
  email: string;
  account: AccountClient;
  workspace: Workspace;
}

export interface WorkspaceSuite {
  readonly harness: RelayHarness;
  readonly tenant: string;
  /** An account client of the suite's relay, closed after the suite. */
  client(): AccountClient;
  /** Signs a new person up in the suite's organisation, on a device called "laptop". */
  person(name: string): Promise<SuitePerson>;
  /** Destroys the document after the suite. */
  keep<D extends EncryptedDocument>(document: D): D;
}

/**
 * One relay and one organisation for a describe block, with people signing
 * up through the real accounts API and sharing through `Workspace`; what it
 * opened is closed after the block.
 */
export function workspaceSuite(tenantName: string): WorkspaceSuite {
  let harness: RelayHarness | undefined;
  let tenant = '';
  const accounts: AccountClient[] = [];
  const documents: EncryptedDocument[] = [];

  beforeAll(async () => {
    harness = await startRelay();
    tenant = randomId('tenant');
    await harness.relay.accounts?.createTenant(tenant, tenantName);
  });

  afterAll(async () => {
    for (const document of documents) document.destroy();
    for (const account of accounts) account.close();
    await harness?.teardown();
  });

  const started = (): RelayHarness => {
    if (!harness) throw new Error('the relay starts in beforeAll');
    return harness;
  };
  const client = () => {
    const account = new AccountClient({
      baseUrl: started().httpUrl,
      kdfParameters: FAST_KDF,
      minimumKdfParameters: FAST_KDF,
    });
    accounts.push(account);
    return account;
  };
  return {
    get harness() {
      return started();
    },
    get tenant() {
      return tenant;
    },
    client,
    async person(name) {
      const email = `${randomId(name)}@example.test`;
      const account = client();
      await account.register(tenant, email, SUITE_PASSWORD, 'laptop');
      const workspace = await Workspace.open({ account, store: new MemoryStore(), timeoutMs: SUITE_TIMEOUT });
      return { email, account, workspace };
    },
    keep(document) {
      documents.push(document);
      return document;
    },
  };
}

/** The text of a Yjs document's `body`. */
export const bodyText = (document: EncryptedDocument<YjsEngine>): string =>
  document.engine.doc.getText('body').toString();

/** Appends to the `body` and waits until the relay holds it. */
export async function appendText(document: EncryptedDocument<YjsEngine>, text: string): Promise<void> {
  const target = document.engine.doc.getText('body');
  target.insert(target.length, text);
  await settle(document, document.whenSaved(), SUITE_TIMEOUT);
}
