import { describe, expect, it } from 'vitest';
import type { CellStock, ChannelForecast, PlanLocation } from './plan.model.ts';
import { buildTransferProblems, servedBy, usableStock } from './transfers.plan.ts';

const settings = {
  horizonDays: 14,
  minBenefit: 5,
  minTransferUnits: 1,
  keepDays: { store: 3, dark_store: 3, dc: 7, marketplace_node: 3 },
  costPerUnitKm: 0.002,
  handlingCostPerUnit: 0.1,
  shipmentCost: 20,
  maxDistanceKm: 500,
  kmPerLeadDay: 500,
  sameRegionKm: 50,
};
const place = (location: string, kind: PlanLocation['kind'], lat: number, lon: number): PlanLocation => ({
  location,
  kind,
  region: 'r',
  lat,
  lon,
  channels: ['store'],
});
const stock = (sellable: number, recordConfidence: number | null = null, reserved = 0): CellStock => ({
  sku: 'X',
  location: 'L',
  ledgerOnHand: sellable,
  sellable,
  reserved,
  picked: 0,
  onOrder: 0,
  inTransitIn: 0,
  atp: {},
  recordConfidence,
});
const daily = (location: string, rate: number): ChannelForecast[] => [
  {
    sku: 'X',
    location,
    channel: 'store',
    daily: new Array(14).fill(rate),
    dispersion: Number.POSITIVE_INFINITY,
    forecast: { method: 'ets', demand_class: 'smooth', model_version: null },
  },
];

describe('transfer problems from the stock picture', () => {
  it("charges a DC for the demand of the stores it replenishes (the nearest DC's)", () => {
    const near = place('DCN', 'dc', 40, -74);
    const far = place('DCF', 'dc', 42, -74);
    const s1 = place('S1', 'store', 40.1, -74);
    const s2 = place('S2', 'store', 41.9, -74);
    expect(servedBy([near, far, s1, s2], settings)).toEqual(
      new Map([
        ['S1', 'DCN'],
        ['S2', 'DCF'],
      ]),
    );
    const [built] = buildTransferProblems(
      [
        {
          sku: { sku: 'X', category: 'c', unitCost: 3, unitPrice: 15, caseSize: 1 },
          locations: [
            { location: near, stock: stock(500), channels: [] },
            { location: s1, stock: stock(2), channels: daily('S1', 4) },
            { location: s2, stock: stock(40), channels: daily('S2', 1) },
          ],
        },
      ],
      settings,
      [],
    );
    const dc = built!.problem.locations.find((l) => l.id === 'DCN')!;
    // Both stores are nearest to DCN here (DCF is not in this SKU's problem).
    expect(dc.demandMean).toBeCloseTo(14 * 5, 9);
    expect(dc.safetyStock).toBe(35);
    expect(built!.problem.lanes.every((l) => l.to !== 'DCN')).toBe(true);
    expect(built!.free).toBeNull();
  });

  it('counts what a source can send as the expected true stock less what is committed', () => {
    expect(usableStock(stock(10))).toBe(10);
    // 0.6 x 10 + 0.4 x 4.5 = 7.8 expected, 2 committed.
    expect(usableStock(stock(10, 0.6, 2))).toBe(5);
    expect(usableStock(stock(-3))).toBe(0);
    expect(usableStock(null)).toBe(0);
  });
});
