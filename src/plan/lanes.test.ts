import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildLanes, distanceKm, type LaneSettings } from './lanes.ts';
import type { PlanLocation } from './plan.model.ts';

const settings: LaneSettings = {
  costPerUnitKm: 0.002,
  handlingCostPerUnit: 0.1,
  shipmentCost: 20,
  maxDistanceKm: 500,
  kmPerLeadDay: 500,
  sameRegionKm: 50,
};
const place = fc.record({
  location: fc.string({ minLength: 1, maxLength: 4 }),
  kind: fc.constantFrom('store' as const, 'dc' as const, 'dark_store' as const, 'marketplace_node' as const),
  region: fc.constantFrom('n', 's'),
  lat: fc.option(fc.double({ min: 30, max: 45, noNaN: true }), { nil: null }),
  lon: fc.double({ min: -100, max: -70, noNaN: true }),
  channels: fc.constant<string[]>(['store']),
});

describe('lanes from coordinates', () => {
  it('measures New York to Chicago as about 1,145 km', () => {
    expect(distanceKm({ lat: 40.7128, lon: -74.006 }, { lat: 41.8781, lon: -87.6298 })).toBeGreaterThan(1140);
    expect(distanceKm({ lat: 40.7128, lon: -74.006 }, { lat: 41.8781, lon: -87.6298 })).toBeLessThan(1150);
  });

  it('joins sources to stores within the distance, never into a DC, priced and timed by distance', () => {
    fc.assert(
      fc.property(fc.uniqueArray(place, { selector: (p) => p.location, maxLength: 8 }), (raw) => {
        const locations: PlanLocation[] = raw.map((p) => ({ ...p, lon: p.lat === null ? null : p.lon }));
        const byId = new Map(locations.map((l) => [l.location, l]));
        for (const lane of buildLanes(locations, settings)) {
          const from = byId.get(lane.from)!;
          const to = byId.get(lane.to)!;
          expect(lane.from).not.toBe(lane.to);
          expect(['store', 'dark_store']).toContain(to.kind);
          expect(from.kind).not.toBe('marketplace_node');
          expect(lane.km).toBeLessThanOrEqual(settings.maxDistanceKm);
          if (from.lat === null || to.lat === null) {
            expect(from.region).toBe(to.region);
            expect(lane.km).toBe(settings.sameRegionKm);
          }
          expect(lane.unitCost).toBeCloseTo(0.1 + 0.002 * lane.km, 10);
          expect(lane.leadTimeDays).toBe(1 + Math.floor(lane.km / 500));
        }
      }),
    );
  });
});
