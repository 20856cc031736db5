import { buildNetwork, masterData } from './network.ts';
import type { Scenario } from './scenario.ts';
import { type TwinEvent, World } from './world.ts';

/**
 * The twin's events in arrival order, one simulated day at a time, without writing files:
 * for tests and benchmarks that feed invex directly. Stops after `limit` events.
 */
export function* twinEvents(
  scenario: Scenario,
  seed: number,
  limit = Number.POSITIVE_INFINITY,
): Generator<Record<string, unknown>> {
  const world = new World(buildNetwork(scenario, seed), scenario, seed);
  let arrived: TwinEvent[] = [];
  const sink = {
    events(list: TwinEvent[]) {
      for (const event of list) arrived.push(event);
    },
    truth() {},
  };
  let count = 0;
  world.open();
  for (let day = 0; day <= scenario.days; day++) {
    if (day < scenario.days) world.step(day, sink);
    else world.drain(sink);
    for (const event of arrived) {
      if (count++ >= limit) return;
      yield event.body;
    }
    arrived = [];
  }
}

/** The master data of a scenario's network, as one list for `importMaster`. */
export function twinMaster(scenario: Scenario, seed: number): Record<string, unknown>[] {
  const master = masterData(buildNetwork(scenario, seed));
  return [...master.skus, ...master.locations];
}
