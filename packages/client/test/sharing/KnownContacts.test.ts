import { beforeAll, describe, expect, it } from 'vitest';
import { generateBoxKeyPair, generateSigningKeyPair, ready } from '@coffre/crypto';
import { KnownContacts, safetyNumber } from '../../src/sharing/KnownContacts.ts';

describe('known contacts and safety numbers', () => {
  beforeAll(async () => {
    await ready();
  });
  const contact = (userId = 'bob') => ({
    userId,
    signingPublicKey: generateSigningKeyPair().publicKey,
    boxPublicKey: generateBoxKeyPair().publicKey,
  });

  it('gives a stable 60-digit safety number that two people can compare', () => {
    const bob = contact();
    expect(safetyNumber(bob)).toMatch(/^(\d{5} ){11}\d{5}$/);
    expect(safetyNumber({ ...bob })).toBe(safetyNumber(bob));
  });

  it('records a new contact, then reports unchanged keys', () => {
    const contacts = new KnownContacts();
    const bob = contact();
    expect(contacts.check(bob).status).toBe('new');
    expect(contacts.check({ ...bob }).status).toBe('unchanged');
  });

  it('warns when the relay serves other keys for a known contact, until they are accepted', () => {
    const contacts = new KnownContacts();
    const bob = contact();
    contacts.check(bob);
    const swapped = { ...contact(), userId: 'bob' };
    const check = contacts.check(swapped);
    expect(check.status).toBe('changed');
    if (check.status === 'changed') expect(check.previousSafetyNumber).toBe(safetyNumber(bob));
    expect(contacts.check(swapped).status).toBe('changed');
    contacts.accept(swapped);
    expect(contacts.check(swapped).status).toBe('unchanged');
  });
});
