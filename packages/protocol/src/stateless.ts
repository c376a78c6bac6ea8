import { fromBase64Url, toBase64Url } from '@coffre/crypto';

/**
 * Stateless messages between a client and the relay (Hocuspocus' Stateless
 * message type, a string per message).
 *
 * After the relay acknowledges its writes, a client asks for the relay's
 * state vector of the envelope and checks that each entry it was told is
 * saved really is in the relay's state: an acknowledged entry missing from it
 * is reported (NOT_STORED) and never shown as saved. The relay answers only
 * once every write it had queued for the document has committed.
 */
export const STATE_VECTOR_REQUEST = 'coffre/state-vector?';

const STATE_VECTOR_ANSWER = 'coffre/state-vector';

/**
 * Relay to the connections of a document, after its key was rotated (a
 * member removed, a link revoked): fetch the document's access again (new
 * grants, a link's new session) so that what is written next is sealed with
 * the new key at once, not only after meeting an entry of the new epoch.
 * Carries nothing else; a client that ignores it still switches then.
 */
export const ACCESS_CHANGED = 'coffre/access-changed';

export interface StateVectorAnswer {
  /** `Y.encodeStateVector` of the relay's envelope. */
  stateVector: Uint8Array;
}

export function encodeStateVectorAnswer(stateVector: Uint8Array): string {
  return JSON.stringify({ type: STATE_VECTOR_ANSWER, sv: toBase64Url(stateVector) });
}

/** The answer carried by a stateless payload, or null when the payload is something else. */
export function parseStateVectorAnswer(payload: string): StateVectorAnswer | null {
  try {
    const value = JSON.parse(payload) as unknown;
    if (typeof value !== 'object' || value === null) return null;
    const { type, sv } = value as { type?: unknown; sv?: unknown };
    if (type !== STATE_VECTOR_ANSWER || typeof sv !== 'string') return null;
    return { stateVector: fromBase64Url(sv) };
  } catch {
    return null;
  }
}
