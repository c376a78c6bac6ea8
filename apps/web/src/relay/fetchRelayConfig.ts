/** `GET /v1/config` of the relay serving the app (see PublicRelayConfig in @coffre/sync-server). */
export interface RelayConfig {
  /** The organisation the sign-up form suggests, or null. */
  defaultTenant: string | null;
}

/** The relay's public configuration; an empty one when it cannot be read (the forms then ask for everything). */
export async function fetchRelayConfig(baseUrl: string): Promise<RelayConfig> {
  try {
    const response = await fetch(`${baseUrl}/v1/config`, { headers: { accept: 'application/json' } });
    if (!response.ok) return { defaultTenant: null };
    const body: unknown = await response.json();
    const tenant =
      typeof body === 'object' && body !== null && 'defaultTenant' in body && typeof body.defaultTenant === 'string'
        ? body.defaultTenant
        : null;
    return { defaultTenant: tenant };
  } catch {
    return { defaultTenant: null };
  }
}
