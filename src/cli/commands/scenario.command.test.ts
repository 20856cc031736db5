import { describe, expect, it } from 'vitest';
import { parseClosure, parsePromotion, parseSlip } from './scenario.command.ts';

describe('invex scenario what-if flags', () => {
  it('reads a supplier slip, a promotion and a closure in their short forms', () => {
    expect(parseSlip('SUP01:14@20')).toEqual({ supplier: 'SUP01', days: 14, day: 20, duration_days: 30 });
    expect(parseSlip('SUP02:7@3+10')).toEqual({ supplier: 'SUP02', days: 7, day: 3, duration_days: 10 });
    expect(parsePromotion('SKU00012:florida@30+7x2.5')).toEqual({
      sku: 'SKU00012',
      region: 'florida',
      day: 30,
      days: 7,
      uplift: 2.5,
    });
    expect(parseClosure('S003@15')).toEqual({ store: 'S003', day: 15, days: 1 });
    expect(parseClosure('S003@15+2')).toEqual({ store: 'S003', day: 15, days: 2 });
  });

  it('says which form it expected when a flag is malformed', () => {
    expect(() => parseSlip('SUP01@20')).toThrow(/--slip SUP01@20: expected SUPPLIER:DAYS@DAY\[\+DURATION\]/);
    expect(() => parsePromotion('SKU1:florida@30')).toThrow(
      /--promotion SKU1:florida@30: expected SKU:REGION@DAY\+DAYSxUPLIFT/,
    );
    expect(() => parseClosure('S003')).toThrow(/--close S003: expected STORE@DAY/);
  });
});
