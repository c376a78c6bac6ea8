import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '@coffre/crypto';
import { RecoveryCodeSchema } from '@coffre/protocol';
import { RateLimitedError, RateLimits } from '../../src/accounts/RateLimits.ts';
import { generateRecoveryCode, hashRecoveryCode } from '../../src/accounts/recoveryCodes.ts';
import { loadOrCreateServerSecret, parseServerSecret } from '../../src/accounts/serverSecret.ts';
import { currentTotpCode, matchTotpStep, newTotpSecret } from '../../src/accounts/totp.ts';

beforeAll(() => ready());

describe('recovery codes', () => {
  it('look like abcd-efgh-ijkl and rarely repeat', () => {
    const codes = Array.from({ length: 500 }, generateRecoveryCode);
    for (const code of codes) expect(RecoveryCodeSchema.safeParse(code).success, code).toBe(true);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('hash per user and per key', () => {
    const key = new Uint8Array(32).fill(1);
    const code = generateRecoveryCode();
    expect(hashRecoveryCode(key, 'u_a', code)).toEqual(hashRecoveryCode(key, 'u_a', code.toUpperCase()));
    expect(hashRecoveryCode(key, 'u_a', code)).not.toEqual(hashRecoveryCode(key, 'u_b', code));
    expect(hashRecoveryCode(key, 'u_a', code)).not.toEqual(hashRecoveryCode(new Uint8Array(32), 'u_a', code));
  });
});

describe('TOTP', () => {
  it('accepts the current code and one step of drift, and tells the step', () => {
    const secret = newTotpSecret();
    const now = 1_700_000_000_000;
    const step = Math.floor(now / 30_000);
    expect(matchTotpStep(secret, currentTotpCode(secret, now), now)).toBe(step);
    expect(matchTotpStep(secret, currentTotpCode(secret, now - 30_000), now)).toBe(step - 1);
    expect(matchTotpStep(secret, currentTotpCode(secret, now + 30_000), now)).toBe(step + 1);
    expect(matchTotpStep(secret, currentTotpCode(secret, now + 90_000), now)).toBeNull();
  });
});

describe('RateLimits', () => {
  it('refuses the request over the limit with a Retry-After, per key, until reset', async () => {
    const limits = new RateLimits({ loginPerIp: { points: 2, durationSeconds: 60 } });
    await limits.consume('loginPerIp', 'a');
    await limits.consume('loginPerIp', 'a');
    const refused = await limits.consume('loginPerIp', 'a').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RateLimitedError);
    expect(refused).toMatchObject({ code: 'RATE_LIMITED' });
    expect((refused as RateLimitedError).retryAfterSeconds).toBeGreaterThan(0);
    expect((refused as RateLimitedError).retryAfterSeconds).toBeLessThanOrEqual(60);
    await expect(limits.consume('loginPerIp', 'b')).resolves.toBeUndefined();
    await expect(limits.consume('kdfPerIp', 'a')).resolves.toBeUndefined();
    await limits.reset('loginPerIp', 'a');
    await expect(limits.consume('loginPerIp', 'a')).resolves.toBeUndefined();
  });
});

describe('server secret', () => {
  it('is created once with mode 0600 and read back', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'coffre-secret-'));
    try {
      const file = join(folder, 'nested', 'server-secret');
      const created = await loadOrCreateServerSecret(file);
      expect(created.byteLength).toBe(32);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect(await loadOrCreateServerSecret(file)).toEqual(created);
      expect(Buffer.from((await readFile(file, 'utf8')).trim(), 'base64url')).toEqual(Buffer.from(created));
      await writeFile(file, 'short');
      await expect(loadOrCreateServerSecret(file)).rejects.toMatchObject({ code: 'INVALID_SERVER_SECRET' });
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('accepts base64url or base64 of at least 32 bytes', () => {
    const bytes = new Uint8Array(40).map((_, index) => index * 7);
    expect(parseServerSecret(Buffer.from(bytes).toString('base64url'))).toEqual(bytes);
    expect(parseServerSecret(`${Buffer.from(bytes).toString('base64')}\n`)).toEqual(bytes);
    expect(() => parseServerSecret(Buffer.alloc(31).toString('base64url'))).toThrow(/at least 32/);
    expect(() => parseServerSecret('not base64 at all!')).toThrow(/at least 32/);
  });
});
