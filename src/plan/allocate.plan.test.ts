import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planAllocation } from './allocate.plan.ts';
import type { ChannelForecast } from './plan.model.ts';

const settings = {
  horizonDays: 7,
  oversellCostShare: { store: 0, ecommerce: 0.3, marketplace: 0.6 },
  defaultShare: 0.3,
  shrinkDispersion: 1,
};
const channels = ['store', 'ecommerce', 'marketplace'];
const forecasts = (rates: number[]): ChannelForecast[] =>
  channels.map((channel, i) => ({
    sku: 'S',
    location: 'L',
    channel,
    daily: new Array(7).fill(rates[i] ?? 0),
    dispersion: 2,
    forecast: { method: 'ets', demand_class: 'smooth', model_version: null },
  }));

describe('channel promises over the stock picture', () => {
  it('keep the oversell risk within the limit whenever the reservations alone do, and never promise more than promisable', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 300 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 0, max: 20 }),
        fc.double({ min: 0.001, max: 0.5, noNaN: true }),
        fc.array(fc.double({ min: 0, max: 10, noNaN: true }), { minLength: 3, maxLength: 3 }),
        fc.boolean(),
        (sellable, confidence, reserved, limit, rates, paused) => {
          const [rec] = planAllocation(
            [
              {
                sku: { sku: 'S', category: 'c', unitCost: 4, unitPrice: 10, caseSize: 1 },
                location: { location: 'L', kind: 'store', region: 'r', lat: null, lon: null, channels },
                stock: {
                  sku: 'S',
                  location: 'L',
                  ledgerOnHand: sellable,
                  sellable,
                  reserved,
                  picked: 0,
                  onOrder: 0,
                  inTransitIn: 0,
                  atp: { marketplace: { qty: 0, listing: paused ? 'paused' : 'active' } },
                  recordConfidence: confidence,
                },
                channels: forecasts(rates),
              },
            ],
            { ...settings, maxOversellRisk: limit },
          );
          const promised = rec!.channels.reduce((s, c) => s + c.promise, 0);
          expect(promised).toBeLessThanOrEqual(rec!.promisable);
          if (rec!.promisable > 0 || promised > 0)
            expect(rec!.oversell_risk).toBeLessThanOrEqual(limit + 1e-9);
          if (paused) expect(rec!.channels.find((c) => c.channel === 'marketplace')!.promise).toBe(0);
        },
      ),
    );
  });
});
