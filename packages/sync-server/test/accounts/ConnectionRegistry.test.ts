import { afterEach, describe, expect, it, vi } from 'vitest';
import { type AccessClaims, deviceId, tenantId, userId } from '@coffre/protocol';
import { ConnectionRegistry, type TrackedConnection } from '../../src/accounts/ConnectionRegistry.ts';

class FakeConnection implements TrackedConnection {
  closedWith: { code: number; reason: string } | null = null;
  #onClose: (() => void)[] = [];
  close(event?: { code: number; reason: string }): void {
    if (this.closedWith) return;
    this.closedWith = event ?? { code: 1000, reason: '' };
    for (const callback of this.#onClose) callback();
  }
  onClose(callback: () => void): void {
    this.#onClose.push(callback);
  }
}

const claims = (sid?: string, device = 'd_laptop', tenant = 'acme'): AccessClaims => ({
  sub: userId('u_alice'),
  tenant: tenantId(tenant),
  role: 'member',
  device: deviceId(device),
  ...(sid === undefined ? {} : { sid }),
});
const later = () => Date.now() + 60_000;

describe('ConnectionRegistry', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('closes the connections of a session, and only those', () => {
    const registry = new ConnectionRegistry();
    const [a, b, other] = [new FakeConnection(), new FakeConnection(), new FakeConnection()];
    registry.track(a, claims('s_1'), later());
    registry.track(b, claims('s_1', 'd_laptop'), later());
    registry.track(other, claims('s_2', 'd_phone'), later());
    expect(registry.closeSession('acme', 's_1')).toBe(2);
    expect(a.closedWith).toEqual({ code: 4401, reason: 'TOKEN_REVOKED' });
    expect(b.closedWith).toEqual({ code: 4401, reason: 'TOKEN_REVOKED' });
    expect(other.closedWith).toBeNull();
    expect(registry.size).toBe(1);
  });

  it('closes the connections of a device with DEVICE_REVOKED, per tenant', () => {
    const registry = new ConnectionRegistry();
    const [mine, sameIdElsewhere] = [new FakeConnection(), new FakeConnection()];
    registry.track(mine, claims('s_1', 'd_phone'), later());
    registry.track(sameIdElsewhere, claims('s_1', 'd_phone', 'globex'), later());
    expect(registry.closeDevice('acme', 'd_phone')).toBe(1);
    expect(mine.closedWith?.reason).toBe('DEVICE_REVOKED');
    expect(sameIdElsewhere.closedWith).toBeNull();
  });

  it('closes a connection that registers just after its session was revoked', () => {
    const registry = new ConnectionRegistry({ rememberRevokedMs: 60_000 });
    registry.closeSession('acme', 's_late', 'REFRESH_TOKEN_REUSED');
    const late = new FakeConnection();
    registry.track(late, claims('s_late'), later());
    expect(late.closedWith).toEqual({ code: 4401, reason: 'REFRESH_TOKEN_REUSED' });
    expect(registry.size).toBe(0);
  });

  it('ignores development tokens (no sid) for revocation, but still expires them', () => {
    vi.useFakeTimers();
    const registry = new ConnectionRegistry();
    const dev = new FakeConnection();
    registry.track(dev, claims(undefined, 'd_laptop'), Date.now() + 5_000);
    expect(registry.closeDevice('acme', 'd_laptop')).toBe(0);
    vi.advanceTimersByTime(4_999);
    expect(dev.closedWith).toBeNull();
    vi.advanceTimersByTime(1);
    expect(dev.closedWith).toEqual({ code: 4401, reason: 'TOKEN_EXPIRED' });
    expect(registry.size).toBe(0);
  });

  it('forgets a connection that closed on its own', () => {
    vi.useFakeTimers();
    const registry = new ConnectionRegistry();
    const connection = new FakeConnection();
    registry.track(connection, claims('s_1'), Date.now() + 1_000);
    connection.close({ code: 1000, reason: 'bye' });
    expect(registry.size).toBe(0);
    vi.advanceTimersByTime(2_000);
    expect(connection.closedWith).toEqual({ code: 1000, reason: 'bye' });
    expect(registry.closeSession('acme', 's_1')).toBe(0);
  });

  it('waits in steps for an expiry beyond the longest timer', () => {
    vi.useFakeTimers();
    const registry = new ConnectionRegistry();
    const connection = new FakeConnection();
    const days = 40 * 24 * 60 * 60 * 1000;
    registry.track(connection, claims('s_1'), Date.now() + days);
    vi.advanceTimersByTime(days - 1);
    expect(connection.closedWith).toBeNull();
    vi.advanceTimersByTime(1);
    expect(connection.closedWith?.reason).toBe('TOKEN_EXPIRED');
  });

  it('closes at once a connection whose token has already expired', () => {
    const registry = new ConnectionRegistry();
    const connection = new FakeConnection();
    registry.track(connection, claims('s_1'), Date.now() - 1);
    expect(connection.closedWith?.reason).toBe('TOKEN_EXPIRED');
  });

  it("closes a member's connections to one document with FORBIDDEN, and remembers it until they are added back", () => {
    const registry = new ConnectionRegistry({ rememberRevokedMs: 60_000 });
    const [onDocument, onOther] = [new FakeConnection(), new FakeConnection()];
    registry.track(onDocument, claims('s_1'), later(), 'doc-1');
    registry.track(onOther, claims('s_1'), later(), 'doc-2');
    expect(registry.closeMember('acme', 'u_alice', 'doc-1')).toBe(1);
    expect(onDocument.closedWith).toEqual({ code: 4403, reason: 'FORBIDDEN' });
    expect(onOther.closedWith).toBeNull();
    const late = new FakeConnection();
    registry.track(late, claims('s_2'), later(), 'doc-1');
    expect(late.closedWith?.reason).toBe('FORBIDDEN');
    registry.readmitMember('acme', 'u_alice', 'doc-1');
    const back = new FakeConnection();
    registry.track(back, claims('s_2'), later(), 'doc-1');
    expect(back.closedWith).toBeNull();
  });

  it('closes every connection to a deleted document, whatever its token, until it is created again', () => {
    const registry = new ConnectionRegistry({ rememberRevokedMs: 60_000 });
    const [member, dev, link, other] = [
      new FakeConnection(),
      new FakeConnection(),
      new FakeConnection(),
      new FakeConnection(),
    ];
    registry.track(member, claims('s_1'), later(), 'doc-1');
    registry.track(dev, claims(undefined), later(), 'doc-1');
    registry.track(
      link,
      { ...claims('l_00112233445566778899aabbccddeeff'), doc: 'doc-1', access: 'read' },
      later(),
      'doc-1',
    );
    registry.track(other, claims('s_1'), later(), 'doc-2');
    expect(registry.closeDocument('acme', 'doc-1')).toBe(3);
    for (const connection of [member, dev, link])
      expect(connection.closedWith).toEqual({ code: 4403, reason: 'NOT_FOUND' });
    expect(other.closedWith).toBeNull();
    registry.readmitDocument('acme', 'doc-1');
    const fresh = new FakeConnection();
    registry.track(fresh, claims('s_1'), later(), 'doc-1');
    expect(fresh.closedWith).toBeNull();
  });

  it("closes a revoked link's session with FORBIDDEN, and a link session is no member", () => {
    const registry = new ConnectionRegistry();
    const sid = 'l_00112233445566778899aabbccddeeff';
    const link = new FakeConnection();
    registry.track(link, { ...claims(sid), doc: 'doc-1', access: 'read' }, later(), 'doc-1');
    expect(registry.closeMember('acme', 'u_alice', 'doc-1')).toBe(0);
    expect(registry.closeSession('acme', sid, 'FORBIDDEN', 4403)).toBe(1);
    expect(link.closedWith).toEqual({ code: 4403, reason: 'FORBIDDEN' });
  });
});
