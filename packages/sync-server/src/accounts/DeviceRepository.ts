import type { DeviceId, UserId } from '@coffre/protocol';
import { ScopedRepository, textArray } from '../storage/TenantScope.ts';

/** A device to insert, its public keys decoded. */
export interface NewDevice {
  id: DeviceId;
  name: string;
  signingPublicKey: Uint8Array;
  boxPublicKey: Uint8Array;
}

export interface DeviceRow {
  id: DeviceId;
  name: string;
  signing_public_key: Uint8Array;
  box_public_key: Uint8Array;
  created_at: Date;
  last_seen_at: Date | null;
  revoked_at: Date | null;
}

/** A live device's keys with its owner's identity signing key, for certifying it. */
export interface CertifiableDeviceRow {
  signing_public_key: Uint8Array;
  box_public_key: Uint8Array;
  identity_key: Uint8Array;
}

/** A device with the identity key's signature over its keys. */
export interface CertifiedDeviceRow {
  id: DeviceId;
  user_id: UserId;
  signing_public_key: Uint8Array;
  box_public_key: Uint8Array;
  identity_signature: Uint8Array;
  revoked: boolean;
}

/** The `devices` table: each user's devices, their public keys, certificates and revocation. */
export class DeviceRepository extends ScopedRepository {
  /** Inserts a device of `userId`, seen now. */
  async insert(userId: UserId, device: NewDevice): Promise<void> {
    await this.sql.query(
      `insert into devices (tenant_id, id, user_id, name, signing_public_key, box_public_key, last_seen_at)
       values ($1, $2, $3, $4, $5, $6, now())`,
      [this.tenant, device.id, userId, device.name, device.signingPublicKey, device.boxPublicKey],
    );
  }

  /** The user's devices, oldest first, revoked ones included. */
  async listOfUser(userId: UserId): Promise<DeviceRow[]> {
    return this.sql.query<DeviceRow>(
      `select id, name, signing_public_key, box_public_key, created_at, last_seen_at, revoked_at
       from devices where tenant_id = $1 and user_id = $2 order by created_at, id`,
      [this.tenant, userId],
    );
  }

  /** Marks the user's device revoked (keeping the first revocation time); resolves false when it is not theirs. */
  async revoke(userId: UserId, deviceId: DeviceId): Promise<boolean> {
    const rows = await this.sql.query(
      `update devices set revoked_at = coalesce(revoked_at, now())
       where tenant_id = $1 and id = $2 and user_id = $3 returning id`,
      [this.tenant, deviceId, userId],
    );
    return rows.length > 0;
  }

  /** A device's signing key, revoked devices included (their entries stay theirs); null when there is none. */
  async signingKey(deviceId: DeviceId): Promise<Uint8Array | null> {
    const rows = await this.sql.query<{ signing_public_key: Uint8Array }>(
      'select signing_public_key from devices where tenant_id = $1 and id = $2',
      [this.tenant, deviceId],
    );
    return rows[0]?.signing_public_key ?? null;
  }

  async touch(deviceId: DeviceId): Promise<void> {
    await this.sql.query('update devices set last_seen_at = now() where tenant_id = $1 and id = $2', [
      this.tenant,
      deviceId,
    ]);
  }

  /** The user's live (not revoked) device with the user's identity key, locked (`FOR UPDATE`). */
  async lockForCertification(userId: UserId, deviceId: DeviceId): Promise<CertifiableDeviceRow | undefined> {
    const [row] = await this.sql.query<CertifiableDeviceRow>(
      `select d.signing_public_key, d.box_public_key, u.signing_public_key as identity_key
       from devices d join users u on u.tenant_id = d.tenant_id and u.id = d.user_id
       where d.tenant_id = $1 and d.id = $2 and d.user_id = $3 and d.revoked_at is null
       for update of d`,
      [this.tenant, deviceId, userId],
    );
    return row;
  }

  async setIdentitySignature(deviceId: DeviceId, signature: Uint8Array): Promise<void> {
    await this.sql.query('update devices set identity_signature = $3 where tenant_id = $1 and id = $2', [
      this.tenant,
      deviceId,
      signature,
    ]);
  }

  /**
   * The certified devices of these users, oldest first: not revoked ones, or
   * with `revoked`, revoked ones too (what they signed before stays theirs).
   */
  async certifiedOf(userIds: readonly UserId[], options: { revoked?: boolean } = {}): Promise<CertifiedDeviceRow[]> {
    if (userIds.length === 0) return [];
    return this.sql.query<CertifiedDeviceRow>(
      `select d.id, d.user_id, d.signing_public_key, d.box_public_key, d.identity_signature,
              d.revoked_at is not null as revoked
       from devices d
       where d.tenant_id = $1 and d.user_id = any($2::text[])
         and ($3::boolean or d.revoked_at is null) and d.identity_signature is not null
       order by d.created_at, d.id`,
      [this.tenant, textArray(userIds), options.revoked === true],
    );
  }
}
