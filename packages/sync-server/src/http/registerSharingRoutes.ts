import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { deviceId, documentId, tenantId, userId } from '@coffre/protocol';
import type { RateLimits } from '../accounts/RateLimits.ts';
import type { SharingService } from '../sharing/SharingService.ts';
import type { ApiEnv } from './ApiEnv.ts';
import {
  SHARING_BEARER_ROUTES,
  addDocumentMemberRoute,
  certifyDeviceRoute,
  createDocumentRoute,
  createLinkRoute,
  deleteDocumentRoute,
  linkSessionRoute,
  listDocumentMembersRoute,
  listDocumentsRoute,
  listGrantsRoute,
  listLinksRoute,
  membershipRoute,
  revokeLinkRoute,
  rotateRoute,
  userKeysRoute,
  userLookupRoute,
} from './sharingRoutes.ts';

export interface SharingRoutesOptions {
  sharing: SharingService;
  /** The accounts API's bearer check: sets `session` or answers 401/403. */
  authenticated: MiddlewareHandler<ApiEnv>;
  rateLimits: RateLimits;
  clientAddress: (c: Context<ApiEnv>) => string;
}

/** Adds the sharing routes (sharingRoutes.ts) to the API app, bearer checks and rate limits first. */
export function registerSharingRoutes(app: OpenAPIHono<ApiEnv>, options: SharingRoutesOptions): void {
  const { sharing, authenticated, rateLimits, clientAddress } = options;
  // Several routes share a path (GET and POST): check the bearer token once per request.
  const bearerPaths = new Set(SHARING_BEARER_ROUTES.map((route) => route.getRoutingPath()));
  for (const path of bearerPaths) app.use(path, authenticated);

  app.openapi(certifyDeviceRoute, async (c) => {
    await sharing.certifyDevice(c.get('session'), deviceId(c.req.valid('param').deviceId), c.req.valid('json'));
    return c.body(null, 204);
  });

  app.openapi(userLookupRoute, async (c) =>
    c.json(await sharing.lookupUser(c.get('session'), c.req.valid('query').email), 200),
  );

  app.openapi(userKeysRoute, async (c) =>
    c.json(await sharing.userKeys(c.get('session'), userId(c.req.valid('param').userId)), 200),
  );

  app.openapi(createDocumentRoute, async (c) =>
    c.json({ document: await sharing.createDocument(c.get('session'), c.req.valid('json')) }, 201),
  );

  app.openapi(listDocumentsRoute, async (c) =>
    c.json({ documents: await sharing.listDocuments(c.get('session')) }, 200),
  );

  app.openapi(deleteDocumentRoute, async (c) => {
    await sharing.deleteDocument(c.get('session'), documentId(c.req.valid('param').documentId));
    return c.body(null, 204);
  });

  app.openapi(listDocumentMembersRoute, async (c) =>
    c.json({ members: await sharing.listMembers(c.get('session'), documentId(c.req.valid('param').documentId)) }, 200),
  );

  app.openapi(addDocumentMemberRoute, async (c) => {
    const document = documentId(c.req.valid('param').documentId);
    return c.json({ members: await sharing.addMember(c.get('session'), document, c.req.valid('json')) }, 201);
  });

  app.openapi(rotateRoute, async (c) => {
    const document = documentId(c.req.valid('param').documentId);
    return c.json(await sharing.rotate(c.get('session'), document, c.req.valid('json')), 200);
  });

  app.openapi(listGrantsRoute, async (c) =>
    c.json(await sharing.listGrants(c.get('session'), documentId(c.req.valid('param').documentId)), 200),
  );

  app.openapi(membershipRoute, async (c) =>
    c.json(await sharing.membership(c.get('session'), documentId(c.req.valid('param').documentId)), 200),
  );

  app.openapi(createLinkRoute, async (c) => {
    const document = documentId(c.req.valid('param').documentId);
    return c.json({ link: await sharing.createLink(c.get('session'), document, c.req.valid('json')) }, 201);
  });

  app.openapi(listLinksRoute, async (c) =>
    c.json({ links: await sharing.listLinks(c.get('session'), documentId(c.req.valid('param').documentId)) }, 200),
  );

  app.openapi(revokeLinkRoute, async (c) => {
    const { linkId } = c.req.valid('param');
    await sharing.revokeLink(c.get('session'), documentId(c.req.valid('param').documentId), linkId);
    return c.body(null, 204);
  });

  app.openapi(linkSessionRoute, async (c) => {
    const { tenant, linkId } = c.req.valid('param');
    // Counted like logins: per address always, per link until a proof succeeds.
    await rateLimits.consume('linkSessionPerIp', clientAddress(c));
    const link = `${tenant}/${linkId}`;
    await rateLimits.consume('linkSessionPerLink', link);
    const session = await sharing.linkSession(tenantId(tenant), linkId, c.req.valid('json'));
    await rateLimits.reset('linkSessionPerLink', link);
    return c.json(session, 200);
  });
}
