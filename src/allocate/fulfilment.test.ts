import { describe, expect, it } from 'vitest';
import { chooseFulfilmentNode, type FulfilmentNode, type FulfilmentRequest } from './fulfilment.ts';

const store: FulfilmentNode = {
  id: 'S1',
  kind: 'store',
  region: 'north',
  available: 10,
  recordConfidence: 0.8,
  shippingCost: 5,
  pickCost: 2,
  transitDays: 1,
};
const dc: FulfilmentNode = {
  id: 'DC1',
  kind: 'dc',
  region: 'south',
  available: 500,
  recordConfidence: 0.99,
  shippingCost: 4,
  pickCost: 1,
  transitDays: 3,
};
const short: FulfilmentNode = { ...store, id: 'S2', available: 1 };

const request = (overrides: Partial<FulfilmentRequest> = {}): FulfilmentRequest => ({
  order: { id: 'ord_1', sku: 'SKU-1', qty: 2, promisedBy: '2024-05-12', destinationRegion: 'north' },
  nodes: [store, dc, short],
  now: '2024-05-10T09:30:00Z',
  lateCostPerDay: 3,
  failureCost: 50,
  ...overrides,
});

describe('fulfilment node choice', () => {
  it('ranks the nodes by expected cost, with the chance the stock is there and the lateness', () => {
    const decision = chooseFulfilmentNode(request());
    // S1: P(T >= 2) = 0.8 + 0.2 x 8/10 = 0.96; arrives 11 May, on time.
    //     2 + 5 + 0.04 x 50 = 9.
    // DC1: P(T >= 2) = 0.99 + 0.01 x 498/500 = 0.99996; arrives 13 May, a day late.
    //     1 + 4 + 0.00004 x 50 + 0.99996 x 1 x 3 = 8.00188.
    expect(decision.ranked.map((o) => o.node)).toEqual(['DC1', 'S1']);
    const [first, second] = decision.ranked;
    expect(first!.expectedCost).toBeCloseTo(8.00188, 10);
    expect(first!.pStockThere).toBeCloseTo(0.99996, 12);
    expect(first!.pOnTime).toBe(0);
    expect(first!.lateDays).toBe(1);
    expect(first!.arrives).toBe('2024-05-13');
    expect(second!.expectedCost).toBeCloseTo(9, 10);
    expect(second!.pStockThere).toBeCloseTo(0.96, 12);
    expect(second!.pOnTime).toBeCloseTo(0.96, 12);
    expect(decision.chosen!.node).toBe('DC1');
    expect(decision.excluded).toEqual([
      { node: 'S2', reason: 'S2 shows 1 available, fewer than the 2 ordered.' },
    ]);
    expect(decision.why).toContain('DC1 at expected cost 8.00, 1.00 below the next best, S1');
  });

  it('prefers the on-time node once lateness costs more than it saves', () => {
    // DC1 at 4 a day late: 5 + 0.002 + 0.99996 x 4 = 9.00184 > 9.
    const decision = chooseFulfilmentNode(request({ lateCostPerDay: 4 }));
    expect(decision.chosen!.node).toBe('S1');
    expect(decision.ranked[1]!.expectedCost).toBeCloseTo(9.00184, 10);
  });

  it('ships a day later once the cut-off has passed', () => {
    const decision = chooseFulfilmentNode(
      request({ nodes: [{ ...store, cutoffPassed: true, transitDays: 2 }] }),
    );
    // Ships 11 May, arrives 13 May: a day late, 9 + 0.96 x 3 = 11.88.
    const option = decision.chosen!;
    expect(option.arrives).toBe('2024-05-13');
    expect(option.lateDays).toBe(1);
    expect(option.expectedCost).toBeCloseTo(11.88, 10);
    expect(option.why).toContain('cut-off passed');
    expect(decision.why).toContain('the only node with the quantity');
  });

  it('counts a record holding exactly the quantity as there only when it is right', () => {
    const decision = chooseFulfilmentNode(
      request({ nodes: [{ ...store, available: 2, recordConfidence: 0.7 }] }),
    );
    expect(decision.chosen!.pStockThere).toBeCloseTo(0.7, 12);
  });

  it('breaks a cost tie by the destination region, then by node id', () => {
    const twin = (id: string, region: string): FulfilmentNode => ({ ...store, id, region });
    const decision = chooseFulfilmentNode(
      request({ nodes: [twin('A', 'south'), twin('C', 'north'), twin('B', 'north')] }),
    );
    expect(decision.ranked.map((o) => o.node)).toEqual(['B', 'C', 'A']);
  });

  it('chooses nothing when no node has the quantity', () => {
    const decision = chooseFulfilmentNode(request({ nodes: [short] }));
    expect(decision.chosen).toBeNull();
    expect(decision.ranked).toEqual([]);
    expect(decision.why).toBe('Order ord_1: no node shows 2 units of SKU-1 available.');
  });

  it('rejects a date-time without a zone and a quantity below one', () => {
    expect(() => chooseFulfilmentNode(request({ now: '2024-05-10T09:30' }))).toThrow(/with a zone/);
    expect(() => chooseFulfilmentNode(request({ order: { ...request().order, qty: 0 } }))).toThrow(
      /quantity 0/,
    );
  });
});
