import type { Command } from 'commander';
import { InvexError } from '../../core/errors.ts';
import { type EvalReport, evaluateDetection, loadDetectorConfig } from '../../detect/index.ts';
import {
  DATASETS,
  type DatasetName,
  defaultWorkers,
  evaluateForecast,
  evaluateReturns,
  type ForecastEvalReport,
  RETURNS_METHODS,
  type ReturnsAccuracy,
  type ReturnsEvalReport,
  sharedDataDir,
  workerRunner,
} from '../../forecast/index.ts';
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
  if (r.labels_after_run > 0)
    lines.push(
      `faults that began after the scenario's last day (left out of the scores): ${r.labels_after_run}`,
    );
  const fast = r.phantom_fast_movers;
  if (fast)
    lines.push(
      `phantom inventory on SKUs selling >= ${fast.min_daily_units} a day: ${fast.detected} of ${fast.labels} found, ${fast.within_48h} within 48 h (ttd p50 ${hours(fast.ttd_median_hours).trim()} h, p90 ${hours(fast.ttd_p90_hours).trim()} h)`,
    );
  lines.push(
    `store cycle counts: ${r.counts.performed}, of which ${r.counts.directed} directed by the count plan`,
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

const num = (x: number | undefined, digits = 3) => (x === undefined ? '-' : x.toFixed(digits));

export function forecastTable(r: ForecastEvalReport): string {
  const metrics =
    r.dataset === 'm5-tiny'
      ? (['mean_rmsse', 'weighted_rmsse'] as const)
      : (['mae', 'rmse', 'mase'] as const);
  const row = (name: string, m: Partial<Record<(typeof metrics)[number], number>>) =>
    `${name.padEnd(34)} ${metrics.map((k) => num(m[k]).padStart(14)).join(' ')}`;
  const lines = [
    `${r.dataset}: ${r.invex.series} series, trained to ${r.train_end.date} (period ${r.train_end.period}), horizon ${r.horizon}; primary metric ${r.primary_metric}`,
    '',
    `${''.padEnd(34)} ${metrics.map((k) => k.padStart(14)).join(' ')}`,
    row('invex auto', r.invex),
  ];
  if (r.reference) lines.push(row('R ets() (reference)', r.reference));
  if (r.reference_methods)
    for (const [name, m] of Object.entries(r.reference_methods))
      if (name !== 'ETS_auto') lines.push(row(`R ${name}`, m));
  for (const [name, m] of Object.entries(r.single_methods)) lines.push(row(`invex ${name}`, m));
  lines.push('');
  if (r.ratio_vs_reference !== null)
    lines.push(
      `ratio vs R ets(): ${r.ratio_vs_reference.toFixed(3)} (below 1: invex more accurate); better than every method in the reference table: ${r.better_than_every_reference_method ? 'yes' : 'no'}`,
    );
  lines.push(
    `fit: ${r.invex.fit_seconds.toFixed(1)} s on ${r.invex.workers} thread(s), ${(r.invex.fit_seconds_per_series * 1000).toFixed(1)} ms a series${r.reference ? ` (R ets(): ${(r.reference.fit_seconds_per_series * 1000).toFixed(0)} ms a series, single-threaded)` : ''}`,
  );
  lines.push(
    `intervals: ${r.invex.intervals.map((i) => `${(i.level * 100).toFixed(0)}% covers ${(i.coverage * 100).toFixed(1)}% (pinball ${i.pinball.toFixed(3)})`).join('; ')}; WAPE ${r.invex.wape.toFixed(3)}, bias ${(r.invex.bias * 100).toFixed(1)}%`,
  );
  lines.push(
    `selection: ${r.invex.selection.map((s) => `${s.demand_class} (${s.series}) -> ${s.method}${Math.abs(s.calibration - 1) > 0.005 ? ` x${s.calibration.toFixed(2)}` : ''}`).join(', ')}`,
  );
  return lines.join('\n');
}

const RETURNS_LABELS = {
  time_series: 'time series',
  lag_model: 'lag model',
  lag_model_fitted_profile: 'lag, no refs',
  lag_model_known_sales: 'lag, known sales',
  true_rate: 'true rate',
} as const;

export function returnsTable(r: ReturnsEvalReport): string {
  const cell = (a: ReturnsAccuracy) =>
    `${a.wape === null ? '    -' : a.wape.toFixed(3)} ${a.bias === null ? '     -' : `${a.bias >= 0 ? '+' : ''}${(a.bias * 100).toFixed(1)}%`.padStart(6)}`.padStart(
      17,
    );
  const header = `${'category x channel'.padEnd(24)} ${'actual'.padStart(7)} ${RETURNS_METHODS.map((m) => RETURNS_LABELS[m].padStart(17)).join('')}`;
  const lines = [
    `${r.scenario} seed ${r.seed}: fitted on ${r.days - r.horizon} days, returns forecast for the ${r.horizon} days from ${r.origin}; WAPE and bias per method (${r.seconds.toFixed(0)} s)`,
    '',
    header,
  ];
  const silent: string[] = [];
  for (const row of r.rows) {
    if (row.actual === 0 && Object.values(row.methods).every((m) => m.forecast < 0.5)) {
      silent.push(`${row.category}/${row.channel}`);
      continue;
    }
    lines.push(
      `${`${row.category} / ${row.channel}`.padEnd(24)} ${String(row.actual).padStart(7)} ${RETURNS_METHODS.map((m) => cell(row.methods[m])).join('')}`,
    );
  }
  const total = r.rows.reduce((a, row) => a + row.actual, 0);
  lines.push(
    `${'all, per category x ch.'.padEnd(24)} ${String(total).padStart(7)} ${RETURNS_METHODS.map((m) => cell(r.overall[m])).join('')}`,
  );
  lines.push(
    `${'all, per location'.padEnd(24)} ${String(total).padStart(7)} ${RETURNS_METHODS.map((m) => cell(r.locations[m])).join('')}`,
  );
  lines.push(
    `${'back to sale'.padEnd(24)} ${String(r.sellable.actual).padStart(7)} ${''.padStart(17)}${RETURNS_METHODS.filter(
      (m) => m !== 'time_series',
    )
      .map((m) => cell(r.sellable[m as Exclude<typeof m, 'time_series'>]))
      .join('')}`,
  );
  if (silent.length > 0) lines.push('', `no returns, none forecast: ${silent.join(', ')}`);
  const cover = (x: number | null) => (x === null ? '-' : `${(x * 100).toFixed(1)}%`);
  lines.push(
    '',
    `10%-90% intervals per location-day cover: lag model ${cover(r.interval_coverage.lag_model)}, time series ${cover(r.interval_coverage.time_series)}`,
    '',
    `${'fitted (lag model)'.padEnd(24)} ${'rate'.padStart(8)} ${'twin'.padStart(8)} ${'lag d'.padStart(6)} ${'sellable'.padStart(8)} ${'delay d'.padStart(7)} ${'NB size'.padStart(8)}`,
  );
  for (const f of r.fit) {
    if (f.returns === 0) continue;
    lines.push(
      `${`${f.category} / ${f.channel}`.padEnd(24)} ${f.rate.toFixed(4).padStart(8)} ${(f.true_rate === null ? '-' : f.true_rate.toFixed(4)).padStart(8)} ${f.mean_lag_days.toFixed(2).padStart(6)} ${`${(f.sellable_share * 100).toFixed(1)}%`.padStart(8)} ${f.mean_delay_days.toFixed(2).padStart(7)} ${(f.dispersion === null ? 'Poisson' : f.dispersion.toFixed(1)).padStart(8)}`,
    );
  }
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
    .option(
      '--random-counts',
      "stores count at random only, ignoring invex's count plan (by default they take part of their counts from it)",
    )
    .option('--json', 'print the report as JSON')
    .action(
      async (
        options: { scenario: string; seed: string; memory?: boolean; randomCounts?: boolean; json?: boolean },
        command: Command,
      ) => {
        const config = configFrom(command.optsWithGlobals<GlobalOptions>());
        const seed = seedOption(options.seed);
        const scenario = loadScenario(options.scenario);
        const report = await evaluateDetection(scenario, seed, {
          mode: options.memory ? 'memory' : 'database',
          countPlan: !options.randomCounts,
          config: loadDetectorConfig(config.detectorsFile),
          databaseUrl: config.databaseUrl,
          onDay: options.json
            ? undefined
            : (day) => {
                if (process.stderr.isTTY)
                  process.stderr.write(
                    day < scenario.days ? `\r  day ${day + 1}/${scenario.days}` : '\r  grace period        ',
                  );
              },
        });
        if (process.stderr.isTTY && !options.json) process.stderr.write('\r');
        process.stdout.write(
          options.json ? `${JSON.stringify(report, null, 2)}\n` : `${evalTable(report)}\n`,
        );
      },
    );
  evaluate
    .command('returns')
    .description(
      "Forecast a twin scenario's customer returns for its last 28 days from the days before: the distributed-lag model of sales next to a time series of returns and the twin's true rate, WAPE and bias per category x channel",
    )
    .option('--scenario <name>', 'shipped scenario name or a scenario file', 'demo')
    .option('--seed <n>', 'random seed', '1')
    .option('--json', 'print the report as JSON')
    .action(async (options: { scenario: string; seed: string; json?: boolean }) => {
      const report = await evaluateReturns(loadScenario(options.scenario), seedOption(options.seed));
      process.stdout.write(
        options.json ? `${JSON.stringify(report, null, 2)}\n` : `${returnsTable(report)}\n`,
      );
    });
  evaluate
    .command('forecast')
    .description(
      "Forecast a public demand dataset (../shared/data) on its protocol's split and score invex next to R's forecast package on the same split",
    )
    .requiredOption('--dataset <name>', `dataset: ${DATASETS.join(' or ')}`)
    .option(
      '--train-end <date|index>',
      'evaluate at another origin: last training date or period index (m5-tiny: a day such as 1857)',
    )
    .option(
      '--data-dir <dir>',
      'the shared data folder (default INVEX_SHARED_DATA or ../shared/data beside the checkout)',
    )
    .option('--workers <n>', 'worker threads for fitting (default: all cores)')
    .option('--json', 'print the report as JSON')
    .action(
      async (options: {
        dataset: string;
        trainEnd?: string;
        dataDir?: string;
        workers?: string;
        json?: boolean;
      }) => {
        if (!(DATASETS as readonly string[]).includes(options.dataset))
          throw new InvexError(
            'invalid_input',
            'request_invalid',
            `unknown dataset ${options.dataset}: expected ${DATASETS.join(' or ')}`,
          );
        const workers = options.workers === undefined ? defaultWorkers() : Number(options.workers);
        if (!Number.isInteger(workers) || workers < 1 || workers > 64)
          throw new InvexError(
            'invalid_input',
            'request_invalid',
            `--workers ${options.workers}: expected a whole number from 1 to 64`,
          );
        const report = await evaluateForecast({
          dataset: options.dataset as DatasetName,
          dataDir: sharedDataDir(options.dataDir),
          ...(options.trainEnd !== undefined ? { trainEnd: options.trainEnd } : {}),
          runner: workerRunner({ workers }),
          workers,
        });
        process.stdout.write(
          options.json ? `${JSON.stringify(report, null, 2)}\n` : `${forecastTable(report)}\n`,
        );
      },
    );
}
