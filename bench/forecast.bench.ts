/**
 * Batch forecasting: fit and forecast many daily series with invex's automatic selection
 * (every method backtested per demand class on rolling origins, over a sample of up to
 * 2,000 series a class, then every series forecast with its class's method and quantiles),
 * on worker threads, and print the rate beside R's automatic ETS at the
 * fitting time measured for it on M5 daily series (../shared/data/README.md: about 0.36 s a
 * series, single-threaded), for the same number of series on the same number of cores.
 *
 *   npm run bench:forecast -- [--series 100000] [--days 365] [--horizon 28] [--workers N]
 *
 * The series are synthetic retail demand: 500 stores x categories, a level drawn
 * log-normally (a third of the series sell under one unit a day: intermittent), a weekday
 * profile per category, a slow trend, and negative binomial noise.
 */
import { parseArgs } from 'node:util';
import { defaultWorkers } from '../src/core/worker-pool.ts';
import { autoForecast, SELECTION_SAMPLE, type SeriesInput, workerRunner } from '../src/forecast/index.ts';
import { createRandom, negativeBinomial } from '../src/twin/index.ts';

const { values } = parseArgs({
  options: {
    series: { type: 'string' },
    days: { type: 'string' },
    horizon: { type: 'string' },
    workers: { type: 'string' },
  },
});
const SERIES = Number(values.series ?? 100_000);
const DAYS = Number(values.days ?? 365);
const HORIZON = Number(values.horizon ?? 28);
const WORKERS = Number(values.workers ?? defaultWorkers());
/** R's forecast::ets on one daily M5 series, single-threaded (../shared/data/README.md). */
const R_ETS_SECONDS_PER_SERIES = 0.36;

const random = createRandom(7);
const CATEGORIES = 8;
const profiles = Array.from({ length: CATEGORIES }, () => {
  const raw = Array.from({ length: 7 }, () => 0.7 + 0.6 * random());
  const mean = raw.reduce((a, b) => a + b, 0) / 7;
  return raw.map((x) => x / mean);
});

const generated = performance.now();
const series: SeriesInput[] = [];
for (let i = 0; i < SERIES; i++) {
  const category = i % CATEGORIES;
  const store = Math.floor(i / CATEGORIES) % 500;
  // Log-normal level: median 1.2 a day, a third below 0.6.
  const level = 1.2 * Math.exp(1.1 * (random() + random() + random() - 1.5) * 1.4);
  const trend = 1 + (random() - 0.5) * 0.6;
  const y = new Float64Array(DAYS);
  for (let t = 0; t < DAYS; t++) {
    const mean = level * profiles[category]![t % 7]! * (1 + ((trend - 1) * t) / DAYS);
    y[t] = negativeBinomial(random, mean, 3);
  }
  series.push({ id: `S${i}`, y, start: 0, group: `store${store}` });
}
const generateSeconds = (performance.now() - generated) / 1000;

const started = performance.now();
const result = await autoForecast(
  series,
  { horizon: HORIZON, period: 7, quantiles: [0.1, 0.5, 0.9] },
  workerRunner({ workers: WORKERS }),
);
const seconds = (performance.now() - started) / 1000;

const fixed = (x: number, d = 1) =>
  x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
const rSeconds = (SERIES * R_ETS_SECONDS_PER_SERIES) / WORKERS;
console.log(
  `${SERIES.toLocaleString('en-US')} daily series x ${DAYS} days (generated in ${fixed(generateSeconds)} s), horizon ${HORIZON}, ${WORKERS} worker threads`,
);
console.log(
  `  invex automatic selection (${result.selection.length} demand classes; every method backtested on 3 origins over up to ` +
    `${SELECTION_SAMPLE.toLocaleString('en-US')} series a class, then every series fitted with its class's method, 3 quantiles): ` +
    `${fixed(seconds)} s, ${fixed((1000 * seconds) / SERIES, 2)} ms a series, ${fixed(SERIES / seconds, 0)} series/s`,
);
for (const s of result.selection)
  console.log(`    ${s.demandClass}: ${s.series.toLocaleString('en-US')} series, ${s.method}`);
console.log(
  `  R's ets at ${R_ETS_SECONDS_PER_SERIES} s a series on ${WORKERS} cores (measured on M5 daily series): ${fixed(rSeconds, 0)} s, ` +
    `${fixed(rSeconds / seconds)} times invex's time`,
);
