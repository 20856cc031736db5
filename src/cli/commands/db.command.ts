import type { Command } from 'commander';
import { rebuildProjection } from '../../ledger/index.ts';
import { configFrom, type GlobalOptions, openExclusive } from '../context.ts';

export function registerDb(program: Command): void {
  const db = program.command('db').description('Database maintenance');
  db.command('migrate')
    .description('Apply pending migrations (every command also does this at start)')
    .action(async (_options: unknown, command: Command) => {
      const config = configFrom(command.optsWithGlobals<GlobalOptions>());
      // openExclusive migrates; report what it did by comparing before and after.
      const database = await openExclusive(config, 'invex db migrate');
      try {
        const { rows } = await database.query<{ version: number; name: string; applied_at: Date }>(
          'select version, name, applied_at from schema_migrations order by version',
        );
        for (const row of rows) {
          process.stdout.write(
            `${String(row.version).padStart(4, '0')}_${row.name}  applied ${row.applied_at.toISOString()}\n`,
          );
        }
        process.stdout.write(
          `schema at version ${rows.at(-1)?.version ?? 0} (${database.kind} ${database.location})\n`,
        );
      } finally {
        await database.close();
      }
    });
  db.command('rebuild')
    .description('Recompute the stock projection from the event log (the result equals the live projection)')
    .action(async (_options: unknown, command: Command) => {
      const config = configFrom(command.optsWithGlobals<GlobalOptions>());
      const database = await openExclusive(config, 'invex db rebuild');
      const started = performance.now();
      try {
        const { events } = await rebuildProjection(database, (done) => {
          if (process.stderr.isTTY) process.stderr.write(`\rrebuilding: ${done} events`);
        });
        if (process.stderr.isTTY) process.stderr.write('\n');
        const seconds = (performance.now() - started) / 1000;
        process.stdout.write(`rebuilt the projection from ${events} events in ${seconds.toFixed(1)} s\n`);
      } finally {
        await database.close();
      }
    });
}
