import { beforeAll, describe, expect, it } from 'vitest';
import { generateBoxKeyPair, generateSigningKeyPair, ready } from '@coffre/crypto';
import { deviceId, userId } from '@coffre/protocol';
import { KnownContacts, safetyNumber } from '../../src/sharing/KnownContacts.ts';

describe('known contacts and safety numbers', () => {
  beforeAll(async () => {
    await ready();
  });
  const contact = (name = 'bob') => ({
    userId: userId(name),
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
    const swapped = { ...contact(), userId: userId('bob') };
    const check = contacts.check(swapped);
    expect(check.status).toBe('changed');
    if (check.status === 'changed') expect(check.previousSafetyNumber).toBe(safetyNumber(bob));
    expect(contacts.check(swapped).status).toBe('changed');
    contacts.accept(swapped);
    expect(contacts.check(swapped).status).toBe('unchanged');
  });

  it('keeps the changed keys aside, lists them first, and round-trips through JSON', () => {
    const contacts = new KnownContacts();
    const bob = { ...contact(), email: 'bob@acme.test' };
    const carol = { ...contact('carol'), email: 'carol@acme.test' };
    contacts.check(bob);
    contacts.check(carol);
    contacts.rememberDevice(userId('bob'), deviceId('laptop'), generateSigningKeyPair().publicKey);
    const swapped = { ...contact(), userId: userId('carol') };
    contacts.check(swapped);

    const restored = KnownContacts.fromJSON(JSON.parse(JSON.stringify(contacts.toJSON())));
    expect(restored.summaries()).toEqual(contacts.summaries());
    expect(restored.summaries()[0]).toEqual({
      userId: 'carol',
      email: 'carol@acme.test',
      safetyNumber: safetyNumber(carol),
      changedSafetyNumber: safetyNumber(swapped),
    });
    expect(restored.changed(userId('carol'))?.signingPublicKey).toEqual(swapped.signingPublicKey);
    expect(restored.findByEmail('BOB@acme.test ')?.userId).toBe('bob');
    expect(restored.devicesExcept().map(([id]) => id)).toEqual(['laptop']);
    expect(restored.devicesExcept(new Set([userId('bob')]))).toEqual([]);
  });

  it('forgets the devices certified by the previous keys when new keys are accepted', () => {
    const contacts = new KnownContacts();
    contacts.check(contact());
    contacts.rememberDevice(userId('bob'), deviceId('laptop'), generateSigningKeyPair().publicKey);
    const renewed = { ...contact(), userId: userId('bob') };
    expect(contacts.check(renewed).status).toBe('changed');
    contacts.accept(renewed);
    expect(contacts.devicesExcept()).toEqual([]);
    expect(contacts.changed(userId('bob'))).toBeUndefined();
  });

  it('refuses a serialised state of another format', () => {
    expect(() => KnownContacts.fromJSON({ format: 'other', contacts: [] })).toThrow();
  });
});
