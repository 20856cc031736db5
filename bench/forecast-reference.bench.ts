/**
 * Forecast fitting time beside R's, in one run on one machine: invex's automatic forecast on
 * a shared dataset (what `invex eval forecast` times: every method backtested per demand
 * class on rolling origins, then each series fitted with its class's method), and R's
 * forecast::ets() on the same training series (the data folder's protocol,
 * reference/ref_*.R: `forecast(ets(ts(y, frequency)), h)`, timed around that call only),
 * single-threaded. R and its forecast package come from Debian (r-base-core,
 * r-cran-forecast), installed with apt-get if missing and possible.
 *
 *   npm run bench:forecast-reference -- [--dataset m5-tiny|carparts] [--runs 3]
 *                                       [--workers N] [--reference-series N]
 *
 * invex runs --runs times on --workers threads (median reported; the machine's other load
 * moves single runs by a fifth) and once on one thread. The per-series ratios compare
 * invex's wall time on its threads with R's single thread, and one thread with one (like
 * for like). --reference-series times R on that many series spread evenly over the dataset
 * (default: all of them).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  DATASETS,
  type DatasetName,
  defaultWorkers,
  evaluateForecast,
  referenceTrainingSeries,
  sharedDataDir,
  workerRunner,
} from '../src/forecast/index.ts';

const { values } = parseArgs({
  options: {
    dataset: { type: 'string' },
    runs: { type: 'string' },
    workers: { type: 'string' },
    'reference-series': { type: 'string' },
    'data-dir': { type: 'string' },
  },
});
const dataset = (values.dataset ?? 'm5-tiny') as DatasetName;
if (!DATASETS.includes(dataset)) {
  console.error(`--dataset ${dataset}: expected one of ${DATASETS.join(', ')}`);
  process.exit(2);
}
/** A whole number >= 1 from an option, or exit 2 naming it. */
function count(name: string, value: string | undefined, otherwise: number): number {
  const n = Number(value ?? otherwise);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`--${name} ${value}: expected a whole number >= 1`);
    process.exit(2);
  }
  return n;
}
const RUNS = count('runs', values.runs, 3);
const WORKERS = count('workers', values.workers, defaultWorkers());
const dataDir = sharedDataDir(values['data-dir']);
const ms = (seconds: number) => `${(1000 * seconds).toFixed(1)} ms`;

// 1. invex, as `invex eval forecast` runs it.
const wall: number[] = [];
let series = 0;
let ratio: number | null = null;
for (let run = 0; run < RUNS; run++) {
  const report = await evaluateForecast({
    dataset,
    dataDir,
    runner: workerRunner({ workers: WORKERS }),
    workers: WORKERS,
  });
  wall.push(report.invex.fit_seconds);
  series = report.invex.series;
  ratio = report.ratio_vs_reference;
}
wall.sort((a, b) => a - b);
const median = wall[Math.floor(wall.length / 2)]!;
const single = (
  await evaluateForecast({ dataset, dataDir, runner: workerRunner({ workers: 1 }), workers: 1 })
).invex.fit_seconds;
const invexWall = median / series;
console.log(
  `invex on ${dataset}: ${series} series, accuracy ratio vs R's ets() ${ratio?.toFixed(3) ?? 'n/a'}; ` +
    `fit ${median.toFixed(1)} s on ${WORKERS} threads (median of ${RUNS}: ${wall.map((s) => s.toFixed(1)).join(', ')} s), ` +
    `${ms(invexWall)} a series; ${single.toFixed(1)} s on one thread, ${ms(single / series)} a series`,
);

// 2. R's ets() on the same training series.
function rAvailable(): boolean {
  const probe = () =>
    spawnSync('Rscript', ['-e', 'suppressMessages(library(forecast))'], { stdio: 'ignore' }).status === 0;
  if (probe()) return true;
  console.log("R's forecast package not found: installing r-base-core r-cran-forecast (apt-get)...");
  spawnSync('apt-get', ['install', '-y', 'r-base-core', 'r-cran-forecast'], { stdio: 'ignore' });
  return probe();
}

const R_SCRIPT = `
suppressMessages(library(forecast))
args <- commandArgs(trailingOnly=TRUE)
freq <- as.numeric(args[2]); h <- as.numeric(args[3])
lines <- readLines(args[1]); total <- 0
for (line in lines) {
  y <- as.numeric(strsplit(line, ",")[[1]])
  t0 <- proc.time()[3]; f <- forecast(ets(ts(y, frequency=freq)), h=h)$mean; total <- total + proc.time()[3] - t0
}
cat(sprintf("TOTAL %.3f %d\\n", total, length(lines)))
`;

if (!rAvailable()) {
  console.log(
    "R's ets(): not available on this machine (no Rscript with the forecast package); no reference timed",
  );
} else {
  const { period, horizon, series: all } = referenceTrainingSeries(dataset, dataDir);
  const wanted = Math.min(all.length, count('reference-series', values['reference-series'], all.length));
  const picked = Array.from({ length: wanted }, (_, i) => all[Math.floor((i * all.length) / wanted)]!);
  const dir = mkdtempSync(join(tmpdir(), 'invex-bench-forecast-'));
  try {
    writeFileSync(join(dir, 'series.csv'), `${picked.map((y) => Array.from(y).join(',')).join('\n')}\n`);
    writeFileSync(join(dir, 'ets.R'), R_SCRIPT);
    const run = spawnSync(
      'Rscript',
      [join(dir, 'ets.R'), join(dir, 'series.csv'), String(period), String(horizon)],
      { encoding: 'utf8', maxBuffer: 16 << 20 },
    );
    const total = /TOTAL ([0-9.]+) (\d+)/.exec(run.stdout ?? '');
    if (!total) {
      console.log(`R's ets(): the run failed: ${(run.stderr ?? '').trim().split('\n').slice(-3).join(' ')}`);
    } else {
      const rSeries = Number(total[1]) / Number(total[2]);
      console.log(
        `R's ets() on the same training series: ${total[2]} series, ${Number(total[1]).toFixed(1)} s single-threaded, ${ms(rSeries)} a series`,
      );
      console.log(
        `invex is ${(rSeries / invexWall).toFixed(1)}x faster a series on wall time (${WORKERS} threads against R's one) ` +
          `and ${(rSeries / (single / series)).toFixed(1)}x on one thread against one (its whole selection procedure against one ets() fit)`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
