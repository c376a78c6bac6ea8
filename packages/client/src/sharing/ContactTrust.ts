import { fromBase64Url } from '@coffre/crypto';
import { type UserKeys, userId } from '@coffre/protocol';
import { AccountError } from '../account/AccountError.ts';
import type { ContactChange } from './DocumentAccess.ts';
import type { ContactRecord, KnownContacts } from './KnownContacts.ts';

/** A user's public identity as a contact record (keys decoded, not yet checked). */
export function contactRecord(keys: UserKeys): ContactRecord {
  return {
    userId: userId(keys.userId),
    email: keys.email,
    signingPublicKey: fromBase64Url(keys.signingPublicKey),
    boxPublicKey: fromBase64Url(keys.boxPublicKey),
  };
}

/**
 * Checks the identity keys the relay serves against the known contacts
 * (trust on first use) and reports those that changed, for the workspace's
 * `contact-changed` event.
 */
export class ContactTrust {
  readonly #contacts: KnownContacts;
  readonly #onChanged: (change: ContactChange) => void;

  constructor(contacts: KnownContacts, onChanged: (change: ContactChange) => void) {
    this.#contacts = contacts;
    this.#onChanged = onChanged;
  }

  /** Checks a contact's keys and reports a change. */
  check(record: ContactRecord): ReturnType<KnownContacts['check']> {
    const check = this.#contacts.check(record);
    if (check.status === 'changed') this.#onChanged(this.change(record, check));
    return check;
  }
  /** The error that refuses to go on with someone whose keys changed. */
  changedError(change: ContactChange): AccountError {
    return new AccountError('CONTACT_KEY_CHANGED', {
      detail:
        `${change.email}: safety number was ${change.previousSafetyNumber}, the relay now serves ` +
        `${change.safetyNumber}. Compare it with them, then accept the new keys (coffre contacts accept).`,
    });
  }
  /** The change report for a contact whose keys changed. */
  change(record: ContactRecord, check: { previousSafetyNumber: string; safetyNumber: string }): ContactChange {
    return {
      userId: record.userId,
      email: record.email ?? record.userId,
      previousSafetyNumber: check.previousSafetyNumber,
      safetyNumber: check.safetyNumber,
    };
  }
}
