import type { onAuthenticatePayload } from '@hocuspocus/server';
import { describe, expect, it } from 'vitest';
import { type AccessClaims, type DocumentRole, tenantId, userId } from '@coffre/protocol';
import type { ConnectionRegistry } from '../src/accounts/ConnectionRegistry.ts';
import type { SessionGuard } from '../src/accounts/SessionGuard.ts';
import { generateTokenKeys, mintAccessToken } from '../src/auth/TokenKeys.ts';
import { TokenVerifier } from '../src/auth/TokenVerifier.ts';
import { CoffreExtension, type SocketState } from '../src/CoffreExtension.ts';
import { createLogger } from '../src/logger.ts';
import { PersistenceQueue } from '../src/PersistenceQueue.ts';
import type { DocumentGuard } from '../src/sharing/DocumentGuard.ts';
import type { DocumentStore } from '../src/storage/DocumentStore.ts';

const LINK_ID = '00112233445566778899aabbccddeeff';

/** The extension with in-memory stand-ins for the database look-ups it makes when a connection authenticates. */
async function setup(options: { allowDevelopmentTokens?: boolean; role?: DocumentRole | null; linkLive?: boolean }) {
  const keys = await generateTokenKeys();
  const logger = createLogger('silent');
  const tenantsEnsured: string[] = [];
  const store = {
    ensureTenant: (tenant: string) => {
      tenantsEnsured.push(tenant);
      return Promise.resolve(false);
    },
  } as unknown as DocumentStore;
  const sessions = { check: () => Promise.resolve('member') } as unknown as SessionGuard;
  const documents = {
    memberRole: () => Promise.resolve(options.role ?? null),
    isLinkLive: () => Promise.resolve(options.linkLive ?? false),
  } as unknown as DocumentGuard;
  const extension = new CoffreExtension({
    verifier: new TokenVerifier({ publicKey: keys.publicKey }),
    store,
    persistence: new PersistenceQueue(logger),
    logger,
    sessions,
    connections: {} as unknown as ConnectionRegistry,
    documents,
    allowDevelopmentTokens: options.allowDevelopmentTokens,
  });
  const authenticate = async (claims: Partial<AccessClaims>, documentName = 'acme/plans') => {
    const token = await mintAccessToken(keys, {
      sub: userId('u_alice'),
      tenant: tenantId('acme'),
      role: 'member',
      ...claims,
    });
    const connectionConfig = { readOnly: false, isAuthenticated: false };
    const payload = { token, documentName, connectionConfig, context: {} } as unknown as onAuthenticatePayload<{
      socket?: SocketState;
    }>;
    const context = await extension.onAuthenticate(payload);
    return { context, readOnly: connectionConfig.readOnly };
  };
  return { authenticate, tenantsEnsured };
}

describe('CoffreExtension.onAuthenticate', () => {
  it('refuses development tokens unless the relay allows them', async () => {
    const refusing = await setup({});
    await expect(refusing.authenticate({})).rejects.toMatchObject({ code: 4401, reason: 'UNAUTHENTICATED' });
    expect(refusing.tenantsEnsured).toEqual([]);
    const allowing = await setup({ allowDevelopmentTokens: true });
    await expect(allowing.authenticate({})).resolves.toMatchObject({ context: { access: 'development' } });
    expect(allowing.tenantsEnsured).toEqual(['acme']);
  });

  it('opens an account session on documents its user is a member of, read-only for viewers', async () => {
    const session = { sid: 's_1', device: 'd_laptop' } as Partial<AccessClaims>;
    await expect((await setup({ role: 'editor' })).authenticate(session)).resolves.toMatchObject({
      context: { access: 'member', readOnly: false },
      readOnly: false,
    });
    await expect((await setup({ role: 'viewer' })).authenticate(session)).resolves.toMatchObject({ readOnly: true });
    await expect((await setup({ role: null })).authenticate(session)).rejects.toMatchObject({
      code: 4403,
      reason: 'FORBIDDEN',
    });
    await expect((await setup({ role: 'owner' })).authenticate(session, 'globex/plans')).rejects.toMatchObject({
      reason: 'FORBIDDEN',
    });
  });

  it('opens a link session on its one document while the link is live, writing only with write access', async () => {
    const read = { sid: `l_${LINK_ID}`, doc: 'plans', access: 'read', role: 'viewer' } as Partial<AccessClaims>;
    const write = { ...read, access: 'write', role: 'member' } as Partial<AccessClaims>;
    const live = await setup({ linkLive: true });
    await expect(live.authenticate(read)).resolves.toMatchObject({ context: { access: 'link' }, readOnly: true });
    await expect(live.authenticate(write)).resolves.toMatchObject({ readOnly: false });
    await expect(live.authenticate(read, 'acme/other')).rejects.toMatchObject({ reason: 'FORBIDDEN' });
    await expect(live.authenticate({ ...read, sid: 's_not-a-link' })).rejects.toMatchObject({
      reason: 'UNAUTHENTICATED',
    });
    await expect((await setup({ linkLive: false })).authenticate(read)).rejects.toMatchObject({
      code: 4403,
      reason: 'FORBIDDEN',
    });
  });
});
