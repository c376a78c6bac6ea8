import { fromBase64, toBase64 } from 'lib0/buffer';
import * as Y from 'yjs';
import { isHexColor, userColor } from './userColor.ts';

/** Who a caret belongs to, as shown next to it. */
export interface PresenceUser {
  name: string;
  /** Six-digit hex colour, e.g. `#1d4ed8`. */
  color: string;
}

/**
 * What an editor publishes through {@link PresenceSource.setPresence}: plain JSON, because the
 * presence source seals `JSON.stringify(state)`. Relative positions travel as base64 of
 * `Y.encodeRelativePosition`, so they survive the round trip byte for byte.
 */
export interface EditorPresenceState {
  user: PresenceUser;
  /** The selection (anchor and head), or null while the editor has no focus. */
  cursor: { anchor: string; head: string } | null;
}

/** A peer's presence after validation, ready for the caret plugin. */
export interface PeerPresence {
  user: PresenceUser;
  cursor: { anchor: Y.RelativePosition; head: Y.RelativePosition } | null;
}

export const ANONYMOUS_NAME = 'Anonymous';
const MAX_NAME_LENGTH = 64;
const MAX_POSITION_LENGTH = 128;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
// Control characters, and bidirectional overrides that could make a name read as another one.
// eslint-disable-next-line no-control-regex
const HIDDEN_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A display name from untrusted input: a string without control or bidirectional-override
 * characters, whitespace collapsed, at most 64 characters; {@link ANONYMOUS_NAME} otherwise.
 * The result is still text for `textContent`, never HTML.
 */
export function sanitizeUserName(name: unknown): string {
  if (typeof name !== 'string') return ANONYMOUS_NAME;
  const clean = name.replace(HIDDEN_CHARACTERS, '').replace(/\s+/g, ' ').trim();
  if (clean === '') return ANONYMOUS_NAME;
  const characters = Array.from(clean);
  return characters.length > MAX_NAME_LENGTH ? `${characters.slice(0, MAX_NAME_LENGTH - 1).join('')}…` : clean;
}

/** A user from untrusted input; a missing or malformed colour becomes a stable one derived from `seed`. */
export function sanitizeUser(user: unknown, seed: string | number): PresenceUser {
  const record = isRecord(user) ? user : {};
  return {
    name: sanitizeUserName(record['name']),
    color: isHexColor(record['color']) ? record['color'].toLowerCase() : userColor(seed),
  };
}

/** Encodes a relative position (an instance or its JSON form) as base64. */
export function encodeRelativePosition(position: unknown): string {
  const relative = Y.createRelativePositionFromJSON(position);
  return toBase64(Y.encodeRelativePosition(relative));
}

/**
 * Decodes a relative position sent by a peer, or null when it is malformed or names a root type
 * this document does not have (resolving it would create that type).
 */
export function decodeRelativePosition(encoded: unknown, doc: Y.Doc): Y.RelativePosition | null {
  if (typeof encoded !== 'string' || encoded.length > MAX_POSITION_LENGTH || !BASE64.test(encoded)) return null;
  try {
    const position = Y.decodeRelativePosition(fromBase64(encoded));
    if (position.tname !== null && !doc.share.has(position.tname)) return null;
    const ids = [position.item, position.type].filter((id) => id !== null);
    if (ids.some((id) => !Number.isSafeInteger(id.client) || !Number.isSafeInteger(id.clock))) return null;
    if (position.item === null && position.type === null && position.tname === null) return null;
    return position;
  } catch {
    return null;
  }
}

/**
 * The state to publish for the caret plugin's local awareness state (`{ user, cursor }` with
 * `Y.RelativePosition` values), or null when there is no user yet.
 */
export function toEditorPresenceState(local: Record<string, unknown> | null, seed: number): EditorPresenceState | null {
  if (local === null || !isRecord(local['user'])) return null;
  const cursor = local['cursor'];
  let encoded: EditorPresenceState['cursor'] = null;
  if (isRecord(cursor) && cursor['anchor'] != null && cursor['head'] != null) {
    encoded = { anchor: encodeRelativePosition(cursor['anchor']), head: encodeRelativePosition(cursor['head']) };
  }
  return { user: sanitizeUser(local['user'], seed), cursor: encoded };
}

/**
 * Validates a peer's decrypted presence state. Anything that is not an {@link EditorPresenceState}
 * gives null; a malformed cursor is dropped while the name and colour are kept.
 */
export function parsePeerPresence(state: unknown, doc: Y.Doc, clientId: number): PeerPresence | null {
  if (!isRecord(state) || !isRecord(state['user'])) return null;
  const user = sanitizeUser(state['user'], clientId);
  const cursor = state['cursor'];
  if (!isRecord(cursor)) return { user, cursor: null };
  const anchor = decodeRelativePosition(cursor['anchor'], doc);
  const head = decodeRelativePosition(cursor['head'], doc);
  return { user, cursor: anchor && head ? { anchor, head } : null };
}
