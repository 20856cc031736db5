/**
 * Twin throughput: `invex sim run` on the stress scenario (500 stores x 5,000 SKUs), for
 * the first N simulated days, beside a reference measured in the same run: copying the
 * events file it wrote, i.e. the disk's rate for the same bytes, the ceiling for any
 * generator that writes them.
 *
 *   npm run bench:twin -- [--days 30] [--scenario stress]
 */
import { copyFile, mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadScenario, runScenario } from '../src/twin/index.ts';

const { values } = parseArgs({ options: { days: { type: 'string' }, scenario: { type: 'string' } } });
const days = Number(values.days ?? 30);
if (!Number.isInteger(days) || days < 1)
  throw new Error(`--days must be a positive integer, got ${values.days}`);
const base = loadScenario(values.scenario ?? 'stress');
const scenario = { ...base, days: Math.min(days, base.days) };
const dir = await mkdtemp(path.join(os.tmpdir(), 'invex-twin-bench-'));
const number = (value: number) => Math.round(value).toLocaleString('en-US');

try {
  const rss = () => process.memoryUsage().rss;
  let peak = rss();
  const summary = await runScenario(scenario, 1, dir, () => {
    peak = Math.max(peak, rss());
  });
  const file = path.join(dir, 'events.ndjson');
  const bytes = (await stat(file)).size;
  const started = performance.now();
  await copyFile(file, path.join(dir, 'copy.ndjson'));
  const copySeconds = (performance.now() - started) / 1000;
  const lines = [
    `invex sim run: ${scenario.name}, ${scenario.network.stores} stores x ${scenario.network.skus} SKUs, first ${scenario.days} days`,
    '',
    `events                ${number(summary.events)} (${number(bytes / 1e6)} MB of NDJSON)`,
    `seconds               ${summary.seconds.toFixed(1)}`,
    `events/s              ${number(summary.events / summary.seconds)}`,
    `MB/s written          ${(bytes / 1e6 / summary.seconds).toFixed(1)}`,
    `reference: file copy  ${(bytes / 1e6 / copySeconds).toFixed(1)} MB/s (${copySeconds.toFixed(2)} s)`,
    `ratio                 ${(bytes / summary.seconds / (bytes / copySeconds)).toFixed(3)} of the copy rate`,
    `peak memory           ${number(peak / 1e6)} MB`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
