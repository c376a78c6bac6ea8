import type { HttpBindings } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { Hono } from 'hono';
import { ErrorCode, type TenantId } from '@coffre/protocol';
import type { Logger } from '../logger.ts';
import type { SqlDatabase } from '../storage/index.ts';
import type { ApiEnv } from './ApiEnv.ts';
import { errorResponse } from './errorResponse.ts';
import type { StaticSite } from './StaticSite.ts';
import { STATUS_PAGE_HEADERS, statusPage } from './statusPage.ts';

/** Where the web app reads {@link PublicRelayConfig}. */
export const PUBLIC_CONFIG_PATH = '/v1/config';

/** `GET /v1/config`: what the web app needs before anyone signs in. */
export interface PublicRelayConfig {
  /** The organisation the sign-up form suggests, or null. */
  defaultTenant: string | null;
}

export interface RelayAppOptions {
  /** Pinged by `/readyz`; its engine is named on the status page. */
  database: Pick<SqlDatabase, 'ping' | 'engine'>;
  /** True once the relay is shutting down: `/readyz` then answers 503. */
  stopping: () => boolean;
  /** Announced by {@link PUBLIC_CONFIG_PATH}. */
  defaultTenant: TenantId | null;
  /** The built web app at `/`; without it `/` shows the status page. */
  webApp: StaticSite | null;
  /** The accounts and sharing API (`/v1/...`, `/openapi.json`), or null: those paths then answer 404. */
  api: OpenAPIHono<ApiEnv> | null;
  logger: Logger;
}

/**
 * Every HTTP answer of the relay, one Hono app: `/healthz`, `/readyz`,
 * `/v1/config`, the status page (`/status`, and `/` without a web app), the
 * web app's files and client-side routes, then the API. Errors are
 * `{ error: { code, message } }` with a code of @coffre/protocol.
 */
export function createRelayApp(options: RelayAppOptions): Hono<{ Bindings: HttpBindings }> {
  const { database, webApp, api, logger } = options;
  const app = new Hono<{ Bindings: HttpBindings }>();
  const noStore = { 'cache-control': 'no-store' };

  app.get('/healthz', (c) => c.json({ status: 'ok' }, 200, noStore));

  app.get('/readyz', async (c) => {
    try {
      await database.ping();
    } catch {
      return errorResponse(c, ErrorCode.StorageUnavailable);
    }
    const stopping = options.stopping();
    return c.json({ status: stopping ? 'stopping' : 'ready' }, stopping ? 503 : 200, noStore);
  });

  app.get(PUBLIC_CONFIG_PATH, (c) => {
    const config: PublicRelayConfig = { defaultTenant: options.defaultTenant };
    return c.json(config, 200, noStore);
  });

  const status = () => new Response(statusPage(database.engine, webApp !== null), { headers: STATUS_PAGE_HEADERS });
  app.get('/status', status);

  app.all('*', async (c) => {
    const path = c.req.path;
    const isApi = path.startsWith('/v1/') || path === '/openapi.json';
    if (!isApi && c.req.method === 'GET' && path === '/' && !webApp?.available) return status();
    if (!isApi && webApp?.available && (await webApp.handle(c.env.incoming, c.env.outgoing))) {
      return RESPONSE_ALREADY_SENT;
    }
    if (api) return api.fetch(c.req.raw, c.env);
    return errorResponse(c, ErrorCode.NotFound);
  });

  app.onError((error, c) => {
    logger.error({ err: error }, 'request failed');
    return errorResponse(c, ErrorCode.Internal);
  });

  return app;
}
