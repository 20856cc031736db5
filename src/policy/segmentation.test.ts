import { describe, expect, it } from 'vitest';
import { DEFAULT_SEGMENT_TABLE, type SegmentItem, segmentItems, stepServiceLevel } from './segmentation.ts';

const TODAY = 1000;
const repeat = (value: number, days: number) => Array.from({ length: days }, () => value);
/** Daily sales with each week's total sold on the week's first day. */
const weeksOf = (totals: number[]) => totals.flatMap((t) => [t, 0, 0, 0, 0, 0, 0]);

function item(id: string, over: Partial<SegmentItem> = {}): SegmentItem {
  return {
    id,
    annualUnits: 100,
    unitCost: 1,
    unitMargin: 1,
    dailySales: repeat(2, 56),
    firstSaleDay: 500,
    today: TODAY,
    ...over,
  };
}

const by = (rows: ReturnType<typeof segmentItems>) => Object.fromEntries(rows.map((r) => [r.id, r]));

describe('ABC', () => {
  it('closes A at 80% and B at 95% of cumulative annual value, the crossing item inside', () => {
    // Values 500, 300, 100, 60, 40 (of 1,000): the items above each hold 0, 50, 80, 90, 96%.
    const rows = by(
      segmentItems([
        item('e', { annualUnits: 40 }),
        item('c', { annualUnits: 100 }),
        item('a', { annualUnits: 250, unitCost: 2 }),
        item('d', { annualUnits: 60 }),
        item('b', { annualUnits: 300 }),
      ]),
    );
    expect(['a', 'b', 'c', 'd', 'e'].map((id) => rows[id]!.abc)).toEqual(['A', 'A', 'B', 'B', 'C']);
    expect(rows.c!.measures.valueShareBefore).toBeCloseTo(0.8, 12);
    expect(rows.a!.measures.annualValue).toBe(500);
  });

  it('puts a dominant item in A and breaks ties in value by id', () => {
    // 90, 5, 5: "y" and "z" tie; "y" ranks first (90% above it: B), "z" has 95% above it: C.
    const rows = by(
      segmentItems([
        item('z', { annualUnits: 5 }),
        item('y', { annualUnits: 5 }),
        item('x', { annualUnits: 90 }),
      ]),
    );
    expect([rows.x!.abc, rows.y!.abc, rows.z!.abc]).toEqual(['A', 'B', 'C']);
  });

  it('puts items without value in C, and respects configured cuts', () => {
    const rows = by(
      segmentItems(
        [item('a', { annualUnits: 60 }), item('b', { annualUnits: 40 }), item('c', { annualUnits: 0 })],
        {
          abcCuts: { a: 0.5, b: 0.9 },
        },
      ),
    );
    expect([rows.a!.abc, rows.b!.abc, rows.c!.abc]).toEqual(['A', 'B', 'C']);
    expect(segmentItems([item('a', { annualUnits: 0 })])[0]!.abc).toBe('C');
  });
});

describe('XYZ', () => {
  it('reads the coefficient of variation of weekly totals', () => {
    const rows = by(
      segmentItems([
        // Two a day: every week 14, CV 0.
        item('steady', { dailySales: repeat(2, 28) }),
        // 5, 25, 5, 25: mean 15, sample sd sqrt(400 / 3) = 11.5, CV 0.77.
        item('variable', { dailySales: weeksOf([5, 25, 5, 25]) }),
        // 0, 40, 0, 20: mean 15, sample sd sqrt(1100 / 3) = 19.1, CV 1.28.
        item('erratic', { dailySales: weeksOf([0, 40, 0, 20]) }),
      ]),
    );
    expect(rows.steady!.xyz).toBe('X');
    expect(rows.steady!.measures.weeklyCv).toBe(0);
    expect(rows.variable!.xyz).toBe('Y');
    expect(rows.variable!.measures.weeklyCv).toBeCloseTo(Math.sqrt(400 / 3) / 15, 12);
    expect(rows.erratic!.xyz).toBe('Z');
    expect(rows.erratic!.measures.weeklyCv).toBeCloseTo(Math.sqrt(1100 / 3) / 15, 12);
  });

  it('ignores the weekday pattern, a partial oldest week, and days before the first sale', () => {
    // Saturdays sell 10, other days 1: every full week is 16. Three extra days in front (a
    // partial week) and, before them, two weeks of zeros before the first sale.
    const week = [10, 1, 1, 1, 1, 1, 1];
    const sales = [...repeat(0, 14), 5, 5, 5, ...week, ...week, ...week, ...week];
    const [row] = segmentItems([item('a', { dailySales: sales, firstSaleDay: TODAY - sales.length + 14 })]);
    expect(row!.measures.weeklyCv).toBe(0);
    expect(row!.xyz).toBe('X');
  });

  it('calls an item Z with fewer full weeks than the minimum', () => {
    const [row] = segmentItems([item('a', { dailySales: repeat(2, 27) })]);
    expect(Number.isNaN(row!.measures.weeklyCv)).toBe(true);
    expect(row!.xyz).toBe('Z');
    expect(segmentItems([item('a', { dailySales: repeat(2, 14) })], { minWeeks: 2 })[0]!.xyz).toBe('X');
  });
});

describe('velocity', () => {
  it('calls items selling on most days fast, medium or slow by rate, the rest intermittent', () => {
    const rows = by(
      segmentItems([
        item('fast', { dailySales: repeat(6, 56) }),
        item('medium', { dailySales: repeat(3, 56) }),
        item('slow', { dailySales: repeat(1, 56) }),
        // A sale every third day: ADI 3 >= 1.32.
        item('intermittent', { dailySales: Array.from({ length: 57 }, (_, d) => (d % 3 === 0 ? 9 : 0)) }),
      ]),
    );
    expect(rows.fast!.velocity).toBe('fast');
    expect(rows.medium!.velocity).toBe('medium');
    expect(rows.slow!.velocity).toBe('slow');
    expect(rows.intermittent!.velocity).toBe('intermittent');
    expect(rows.intermittent!.measures.adi).toBe(3);
  });
});

describe('lifecycle', () => {
  it('reads new, growing, mature, declining and end of life', () => {
    const rows = by(
      segmentItems([
        item('new', { firstSaleDay: TODAY - 20, dailySales: [...repeat(0, 36), ...repeat(2, 20)] }),
        // 28 units in the earlier four weeks, 56 in the recent four: ratio 2.
        item('growing', { dailySales: [...repeat(1, 28), ...repeat(2, 28)] }),
        item('mature', { dailySales: repeat(2, 56) }),
        item('declining', { dailySales: [...repeat(2, 28), ...repeat(1, 28)] }),
        // Six days of sales, then 50 without: the history ends yesterday, so the last sale was 51 days ago.
        item('ended', { dailySales: [...repeat(2, 6), ...repeat(0, 50)] }),
      ]),
    );
    expect(rows.new!.lifecycle).toBe('new');
    expect(rows.new!.measures.ageDays).toBe(20);
    expect(rows.growing!.lifecycle).toBe('growing');
    expect(rows.growing!.measures.trendRatio).toBe(2);
    expect(rows.mature!.lifecycle).toBe('mature');
    expect(rows.declining!.lifecycle).toBe('declining');
    expect(rows.ended!.lifecycle).toBe('end_of_life');
    expect(rows.ended!.measures.daysSinceLastSale).toBe(51);
  });

  it('reads no trend from a handful of units', () => {
    // 1 unit then 3: ratio 3, but 4 units are too few to tell.
    const sales = repeat(0, 56);
    sales[10] = 1;
    sales[40] = 2;
    sales[55] = 1;
    const [row] = segmentItems([item('a', { dailySales: sales })]);
    expect(row!.lifecycle).toBe('mature');
    expect(Number.isNaN(row!.measures.trendRatio)).toBe(true);
  });

  it('takes the first and last sale from the history when they are not given', () => {
    const young = [...repeat(0, 30), ...repeat(1, 26)];
    const rows = by(
      segmentItems([
        item('young', { firstSaleDay: undefined, dailySales: young }),
        item('quiet', { firstSaleDay: undefined, dailySales: repeat(0, 30) }),
        item('silent', { firstSaleDay: undefined, dailySales: repeat(0, 60) }),
      ]),
    );
    expect(rows.young!.measures.ageDays).toBe(26);
    expect(rows.young!.lifecycle).toBe('new');
    // No sale known: 30 days of silence is not yet end of life (42), 60 days is.
    expect(rows.quiet!.lifecycle).toBe('new');
    expect(rows.silent!.lifecycle).toBe('end_of_life');
    expect(rows.silent!.measures.daysSinceLastSale).toBe(61);
  });
});

describe('margin band', () => {
  it('splits margin rates into terciles, ties together', () => {
    const margin = (id: string, unitMargin: number) => item(id, { unitCost: 10 - unitMargin, unitMargin });
    // Margin rates 0.1 .. 0.6 of a price of 10.
    const six = by(segmentItems([1, 2, 3, 4, 5, 6].map((m) => margin(`m${m}`, m))));
    expect([1, 2, 3, 4, 5, 6].map((m) => six[`m${m}`]!.marginBand)).toEqual([
      'low',
      'low',
      'medium',
      'medium',
      'high',
      'high',
    ]);
    expect(six.m3!.measures.marginRate).toBeCloseTo(0.3, 12);
    const equal = segmentItems([margin('a', 2), margin('b', 2), margin('c', 2)]);
    expect(equal.map((r) => r.marginBand)).toEqual(['medium', 'medium', 'medium']);
  });
});

describe('service level and review', () => {
  it('takes the cell’s level and review, one step up for high margin, one down at end of life', () => {
    // Values 800, 150, 50: A, B, C. Margin rates 0.5, 0.25, 0.09: high, medium, low.
    const a = item('a', { annualUnits: 160, unitCost: 5, unitMargin: 5 });
    const b = item('b', { annualUnits: 50, unitCost: 3, unitMargin: 1 });
    const c = item('c', { annualUnits: 10, unitCost: 5, unitMargin: 0.5 });
    const rows = by(segmentItems([a, b, c]));
    expect(rows.a!).toMatchObject({ segment: 'AX', marginBand: 'high', serviceLevel: 0.99, reviewDays: 1 });
    expect(rows.b!).toMatchObject({ segment: 'BX', marginBand: 'medium', serviceLevel: 0.97, reviewDays: 3 });
    expect(rows.c!).toMatchObject({ segment: 'CX', marginBand: 'low', serviceLevel: 0.92, reviewDays: 7 });

    // The same A item run down: no sale for 51 days makes it Z and end of life; the lower step
    // wins over its high margin.
    const ended = segmentItems([{ ...a, dailySales: [...repeat(2, 6), ...repeat(0, 50)] }, b, c])[0]!;
    expect(ended).toMatchObject({ segment: 'AZ', lifecycle: 'end_of_life', serviceLevel: 0.92 });
  });

  it('uses a configured table and ladder', () => {
    // Values 100 and 20: A and B.
    const rows = segmentItems([item('a', { unitMargin: 5 }), item('b', { annualUnits: 20, unitMargin: 0 })], {
      table: { AX: { serviceLevel: 0.995, reviewDays: 2 }, BX: { serviceLevel: 0.9, reviewDays: 5 } },
      serviceLevelSteps: [0.9, 0.95, 0.995],
    });
    // "a" is high margin but already at the top of the ladder.
    expect(rows[0]).toMatchObject({ segment: 'AX', serviceLevel: 0.995, reviewDays: 2 });
    expect(rows[1]).toMatchObject({ segment: 'BX', serviceLevel: 0.9, reviewDays: 5 });
  });

  it('moves along the ladder from levels between rungs', () => {
    const steps = [0.8, 0.9, 0.95];
    expect(stepServiceLevel(0.93, 1, steps)).toBe(0.95);
    expect(stepServiceLevel(0.93, -1, steps)).toBe(0.9);
    expect(stepServiceLevel(0.8, -1, steps)).toBe(0.8);
    expect(stepServiceLevel(0.95, 1, steps)).toBe(0.95);
  });

  it('keeps every default cell on the default ladder', () => {
    for (const cell of Object.values(DEFAULT_SEGMENT_TABLE)) {
      expect([0.8, 0.85, 0.9, 0.92, 0.95, 0.97, 0.98, 0.99, 0.995]).toContain(cell.serviceLevel);
    }
  });
});

describe('segmentation inputs', () => {
  it('rejects bad items and options with the field and value', () => {
    expect(() => segmentItems([item('a'), item('a')])).toThrow(/items\[1\]\.id must be unique, got a twice/);
    expect(() => segmentItems([item('a', { unitCost: -1 })])).toThrow(/items\[0\]\.unitCost .* got -1/);
    expect(() => segmentItems([item('a', { dailySales: [1, Number.NaN] })])).toThrow(
      /items\[0\]\.dailySales\[1\] .* got NaN/,
    );
    expect(() => segmentItems([item('a', { firstSaleDay: TODAY + 1 })])).toThrow(/firstSaleDay .* got 1001/);
    expect(() => segmentItems([item('a')], { abcCuts: { a: 0.95, b: 0.8 } })).toThrow(
      /abcCuts\.b must be a finite number >= 0.95 <= 1, got 0.8/,
    );
    expect(() => segmentItems([item('a')], { table: { CZ: { serviceLevel: 1, reviewDays: 7 } } })).toThrow(
      /table\.CZ\.serviceLevel .* got 1/,
    );
  });
});
