/**
 * Sweep cost: the exception engine's scheduled scans (zero-sales runs and record
 * confidence, SLA clocks, reporting gaps, category demand, promotion cover) over a
 * network of about 1,000,000 SKU x locations fed by the twin, beside a reference measured
 * in the same run: one bare pass over the same records reading their balances (the floor
 * of any scan).
 *
 *   npm run bench:sweep -- [--stores 200] [--skus 5000] [--days 14]
 */
import { parseArgs } from 'node:util';
import { memoryPipeline } from '../src/detect/index.ts';
import { buildNetwork, loadScenario, masterData, type TwinEvent, World } from '../src/twin/index.ts';

const { values } = parseArgs({
  options: { stores: { type: 'string' }, skus: { type: 'string' }, days: { type: 'string' } },
});
const base = loadScenario('stress');
const scenario = {
  ...base,
  days: Number(values.days ?? 14),
  network: { ...base.network, stores: Number(values.stores ?? 200), skus: Number(values.skus ?? 5000) },
};
const number = (value: number) => Math.round(value).toLocaleString('en-US');
const net = buildNetwork(scenario, 1);
const master = masterData(net);
const start = Date.parse(`${scenario.start}T00:00:00Z`);
// The engine alone, fed with the same validation and idempotency as ingestion.
const pipeline = memoryPipeline([...master.skus, ...master.locations], {}, start);
const engine = pipeline.engine;
const world = new World(net, scenario, 1);
let batch: Record<string, unknown>[] = [];
const sink = {
  events: (list: TwinEvent[]) => {
    for (const e of list) batch.push(e.body);
  },
  truth() {},
};
let events = 0;
const feedStarted = performance.now();
world.open();
for (let day = 0; day < scenario.days; day++) {
  world.step(day, sink);
  events += batch.length;
  await pipeline.deliver(batch, start + (day + 1) * 86_400_000);
  batch = [];
}
const feedSeconds = (performance.now() - feedStarted) / 1000;
engine.takeChanges();

const cells = engine.state.cells.size;
const now = start + scenario.days * 86_400_000 + 12 * 3_600_000;
const times: number[] = [];
for (let i = 0; i < 3; i++) {
  const t = performance.now();
  engine.sweep(now + i * 3_600_000);
  times.push((performance.now() - t) / 1000);
}
const raised = engine.takeChanges().length;
const t = performance.now();
let units = 0;
for (const cell of engine.state.cells.values()) units += cell.onHand - cell.pending - cell.damaged;
const scanSeconds = (performance.now() - t) / 1000;
const sweep = Math.min(...times);
process.stdout.write(
  [
    `exception sweep: ${scenario.network.stores} stores x ${scenario.network.skus} SKUs, ${scenario.days} twin days`,
    '',
    `records (SKU x location)   ${number(cells)}`,
    `events fed                 ${number(events)} in ${feedSeconds.toFixed(1)} s (${number(events / feedSeconds)} events/s, twin generation included)`,
    `sweep                      ${sweep.toFixed(2)} s (best of 3: ${times.map((x) => x.toFixed(2)).join(', ')}), ${number(cells / sweep)} records/s`,
    `exceptions changed         ${number(raised)}`,
    `reference: bare pass       ${scanSeconds.toFixed(3)} s (${number(cells / scanSeconds)} records/s; ${units > 0 ? 'stock read' : ''})`,
    `ratio                      ${(sweep / scanSeconds).toFixed(0)}x the bare pass`,
    `memory                     ${number(process.memoryUsage().rss / 1e6)} MB resident`,
  ].join('\n') + '\n',
);
