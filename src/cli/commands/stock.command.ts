import type { Command } from 'commander';
import { InvexError } from '../../core/errors.ts';
import { parseUserTime } from '../../core/time.ts';
import { applyRecordConfidence, loadDetectorConfig, readRecordConfidence } from '../../detect/index.ts';
import { getStock, getStockAt } from '../../ledger/index.ts';
import { closeTarget, configFrom, type GlobalOptions, openTarget } from '../context.ts';
import { stockTable } from '../output.ts';

export function registerStock(program: Command): void {
  program
    .command('stock')
    .description('The inventory picture of a SKU at a location, now or at a past time')
    .argument('<sku>')
    .argument('<location>')
    .option('--at <time>', 'ISO-8601 time with zone, or a date (its end, UTC)')
    .option('--json', 'print the picture as JSON')
    .action(
      async (sku: string, location: string, options: { at?: string; json?: boolean }, command: Command) => {
        const config = configFrom(command.optsWithGlobals<GlobalOptions>());
        const at = options.at === undefined ? undefined : parseUserTime(options.at);
        if (options.at !== undefined && !at) {
          throw new InvexError(
            'invalid_input',
            'request_invalid',
            `--at must be an ISO-8601 time with zone or a date; got ${options.at}`,
          );
        }
        const target = await openTarget(config, 'invex stock');
        try {
          const picture =
            target.kind === 'remote'
              ? await target.client.stock(sku, location, at)
              : at
                ? await getStockAt(target.db, config, sku, location, at)
                : applyRecordConfidence(
                    await getStock(target.db, config, sku, location),
                    await readRecordConfidence(target.db, location, sku),
                    loadDetectorConfig(config.detectorsFile).defaults?.atp_confidence_floor ?? 0.5,
                  );
          process.stdout.write(
            options.json ? `${JSON.stringify(picture, null, 2)}\n` : `${stockTable(picture)}\n`,
          );
        } finally {
          await closeTarget(target);
        }
      },
    );
}
