export { type DataDirLock, describeHolder, type LockHolder, readLockHolder } from './data-dir-lock.ts';
export { type Database, type OpenOptions, openDatabase, type Queryable, redactUrl } from './database.ts';
export { listMigrations, type MigrateResult, migrate } from './migrate.ts';
export { utcText } from './sql.ts';
