import { toBase64Url } from '@coffre/crypto';
import type { MembershipUser, UserKeys } from '@coffre/protocol';
import type { DeviceRepository } from '../accounts/DeviceRepository.ts';
import type { UserFilter, UserRepository } from '../accounts/UserRepository.ts';

/**
 * Users' public identities with their certified, not revoked devices, as
 * the wire carries them: one user by id or email, every member of a
 * document, or everyone in its grant log. Two statements, in the caller's
 * transaction. With `revoked`, revoked devices come too, marked.
 */
export async function readUserKeys(
  users: UserRepository,
  devices: DeviceRepository,
  filter: UserFilter,
): Promise<UserKeys[]>;
export async function readUserKeys(
  users: UserRepository,
  devices: DeviceRepository,
  filter: UserFilter,
  options: { revoked: true },
): Promise<MembershipUser[]>;
export async function readUserKeys(
  users: UserRepository,
  devices: DeviceRepository,
  filter: UserFilter,
  options: { revoked?: boolean } = {},
): Promise<UserKeys[] | MembershipUser[]> {
  const identities = await users.publicIdentities(filter);
  const certified = await devices.certifiedOf(
    identities.map((user) => user.id),
    options,
  );
  return identities.map((user) => ({
    userId: user.id,
    email: user.email,
    signingPublicKey: toBase64Url(user.signing_public_key),
    boxPublicKey: toBase64Url(user.box_public_key),
    devices: certified
      .filter((device) => device.user_id === user.id)
      .map((device) => ({
        deviceId: device.id,
        signingPublicKey: toBase64Url(device.signing_public_key),
        boxPublicKey: toBase64Url(device.box_public_key),
        identitySignature: toBase64Url(device.identity_signature),
        ...(options.revoked ? { revoked: device.revoked } : {}),
      })),
  }));
}
