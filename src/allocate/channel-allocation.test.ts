import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocateChannels, type ChannelAllocationInput, type ChannelDemand } from './channel-allocation.ts';
import { probabilityBelow, trueStockDistribution } from './record-error.ts';

// Demand that dwarfs the stock: P(D > u) = 1 (exactly, as exp(-5000) underflows) for any u
// here, so each unit promised is worth its whole margin and the split can be worked by hand.
const unlimited = (
  channel: string,
  unitMargin: number,
  oversellCost = 0,
  priority?: number,
): ChannelDemand => ({
  channel,
  demandMean: 5000,
  demandDispersion: Number.POSITIVE_INFINITY,
  unitMargin,
  oversellCost,
  ...(priority !== undefined ? { priority } : {}),
});

const base = (overrides: Partial<ChannelAllocationInput>): ChannelAllocationInput => ({
  sku: 'SKU-1',
  location: 'S1',
  onHandRecord: 20,
  recordConfidence: 1,
  reserved: 0,
  channels: [unlimited('store', 10)],
  maxOversellRisk: 0.02,
  ...overrides,
});

const byChannel = (result: ReturnType<typeof allocateChannels>) =>
  Object.fromEntries(result.perChannel.map((c) => [c.channel, c.promise]));

describe('channel allocation', () => {
  it('lets the channels promise the record less the reserved units when the record is certain', () => {
    const result = allocateChannels(base({ onHandRecord: 20, reserved: 3 }));
    expect(result.promisable).toBe(17);
    expect(byChannel(result)).toEqual({ store: 17 });
    expect(result.oversellRisk).toBe(0);
    expect(result.sellableEstimate).toEqual({ p10: 17, p50: 17, mean: 17 });
  });

  it('promises up to the largest total whose shortfall probability is within the limit', () => {
    // Record 100 at 0.9: P(T < q) = 0.1 q / 100, within 0.02 up to q = 20.
    const result = allocateChannels(base({ onHandRecord: 100, recordConfidence: 0.9 }));
    expect(result.promisable).toBe(20);
    expect(result.oversellRisk).toBeCloseTo(0.02, 12);
    // The reserved units come out of the same 20.
    expect(allocateChannels(base({ onHandRecord: 100, recordConfidence: 0.9, reserved: 5 })).promisable).toBe(
      15,
    );
    expect(result.why).toContain('At most 20 units may be committed in total');
  });

  it('promises nothing when the reserved units alone exceed the risk limit, and says so', () => {
    // Record 10 at 0.5: P(T < 1) = 0.05 > 0.02, so no unit is safe; 2 reserved are short with P = 0.1.
    const result = allocateChannels(base({ onHandRecord: 10, recordConfidence: 0.5, reserved: 2 }));
    expect(result.promisable).toBe(0);
    expect(byChannel(result)).toEqual({ store: 0 });
    expect(result.oversellRisk).toBeCloseTo(0.1, 12);
    expect(result.why).toContain('reserved units alone are short with probability 0.1000');
    expect(result.perChannel[0]!.why).toContain('nothing is promisable');
  });

  it('estimates the sellable units beyond the reservations', () => {
    // Record 4 at 0.6: T is 0..3 with 0.1 each, 4 with 0.6. S = max(0, T - 1) is 0 (0.2), 1, 2 (0.1), 3 (0.6).
    const result = allocateChannels(base({ onHandRecord: 4, recordConfidence: 0.6, reserved: 1 }));
    expect(result.sellableEstimate.p10).toBe(0);
    expect(result.sellableEstimate.p50).toBe(3);
    expect(result.sellableEstimate.mean).toBeCloseTo(0.1 + 0.2 + 1.8, 12);
  });

  it('gives a unit to the channel whose next unit earns most', () => {
    const result = allocateChannels(
      base({ onHandRecord: 1, channels: [unlimited('store', 3), unlimited('marketplace', 7)] }),
    );
    expect(byChannel(result)).toEqual({ store: 0, marketplace: 1 });
    expect(result.perChannel[0]!.why).toContain('went to channels whose next unit was worth more');
  });

  it('breaks ties by priority, then by channel name', () => {
    const byPriority = allocateChannels(
      base({ onHandRecord: 1, channels: [unlimited('ecommerce', 5), unlimited('store', 5, 0, 2)] }),
    );
    expect(byChannel(byPriority)).toEqual({ ecommerce: 0, store: 1 });
    const byName = allocateChannels(
      base({ onHandRecord: 1, channels: [unlimited('store', 5), unlimited('ecommerce', 5)] }),
    );
    expect(byChannel(byName)).toEqual({ store: 0, ecommerce: 1 });
  });

  it('splits by the falling value of each further unit (Poisson and negative binomial demand)', () => {
    // Store: Poisson(1), margin 10. P(D >= 1) = 1 - e^-1 = 0.632, P(D >= 2) = 1 - 2e^-1 = 0.264.
    // Marketplace: every unit sells, margin 5. Units: store (6.32), then marketplace (5 > 2.64) x 4.
    const poisson = allocateChannels(
      base({
        onHandRecord: 5,
        channels: [
          {
            channel: 'store',
            demandMean: 1,
            demandDispersion: Number.POSITIVE_INFINITY,
            unitMargin: 10,
            oversellCost: 0,
          },
          unlimited('marketplace', 5),
        ],
      }),
    );
    expect(byChannel(poisson)).toEqual({ store: 1, marketplace: 4 });
    const store = poisson.perChannel[0]!;
    expect(store.expectedSales).toBeCloseTo(1 - Math.exp(-1), 12);
    expect(store.expectedMargin).toBeCloseTo(10 * (1 - Math.exp(-1)), 12);
    expect(poisson.perChannel[1]!.expectedMargin).toBeCloseTo(20, 12);

    // Store: NB(mean 2, size 2), p = 0.5: P(0) = 0.25, P(1) = 0.25, P(2) = 0.1875, so
    // P(D >= 1) = 0.75, P(D >= 2) = 0.5, P(D >= 3) = 0.3125. Margin 4: units worth 3, 2, 1.25.
    // Ecommerce sells every unit at 1.5. Record 4: store, store, ecommerce, ecommerce.
    const negativeBinomial = allocateChannels(
      base({
        onHandRecord: 4,
        channels: [
          { channel: 'store', demandMean: 2, demandDispersion: 2, unitMargin: 4, oversellCost: 0 },
          unlimited('ecommerce', 1.5),
        ],
      }),
    );
    expect(byChannel(negativeBinomial)).toEqual({ store: 2, ecommerce: 2 });
    expect(negativeBinomial.perChannel[0]!.expectedSales).toBeCloseTo(1.25, 12);
  });

  it('stops promising to a channel once the oversell charge outweighs the margin', () => {
    // Record 10 at 0.5 and a 0.5 limit: all 10 promisable; P(T < j) = 0.05 j.
    // Unit j is worth 10 - 20 x 0.05 j = 10 - j: positive for j <= 9, nothing for the 10th.
    const input = base({
      onHandRecord: 10,
      recordConfidence: 0.5,
      maxOversellRisk: 0.5,
      channels: [unlimited('marketplace', 10, 20)],
    });
    const result = allocateChannels(input);
    expect(result.promisable).toBe(10);
    expect(byChannel(result)).toEqual({ marketplace: 9 });
    expect(result.oversellRisk).toBeCloseTo(0.45, 12);
    expect(result.perChannel[0]!.why).toContain('not above 0');
    // With 2 reserved, unit j is the (j + 2)th committed: worth 10 - (j + 2), positive for j <= 7.
    const reserved = allocateChannels({ ...input, reserved: 2 });
    expect(reserved.promisable).toBe(8);
    expect(byChannel(reserved)).toEqual({ marketplace: 7 });
  });

  it('gives a channel without demand nothing', () => {
    const result = allocateChannels(
      base({
        channels: [
          { channel: 'marketplace', demandMean: 0, demandDispersion: 3, unitMargin: 50, oversellCost: 0 },
          unlimited('store', 1),
        ],
      }),
    );
    expect(byChannel(result)).toEqual({ marketplace: 0, store: 20 });
    expect(result.perChannel[0]!.why).toContain('no demand expected');
  });

  it('uses a plugged-in error model', () => {
    // A model certain the shelf holds 2 fewer than the record.
    const twoShort = (record: number) => {
      const p = new Array<number>(record + 1).fill(0);
      p[Math.max(0, record - 2)] = 1;
      return p;
    };
    const result = allocateChannels(base({ onHandRecord: 10, reserved: 1, trueStock: twoShort }));
    expect(result.promisable).toBe(7);
    expect(result.why).toContain('the supplied error model');
  });

  it('rejects inputs it cannot model', () => {
    expect(() => allocateChannels(base({ packSize: 2 as 1 }))).toThrow(/pack size 2/);
    expect(() =>
      allocateChannels(base({ channels: [unlimited('store', 1), unlimited('store', 2)] })),
    ).toThrow(/appears twice/);
    expect(() => allocateChannels(base({ recordConfidence: 1.5 }))).toThrow(/confidence/);
    expect(() => allocateChannels(base({ shrinkDispersion: 2, trueStock: trueStockDistribution }))).toThrow(
      /default error model only/,
    );
  });
});

const channelArbitrary = fc.record({
  channel: fc.constantFrom('store', 'ecommerce', 'marketplace', 'wholesale'),
  demandMean: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 60, noNaN: true })),
  demandDispersion: fc.oneof(
    fc.constant(Number.POSITIVE_INFINITY),
    fc.double({ min: 0.3, max: 20, noNaN: true }),
  ),
  unitMargin: fc.double({ min: -2, max: 30, noNaN: true }),
  oversellCost: fc.double({ min: 0, max: 100, noNaN: true }),
  priority: fc.integer({ min: 0, max: 2 }),
});

const inputArbitrary = fc.record({
  onHandRecord: fc.integer({ min: 0, max: 150 }),
  recordConfidence: fc.double({ min: 0, max: 1, noNaN: true }),
  shrinkDispersion: fc.constantFrom(0.3, 1, 4, Number.POSITIVE_INFINITY),
  reserved: fc.integer({ min: 0, max: 20 }),
  maxOversellRisk: fc.double({ min: 0, max: 0.3, noNaN: true }),
  channels: fc.uniqueArray(channelArbitrary, { selector: (c) => c.channel, maxLength: 4 }),
});

describe('channel allocation properties', () => {
  it('promises less, or the same, as the record confidence falls', () => {
    fc.assert(
      fc.property(
        inputArbitrary,
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (input, a, b) => {
          const [low, high] = a <= b ? [a, b] : [b, a];
          const promisable = (c: number) =>
            allocateChannels({ sku: 'S', location: 'L', ...input, recordConfidence: c }).promisable;
          expect(promisable(low)).toBeLessThanOrEqual(promisable(high));
        },
      ),
    );
  });

  it('keeps the oversell risk within the limit, unless the reservations alone exceed it', () => {
    fc.assert(
      fc.property(inputArbitrary, (input) => {
        const result = allocateChannels({ sku: 'S', location: 'L', ...input });
        const below = probabilityBelow(
          trueStockDistribution(input.onHandRecord, input.recordConfidence, input.shrinkDispersion),
        );
        const atReserved = below[Math.min(input.reserved, input.onHandRecord + 1)]!;
        expect(result.oversellRisk).toBeLessThanOrEqual(Math.max(input.maxOversellRisk, atReserved) + 1e-9);
        const promised = result.perChannel.reduce((sum, c) => sum + c.promise, 0);
        expect(promised).toBeLessThanOrEqual(result.promisable);
        if (result.promisable > 0) {
          const committed = input.reserved + result.promisable;
          expect(below[committed]!).toBeLessThanOrEqual(input.maxOversellRisk + 1e-9);
          // And it is the largest such total: one more would break the limit or pass the record.
          if (committed < input.onHandRecord)
            expect(below[committed + 1]!).toBeGreaterThan(input.maxOversellRisk);
        }
        for (const c of result.perChannel) {
          const demand = input.channels.find((d) => d.channel === c.channel)!;
          if (demand.demandMean === 0 || demand.unitMargin <= 0) expect(c.promise).toBe(0);
        }
      }),
    );
  });

  it('gives the promisable units out while some channel values the next one above 0', () => {
    // With no oversell cost and demand that always wants more, every promisable unit goes out.
    fc.assert(
      fc.property(inputArbitrary, fc.double({ min: 0.5, max: 20, noNaN: true }), (input, margin) => {
        const result = allocateChannels({
          sku: 'S',
          location: 'L',
          ...input,
          channels: [unlimited('store', margin)],
        });
        expect(result.perChannel[0]!.promise).toBe(result.promisable);
      }),
    );
  });
});
