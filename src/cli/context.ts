import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Config, loadConfig } from '../core/config.ts';
import { InvexError, isInvexError } from '../core/errors.ts';
import { type Database, describeHolder, migrate, openDatabase, readLockHolder } from '../db/index.ts';
import { RemoteClient } from './remote-client.ts';

export interface GlobalOptions {
  data?: string;
}

export const VERSION: string = JSON.parse(
  readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../../package.json'), 'utf8'),
).version;

export function configFrom(
  options: GlobalOptions,
  overrides: Partial<Record<keyof Config, unknown>> = {},
): Config {
  return loadConfig(process.env, { ...(options.data ? { dataDir: options.data } : {}), ...overrides });
}

/** Opens the configured database for this command and brings its schema up to date. */
export async function openLocal(config: Config, command: string): Promise<Database> {
  const db = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir, command });
  try {
    await migrate(db);
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}

/**
 * A command that can work either on the database itself or through a running server.
 * An embedded data directory belongs to one process: when `invex serve` holds it, the
 * command goes through that server's API with INVEX_TOKEN, or says who holds it.
 */
export type Target = { kind: 'local'; db: Database } | { kind: 'remote'; client: RemoteClient };

export async function openTarget(config: Config, command: string): Promise<Target> {
  try {
    return { kind: 'local', db: await openLocal(config, command) };
  } catch (error) {
    if (!isInvexError(error) || error.code !== 'data_dir_locked') throw error;
    const holder = readLockHolder(config.dataDir);
    const token = process.env.INVEX_TOKEN;
    if (holder?.url && token) return { kind: 'remote', client: new RemoteClient(holder.url, token) };
    const hint = holder?.url
      ? `set INVEX_TOKEN to a token of that server to run this command through its API, or stop it`
      : 'wait for it to finish or stop it';
    throw new InvexError(
      'conflict',
      'data_dir_locked',
      `${holder ? describeHolder(config.dataDir, holder) : error.message}; ${hint}`,
    );
  }
}

export async function closeTarget(target: Target): Promise<void> {
  if (target.kind === 'local') await target.db.close();
}

/** Commands that must own the database (migrations, rebuilds, tokens) say so when a server holds it. */
export async function openExclusive(config: Config, command: string): Promise<Database> {
  try {
    return await openLocal(config, command);
  } catch (error) {
    if (isInvexError(error) && error.code === 'data_dir_locked') {
      throw new InvexError(
        'conflict',
        'data_dir_locked',
        `${error.message}; stop it before running ${command}`,
      );
    }
    throw error;
  }
}
