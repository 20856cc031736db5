import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { InvexError } from '../../core/errors.ts';
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
      'Run a scenario day by day under a replenishment policy and report its KPIs (baseline: plans on recorded stock; oracle: on the true stock)',
    )
    .requiredOption('--scenario <name>', 'a shipped scenario or a scenario file')
    .option(
      '--policy <policy>',
      'baseline or oracle (invex, with the exception engine, comes next)',
      'baseline',
    )
    .option('--seed <n>', 'random seed', '1')
    .option('--out <file>', 'also write the KPIs as JSON to this file')
    .option('--json', 'print the KPIs as JSON')
    .action(
      async (options: { scenario: string; policy: string; seed: string; out?: string; json?: boolean }) => {
        const seed = seedOption(options.seed);
        if (options.policy !== 'baseline' && options.policy !== 'oracle') {
          throw new InvexError(
            'invalid_input',
            'request_invalid',
            `--policy must be baseline or oracle; got ${options.policy}`,
          );
        }
        const kpis = playScenario(loadScenario(options.scenario), seed, options.policy);
        if (options.out) await writeFile(options.out, `${JSON.stringify(kpis, null, 2)}\n`);
        if (options.json) return printJson(kpis);
        process.stdout.write(`${kpiTable(kpis)}\n`);
      },
    );
}

function kpiTable(k: PlayKpis): string {
  const rows: [string, string][] = [
    ['scenario / policy', `${k.scenario} (seed ${k.seed}) / ${k.policy}, ${k.days} days`],
    ['fill rate', `${(k.fill_rate * 100).toFixed(2)}% (${k.sold_units} of ${k.demand_units} units)`],
    ['lost sales', `${k.lost_sales_units} units, ${k.lost_sales_value.toFixed(2)} in value`],
    ['stockout days', `${k.stockout_days} store SKU-days`],
    ['cancellations', String(k.cancellations)],
    ['inventory turns', `${k.inventory_turns} a year`],
    ['transfers', `${k.transfers}, costing ${k.transfer_cost.toFixed(2)}`],
    ['expedite cost', k.expedite_cost.toFixed(2)],
    ['counts performed', String(k.counts_performed)],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  return rows.map(([name, value]) => `${name.padEnd(width)}  ${value}`).join('\n');
}
