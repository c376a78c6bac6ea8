import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { documentId } from '@coffre/protocol';
import type { RateLimitName, RateLimits } from '../accounts/RateLimits.ts';
import type { DriveService } from '../drive/DriveService.ts';
import type { ApiEnv } from './ApiEnv.ts';
import {
  DRIVE_ROUTES,
  driveUsageRoute,
  getChunkRoute,
  heldChunksRoute,
  putChunkRoute,
  releaseChunksRoute,
  startSweepRoute,
  sweepChunksRoute,
} from './driveRoutes.ts';

export interface DriveRoutesOptions {
  drive: DriveService;
  /** The accounts API's bearer check: sets `session` or answers 401/403. */
  authenticated: MiddlewareHandler<ApiEnv>;
  /** As `authenticated`, but a share link's token on a GET sets `link` instead (chunk downloads). */
  linkOrMember: MiddlewareHandler<ApiEnv>;
  rateLimits: RateLimits;
}

/** Adds the Drive's routes (driveRoutes.ts) to the API app, bearer checks and per-user rate limits first. */
export function registerDriveRoutes(app: OpenAPIHono<ApiEnv>, options: DriveRoutesOptions): void {
  const { drive, authenticated, linkOrMember, rateLimits } = options;
  const chunkPath = getChunkRoute.getRoutingPath();
  for (const path of new Set(DRIVE_ROUTES.map((route) => route.getRoutingPath()))) {
    app.use(path, path === chunkPath ? linkOrMember : authenticated);
  }
  const perUser = (c: Context<ApiEnv>, name: RateLimitName) => {
    const link = c.get('link');
    if (link) return rateLimits.consume(name, `${link.tenant}/link:${link.linkId}`);
    const session = c.get('session');
    return rateLimits.consume(name, `${session.tenant}/${session.userId}`);
  };

  app.openapi(putChunkRoute, async (c) => {
    await perUser(c, 'chunkWritesPerUser');
    const { documentId: space, address } = c.req.valid('param');
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    const result = await drive.putChunk(c.get('session'), documentId(space), address, bytes);
    return c.json(result, result.stored ? 201 : 200);
  });

  app.openapi(getChunkRoute, async (c) => {
    await perUser(c, 'chunkReadsPerUser');
    const { documentId: space, address } = c.req.valid('param');
    const link = c.get('link');
    const bytes = link
      ? await drive.getChunkForLink(link, documentId(space), address)
      : await drive.getChunk(c.get('session'), documentId(space), address);
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
      'content-type': 'application/octet-stream',
      // The address is the content's hash; only members may fetch it, so no shared cache may keep it.
      'cache-control': 'private, max-age=31536000, immutable',
    });
  });

  app.openapi(heldChunksRoute, async (c) => {
    await perUser(c, 'chunkReadsPerUser');
    const space = documentId(c.req.valid('param').documentId);
    const held = await drive.heldChunks(c.get('session'), space, c.req.valid('json').addresses);
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
