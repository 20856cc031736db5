import { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import pg from 'pg';
import { InvexError } from '../core/errors.ts';
import { acquireDataDirLock, type DataDirLock } from './data-dir-lock.ts';

/** What repositories need: run a statement. Both a pool and a transaction client are one. */
export interface Queryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string,
    params?: unknown[],
  ): Promise<pg.QueryResult<R>>;
}

export interface Database extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /** Where the data lives, for messages: a directory or a redacted URL. */
  readonly location: string;
  readonly lock: DataDirLock | undefined;
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** PostgreSQL connection string; when absent the embedded database is used. */
  url?: string | undefined;
  /** Embedded data directory, or `memory://` for a throw-away in-memory database. */
  dataDir?: string;
  /** Schema for every table (tests isolate themselves this way); default `public`. */
  schema?: string;
  /** What the opening process is doing, written into the data directory's lock. */
  command?: string;
  /** Reuse an already started PGlite (tests share one per worker: each takes ~3 s and ~780 MB). */
  pglite?: PGlite;
  poolSize?: number;
}

// bigint sums and counts are whole numbers far below 2^53 (quantities are bounded at
// ingestion), and money is numeric: read both as JavaScript numbers, on both databases.
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20 || oid === 1700) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  },
};

const TRANSIENT = new Set(['40001', '40P01']);

export async function openDatabase(options: OpenOptions): Promise<Database> {
  const schema = options.schema ?? 'public';
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid schema name ${schema}`);
  let pool: pg.Pool;
  let kind: Database['kind'];
  let location: string;
  let lock: DataDirLock | undefined;
  let ownPglite: PGlite | undefined;

  if (options.url) {
    kind = 'postgres';
    location = redactUrl(options.url);
    pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? 8,
      options: `-c search_path=${schema}`,
      types,
    });
    pool.on('error', () => {
      // An idle client lost its connection; the pool replaces it on next use.
    });
    try {
      await pool.query('select 1');
    } catch (error) {
      await pool.end().catch(() => {});
      throw new InvexError(
        'unavailable',
        'database_unavailable',
        `cannot connect to PostgreSQL at ${location}: ${(error as Error).message}`,
      );
    }
  } else {
    kind = 'pglite';
    const dataDir = options.dataDir ?? './.invex';
    location = dataDir;
    let pglite = options.pglite;
    if (!pglite) {
      if (!dataDir.startsWith('memory://')) {
        lock = acquireDataDirLock(dataDir, options.command ?? 'invex');
      }
      try {
        ownPglite = new PGlite(dataDir.startsWith('memory://') ? dataDir : `${dataDir}/pgdata`);
        await ownPglite.waitReady;
      } catch (error) {
        lock?.release();
        throw new InvexError(
          'unavailable',
          'database_unavailable',
          `cannot open the embedded database in ${dataDir}: ${(error as Error).message}`,
        );
      }
      pglite = ownPglite;
    }
    pool = new pg.Pool({ ...createPgConfig(pglite), types, max: 1 } as pg.PoolConfig);
    // PGlite is one session shared by every client of the pool, so search_path set once holds.
    await pool.query(`create schema if not exists ${schema}`);
    await pool.query(`set search_path to ${schema}`);
  }

  const database: Database = {
    kind,
    location,
    lock,
    query: (text, params) => pool.query(text, params as unknown[]),
    async transaction(fn) {
      // Deadlocks and serialisation failures are retried: the transaction is all-or-nothing.
      for (let attempt = 1; ; attempt++) {
        const client = await pool.connect();
        try {
          await client.query('begin');
          const result = await fn(client);
          await client.query('commit');
          return result;
        } catch (error) {
          await client.query('rollback').catch(() => {});
          const code = (error as { code?: string }).code;
          if (code && TRANSIENT.has(code) && attempt < 5) continue;
          throw error;
        } finally {
          client.release();
        }
      }
    },
    async close() {
      await pool.end().catch(() => {});
      if (ownPglite) await ownPglite.close().catch(() => {});
      lock?.release();
    },
  };
  return database;
}

export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://(unparseable url)';
  }
}
