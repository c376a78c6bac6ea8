import { constantTimeEqual, fingerprint } from '@coffre/crypto';

/** A contact's identity keys as first seen (trust on first use). */
export interface ContactRecord {
  userId: string;
  signingPublicKey: Uint8Array;
  boxPublicKey: Uint8Array;
}

export type ContactCheck =
  | { status: 'new'; safetyNumber: string }
  | { status: 'unchanged'; safetyNumber: string }
  /** The relay now serves other keys for a known contact: warn, and do not share until the person confirms. */
  | { status: 'changed'; safetyNumber: string; previousSafetyNumber: string };

/** The safety number two people compare: the fingerprint of both identity keys. */
export function safetyNumber(contact: Pick<ContactRecord, 'signingPublicKey' | 'boxPublicKey'>): string {
  const both = new Uint8Array(64);
  both.set(contact.signingPublicKey, 0);
  both.set(contact.boxPublicKey, 32);
  return fingerprint(both);
}

/**
 * Remembers contacts' identity keys. Public keys come from the relay, which
 * could swap them: a change to a known contact's keys is reported, never
 * silently accepted.
 */
export class KnownContacts {
  #contacts = new Map<string, ContactRecord>();

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
    const same =
      constantTimeEqual(known.signingPublicKey, record.signingPublicKey) &&
      constantTimeEqual(known.boxPublicKey, record.boxPublicKey);
    return same
      ? { status: 'unchanged', safetyNumber: number }
      : { status: 'changed', safetyNumber: number, previousSafetyNumber: safetyNumber(known) };
  }

  /** Accepts new keys for a contact after the people compared safety numbers. */
  accept(record: ContactRecord): void {
    this.#contacts.set(record.userId, record);
  }

  records(): ContactRecord[] {
    return [...this.#contacts.values()];
  }
}
