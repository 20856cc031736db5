import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { importMaster } from '../../catalog/index.ts';
import { createToken, revokeTokensNamed } from '../../govern/index.ts';
import { emptyResult, ingestRecords, mergeResults, replayDeadLetters } from '../../ingest/index.ts';
import { buildNetwork, loadScenario, masterData, type TwinEvent, World } from '../../twin/index.ts';
import { configFrom, type GlobalOptions, openExclusive, VERSION } from '../context.ts';
import { serveUntilStopped } from './serve.command.ts';

const int = (v: string) => Number.parseInt(v, 10);

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'Start invex with a demo network: load it, serve the API, and replay simulated days into it in accelerated time',
    )
    .option('--port <n>', 'port to listen on (default INVEX_PORT or 7410)')
    .option('--scenario <name>', 'the twin scenario to replay (see invex sim run)', 'demo')
    .option('--days <n>', "simulated days to replay (default: the scenario's)", int)
    .option('--day-seconds <s>', 'real seconds per simulated day', Number.parseFloat, 2)
    .option('--seed <n>', 'random seed (the same seed gives the same network and stream)', int, 1)
    .option('--exit', 'stop after the last day instead of serving on')
    .action(
      async (
        options: {
          port?: string;
          scenario: string;
          days?: number;
          daySeconds: number;
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
          // The demo replays simulated days: the engine's "now" is the time they have reached.
          ...(process.env.INVEX_CLOCK ? {} : { clock: 'events' }),
        });
        const db = await openExclusive(config, 'invex demo');
        const loaded = loadScenario(options.scenario);
        const scenario = { ...loaded, days: options.days ?? loaded.days };
        const net = buildNetwork(scenario, options.seed);
        const master = masterData(net);
        // One SKU arrives in master data late, as happens with real feeds: its events wait in
        // the dead letters until it is imported, then a replay applies them exactly once.
        const late = master.skus.at(-1);
        await importMaster(db, [...master.locations, ...master.skus.slice(0, -1)]);
        await revokeTokensNamed(db, 'demo');
        const token = await createToken(db, 'demo', 'admin', 'invex demo');
        const { app, url, detection } = await serveUntilStopped(db, config);
        const store = master.locations.find((l) => l.kind === 'store')?.location ?? '';
        const sku = master.skus[0]?.sku ?? '';
        process.stdout.write(
          [
            '',
            `invex ${VERSION} demo: the ${scenario.name} scenario, ${scenario.network.stores} stores, ${scenario.network.dcs} DCs, ${scenario.network.skus} SKUs, ${scenario.days} days (${db.kind} ${db.location})`,
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
            `    curl -s -H "Authorization: Bearer $INVEX_TOKEN" '${url}/v1/exceptions?status=open&limit=5'`,
            '    npx invex exceptions list --status open     (highest priority first)',
            `    npx invex detect count-plan --location ${store}   (what that store should count today, and why)`,
            `    npx invex stock ${sku} ${store}          (goes through this server with INVEX_TOKEN set)`,
            '',
            `Replaying ${scenario.days} simulated days, one every ${options.daySeconds} s. Ctrl-C stops.`,
            '',
          ].join('\n'),
        );

        const total = emptyResult();
        let position = 0;
        const ingestDay = async (day: number, events: Record<string, unknown>[]) => {
          const result = await ingestRecords(
            db,
            events.map((value) => ({ position: ++position, value })),
            { origin: 'demo' },
          );
          mergeResults(total, result, 0);
          await detection.sweep();
          // The server's own timer sweeps too: report the totals, not this call's share.
          const { rows } = await db.query<{ raised: number; open: number }>(
            "select count(*) as raised, count(*) filter (where status = 'open') as open from exceptions",
          );
          const found = { raised: Number(rows[0]?.raised ?? 0), open: Number(rows[0]?.open ?? 0) };
          // A restarted demo finds its earlier days in the log: it moves through them without waiting.
          const replayed = result.accepted === 0 && result.duplicates > 0;
          process.stdout.write(
            replayed
              ? `  day ${String(day + 1).padStart(3)}: already loaded (${result.duplicates} events)\n`
              : `  day ${String(day + 1).padStart(3)}: ${result.accepted} events applied, ${result.duplicates} duplicates, ` +
                  `${result.rejected} to dead letters (total ${total.accepted}); exceptions: ${found.raised} raised so far, ${found.open} open\n`,
          );
          if (day + 1 === Math.min(10, Math.ceil(scenario.days / 2)) && late) {
            await importMaster(db, [late]);
            const replay = await replayDeadLetters(db, { reason: 'unknown_sku' });
            process.stdout.write(
              `  master data for ${late.sku} arrived: replayed ${replay.replayed} dead letters, ${replay.accepted} applied\n`,
            );
          }
          return replayed;
        };
        // The twin runs a day, its systems report, invex ingests what arrived that day.
        const world = new World(net, scenario, options.seed);
        let arrived: Record<string, unknown>[] = [];
        const sink = {
          events: (list: TwinEvent[]) => {
            for (const event of list) arrived.push(event.body);
          },
          truth: () => {},
        };
        world.open();
        for (let day = 0; day < scenario.days; day++) {
          const labelled = world.labels.length;
          world.step(day, sink);
          const replayed = await ingestDay(day, arrived);
          arrived = [];
          for (const label of world.labels.slice(labelled)) {
            const where = [label.location, label.sku].filter(Boolean).join(' ');
            process.stdout.write(`           the twin injected ${label.type} at ${where}: ${label.cause}\n`);
          }
          if (!replayed) await sleep(options.daySeconds * 1000);
        }
        // Events still on their way from the last day arrive; what the twin had scheduled
        // beyond it never happened: the network stopped.
        world.drain(sink, { livedOnly: true });
        if (arrived.length > 0) await ingestDay(scenario.days, arrived);
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
