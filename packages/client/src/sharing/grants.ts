import { type BoxKeyPair, openSealedBox, sealToPublicKey, sign, toBase64Url, verify } from '@coffre/crypto';
import {
  type DocumentRole,
  type GrantStatement,
  type GrantWire,
  GRANT_SIGNATURE_DOMAIN,
  encodeGrantStatement,
} from '@coffre/protocol';

/** A grant as stored on the relay: the statement and the granter's signature. */
export interface SignedGrant extends GrantStatement {
  signature: Uint8Array;
}

/** A signed grant as the relay's API carries it. */
export function grantToWire(grant: SignedGrant): GrantWire {
  return {
    keyEpoch: grant.keyEpoch,
    granterUserId: grant.granter,
    recipientUserId: grant.recipient,
    role: grant.role as DocumentRole,
    sealedKey: toBase64Url(grant.sealedKey),
    signature: toBase64Url(grant.signature),
  };
}

export class GrantRejectedError extends Error {
  readonly code = 'GRANT_REJECTED';
  constructor(message: string) {
    super(message);
    this.name = 'GrantRejectedError';
  }
}

export interface CreateGrantInput extends Omit<GrantStatement, 'sealedKey'> {
  documentKey: Uint8Array;
  recipientBoxPublicKey: Uint8Array;
  granterSigningSecretKey: Uint8Array;
}

/** Seals a document key to a recipient and signs the grant as the granter. */
export function createGrant(input: CreateGrantInput): SignedGrant {
  const { documentKey, recipientBoxPublicKey, granterSigningSecretKey, ...statement } = input;
  const grant: GrantStatement = { ...statement, sealedKey: sealToPublicKey(recipientBoxPublicKey, documentKey) };
  return { ...grant, signature: sign(granterSigningSecretKey, GRANT_SIGNATURE_DOMAIN, encodeGrantStatement(grant)) };
}

export interface OpenGrantInput {
  grant: SignedGrant;
  /** The granter's identity signing key, as the recipient knows it (compare safety numbers). */
  granterSigningPublicKey: Uint8Array;
  /** The recipient's own identity box key pair. */
  recipientBoxKeyPair: BoxKeyPair;
  /** What the recipient expects: a grant for another document, tenant or user is refused. */
  expected: Pick<GrantStatement, 'tenantId' | 'documentId' | 'recipient'>;
}

/** Verifies the granter's signature and opens the document key; throws {@link GrantRejectedError}. */
export function openGrant({
  grant,
  granterSigningPublicKey,
  recipientBoxKeyPair,
  expected,
}: OpenGrantInput): Uint8Array {
  if (
    grant.tenantId !== expected.tenantId ||
    grant.documentId !== expected.documentId ||
    grant.recipient !== expected.recipient
  ) {
    throw new GrantRejectedError('the grant is for another document or person');
  }
  if (!verify(granterSigningPublicKey, GRANT_SIGNATURE_DOMAIN, encodeGrantStatement(grant), grant.signature)) {
    throw new GrantRejectedError('the grant is not signed by the member it names');
  }
  try {
    return openSealedBox(recipientBoxKeyPair, grant.sealedKey);
  } catch {
    throw new GrantRejectedError('the grant does not open with this identity');
  }
}
