import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InvexError } from '../core/errors.ts';

/**
 * An embedded data directory belongs to one process at a time: PGlite is a single-user
 * PostgreSQL and two processes writing the same files would corrupt it. The lock is a
 * file created with O_EXCL that names its holder; a lock whose process is gone is stale
 * and taken over.
 */
export interface LockHolder {
  pid: number;
  command: string;
  started_at: string;
  /** Set by `invex serve` once it listens, so other commands can go through its API. */
  url?: string;
}

export interface DataDirLock {
  readonly path: string;
  update(patch: Partial<LockHolder>): void;
  release(): void;
}

export function lockPath(dataDir: string): string {
  return join(resolve(dataDir), 'invex.lock');
}

export function readLockHolder(dataDir: string): LockHolder | undefined {
  try {
    const holder = JSON.parse(readFileSync(lockPath(dataDir), 'utf8')) as LockHolder;
    return typeof holder.pid === 'number' && isAlive(holder.pid) ? holder : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function describeHolder(dataDir: string, holder: LockHolder): string {
  const serving = holder.url ? ` serving ${holder.url}` : '';
  return (
    `the data directory ${resolve(dataDir)} is in use by process ${holder.pid} ` +
    `(${holder.command}${serving}, since ${holder.started_at})`
  );
}

export function acquireDataDirLock(dataDir: string, command: string): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  const path = lockPath(dataDir);
  let holder: LockHolder = { pid: process.pid, command, started_at: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, JSON.stringify(holder));
      closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        process.off('exit', release);
        try {
          unlinkSync(path);
        } catch {
          // already gone
        }
      };
      process.on('exit', release);
      return {
        path,
        update(patch) {
          holder = { ...holder, ...patch };
          writeFileSync(path, JSON.stringify(holder));
        },
        release,
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const current = readLockHolder(dataDir);
      if (current && current.pid !== process.pid) {
        throw new InvexError('conflict', 'data_dir_locked', `${describeHolder(dataDir, current)}`, {
          pid: current.pid,
          url: current.url,
        });
      }
      // Stale: its process has ended without removing the file.
      try {
        unlinkSync(path);
      } catch {
        // another process took it over first; try again
      }
    }
  }
  throw new InvexError(
    'conflict',
    'data_dir_locked',
    `could not lock the data directory ${resolve(dataDir)}`,
  );
}
