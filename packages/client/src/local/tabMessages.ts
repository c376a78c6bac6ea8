import type { PresencePeer, SyncStatus } from '../EncryptedDocument.ts';
import type { HeadsStatus } from '../SyncHeads.ts';

/** What the tabs of one device say to each other about one document (BroadcastChannel, same origin). */
export type TabMessage =
  /** A follower asks the writer for the envelope. */
  | { type: 'hello' }
  /** The writer's envelope, or an update to it (sealed entries only). */
  | { type: 'envelope'; update: Uint8Array }
  /** A follower hands an edit to the writer, which seals it. */
  | { type: 'edit'; id: number; tab: string; update: Uint8Array }
  /** The writer sealed a follower's edit. */
  | { type: 'sealed'; id: number; tab: string }
  | { type: 'status'; value: SyncStatus }
  | { type: 'presence'; value: PresencePeer[] }
  | { type: 'heads'; value: HeadsStatus }
  /**
   * A follower was told the browser went offline or online (its screen
   * listens to the browser's events): the network is the whole browser's,
   * so the writer, which holds the connection, goes offline or back too.
   */
  | { type: 'network'; online: boolean };

const STATES = new Set(['offline', 'connecting', 'syncing', 'saved']);
const HEADS_STATES = new Set(['alone', 'in-sync', 'behind']);

/** Checks a message from another tab; null when it is not one this version understands. */
export function parseTabMessage(data: unknown): TabMessage | null {
  if (typeof data !== 'object' || data === null) return null;
  const message = data as Record<string, unknown>;
  switch (message.type) {
    case 'hello':
      return { type: 'hello' };
    case 'envelope':
      return message.update instanceof Uint8Array ? { type: 'envelope', update: message.update } : null;
    case 'edit':
      return Number.isSafeInteger(message.id) && typeof message.tab === 'string' && message.update instanceof Uint8Array
        ? { type: 'edit', id: message.id as number, tab: message.tab, update: message.update }
        : null;
    case 'sealed':
      return Number.isSafeInteger(message.id) && typeof message.tab === 'string'
        ? { type: 'sealed', id: message.id as number, tab: message.tab }
        : null;
    case 'status': {
      const value = message.value as Partial<SyncStatus> | undefined;
      return value && STATES.has(value.state ?? '') && Number.isSafeInteger(value.unsaved)
        ? { type: 'status', value: value as SyncStatus }
        : null;
    }
    case 'presence':
      return Array.isArray(message.value) ? { type: 'presence', value: message.value as PresencePeer[] } : null;
    case 'heads': {
      const value = message.value as Partial<HeadsStatus> | undefined;
      return value && HEADS_STATES.has(value.state ?? '') && Array.isArray(value.missing) && Array.isArray(value.unseen)
        ? { type: 'heads', value: value as HeadsStatus }
        : null;
    }
    case 'network':
      return typeof message.online === 'boolean' ? { type: 'network', online: message.online } : null;
    default:
      return null;
  }
}
