/**
 * Hocuspocus message types (its `MessageType`, which the server package
 * exports as an enum; spelled out here so the relay's checks read as data).
 */
export const HocuspocusMessage = {
  Sync: 0,
  Awareness: 1,
  Auth: 2,
  QueryAwareness: 3,
  SyncReply: 4,
  Stateless: 5,
  BroadcastStateless: 6,
  Close: 7,
  SyncStatus: 8,
  Ping: 9,
  Pong: 10,
} as const;

/** Sub-types of an Auth message (Hocuspocus `AuthMessageType`). */
export const AuthMessage = { Token: 0, PermissionDenied: 1, Authenticated: 2 } as const;

/** Sync steps of y-protocols: a state vector, the answer to one, an update. */
export const SyncStep = { Step1: 0, Step2: 1, Update: 2 } as const;
