import { buildNetwork } from './network.ts';
import type { Scenario } from './scenario.ts';
import { type ReplenishmentPolicy, type TwinSink, World } from './world.ts';

/** What a policy achieved over a scenario (docs/twin.md, "Closed loop"). */
export interface PlayKpis {
  scenario: string;
  seed: number;
  policy: ReplenishmentPolicy;
  days: number;
  demand_units: number;
  sold_units: number;
  /** Units sold over units demanded, stores and online together. */
  fill_rate: number;
  lost_sales_units: number;
  lost_sales_value: number;
  /** Store SKU x location cells with no sellable unit at the end of a day, summed over days. */
  stockout_days: number;
  cancellations: number;
  /** Cost of goods sold over the average inventory value, per year. */
  inventory_turns: number;
  transfers: number;
  transfer_cost: number;
  expedite_cost: number;
  counts_performed: number;
}

/** Cost of store transfers: a fixed charge per delivery (a store's lines of one day travel together) plus a per-unit charge. */
export const TRANSFER_COST = { perShipment: 25, perUnit: 0.1 };

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

/**
 * The closed loop: runs the twin day by day under a replenishment policy and scores it.
 * `baseline` plans on what the systems record, `oracle` on the physical truth; customers
 * are the same under both (demand has its own random stream), so the gap between them is
 * what exception handling can win back.
 */
export function playScenario(scenario: Scenario, seed: number, policy: ReplenishmentPolicy): PlayKpis {
  const net = buildNetwork(scenario, seed);
  const world = new World(net, scenario, seed, policy);
  const sink: TwinSink = { events: () => {}, truth: () => {} };
  world.open();
  for (let day = 0; day < scenario.days; day++) world.step(day, sink);
  const k = world.kpi;
  const sold = world.flows.sold + world.flows.shippedOnline;
  const averageInventory = k.inventoryValueDays / scenario.days;
  return {
    scenario: scenario.name,
    seed,
    policy,
    days: scenario.days,
    demand_units: k.demandUnits,
    sold_units: sold,
    fill_rate: round(sold / Math.max(k.demandUnits, 1), 4),
    lost_sales_units: k.lostUnits,
    lost_sales_value: round(k.lostValue),
    stockout_days: k.stockoutCellDays,
    cancellations: k.cancelledOrders,
    inventory_turns: round(
      averageInventory > 0 ? (k.soldCost / averageInventory) * (365 / scenario.days) : 0,
    ),
    transfers: k.transfers,
    transfer_cost: round(k.transfers * TRANSFER_COST.perShipment + k.transferUnits * TRANSFER_COST.perUnit),
    expedite_cost: 0,
    counts_performed: k.counts,
  };
}
