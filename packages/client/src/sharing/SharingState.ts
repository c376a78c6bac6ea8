import { z } from 'zod';
import {
  type DocumentId,
  type LinkId,
  type TenantId,
  type UserId,
  DocumentIdSchema,
  IdSchema,
  Key32Schema,
  LinkIdSchema,
  TenantIdSchema,
  UserIdSchema,
  documentId as parseDocumentId,
  userId as parseUserId,
} from '@coffre/protocol';
import { KnownContacts } from './KnownContacts.ts';

export const SHARING_STATE_FORMAT = 'coffre-sharing/1';

const StoredLinkSchema = z.object({
  linkId: LinkIdSchema,
  documentId: DocumentIdSchema,
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
  tenant: TenantIdSchema,
  userId: UserIdSchema,
  contacts: z.unknown(),
  links: z.array(StoredLinkSchema).default([]),
  /** Each document's creator as first verified here (see `verifyMembership`): a later log naming another is refused. */
  creators: z.record(IdSchema, IdSchema).default({}),
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
  readonly tenant: TenantId;
  readonly userId: UserId;
  readonly contacts: KnownContacts;
  readonly links: Map<LinkId, StoredLink>;
  /** Document id -> its creator's user id, as first verified on this device. */
  readonly creators: Map<DocumentId, UserId>;

  constructor(
    tenant: TenantId,
    userId: UserId,
    contacts = new KnownContacts(),
    links: Iterable<StoredLink> = [],
    creators: Iterable<readonly [DocumentId, UserId]> = [],
  ) {
    this.tenant = tenant;
    this.userId = userId;
    this.contacts = contacts;
    this.links = new Map([...links].map((link) => [link.linkId, link]));
    this.creators = new Map(creators);
  }

  toJSON(): SerializedSharingState {
    return {
      format: SHARING_STATE_FORMAT,
      tenant: this.tenant,
      userId: this.userId,
      contacts: this.contacts.toJSON(),
      links: [...this.links.values()],
      creators: Object.fromEntries(this.creators),
    };
  }

  /**
   * Reads what {@link SharingState.toJSON} wrote. A state of another user
   * (the profile was signed in as someone else) gives a fresh one; an
   * unreadable one throws rather than silently forgetting whose keys were
   * trusted.
   */
  static fromJSON(value: unknown, owner: { tenant: TenantId; userId: UserId }): SharingState {
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
      // Keys and values passed IdSchema just above.
      Object.entries(parsed.data.creators).map(([document, creator]) => [
        parseDocumentId(document),
        parseUserId(creator),
      ]),
    );
  }
}
