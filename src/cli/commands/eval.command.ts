import type { Command } from 'commander';
import { type EvalReport, evaluateDetection, loadDetectorConfig } from '../../detect/index.ts';
import { loadScenario } from '../../twin/index.ts';
import { configFrom, type GlobalOptions } from '../context.ts';
import { seedOption } from './sim.command.ts';

const pct = (x: number | null) => (x === null ? '    -' : x.toFixed(2).padStart(5));
const hours = (x: number | null) => (x === null ? '     -' : x.toFixed(0).padStart(6));

export function evalTable(r: EvalReport): string {
  const lines = [
    `${r.scenario} seed ${r.seed}: ${r.days} days, ${r.cells} SKU x locations, ${r.events} events, ${r.seconds.toFixed(0)} s`,
    '',
    `${'type'.padEnd(28)} ${'faults'.padStart(6)} ${'found'.padStart(5)} ${'raised'.padStart(6)} ${'true'.padStart(5)}  ${'prec'.padStart(5)} ${'recall'.padStart(6)} ${'F1'.padStart(5)}  ${'ttd p50 h'.padStart(9)} ${'p90 h'.padStart(6)}`,
  ];
  const line = (name: string, t: Omit<EvalReport['types'][number], 'type'>) =>
    `${name.padEnd(28)} ${String(t.labels).padStart(6)} ${String(t.detected).padStart(5)} ${String(t.raised).padStart(6)} ${String(t.true_positives).padStart(5)}  ${pct(t.precision)} ${pct(t.recall).padStart(6)} ${pct(t.f1)}  ${hours(t.ttd_median_hours).padStart(9)} ${hours(t.ttd_p90_hours)}`;
  for (const t of r.types) lines.push(line(t.type, t));
  lines.push(line('overall', r.overall));
  lines.push('');
  lines.push(`false exceptions per 1,000 SKU x location-days: ${r.false_per_1000_cell_days.toFixed(3)}`);
  const fast = r.phantom_fast_movers;
  if (fast)
    lines.push(
      `phantom inventory on SKUs selling >= ${fast.min_daily_units} a day: ${fast.detected} of ${fast.labels} found, ${fast.within_48h} within 48 h (ttd p50 ${hours(fast.ttd_median_hours).trim()} h, p90 ${hours(fast.ttd_p90_hours).trim()} h)`,
    );
  lines.push(
    `calibration (confidence: raised, real): ${r.calibration
      .filter((c) => c.exceptions > 0)
      .map(
        (c) =>
          `${c.bin}: ${c.exceptions}, ${c.share_real === null ? '-' : `${(c.share_real * 100).toFixed(0)}%`}`,
      )
      .join('; ')}`,
  );
  if (r.missed.length > 0)
    lines.push(`missed: ${r.missed.map((m) => `${m.type} ${m.sku ?? ''}@${m.location}`).join(', ')}`);
  return lines.join('\n');
}

export function registerEval(program: Command): void {
  const evaluate = program.command('eval').description('Measure invex against ground truth');
  evaluate
    .command('detect')
    .description(
      "Run a twin scenario through a fresh invex (a temporary embedded database) and score its exceptions against the twin's fault labels: precision, recall, F1 and time to detect per type",
    )
    .option('--scenario <name>', 'shipped scenario name or a scenario file', 'demo')
    .option('--seed <n>', 'random seed', '1')
    .option('--memory', 'feed the engine directly, without a database (faster; same detectors)')
    .option('--json', 'print the report as JSON')
    .action(
      async (
        options: { scenario: string; seed: string; memory?: boolean; json?: boolean },
        command: Command,
      ) => {
        const config = configFrom(command.optsWithGlobals<GlobalOptions>());
        const seed = seedOption(options.seed);
        const scenario = loadScenario(options.scenario);
        const report = await evaluateDetection(scenario, seed, {
          mode: options.memory ? 'memory' : 'database',
          config: loadDetectorConfig(config.detectorsFile),
          databaseUrl: config.databaseUrl,
          onDay: options.json
            ? undefined
            : (day) => {
                if (process.stderr.isTTY) process.stderr.write(`\r  day ${day + 1}/${scenario.days}`);
              },
        });
        if (process.stderr.isTTY && !options.json) process.stderr.write('\r');
        process.stdout.write(
          options.json ? `${JSON.stringify(report, null, 2)}\n` : `${evalTable(report)}\n`,
        );
      },
    );
}
