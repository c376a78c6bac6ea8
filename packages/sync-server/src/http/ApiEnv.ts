import type { HttpBindings } from '@hono/node-server';
import type { AccountSession } from '../accounts/AccountService.ts';

/** The Hono environment of the relay's API routes: Node bindings, and the session set by the bearer check. */
export interface ApiEnv {
  Bindings: HttpBindings;
  Variables: { session: AccountSession };
}
