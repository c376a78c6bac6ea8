import { OpenAPIHono } from '@hono/zod-openapi';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { HTTPException } from 'hono/http-exception';
import {
  CoffreError,
  ErrorCode,
  InvalidIdError,
  MAX_CHUNK_BATCH_BODY_BYTES,
  MAX_SEALED_CHUNK_BYTES,
  deviceId,
  tenantId,
} from '@coffre/protocol';
import type { AccountService } from '../accounts/AccountService.ts';
import { RateLimitedError, type RateLimitName, type RateLimits } from '../accounts/RateLimits.ts';
import type { TokenVerifier } from '../auth/TokenVerifier.ts';
import { InvalidBlobIdError } from '../blobs/BlobStore.ts';
import type { DriveService } from '../drive/DriveService.ts';
import type { Logger } from '../logger.ts';
import { RelayError } from '../RelayError.ts';
import type { SharingService } from '../sharing/SharingService.ts';
import type { ApiEnv } from './ApiEnv.ts';
import { errorResponse } from './errorResponse.ts';
import { limitBodySize } from './limitBodySize.ts';
import { registerDriveRoutes } from './registerDriveRoutes.ts';
import { registerSharingRoutes } from './registerSharingRoutes.ts';
import {
  kdfRoute,
  listDevicesRoute,
  meRoute,
  listMembersRoute,
  loginRoute,
  logoutRoute,
  refreshRoute,
  registerRoute,
  revokeDeviceRoute,
  totpConfirmRoute,
  totpDisableRoute,
  totpSetupRoute,
} from './routes.ts';

/** Largest request body the API reads. */
export const MAX_API_BODY_BYTES = 64 * 1024;
/**
 * Largest body of the routes that carry one grant or sealed key per member,
 * epoch or link (adding a member, rotating, creating a link): up to 1000 of
 * them, as the protocol allows.
 */
export const MAX_SHARING_BODY_BYTES = 1024 * 1024;
/** The routes allowed {@link MAX_SHARING_BODY_BYTES}. */
const LARGE_BODY_PATH = /^\/v1\/tenants\/[^/]+\/documents\/[^/]+\/(?:members|rotations|links)$/;
/** The Drive's chunk routes (uploads, and "which do you hold" with up to 1000 addresses): up to {@link MAX_SEALED_CHUNK_BYTES}. */
const CHUNK_PATH = /^\/v1\/tenants\/[^/]+\/spaces\/[^/]+\/chunks\/[^/]+$/;
/** A sweep's release: up to 1000 addresses of 64 characters, over {@link MAX_API_BODY_BYTES}. */
/** The Drive's batch upload: up to {@link MAX_CHUNK_BATCH_BODY_BYTES}. */
const CHUNK_BATCH_PATH = /^\/v1\/tenants\/[^/]+\/spaces\/[^/]+\/chunks$/;
const RELEASE_PATH = /^\/v1\/tenants\/[^/]+\/spaces\/[^/]+\/drive\/sweeps\/[^/]+\/release$/;
const MAX_RELEASE_BODY_BYTES = 128 * 1024;

export interface ApiAppOptions {
  accounts: AccountService;
  /** Documents, members, grants, rotation and links; without it those routes answer 404. */
  sharing?: SharingService;
  /** Encrypted chunks of files; without it those routes answer 404. */
  drive?: DriveService;
  verifier: TokenVerifier;
  rateLimits: RateLimits;
  logger: Logger;
  /** Default {@link MAX_API_BODY_BYTES}. */
  maxBodyBytes?: number;
  /** Default {@link MAX_SHARING_BODY_BYTES} (members, rotations and links of a document). */
  maxSharingBodyBytes?: number;
}

/**
 * The relay's HTTP API (accounts, sessions, two-factor, devices, members,
 * and the sharing routes: documents, grants, rotation, links) as an OpenAPI
 * app; `GET /openapi.json` describes every route. Every failure is
 * `{ error: { code, message } }` with a code of @coffre/protocol.
 */
export function createApiApp(options: ApiAppOptions): OpenAPIHono<ApiEnv> {
  const { accounts, verifier, rateLimits, logger } = options;
  const app = new OpenAPIHono<ApiEnv>({
    defaultHook: (result, c) => {
      if (result.success) return undefined;
      const fields = result.error.issues.map((issue) => ({
        path: issue.path.map(String).join('.') || '(body)',
        problem: issue.message,
      }));
      return errorResponse(c, ErrorCode.ValidationFailed, { fields });
    },
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'An access token issued by this relay (sessions, users or sessions/refresh).',
  });

  // A refusal sent before the request's body was read (no valid token, no access, too many requests,
  // too large) closes the connection: the client may still be sending, and @hono/node-server cuts such a
  // connection 500 ms later, so reusing it fails the client's next request ("other side closed"). Reading
  // every body before refusing instead would let anyone make the relay buffer it without signing in.
  app.use('*', async (c, next) => {
    await next();
    const hasBody = c.req.header('transfer-encoding') !== undefined || Number(c.req.header('content-length') ?? 0) > 0;
    if (c.res.status >= 400 && hasBody && !c.req.raw.bodyUsed) c.res.headers.set('connection', 'close');
  });

  const maxBodyBytes = options.maxBodyBytes ?? MAX_API_BODY_BYTES;
  const maxSharingBodyBytes = options.maxSharingBodyBytes ?? MAX_SHARING_BODY_BYTES;
  app.use(
    '*',
    limitBodySize(
      (c) => {
        if (CHUNK_PATH.test(c.req.path)) return MAX_SEALED_CHUNK_BYTES;
        if (CHUNK_BATCH_PATH.test(c.req.path)) return MAX_CHUNK_BATCH_BODY_BYTES;
        if (RELEASE_PATH.test(c.req.path)) return MAX_RELEASE_BODY_BYTES;
        return LARGE_BODY_PATH.test(c.req.path) ? maxSharingBodyBytes : maxBodyBytes;
      },
      (c) => errorResponse(c, ErrorCode.PayloadTooLarge),
    ),
  );

  const perClientAddress = (name: RateLimitName) =>
    createMiddleware<ApiEnv>(async (c, next) => {
      await rateLimits.consume(name, clientAddress(c));
      await next();
    });
  app.use(kdfRoute.getRoutingPath(), perClientAddress('kdfPerIp'));
  app.use(registerRoute.getRoutingPath(), perClientAddress('registerPerIp'));
  app.use(loginRoute.getRoutingPath(), perClientAddress('loginPerIp'));
  app.use(refreshRoute.getRoutingPath(), perClientAddress('refreshPerIp'));

  // Bearer routes: the token must verify, belong to the path's tenant, and its session and device must be live.
  const authenticated = createMiddleware<ApiEnv>(async (c, next) => {
    const match = /^Bearer +(\S+)$/i.exec(c.req.header('authorization') ?? '');
    if (!match?.[1]) throw new CoffreError(ErrorCode.Unauthenticated);
    let claims;
    try {
      claims = await verifier.verify(match[1]);
    } catch (error) {
      if (error instanceof RelayError) throw new CoffreError(error.reason);
      throw error;
    }
    if (claims.tenant !== c.req.param('tenant')) throw new CoffreError(ErrorCode.Forbidden);
    c.set('session', await accounts.authenticate(claims));
    await next();
  });
  for (const route of [
    logoutRoute,
    totpSetupRoute,
    totpConfirmRoute,
    totpDisableRoute,
    meRoute,
    listDevicesRoute,
    revokeDeviceRoute,
    listMembersRoute,
  ]) {
    app.use(route.getRoutingPath(), authenticated);
  }
  const secondFactorLimit = (c: Context<ApiEnv>) => {
    const session = c.get('session');
    return rateLimits.consume('secondFactorPerUser', `${session.tenant}/${session.userId}`);
  };

  app.openapi(kdfRoute, async (c) => {
    const { tenant } = c.req.valid('param');
    const { email } = c.req.valid('json');
    return c.json(await accounts.kdfParams(tenantId(tenant), email), 200);
  });

  app.openapi(registerRoute, async (c) => {
    const { tenant } = c.req.valid('param');
    return c.json(await accounts.register(tenantId(tenant), c.req.valid('json')), 201);
  });

  app.openapi(loginRoute, async (c) => {
    const { tenant } = c.req.valid('param');
    const request = c.req.valid('json');
    // Counted whether or not the account exists, so the limit does not reveal that either.
    const account = `${tenant}/${request.email}`;
    await rateLimits.consume('loginPerAccount', account);
    const session = await accounts.login(tenantId(tenant), request);
    await rateLimits.reset('loginPerAccount', account);
    return c.json(session, 200);
  });

  app.openapi(refreshRoute, async (c) => {
    const { tenant } = c.req.valid('param');
    return c.json(await accounts.refresh(tenantId(tenant), c.req.valid('json').refreshToken), 200);
  });

  app.openapi(logoutRoute, async (c) => {
    await accounts.logout(c.get('session'));
    return c.body(null, 204);
  });

  app.openapi(totpSetupRoute, async (c) => c.json(await accounts.totpSetup(c.get('session')), 200));

  app.openapi(totpConfirmRoute, async (c) => {
    await secondFactorLimit(c);
    return c.json(await accounts.totpConfirm(c.get('session'), c.req.valid('json').code), 200);
  });

  app.openapi(totpDisableRoute, async (c) => {
    await secondFactorLimit(c);
    await accounts.totpDisable(c.get('session'), c.req.valid('json'));
    return c.body(null, 204);
  });

  app.openapi(meRoute, async (c) => c.json(await accounts.me(c.get('session')), 200));

  app.openapi(listDevicesRoute, async (c) => c.json({ devices: await accounts.listDevices(c.get('session')) }, 200));

  app.openapi(revokeDeviceRoute, async (c) => {
    await accounts.revokeDevice(c.get('session'), deviceId(c.req.valid('param').deviceId));
    return c.body(null, 204);
  });

  app.openapi(listMembersRoute, async (c) => c.json({ members: await accounts.listMembers(c.get('session')) }, 200));

  if (options.sharing) {
    registerSharingRoutes(app, {
      sharing: options.sharing,
      authenticated,
      rateLimits,
      clientAddress,
    });
  }

  if (options.drive) registerDriveRoutes(app, { drive: options.drive, authenticated, verifier, rateLimits });

  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Coffre relay API',
      version: '1',
      description:
        "Accounts, sessions, devices, documents, key grants, share links and the Drive's encrypted chunks of an " +
        'end-to-end-encrypted relay. ' +
        'The password never leaves the client: it sends a key derived with Argon2id, and its private keys sealed ' +
        'in an opaque key bundle. Document keys reach the relay only sealed (grants to members, link-sealed keys).',
    },
  });

  app.notFound((c) => errorResponse(c, ErrorCode.NotFound));

  app.onError((error, c) => {
    if (error instanceof RateLimitedError) {
      return errorResponse(c, ErrorCode.RateLimited, { retryAfterSeconds: error.retryAfterSeconds });
    }
    if (error instanceof CoffreError) return errorResponse(c, error.code, { message: error.message });
    if (error instanceof InvalidIdError || error instanceof InvalidBlobIdError) {
      return errorResponse(c, ErrorCode.ValidationFailed);
    }
    if (error instanceof HTTPException) {
      // Thrown by the validators before a handler runs: unreadable JSON, or a body that is not JSON.
      if (error.status === 413) return errorResponse(c, ErrorCode.PayloadTooLarge);
      if (error.status === 415) {
        return errorResponse(c, ErrorCode.BadRequest, {
          status: 415,
          message: 'The request body must be JSON (Content-Type: application/json).',
        });
      }
      if (error.status < 500) {
        return errorResponse(c, ErrorCode.BadRequest, { message: 'The request body is not valid JSON.' });
      }
    }
    logger.error({ err: error, method: c.req.method, path: c.req.path }, 'API request failed');
    return errorResponse(c, ErrorCode.Internal);
  });

  return app;
}

/**
 * The client's address as the relay's socket sees it.
 * TODO: behind a reverse proxy every client shares the proxy's address;
 * add a trusted-proxy option that reads X-Forwarded-For.
 */
function clientAddress(c: Context<ApiEnv>): string {
  return getConnInfo(c).remote.address ?? 'unknown';
}
