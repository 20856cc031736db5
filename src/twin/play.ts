import type { TwinNetwork } from './network.ts';
import { buildNetwork } from './network.ts';
import type { Scenario } from './scenario.ts';
import { type Planner, type ReplenishmentPolicy, type TwinSink, World } from './world.ts';

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
  /** Lost units where the demand met an empty shelf: store, DC (online), ship-from-store. */
  lost_by_channel: { store: number; online: number; ship_from_store: number };
  /** Units stores asked their DC for that it did not have. */
  dc_short_units: number;
  /** Store SKU x location cells with no sellable unit at the end of a day, summed over days. */
  stockout_days: number;
  cancellations: number;
  /** Cost of goods sold over the average inventory value, per year. */
  inventory_turns: number;
  transfers: number;
  /** Of the transfer lines, store-to-store ones (redistribution). */
  store_transfers: number;
  transfer_cost: number;
  expedite_cost: number;
  /** Carrying cost of the average inventory over the run, at HOLDING_RATE a year. */
  holding_cost: number;
  /** transfer_cost + expedite_cost + holding_cost. */
  total_cost: number;
  purchase_orders: number;
  counts_performed: number;
}

/** Carrying cost of inventory per year, as a share of its value (capital, space, shrink). */
export const HOLDING_RATE = 0.25;

/** Cost of store transfers: a fixed charge per delivery (a store's lines of one day travel together) plus a per-unit charge. */
export const TRANSFER_COST = { perShipment: 25, perUnit: 0.1 };

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

/**
 * The closed loop: runs the twin day by day under a replenishment policy and scores it.
 * `baseline` plans on what the systems record, `oracle` on the physical truth; customers
 * are the same under both (demand has its own random stream), so the gap between them is
 * what exception handling can win back.
 */
export function playScenario(
  scenario: Scenario,
  seed: number,
  policy: ReplenishmentPolicy | ((net: TwinNetwork) => Planner),
  options: { onWorld?: (world: World) => void } = {},
): PlayKpis {
  const net = buildNetwork(scenario, seed);
  const world = new World(net, scenario, seed, typeof policy === 'string' ? policy : policy(net));
  options.onWorld?.(world);
  const sink: TwinSink = { events: () => {}, truth: () => {} };
  world.open();
  for (let day = 0; day < scenario.days; day++) world.step(day, sink);
  const k = world.kpi;
  const sold = world.flows.sold + world.flows.shippedOnline;
  const averageInventory = k.inventoryValueDays / scenario.days;
  const transferCost = k.transfers * TRANSFER_COST.perShipment + k.transferUnits * TRANSFER_COST.perUnit;
  const holding = (k.inventoryValueDays / 365) * HOLDING_RATE;
  return {
    scenario: scenario.name,
    seed,
    policy: world.policy,
    days: scenario.days,
    demand_units: k.demandUnits,
    sold_units: sold,
    fill_rate: round(sold / Math.max(k.demandUnits, 1), 4),
    lost_sales_units: k.lostUnits,
    lost_sales_value: round(k.lostValue),
    lost_by_channel: {
      store: k.lostStoreUnits,
      online: k.lostOnlineUnits,
      ship_from_store: k.lostShipFromStoreUnits,
    },
    dc_short_units: k.dcShortUnits,
    stockout_days: k.stockoutCellDays,
    cancellations: k.cancelledOrders,
    inventory_turns: round(
      averageInventory > 0 ? (k.soldCost / averageInventory) * (365 / scenario.days) : 0,
    ),
    transfers: k.transfers,
    store_transfers: k.storeTransfers,
    transfer_cost: round(transferCost),
    expedite_cost: 0,
    holding_cost: round(holding),
    total_cost: round(transferCost + holding),
    purchase_orders: k.purchaseOrders,
    counts_performed: k.counts,
  };
}
