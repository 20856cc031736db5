import { describe, expect, it } from 'vitest';
import { classifyDemand } from './demand-class.ts';

describe('demand classes (Syntetos-Boylan)', () => {
  it('puts each series in the quadrant its ADI and CV^2 give', () => {
    expect(classifyDemand([5, 6, 5, 4, 5, 6]).class).toBe('smooth');
    expect(classifyDemand([1, 12, 2, 15, 1, 9]).class).toBe('erratic');
    expect(classifyDemand([0, 0, 3, 0, 0, 3, 0, 3]).class).toBe('intermittent');
    expect(classifyDemand([0, 0, 1, 0, 0, 20, 0, 2]).class).toBe('lumpy');
  });

  it('reports ADI as periods per demand and CV^2 of the non-zero sizes', () => {
    const p = classifyDemand([0, 2, 0, 4]);
    expect(p.adi).toBe(2);
    // sizes 2 and 4: mean 3, sample variance 2, CV^2 = 2 / 9.
    expect(p.cv2).toBeCloseTo(2 / 9, 12);
  });
});
