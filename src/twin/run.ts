import { once } from 'node:events';
import { createWriteStream, mkdirSync, type WriteStream, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildNetwork, masterData } from './network.ts';
import type { Scenario } from './scenario.ts';
import { type FaultLabel, type TwinEvent, type TwinSink, World } from './world.ts';

export interface RunSummary {
  scenario: string;
  seed: number;
  days: number;
  events: number;
  labels: number;
  lostUnits: number;
  seconds: number;
}

/** Writes with back-pressure: a large scenario streams to disk instead of piling up in memory. */
class LineWriter {
  private readonly stream: WriteStream;
  private buffer: string[] = [];
  private size = 0;
  constructor(path: string) {
    this.stream = createWriteStream(path);
  }
  line(text: string): void {
    this.buffer.push(text);
    this.size += text.length;
  }
  async drain(): Promise<void> {
    if (this.buffer.length === 0) return;
    const chunk = `${this.buffer.join('\n')}\n`;
    this.buffer = [];
    this.size = 0;
    if (!this.stream.write(chunk)) await once(this.stream, 'drain');
  }
  get pending(): number {
    return this.size;
  }
  async close(): Promise<void> {
    await this.drain();
    this.stream.end();
    await once(this.stream, 'finish');
  }
}

/**
 * `invex sim run`: simulates the scenario and writes master/ (skus.json, locations.json),
 * events.ndjson (arrival order), labels.json and truth.ndjson (true on-hand per location
 * and day). The same scenario and seed give byte-identical files.
 */
export async function runScenario(
  scenario: Scenario,
  seed: number,
  outDir: string,
  onDay?: (day: number, events: number) => void,
): Promise<RunSummary> {
  const started = performance.now();
  mkdirSync(join(outDir, 'master'), { recursive: true });
  const net = buildNetwork(scenario, seed);
  const master = masterData(net);
  writeFileSync(join(outDir, 'master', 'skus.json'), `${JSON.stringify(master.skus, null, 1)}\n`);
  writeFileSync(join(outDir, 'master', 'locations.json'), `${JSON.stringify(master.locations, null, 1)}\n`);
  const events = new LineWriter(join(outDir, 'events.ndjson'));
  const truth = new LineWriter(join(outDir, 'truth.ndjson'));
  let count = 0;
  const sink: TwinSink = {
    events(list: TwinEvent[]) {
      for (const event of list) events.line(JSON.stringify(event.body));
      count += list.length;
    },
    truth(date, location, onHand) {
      truth.line(JSON.stringify({ date, location, on_hand: onHand }));
    },
  };
  const world = new World(net, scenario, seed);
  world.open();
  for (let day = 0; day < scenario.days; day++) {
    world.step(day, sink);
    await events.drain();
    await truth.drain();
    onDay?.(day, count);
  }
  world.drain(sink);
  await events.close();
  await truth.close();
  writeFileSync(
    join(outDir, 'labels.json'),
    `${JSON.stringify(world.labels satisfies FaultLabel[], null, 1)}\n`,
  );
  return {
    scenario: scenario.name,
    seed,
    days: scenario.days,
    events: count,
    labels: world.labels.length,
    lostUnits: world.kpi.lostUnits,
    seconds: (performance.now() - started) / 1000,
  };
}
