import { fromBase64Url, verify } from '@coffre/crypto';
import {
  type DocumentAddress,
  GRANT_SIGNATURE_DOMAIN,
  type GrantWire,
  type UserId,
  encodeGrantStatement,
  userId as parseUserId,
} from '@coffre/protocol';

/**
 * Who could write a document in each key epoch, as its signed grants say
 * (DESIGN.md, "roles checked by clients"). The relay stores the grants but
 * cannot sign one, so a relay colluding with a viewer cannot make the
 * viewer's entries acceptable: every client accepts an entry only from a
 * device of a user who held an owner or editor grant for the entry's epoch,
 * given by an owner.
 *
 * The chain: the document's creator signs its own owner grant for epoch 0.
 * A grant for epoch E counts when its granter is an owner in epoch E (by a
 * grant that counts) or was one in epoch E - 1 (the owner who rotated the
 * key grants the new epoch to everyone who stays, itself included).
 */
export interface Membership {
  /** The creator: the granter of the one self-given owner grant of epoch 0; null when there is none or several. */
  creator: UserId | null;
  /** The epochs in which each user could write (owner or editor). */
  writers: ReadonlyMap<UserId, ReadonlySet<number>>;
  /** The owners of each epoch. */
  owners: ReadonlyMap<number, ReadonlySet<UserId>>;
  /** Grants that did not count: a signature that does not verify, an unknown granter, a granter who was not an owner. */
  refused: number;
  /** Why the chain has no root, when it has none. */
  problem?: 'no-creator' | 'several-creators' | 'other-creator';
}

export interface VerifyMembershipInput {
  address: DocumentAddress;
  grants: readonly GrantWire[];
  /** A user's identity signing key as this client trusts it (known contact, own key); undefined when not trusted. */
  signingKeyOf: (userId: UserId) => Uint8Array | undefined;
  /** The creator this device saw before, if any: a log naming another is refused. */
  knownCreator?: UserId;
}

interface CheckedGrant {
  keyEpoch: number;
  granter: UserId;
  recipient: UserId;
  role: string;
}

/** Verifies a document's grant log and derives who could write in each epoch. */
export function verifyMembership(input: VerifyMembershipInput): Membership {
  const signed: CheckedGrant[] = [];
  for (const wire of input.grants) {
    const grant = checkSignature(input, wire);
    if (grant) signed.push(grant);
  }
  const creators = new Set(
    signed
      .filter((grant) => grant.keyEpoch === 0 && grant.role === 'owner' && grant.granter === grant.recipient)
      .map((grant) => grant.granter),
  );
  const empty = (problem: Membership['problem']): Membership => ({
    creator: null,
    writers: new Map(),
    owners: new Map(),
    refused: input.grants.length,
    problem,
  });
  let creator: UserId;
  if (input.knownCreator !== undefined) {
    if (!creators.has(input.knownCreator)) return empty('other-creator');
    creator = input.knownCreator;
  } else if (creators.size === 1) {
    creator = [...creators][0] as UserId;
  } else {
    return empty(creators.size === 0 ? 'no-creator' : 'several-creators');
  }

  const byEpoch = new Map<number, CheckedGrant[]>();
  for (const grant of signed) {
    const list = byEpoch.get(grant.keyEpoch) ?? [];
    list.push(grant);
    byEpoch.set(grant.keyEpoch, list);
  }
  const owners = new Map<number, Set<UserId>>();
  const writers = new Map<UserId, Set<number>>();
  let counted = 0;
  const lastEpoch = Math.max(-1, ...byEpoch.keys());
  for (let epoch = 0; epoch <= lastEpoch; epoch += 1) {
    const authorities = new Set<UserId>(epoch === 0 ? [creator] : (owners.get(epoch - 1) ?? []));
    const ownersNow = new Set<UserId>();
    const pending = [...(byEpoch.get(epoch) ?? [])];
    // A fixed point: an owner grant that counts makes its recipient an authority for the rest of the epoch.
    for (let progress = true; progress;) {
      progress = false;
      for (let index = pending.length - 1; index >= 0; index -= 1) {
        const grant = pending[index] as CheckedGrant;
        if (!authorities.has(grant.granter) && !ownersNow.has(grant.granter)) continue;
        pending.splice(index, 1);
        counted += 1;
        progress = true;
        if (grant.role === 'owner') ownersNow.add(grant.recipient);
        if (grant.role === 'owner' || grant.role === 'editor') {
          const epochs = writers.get(grant.recipient) ?? new Set<number>();
          epochs.add(epoch);
          writers.set(grant.recipient, epochs);
        }
      }
    }
    owners.set(epoch, ownersNow);
  }
  return { creator, writers, owners, refused: input.grants.length - counted };
}

function checkSignature(input: VerifyMembershipInput, wire: GrantWire): CheckedGrant | undefined {
  try {
    const granter = parseUserId(wire.granterUserId);
    const recipient = parseUserId(wire.recipientUserId);
    const key = input.signingKeyOf(granter);
    if (!key) return undefined;
    const statement = encodeGrantStatement({
      tenantId: input.address.tenantId,
      documentId: input.address.documentId,
      keyEpoch: wire.keyEpoch,
      granter,
      recipient,
      role: wire.role,
      sealedKey: fromBase64Url(wire.sealedKey),
    });
    if (!verify(key, GRANT_SIGNATURE_DOMAIN, statement, fromBase64Url(wire.signature))) return undefined;
    return { keyEpoch: wire.keyEpoch, granter, recipient, role: wire.role };
  } catch {
    return undefined;
  }
}
