import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { InvexError } from '../../core/errors.ts';
import { invexPolicy } from '../../replenish/index.ts';
import { loadScenario, type PlayKpis, playScenario, runScenario } from '../../twin/index.ts';
import { printJson } from '../output.ts';

export function seedOption(value: string): number {
  const seed = Number(value);
  if (!Number.isSafeInteger(seed)) {
    throw new InvexError('invalid_input', 'request_invalid', `--seed must be a whole number; got ${value}`);
  }
  return seed;
}

export function registerSim(program: Command): void {
  const sim = program
    .command('sim')
    .description('The digital twin: a simulated retail network with injected faults');
  sim
    .command('run')
    .description(
      'Simulate a scenario and write master/, events.ndjson (arrival order), labels.json and truth.ndjson to a folder',
    )
    .requiredOption('--scenario <name>', 'a shipped scenario (quiet, demo) or a scenario file')
    .option('--seed <n>', 'random seed: the same seed gives byte-identical output', '1')
    .requiredOption('--out <dir>', 'output folder')
    .option('--json', 'print the summary as JSON')
    .action(async (options: { scenario: string; seed: string; out: string; json?: boolean }) => {
      const seed = seedOption(options.seed);
      const scenario = loadScenario(options.scenario);
      const summary = await runScenario(scenario, seed, options.out, (day, events) => {
        if (process.stderr.isTTY && !options.json)
          process.stderr.write(`\rday ${day + 1}/${scenario.days}: ${events} events`);
      });
      if (process.stderr.isTTY && !options.json) process.stderr.write('\n');
      if (options.json) return printJson(summary);
      process.stdout.write(
        `${summary.scenario} (seed ${summary.seed}): ${summary.days} days, ${summary.events} events, ` +
          `${summary.labels} faults labelled, in ${summary.seconds.toFixed(1)} s ` +
          `(${Math.round(summary.events / summary.seconds)} events/s) -> ${options.out}\n`,
      );
    });
  sim
    .command('play')
    .description(
      'Run a scenario day by day under a replenishment policy and report its KPIs (baseline: static (s, S) on recorded stock; ' +
        'oracle: the same on the true stock; invex: forecasts, reorder points from their quantiles, allocation by need and ' +
        'store-to-store redistribution, on recorded stock; all: the three side by side)',
    )
    .requiredOption('--scenario <name>', 'a shipped scenario or a scenario file')
    .option('--policy <policy>', 'baseline, oracle, invex or all', 'baseline')
    .option('--seed <n>', 'random seed', '1')
    .option('--no-redistribute', 'invex: no store-to-store transfers')
    .option('--out <file>', 'also write the KPIs as JSON to this file')
    .option('--json', 'print the KPIs as JSON (an array with --policy all)')
    .action(
      async (options: {
        scenario: string;
        policy: string;
        seed: string;
        redistribute: boolean;
        out?: string;
        json?: boolean;
      }) => {
        const seed = seedOption(options.seed);
        if (!PLAY_POLICIES.includes(options.policy)) {
          throw new InvexError(
            'invalid_input',
            'request_invalid',
            `--policy must be one of ${PLAY_POLICIES.join(', ')}; got ${options.policy}`,
          );
        }
        const scenario = loadScenario(options.scenario);
        const policies = options.policy === 'all' ? ['baseline', 'oracle', 'invex'] : [options.policy];
        const runs: PlayKpis[] = [];
        for (const policy of policies) {
          runs.push(
            playScenario(
              scenario,
              seed,
              policy === 'invex'
                ? await invexPolicy(scenario, { redistribute: options.redistribute })
                : (policy as 'baseline' | 'oracle'),
            ),
          );
        }
        const result = options.policy === 'all' ? runs : runs[0]!;
        if (options.out) await writeFile(options.out, `${JSON.stringify(result, null, 2)}\n`);
        if (options.json) return printJson(result);
        process.stdout.write(`${kpiTable(runs)}\n`);
      },
    );
}

const PLAY_POLICIES = ['baseline', 'oracle', 'invex', 'all'];

/** The KPIs of one or more runs, one column each. */
function kpiTable(runs: PlayKpis[]): string {
  const first = runs[0]!;
  const money = (x: number) => x.toLocaleString('en-US', { maximumFractionDigits: 0 });
  const rows: [string, (k: PlayKpis) => string][] = [
    ['fill rate', (k) => `${(k.fill_rate * 100).toFixed(2)}%`],
    ['units sold', (k) => String(k.sold_units)],
    ['lost sales units', (k) => String(k.lost_sales_units)],
    ['  at stores', (k) => String(k.lost_by_channel.store)],
    ['  online (DC)', (k) => String(k.lost_by_channel.online)],
    ['  ship from store', (k) => String(k.lost_by_channel.ship_from_store)],
    ['lost sales value', (k) => money(k.lost_sales_value)],
    ['stockout days', (k) => String(k.stockout_days)],
    ['cancellations', (k) => String(k.cancellations)],
    ['DC short units', (k) => String(k.dc_short_units)],
    ['inventory turns', (k) => k.inventory_turns.toFixed(2)],
    ['store deliveries', (k) => String(k.transfers)],
    ['store-to-store lines', (k) => String(k.store_transfers)],
    ['purchase orders', (k) => String(k.purchase_orders)],
    ['transfer cost', (k) => money(k.transfer_cost)],
    ['holding cost', (k) => money(k.holding_cost)],
    ['expedite cost', (k) => money(k.expedite_cost)],
    ['total cost', (k) => money(k.total_cost)],
    ['counts performed', (k) => String(k.counts_performed)],
  ];
  const head: [string, ...string[]] = ['', ...runs.map((k) => k.policy)];
  const body = rows.map(([name, value]) => [name, ...runs.map(value)]);
  const all = [head, ...body];
  const widths = head.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r.map((cell, i) => (i === 0 ? cell.padEnd(widths[0]!) : cell.padStart(widths[i]!))).join('  ');
  return [
    `${first.scenario} (seed ${first.seed}), ${first.days} days, ${first.demand_units} units demanded`,
    ...all.map(line),
  ].join('\n');
}
