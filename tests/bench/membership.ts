/**
 * What checking roles costs a client each time it fetches a document's
 * access: `verifyMembership` over grant logs of growing size (members x
 * epochs, every member granted every epoch, as sharing and rotation make
 * them), against the baseline of verifying as many Ed25519 signatures with
 * `node:crypto` (the floor: one signature per grant). Also the log's size on
 * the wire (GET .../membership, grants only).
 *
 *   node tests/bench/membership.ts
 */
import { createPublicKey, verify as nodeVerify } from 'node:crypto';
import { generateBoxKeyPair, generateSigningKeyPair, generateSymmetricKey, ready } from '@coffre/crypto';
import {
  GRANT_SIGNATURE_DOMAIN,
  type GrantWire,
  type UserId,
  documentId,
  encodeGrantStatement,
  tenantId,
  userId,
} from '@coffre/protocol';
import { createGrant, grantToWire, verifyMembership } from '@coffre/client';

await ready();
const address = { tenantId: tenantId('bench'), documentId: documentId('budget') };
const ROUNDS = 5;

/** Ed25519 public key as node:crypto takes it (SPKI DER prefix + 32 bytes). */
const nodeKey = (raw: Uint8Array) =>
  createPublicKey({
    key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), raw]),
    format: 'der',
    type: 'spki',
  });

const rows: string[] = [];
for (const [members, epochs] of [
  [3, 2],
  [10, 10],
  [50, 20],
  [100, 50],
] as const) {
  const people = Array.from({ length: members }, (_, index) => ({
    id: userId(`user-${index}`),
    signing: generateSigningKeyPair(),
    box: generateBoxKeyPair(),
  }));
  const owner = people[0];
  if (!owner) throw new Error('no owner');
  const grants: GrantWire[] = [];
  for (let epoch = 0; epoch < epochs; epoch += 1) {
    const key = generateSymmetricKey();
    for (const person of people) {
      grants.push(
        grantToWire(
          createGrant({
            ...address,
            keyEpoch: epoch,
            granter: owner.id,
            recipient: person.id,
            role: person === owner ? 'owner' : 'editor',
            documentKey: key,
            recipientBoxPublicKey: person.box.publicKey,
            granterSigningSecretKey: owner.signing.secretKey,
          }),
        ),
      );
    }
  }
  const keys = new Map<UserId, Uint8Array>(people.map((person) => [person.id, person.signing.publicKey]));
  const timed = (run: () => void) => {
    run(); // warm-up
    const started = performance.now();
    for (let round = 0; round < ROUNDS; round += 1) run();
    return (performance.now() - started) / ROUNDS;
  };
  const ours = timed(() => {
    const membership = verifyMembership({ address, grants, signingKeyOf: (user) => keys.get(user) });
    if (membership.refused !== 0 || membership.writers.size !== members) throw new Error('the chain did not check out');
  });
  const ownerKey = nodeKey(owner.signing.publicKey);
  // What @coffre/crypto signs: "coffre-sig-v1" || 0 || len(tag) || tag || message (signing.ts).
  const tag = Buffer.from(GRANT_SIGNATURE_DOMAIN);
  const prefix = Buffer.concat([Buffer.from('coffre-sig-v1'), Buffer.from([0, tag.length]), tag]);
  const signed = grants.map((grant) => ({
    message: Buffer.concat([
      prefix,
      encodeGrantStatement({
        ...address,
        keyEpoch: grant.keyEpoch,
        granter: userId(grant.granterUserId),
        recipient: userId(grant.recipientUserId),
        role: grant.role,
        sealedKey: Buffer.from(grant.sealedKey, 'base64url'),
      }),
    ]),
    signature: Buffer.from(grant.signature, 'base64url'),
  }));
  if (!signed.every(({ message, signature }) => nodeVerify(null, message, ownerKey, signature))) {
    throw new Error('the baseline does not verify the same signatures');
  }
  const baseline = timed(() => {
    for (const { message, signature } of signed) nodeVerify(null, message, ownerKey, signature);
  });
  const wireBytes = JSON.stringify({ grants }).length;
  rows.push(
    `${members} members x ${epochs} epochs = ${grants.length} grants: verifyMembership ${ours.toFixed(1)} ms, ` +
      `node:crypto Ed25519 verify x${grants.length} ${baseline.toFixed(1)} ms (${(ours / baseline).toFixed(2)}x), ` +
      `${(wireBytes / 1024).toFixed(1)} KiB of grants on the wire`,
  );
}
for (const row of rows) console.log(row);
