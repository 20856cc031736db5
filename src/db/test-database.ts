import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { type Database, openDatabase } from './database.ts';
import { migrate } from './migrate.ts';

let shared: PGlite | undefined;

/**
 * A fresh, migrated database for one test file, in a schema of its own: on PostgreSQL
 * when DATABASE_URL is set (CI runs the suite both ways), else on one in-memory PGlite
 * shared by the test worker (each PGlite takes seconds and ~780 MB to start).
 */
export async function openTestDatabase(): Promise<Database & { url: string | undefined; schema: string }> {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const url = process.env.DATABASE_URL || undefined;
  let db: Database;
  if (url) {
    const admin = await openDatabase({ url, poolSize: 1 });
    await admin.query(`create schema ${schema}`);
    await admin.close();
    db = await openDatabase({ url, schema, poolSize: 4 });
  } else {
    shared ??= new PGlite('memory://');
    db = await openDatabase({ pglite: shared, schema });
  }
  await migrate(db);
  const close = db.close;
  return Object.assign(db, {
    url,
    schema,
    async close() {
      if (url) await db.query(`drop schema ${schema} cascade`).catch(() => {});
      else await db.query(`drop schema ${schema} cascade`).catch(() => {});
      await close();
    },
  });
}
