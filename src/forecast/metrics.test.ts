import { describe, expect, it } from 'vitest';
import { AccuracyTotals, mase, pinball, rmse, rmsse } from './metrics.ts';

describe('accuracy measures', () => {
  it('scales RMSE by the naive in-sample error (RMSSE) and MAE likewise (MASE)', () => {
    const history = [1, 3, 2, 4];
    // squared differences 4, 1, 4: mean 3; absolute 2, 1, 2: mean 5/3.
    expect(rmse([2, 4], [1, 2])).toBeCloseTo(Math.sqrt(2.5), 12);
    expect(rmsse([2, 4], [1, 2], history)).toBeCloseTo(Math.sqrt(2.5 / 3), 12);
    expect(mase([2, 4], [1, 2], history)).toBeCloseTo(1.5 / (5 / 3), 12);
  });

  it('charges pinball loss tau per unit under the quantile and 1 - tau over it', () => {
    expect(pinball([10], [8], 0.9)).toBeCloseTo(1.8, 12);
    expect(pinball([10], [12], 0.9)).toBeCloseTo(0.2, 12);
  });

  it('totals WAPE, bias and interval coverage across series', () => {
    const t = new AccuracyTotals();
    t.add([10, 0], [8, 1], [5, 0], [9, 2]);
    t.add([5], [7], [6], [8]);
    expect(t.wape).toBeCloseTo(5 / 15, 12);
    expect(t.bias).toBeCloseTo(1 / 15, 12);
    expect(t.coverage).toBeCloseTo(1 / 3, 12);
  });
});
