import { z } from 'zod';
import { IdSchema, Key32Schema, LinkIdSchema } from '@coffre/protocol';
import { KnownContacts } from './KnownContacts.ts';

export const SHARING_STATE_FORMAT = 'coffre-sharing/1';

const StoredLinkSchema = z.object({
  linkId: LinkIdSchema,
  documentId: IdSchema,
  role: z.enum(['viewer', 'editor']),
  /** The link's secret (its URL fragment), base64url. */
  secret: Key32Schema,
  /** The key that seals the link's document keys (password mixed in), to re-seal a new epoch on rotation. */
  linkKey: Key32Schema,
  passwordProtected: z.boolean(),
  createdAt: z.string(),
});

/** A share link this user created, with what it takes to keep it working across key rotations. */
export type StoredLink = z.infer<typeof StoredLinkSchema>;

const SerializedSharingStateSchema = z.object({
  format: z.literal(SHARING_STATE_FORMAT),
  tenant: IdSchema,
  userId: IdSchema,
  contacts: z.unknown(),
  links: z.array(StoredLinkSchema).default([]),
});

/**
 * Sharing state as JSON: contacts' public keys and the secrets of the links
 * the user created. Link secrets open documents: whoever stores this must
 * protect it like the session (the CLI writes it with mode 0600).
 */
export type SerializedSharingState = z.infer<typeof SerializedSharingStateSchema>;

/** Where a {@link Workspace} keeps its {@link SharingState} between runs. */
export interface SharingStore {
  /** The saved state, or null when there is none. */
  load(): Promise<unknown>;
  save(state: SerializedSharingState): Promise<void>;
}

/**
 * What a user's client remembers about sharing, beyond the session: known
 * contacts (trust on first use, with their certified devices) and the links
 * it created. It belongs to one user of one tenant.
 */
export class SharingState {
  readonly tenant: string;
  readonly userId: string;
  readonly contacts: KnownContacts;
  readonly links: Map<string, StoredLink>;

  constructor(tenant: string, userId: string, contacts = new KnownContacts(), links: Iterable<StoredLink> = []) {
    this.tenant = tenant;
    this.userId = userId;
    this.contacts = contacts;
    this.links = new Map([...links].map((link) => [link.linkId, link]));
  }

  toJSON(): SerializedSharingState {
    return {
      format: SHARING_STATE_FORMAT,
      tenant: this.tenant,
      userId: this.userId,
      contacts: this.contacts.toJSON(),
      links: [...this.links.values()],
    };
  }

  /**
   * Reads what {@link SharingState.toJSON} wrote. A state of another user
   * (the profile was signed in as someone else) gives a fresh one; an
   * unreadable one throws rather than silently forgetting whose keys were
   * trusted.
   */
  static fromJSON(value: unknown, owner: { tenant: string; userId: string }): SharingState {
    const parsed = SerializedSharingStateSchema.safeParse(value);
    if (!parsed.success) {
      throw new Error(`the saved contacts and links are not readable: ${parsed.error.message}`);
    }
    if (parsed.data.tenant !== owner.tenant || parsed.data.userId !== owner.userId) {
      return new SharingState(owner.tenant, owner.userId);
    }
    return new SharingState(
      owner.tenant,
      owner.userId,
      KnownContacts.fromJSON(parsed.data.contacts),
      parsed.data.links,
    );
  }
}
