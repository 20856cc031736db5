import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvexError } from '../core/errors.ts';
import type { Database } from './database.ts';

const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Versioned, forward-only migrations: `NNNN_name.sql`, applied once each, in order. */
export function listMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((file) => /^\d{4}_[a-z0-9_]+\.sql$/.test(file))
    .sort()
    .map((file) => ({
      version: Number(file.slice(0, 4)),
      name: file.slice(5, -4),
      sql: readFileSync(join(dir, file), 'utf8'),
    }));
}

export interface MigrateResult {
  applied: Migration[];
  current: number;
}

export async function migrate(
  db: Database,
  migrations: Migration[] = listMigrations(),
): Promise<MigrateResult> {
  await db.query(`create table if not exists schema_migrations (
    version integer primary key,
    name text not null,
    applied_at timestamptz not null default now()
  )`);
  const applied: Migration[] = [];
  for (const migration of migrations) {
    const done = await db.transaction(async (tx) => {
      // Two processes starting at once against one PostgreSQL: the lock makes the second
      // wait and then see the migration as applied.
      await tx.query(`select pg_advisory_xact_lock(hashtext('invex:migrate'))`);
      const { rows } = await tx.query('select 1 from schema_migrations where version = $1', [
        migration.version,
      ]);
      if (rows.length > 0) return false;
      try {
        await tx.query(migration.sql);
      } catch (error) {
        throw new InvexError(
          'internal',
          'migration_failed',
          `migration ${migration.version}_${migration.name} failed: ${(error as Error).message}`,
        );
      }
      await tx.query('insert into schema_migrations (version, name) values ($1, $2)', [
        migration.version,
        migration.name,
      ]);
      return true;
    });
    if (done) applied.push(migration);
  }
  const { rows } = await db.query<{ v: number | null }>('select max(version) as v from schema_migrations');
  return { applied, current: rows[0]?.v ?? 0 };
}
