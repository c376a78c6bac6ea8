/** Every route of the app, so links and the router cannot disagree. */
export const routes = {
  documents: '/',
  signUp: '/signup',
  logIn: '/login',
  security: '/settings/security',
  devices: '/settings/devices',
  members: '/admin/members',
  /** Kept for the link-open screen: `#/link/<tenant>/<secret>` (see `formatShareUrl` in @coffre/client). */
  linkPrefix: '/link/',
} as const;
