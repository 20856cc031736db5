import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { importMaster, parseMasterText } from '../../catalog/index.ts';
import { InvexError } from '../../core/errors.ts';
import { closeTarget, configFrom, type GlobalOptions, openTarget } from '../context.ts';
import { printJson } from '../output.ts';

export function registerMaster(program: Command): void {
  const master = program.command('master').description('Master data: SKUs, locations, channels');
  master
    .command('import')
    .description(
      'Load SKUs, locations or channels from JSON arrays or CSV files with a header row; re-importing updates',
    )
    .argument('<files...>')
    .option('--json', 'print the result as JSON')
    .action(async (files: string[], options: { json?: boolean }, command: Command) => {
      const config = configFrom(command.optsWithGlobals<GlobalOptions>());
      const target = await openTarget(config, 'invex master import');
      const results = [];
      let rejected = 0;
      try {
        for (const file of files) {
          const text = await readFile(file, 'utf8').catch(() => {
            throw new InvexError('invalid_input', 'input_unreadable', `cannot read ${file}`);
          });
          const records = parseMasterText(text, file);
          const result =
            target.kind === 'local'
              ? await importMaster(target.db, records)
              : await target.client.importMaster(records);
          rejected += result.rejected.length;
          results.push({ file, ...result });
          if (!options.json) {
            process.stdout.write(
              `${file}: ${result.skus} SKUs, ${result.locations} locations, ${result.channels} channels, ${result.rejected.length} rejected\n`,
            );
            for (const r of result.rejected.slice(0, 50) as { record: number; message: string }[]) {
              process.stdout.write(`  record ${r.record}: ${r.message}\n`);
            }
          }
        }
      } finally {
        await closeTarget(target);
      }
      if (options.json) printJson(results);
      if (rejected > 0) process.exitCode = 2;
    });
}
