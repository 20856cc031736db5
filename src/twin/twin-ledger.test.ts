import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importMaster } from '../catalog/index.ts';
import { openTestDatabase } from '../db/test-database.ts';
import { ingestRecords } from '../ingest/index.ts';
import { clearEventData } from '../ledger/projection.test-support.ts';
import { buildNetwork, masterData } from './network.ts';
import { FAULT_TYPES, type Scenario, scenarioSchema } from './scenario.ts';
import { type FaultLabel, type TwinEvent, World } from './world.ts';

// The twin against invex itself: its events, ingested, must give back its truth, except
// exactly where a labelled fault says they do not.
const scenario = (faults: Scenario['faults']): Scenario =>
  scenarioSchema.parse({
    name: 'ledger',
    start: '2026-01-05',
    days: 35,
    network: { stores: 4, dcs: 1, dark_stores: 1, skus: 40, suppliers: 2 },
    demand: { ship_from_store_orders: 3 },
    promotions: 3,
    faults,
  });

interface Simulated {
  master: Record<string, unknown>[];
  events: Record<string, unknown>[];
  truth: Map<string, number>;
  labels: FaultLabel[];
}

function simulate(s: Scenario, seed: number): Simulated {
  const net = buildNetwork(s, seed);
  const world = new World(net, s, seed);
  const events: Record<string, unknown>[] = [];
  let truth = new Map<string, number>();
  let lastDate = '';
  const sink = {
    events: (list: TwinEvent[]) => {
      for (const e of list) events.push(e.body);
    },
    truth: (date: string, location: string, onHand: Record<string, number>) => {
      if (date !== lastDate) truth = new Map();
      lastDate = date;
      for (const [sku, units] of Object.entries(onHand)) truth.set(`${location}/${sku}`, units);
    },
  };
  world.open();
  for (let day = 0; day < s.days; day++) world.step(day, sink);
  world.drain(sink);
  const master = masterData(net);
  return { master: [...master.skus, ...master.locations], events, truth, labels: world.labels };
}

let db: Awaited<ReturnType<typeof openTestDatabase>>;
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(async () => db?.close());

async function ledgerOnHand(): Promise<Map<string, { onHand: number; inTransitIn: number }>> {
  const { rows } = await db.query<{ location: string; sku: string; on_hand: number; in_transit_in: number }>(
    'select location, sku, coalesce(count_qty, 0) + on_hand_delta as on_hand, in_transit_in from stock_levels',
  );
  return new Map(
    rows.map((r) => [`${r.location}/${r.sku}`, { onHand: r.on_hand, inTransitIn: r.in_transit_in }]),
  );
}

async function ingest({ master, events }: Simulated): Promise<void> {
  await clearEventData(db);
  await importMaster(db, master);
  const result = await ingestRecords(
    db,
    events.map((value, i) => ({ position: i + 1, value })),
    { origin: 'twin' },
  );
  expect(result.rejected + result.conflicts, JSON.stringify(result.rejections.slice(0, 3))).toBe(0);
}

function differences(
  truth: Map<string, number>,
  ledger: Map<string, { onHand: number }>,
): Map<string, number> {
  const diff = new Map<string, number>();
  for (const key of new Set([...truth.keys(), ...ledger.keys()])) {
    const d = (ledger.get(key)?.onHand ?? 0) - (truth.get(key) ?? 0);
    if (d !== 0) diff.set(key, d);
  }
  return diff;
}

describe('the twin, ingested by invex', () => {
  it('gives back the true on-hand of every cell when no fault is injected', async () => {
    const simulated = simulate(scenario([]), 21);
    await ingest(simulated);
    const { truth } = simulated;
    expect(differences(truth, await ledgerOnHand())).toEqual(new Map());
  });

  it('differs from the truth exactly where, and by what, the fault labels say', async () => {
    const simulated = simulate(scenario(FAULT_TYPES.map((type) => ({ type, count: 2 }))), 22);
    await ingest(simulated);
    const { events, truth, labels } = simulated;
    const ledger = await ledgerOnHand();
    // Most fault types take effect even in this small network (all of them do in `demo`).
    expect(new Set(labels.map((l) => l.type)).size).toBeGreaterThan(FAULT_TYPES.length - 4);

    // The last count of each cell: a count puts the record right again.
    const lastCount = new Map<string, string>();
    const byId = new Map<string, Record<string, unknown>>();
    for (const e of events) {
      byId.set(e.event_id as string, e);
      if (e.type === 'cycle_count') {
        const key = `${e.location}/${e.sku}`;
        if ((lastCount.get(key) ?? '') < (e.occurred_at as string))
          lastCount.set(key, e.occurred_at as string);
      }
    }
    const expected = new Map<string, number>();
    const add = (key: string, units: number) => expected.set(key, (expected.get(key) ?? 0) + units);
    for (const label of labels) {
      const key = `${label.location}/${label.sku}`;
      if (label.type === 'phantom_inventory' && label.end === null) add(key, label.magnitude);
      if (label.type === 'data_glitch') {
        const sale = byId.get(label.events[0]!)!;
        if ((lastCount.get(key) ?? '') < (sale.occurred_at as string))
          add(key, -((sale.qty as number) / 1000) * 999);
      }
      if (label.type === 'transfer_lost') {
        // The shelf is right (nothing arrived, nothing recorded); the record shows it still on its way.
        expect(ledger.get(key)?.inTransitIn ?? 0).toBeGreaterThanOrEqual(label.magnitude);
      }
    }
    for (const [key, units] of [...expected]) if (units === 0) expected.delete(key);
    expect(expected.size).toBeGreaterThan(0);
    expect(differences(truth, ledger)).toEqual(expected);
  });
});
