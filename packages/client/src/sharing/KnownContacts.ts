import { z } from 'zod';
import { constantTimeEqual, fingerprint, fromBase64Url, toBase64Url } from '@coffre/crypto';
import { type DeviceId, type UserId, DeviceIdSchema, Key32Schema, UserIdSchema } from '@coffre/protocol';

/** A contact's identity keys as first seen (trust on first use). */
export interface ContactRecord {
  userId: UserId;
  signingPublicKey: Uint8Array;
  boxPublicKey: Uint8Array;
  /** The address the relay gave for the contact, to show and to find them by. */
  email?: string;
}

export type ContactCheck =
  | { status: 'new'; safetyNumber: string }
  | { status: 'unchanged'; safetyNumber: string }
  /** The relay now serves other keys for a known contact: warn, and do not share until the person confirms. */
  | { status: 'changed'; safetyNumber: string; previousSafetyNumber: string };

/** A known contact as listed to the user. */
export interface ContactSummary {
  userId: UserId;
  email: string | undefined;
  safetyNumber: string;
  /** Set while the relay serves other keys than the trusted ones: the safety number of those keys. */
  changedSafetyNumber?: string;
}

/** The safety number two people compare: the fingerprint of both identity keys. */
export function safetyNumber(contact: Pick<ContactRecord, 'signingPublicKey' | 'boxPublicKey'>): string {
  const both = new Uint8Array(64);
  both.set(contact.signingPublicKey, 0);
  both.set(contact.boxPublicKey, 32);
  return fingerprint(both);
}

const KeysSchema = z.object({ signingPublicKey: Key32Schema, boxPublicKey: Key32Schema, email: z.string().optional() });

export const KNOWN_CONTACTS_FORMAT = 'coffre-contacts/1';

const SerializedContactsSchema = z.object({
  format: z.literal(KNOWN_CONTACTS_FORMAT),
  contacts: z.array(KeysSchema.extend({ userId: UserIdSchema, changed: KeysSchema.optional() })),
  /** Certified devices seen, of contacts and of the user's own account. */
  devices: z
    .array(z.object({ userId: UserIdSchema, deviceId: DeviceIdSchema, signingPublicKey: Key32Schema }))
    .default([]),
});

/** Known contacts as JSON, for a profile file. Public keys only. */
export type SerializedContacts = z.infer<typeof SerializedContactsSchema>;

function sameKeys(a: ContactRecord, b: ContactRecord): boolean {
  return constantTimeEqual(a.signingPublicKey, b.signingPublicKey) && constantTimeEqual(a.boxPublicKey, b.boxPublicKey);
}

/**
 * Remembers contacts' identity keys. Public keys come from the relay, which
 * could swap them: a change to a known contact's keys is reported, never
 * silently accepted, and the keys served instead are kept aside (see
 * {@link KnownContacts.changed}) until the people compare safety numbers
 * and {@link KnownContacts.accept} them.
 *
 * It also remembers the devices each contact certified, so entries a
 * contact wrote stay readable after they leave a document or revoke the
 * device (the relay lists current members' live devices only).
 */
export class KnownContacts {
  #contacts = new Map<UserId, ContactRecord>();
  #changed = new Map<UserId, ContactRecord>();
  #devices = new Map<UserId, Map<DeviceId, Uint8Array>>();

  constructor(records: Iterable<ContactRecord> = []) {
    for (const record of records) this.#contacts.set(record.userId, record);
  }

  /** Checks keys served for a contact; records them when the contact is new. */
  check(record: ContactRecord): ContactCheck {
    const known = this.#contacts.get(record.userId);
    const number = safetyNumber(record);
    if (!known) {
      this.#contacts.set(record.userId, record);
      return { status: 'new', safetyNumber: number };
    }
    if (sameKeys(known, record)) {
      this.#changed.delete(record.userId);
      if (record.email !== undefined && record.email !== known.email) {
        this.#contacts.set(record.userId, { ...known, email: record.email });
      }
      return { status: 'unchanged', safetyNumber: number };
    }
    this.#changed.set(record.userId, { ...record, email: record.email ?? known.email });
    return { status: 'changed', safetyNumber: number, previousSafetyNumber: safetyNumber(known) };
  }

  /**
   * Accepts new keys for a contact after the people compared safety numbers.
   * Devices certified by the previous keys are forgotten.
   */
  accept(record: ContactRecord): void {
    const known = this.#contacts.get(record.userId);
    if (known && !sameKeys(known, record)) this.#devices.delete(record.userId);
    this.#contacts.set(record.userId, { ...record, email: record.email ?? known?.email });
    this.#changed.delete(record.userId);
  }

  /** The trusted keys of a contact. */
  get(userId: UserId): ContactRecord | undefined {
    return this.#contacts.get(userId);
  }

  /** The contact with this email (as the relay gave it), trusted keys. */
  findByEmail(email: string): ContactRecord | undefined {
    const wanted = email.trim().toLowerCase();
    for (const record of this.#contacts.values()) if (record.email === wanted) return record;
    return undefined;
  }

  /** The other keys the relay served for a known contact, awaiting acceptance. */
  changed(userId: UserId): ContactRecord | undefined {
    return this.#changed.get(userId);
  }

  /**
   * Remembers a device whose certificate verified against the trusted keys
   * of its user (a contact, or the signed-in user's own account).
   */
  rememberDevice(userId: UserId, deviceId: DeviceId, signingPublicKey: Uint8Array): void {
    let devices = this.#devices.get(userId);
    if (!devices) {
      devices = new Map();
      this.#devices.set(userId, devices);
    }
    const known = devices.get(deviceId);
    if (known && constantTimeEqual(known, signingPublicKey)) return;
    devices.set(deviceId, signingPublicKey);
  }

  /** Every remembered certified device, but those of the users in `excluded`, with its user. */
  devicesExcept(
    excluded: ReadonlySet<UserId> = new Set(),
  ): [deviceId: DeviceId, signingPublicKey: Uint8Array, userId: UserId][] {
    const out: [DeviceId, Uint8Array, UserId][] = [];
    for (const [userId, devices] of this.#devices) {
      if (excluded.has(userId)) continue;
      for (const [id, key] of devices) out.push([id, key, userId]);
    }
    return out;
  }

  records(): ContactRecord[] {
    return [...this.#contacts.values()];
  }

  /** Contacts with their safety numbers, those with changed keys first. */
  summaries(): ContactSummary[] {
    const list = this.records().map((record): ContactSummary => {
      const changed = this.#changed.get(record.userId);
      return {
        userId: record.userId,
        email: changed?.email ?? record.email,
        safetyNumber: safetyNumber(record),
        ...(changed ? { changedSafetyNumber: safetyNumber(changed) } : {}),
      };
    });
    return list.sort(
      (a, b) =>
        Number(b.changedSafetyNumber !== undefined) - Number(a.changedSafetyNumber !== undefined) ||
        (a.email ?? a.userId).localeCompare(b.email ?? b.userId),
    );
  }

  toJSON(): SerializedContacts {
    const keys = (record: ContactRecord) => ({
      signingPublicKey: toBase64Url(record.signingPublicKey),
      boxPublicKey: toBase64Url(record.boxPublicKey),
      ...(record.email === undefined ? {} : { email: record.email }),
    });
    const devices: SerializedContacts['devices'] = [];
    for (const [userId, byId] of this.#devices) {
      for (const [deviceId, signingPublicKey] of byId) {
        devices.push({ userId, deviceId, signingPublicKey: toBase64Url(signingPublicKey) });
      }
    }
    return {
      format: KNOWN_CONTACTS_FORMAT,
      contacts: this.records().map((record) => {
        const changed = this.#changed.get(record.userId);
        return { userId: record.userId, ...keys(record), ...(changed ? { changed: keys(changed) } : {}) };
      }),
      devices,
    };
  }

  /** Reads what {@link KnownContacts.toJSON} wrote; throws on anything else. */
  static fromJSON(value: unknown): KnownContacts {
    const data = SerializedContactsSchema.parse(value);
    const contacts = new KnownContacts();
    const record = (userId: UserId, keys: z.infer<typeof KeysSchema>): ContactRecord => ({
      userId,
      signingPublicKey: fromBase64Url(keys.signingPublicKey),
      boxPublicKey: fromBase64Url(keys.boxPublicKey),
      ...(keys.email === undefined ? {} : { email: keys.email }),
    });
    for (const contact of data.contacts) {
      contacts.#contacts.set(contact.userId, record(contact.userId, contact));
      if (contact.changed) contacts.#changed.set(contact.userId, record(contact.userId, contact.changed));
    }
    for (const device of data.devices) {
      contacts.rememberDevice(device.userId, device.deviceId, fromBase64Url(device.signingPublicKey));
    }
    return contacts;
  }
}
