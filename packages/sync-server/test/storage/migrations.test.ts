import { describe, expect, it } from 'vitest';
import { migrate, validateRoleName } from '../../src/storage/migrate.ts';
import { APP_TABLE_PRIVILEGES, MIGRATIONS, TENANT_TABLES } from '../../src/storage/migrations.ts';
import type { SqlDatabase } from '../../src/storage/SqlDatabase.ts';
import { toPlainBytes } from '../../src/storage/SqlDatabase.ts';

const unreachable: SqlDatabase = {
  engine: 'postgres',
  withTenant: () => Promise.reject(new Error('no database')),
  withoutTenant: () => Promise.reject(new Error('no database')),
  ping: () => Promise.reject(new Error('no database')),
  close: () => Promise.resolve(),
};

describe('migrations', () => {
  it('are numbered in increasing order', () => {
    const versions = MIGRATIONS.map((m) => m.version);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(new Set(versions).size).toBe(versions.length);
  });

  it('put every tenant table under forced row level security with a tenant policy', () => {
    const sql = MIGRATIONS.map((m) => m.sql).join('\n');
    for (const table of TENANT_TABLES) {
      expect(sql).toContain(`alter table ${table} enable row level security;`);
      expect(sql).toContain(`alter table ${table} force row level security;`);
      expect(sql).toMatch(new RegExp(`create policy tenant_isolation on ${table}\\s`));
      expect(APP_TABLE_PRIVILEGES[table]).toBeDefined();
    }
  });

  it('refuse an out-of-order list before touching the database', async () => {
    await expect(
      migrate(unreachable, {
        migrations: [
          { version: 2, name: 'b', sql: '' },
          { version: 1, name: 'a', sql: '' },
        ],
      }),
    ).rejects.toMatchObject({ code: 'MIGRATION_MISMATCH' });
  });

  it('accept only plain role names', async () => {
    expect(validateRoleName('coffre_app')).toBe('coffre_app');
    for (const bad of ['', 'Coffre', 'a-b', 'x"; drop table tenants; --', 'pg_app', '1abc', 'a'.repeat(64)]) {
      expect(() => validateRoleName(bad), bad).toThrow(/invalid database role name/);
    }
    await expect(migrate(unreachable, { appRole: 'robert"); drop' })).rejects.toMatchObject({
      code: 'INVALID_ROLE_NAME',
    });
  });
});

describe('toPlainBytes', () => {
  it('turns Buffers into Uint8Arrays that expose no neighbouring memory', () => {
    const pooled = Buffer.from([1, 2, 3]); // small Buffers share an 8 KiB pool
    const plain = toPlainBytes(pooled);
    expect(Buffer.isBuffer(plain)).toBe(false);
    expect(plain).toEqual(new Uint8Array([1, 2, 3]));
    expect(plain.buffer.byteLength).toBe(3);
    const own = Buffer.alloc(10_000, 7);
    const viewed = toPlainBytes(own);
    expect(Buffer.isBuffer(viewed)).toBe(false);
    expect(viewed.buffer).toBe(own.buffer);
    const already = new Uint8Array([9]);
    expect(toPlainBytes(already)).toBe(already);
  });
});
