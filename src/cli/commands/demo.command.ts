import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { startServer } from '../../api/index.ts';
import { importMaster } from '../../catalog/index.ts';
import { generateEvents, generateMaster } from '../../demo/index.ts';
import { createToken, revokeTokensNamed } from '../../govern/index.ts';
import {
  emptyResult,
  ingestRecords,
  mergeResults,
  type RawRecord,
  replayDeadLetters,
} from '../../ingest/index.ts';
import { configFrom, type GlobalOptions, openExclusive, VERSION } from '../context.ts';
import { onShutdown } from './serve.command.ts';

const int = (v: string) => Number.parseInt(v, 10);

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'Start invex with a demo network: load it, serve the API, and replay simulated days into it in accelerated time',
    )
    .option('--port <n>', 'port to listen on (default INVEX_PORT or 7410)')
    .option('--days <n>', 'simulated days to replay', int, 60)
    .option('--day-seconds <s>', 'real seconds per simulated day', Number.parseFloat, 2)
    .option('--stores <n>', 'stores in the network', int, 20)
    .option('--skus <n>', 'SKUs in the network', int, 500)
    .option('--seed <n>', 'random seed (the same seed gives the same network and stream)', int, 1)
    .option('--exit', 'stop after the last day instead of serving on')
    .action(
      async (
        options: {
          port?: string;
          days: number;
          daySeconds: number;
          stores: number;
          skus: number;
          seed: number;
          exit?: boolean;
        },
        command: Command,
      ) => {
        const config = configFrom(command.optsWithGlobals<GlobalOptions>(), {
          ...(options.port !== undefined ? { port: options.port } : {}),
          ...(process.env.INVEX_LOG_LEVEL ? {} : { logLevel: 'warn' }),
          // so that a newcomer can open the API reference in a browser
          ...(process.env.INVEX_PUBLIC_API_DOCS ? {} : { publicApiDocs: 'true' }),
        });
        const db = await openExclusive(config, 'invex demo');
        const network = { stores: options.stores, dcs: 2, skus: options.skus, seed: options.seed };
        const master = generateMaster(network);
        // One SKU arrives in master data late, as happens with real feeds: its events wait in
        // the dead letters until it is imported, then a replay applies them exactly once.
        const late = master.skus.at(-1);
        await importMaster(db, [...master.locations, ...master.skus.slice(0, -1)]);
        await revokeTokensNamed(db, 'demo');
        const token = await createToken(db, 'demo', 'admin', 'invex demo');
        const { app, url } = await startServer(
          { db, config, version: VERSION },
          { host: config.host, port: config.port, logger: { level: config.logLevel } },
        );
        db.lock?.update({ url });
        onShutdown(async () => {
          await app.close();
          await db.close();
        });
        const store = master.locations.find((l) => l.kind === 'store')?.location ?? '';
        const sku = master.skus[0]?.sku ?? '';
        process.stdout.write(
          [
            '',
            `invex ${VERSION} demo: ${options.stores} stores, 2 DCs, ${options.skus} SKUs (${db.kind} ${db.location})`,
            '',
            `  API            ${url}`,
            `  API reference  ${url}/docs`,
            `  admin token    ${token.token}`,
            '',
            '  Try:',
            `    export INVEX_TOKEN=${token.token}`,
            `    curl -s -H "Authorization: Bearer $INVEX_TOKEN" '${url}/v1/stock/${sku}/${store}'`,
            `    curl -s -H "Authorization: Bearer $INVEX_TOKEN" '${url}/v1/stock?location=${store}&limit=5'`,
            `    curl -s -H "Authorization: Bearer $INVEX_TOKEN" '${url}/v1/dead-letters'`,
            `    npx invex stock ${sku} ${store}          (goes through this server with INVEX_TOKEN set)`,
            '',
            `Replaying ${options.days} simulated days, one every ${options.daySeconds} s. Ctrl-C stops.`,
            '',
          ].join('\n'),
        );

        const total = emptyResult();
        let batch: RawRecord[] = [];
        let day = 0;
        let dayEnd = Number.NaN;
        let position = 0;
        const flush = async () => {
          const result = await ingestRecords(db, batch, { origin: 'demo' });
          mergeResults(total, result, 0);
          batch = [];
          day += 1;
          // A restarted demo finds its earlier days in the log: it moves through them without waiting.
          const replayed = result.accepted === 0 && result.duplicates > 0;
          process.stdout.write(
            replayed
              ? `  day ${String(day).padStart(3)}: already loaded (${result.duplicates} events)\n`
              : `  day ${String(day).padStart(3)}: ${result.accepted} events applied, ${result.duplicates} duplicates, ` +
                  `${result.rejected} to dead letters (total ${total.accepted})\n`,
          );
          if (day === Math.min(10, Math.ceil(options.days / 2)) && late) {
            await importMaster(db, [late]);
            const replay = await replayDeadLetters(db, { reason: 'unknown_sku' });
            process.stdout.write(
              `  master data for ${late.sku} arrived: replayed ${replay.replayed} dead letters, ${replay.accepted} applied\n`,
            );
          }
          if (!replayed) await sleep(options.daySeconds * 1000);
        };
        // Events come in arrival order; a simulated day ends when one arrives from the next day.
        for (const event of generateEvents({ ...network, days: options.days })) {
          const at = Date.parse(event.occurred_at);
          if (Number.isNaN(dayEnd)) dayEnd = (Math.floor(at / 86_400_000) + 1) * 86_400_000;
          if (at >= dayEnd && batch.length > 0) {
            await flush();
            dayEnd = (Math.floor(at / 86_400_000) + 1) * 86_400_000;
          }
          batch.push({ position: ++position, value: event });
        }
        if (batch.length > 0) await flush();
        if (options.exit) {
          process.stdout.write(`\nReplay done: ${total.accepted} events applied.\n`);
          await app.close();
          await db.close();
        } else {
          process.stdout.write(
            `\nReplay done: ${total.accepted} events applied. Serving on ${url} until Ctrl-C.\n`,
          );
        }
      },
    );
}
