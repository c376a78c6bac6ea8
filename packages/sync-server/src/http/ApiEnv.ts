import type { HttpBindings } from '@hono/node-server';
import type { AccountSession } from '../accounts/AccountService.ts';
import type { LinkReader } from '../sharing/linkSessionId.ts';

/**
 * The Hono environment of the relay's API routes: Node bindings, and the
 * session set by the bearer check (or, on the routes that take one, the
 * share link's reader instead).
 */
export interface ApiEnv {
  Bindings: HttpBindings;
  Variables: { session: AccountSession; link?: LinkReader };
}
