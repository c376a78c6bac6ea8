import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { CoffreError, ErrorCode, decodeChunkBatch, documentId } from '@coffre/protocol';
import type { RateLimitName, RateLimits } from '../accounts/RateLimits.ts';
import type { TokenVerifier } from '../auth/TokenVerifier.ts';
import { type DriveReader, type LinkReader, linkReaderOf } from '../drive/DriveReader.ts';
import type { DriveService } from '../drive/DriveService.ts';
import type { ApiEnv } from './ApiEnv.ts';
import {
  DRIVE_ROUTES,
  driveUsageRoute,
  getChunkRoute,
  heldChunksRoute,
  putChunkRoute,
  putChunksRoute,
  releaseChunksRoute,
  startSweepRoute,
  sweepChunksRoute,
} from './driveRoutes.ts';

export interface DriveRoutesOptions {
  drive: DriveService;
  /** The accounts API's bearer check: sets `session` or answers 401/403. */
  authenticated: MiddlewareHandler<ApiEnv>;
  /** Verifies bearer tokens, to tell a share link's session (which may read chunks) from an account's. */
  verifier: TokenVerifier;
  rateLimits: RateLimits;
}

/** The Hono environment of the chunk routes: a share link's session may read chunks there (see DriveReader). */
interface DriveEnv extends ApiEnv {
  Variables: ApiEnv['Variables'] & { link?: LinkReader };
}

/** Adds the Drive's routes (driveRoutes.ts) to the API app, bearer checks and per-user rate limits first. */
export function registerDriveRoutes(app: OpenAPIHono<ApiEnv>, options: DriveRoutesOptions): void {
  const { drive, authenticated, verifier, rateLimits } = options;
  // The paths a share link's session reaches, and whether a request there would write (refused: READ_ONLY).
  const linkPaths = new Map<string, (method: string) => boolean>([
    [getChunkRoute.getRoutingPath(), (method) => method === 'PUT'],
    [heldChunksRoute.getRoutingPath(), () => false],
    [putChunksRoute.getRoutingPath(), () => true],
  ]);
  for (const path of new Set(DRIVE_ROUTES.map((route) => route.getRoutingPath()))) {
    const writes = linkPaths.get(path);
    app.use(path, writes ? linkOrAccount(authenticated, verifier, writes) : authenticated);
  }
  const perUser = (c: Context<ApiEnv>, name: RateLimitName, points = 1) => {
    const session = c.get('session');
    return rateLimits.consume(name, `${session.tenant}/${session.userId}`, points);
  };
  /** Who reads chunks, rate-limited per user, or per link for a link's session. */
  const reader = async (c: Context<DriveEnv>): Promise<DriveReader> => {
    const link = c.get('link');
    if (!link) {
      await perUser(c, 'chunkReadsPerUser');
      return c.get('session');
    }
    await rateLimits.consume('chunkReadsPerUser', `${link.tenant}/link/${link.linkId}`);
    return link;
  };

  app.openapi(putChunkRoute, async (c) => {
    await perUser(c, 'chunkWritesPerUser');
    const { documentId: space, address } = c.req.valid('param');
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    const result = await drive.putChunk(c.get('session'), documentId(space), address, bytes);
    return c.json(result, result.stored ? 201 : 200);
  });

  app.openapi(putChunksRoute, async (c) => {
    const chunks = decodeChunkBatch(new Uint8Array(await c.req.arrayBuffer()));
    await perUser(c, 'chunkWritesPerUser', chunks.length);
    const space = documentId(c.req.valid('param').documentId);
    return c.json(await drive.putChunks(c.get('session'), space, chunks), 200);
  });

  app.openapi(getChunkRoute, async (c) => {
    const who = await reader(c);
    const { documentId: space, address } = c.req.valid('param');
    const bytes = await drive.getChunk(who, documentId(space), address);
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
      'content-type': 'application/octet-stream',
      // The address is the content's hash; only members may fetch it, so no shared cache may keep it.
      'cache-control': 'private, max-age=31536000, immutable',
    });
  });

  app.openapi(heldChunksRoute, async (c) => {
    const who = await reader(c);
    const space = documentId(c.req.valid('param').documentId);
    const held = await drive.heldChunks(who, space, c.req.valid('json').addresses);
    return c.json({ held }, 200);
  });

  app.openapi(driveUsageRoute, async (c) => c.json(await drive.usage(c.get('session')), 200));

  app.openapi(startSweepRoute, async (c) => {
    await perUser(c, 'driveSweepsPerUser');
    const space = documentId(c.req.valid('param').documentId);
    return c.json(await drive.startSweep(c.get('session'), space), 201);
  });

  app.openapi(sweepChunksRoute, async (c) => {
    await perUser(c, 'driveSweepsPerUser');
    const { documentId: space, sweepId } = c.req.valid('param');
    const page = await drive.sweepChunks(c.get('session'), documentId(space), sweepId, c.req.valid('query'));
    return c.json(page, 200);
  });

  app.openapi(releaseChunksRoute, async (c) => {
    await perUser(c, 'driveSweepsPerUser');
    const { documentId: space, sweepId } = c.req.valid('param');
    const { addresses } = c.req.valid('json');
    return c.json(await drive.releaseChunks(c.get('session'), documentId(space), sweepId, addresses), 200);
  });
}

/**
 * The bearer check of the chunk paths: a share link's session may GET a
 * chunk and ask which are held (the space it may read is checked by
 * `DriveService`), and is refused an upload with READ_ONLY; any other token
 * goes through the accounts API's check.
 */
function linkOrAccount(
  authenticated: MiddlewareHandler<ApiEnv>,
  verifier: TokenVerifier,
  writes: (method: string) => boolean,
): MiddlewareHandler<DriveEnv> {
  return async (c, next) => {
    const token = /^Bearer +(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
    const claims = token ? await verifier.verify(token).catch(() => null) : null;
    const link = claims ? linkReaderOf(claims) : null;
    if (!link) return authenticated(c, next);
    if (link.tenant !== c.req.param('tenant')) throw new CoffreError(ErrorCode.Forbidden);
    if (writes(c.req.method)) {
      throw new CoffreError(ErrorCode.ReadOnly, 'A share link reads the files of its folder; it cannot add any.');
    }
    c.set('link', link);
    await next();
    return undefined;
  };
}
