/**
 * Forecast accuracy measures. Scaled measures follow Hyndman and Koehler (2006) for MASE and
 * the M5 competition (Makridakis, Spiliotis and Assimakopoulos 2022) for RMSSE: the error is
 * divided by the in-sample one-step naive error, so series of any volume can be averaged.
 */

/** Mean squared (or absolute) first difference of a history: the naive forecast's in-sample error. */
export function naiveScale(history: ArrayLike<number>, power: 1 | 2): number {
  let s = 0;
  for (let t = 1; t < history.length; t++) {
    const d = Math.abs(history[t]! - history[t - 1]!);
    s += power === 2 ? d * d : d;
  }
  return history.length > 1 ? s / (history.length - 1) : 0;
}

export function rmse(actual: ArrayLike<number>, forecast: ArrayLike<number>): number {
  let s = 0;
  for (let j = 0; j < actual.length; j++) s += (actual[j]! - forecast[j]!) ** 2;
  return Math.sqrt(s / actual.length);
}

export function mae(actual: ArrayLike<number>, forecast: ArrayLike<number>): number {
  let s = 0;
  for (let j = 0; j < actual.length; j++) s += Math.abs(actual[j]! - forecast[j]!);
  return s / actual.length;
}

/** Mean error, actual minus forecast: positive when the forecast is too low. */
export function meanError(actual: ArrayLike<number>, forecast: ArrayLike<number>): number {
  let s = 0;
  for (let j = 0; j < actual.length; j++) s += actual[j]! - forecast[j]!;
  return s / actual.length;
}

/** Root mean squared scaled error (M5): RMSE over the root of the mean squared first difference. */
export function rmsse(
  actual: ArrayLike<number>,
  forecast: ArrayLike<number>,
  history: ArrayLike<number>,
): number {
  const scale = naiveScale(history, 2);
  return scale > 0 ? rmse(actual, forecast) / Math.sqrt(scale) : Number.NaN;
}

/** Mean absolute scaled error (Hyndman and Koehler 2006), non-seasonal naive scale. */
export function mase(
  actual: ArrayLike<number>,
  forecast: ArrayLike<number>,
  history: ArrayLike<number>,
): number {
  const scale = naiveScale(history, 1);
  return scale > 0 ? mae(actual, forecast) / scale : Number.NaN;
}

/** Pinball (quantile) loss of a quantile forecast at level tau, averaged over the horizon. */
export function pinball(actual: ArrayLike<number>, quantile: ArrayLike<number>, tau: number): number {
  let s = 0;
  for (let j = 0; j < actual.length; j++) {
    const d = actual[j]! - quantile[j]!;
    s += d >= 0 ? tau * d : (tau - 1) * d;
  }
  return s / actual.length;
}

/** Accumulates totals across series for WAPE, bias and interval coverage. */
export class AccuracyTotals {
  absoluteError = 0;
  error = 0;
  actual = 0;
  covered = 0;
  points = 0;

  add(
    actual: ArrayLike<number>,
    forecast: ArrayLike<number>,
    lower?: ArrayLike<number>,
    upper?: ArrayLike<number>,
  ) {
    for (let j = 0; j < actual.length; j++) {
      const a = actual[j]!;
      this.absoluteError += Math.abs(a - forecast[j]!);
      this.error += forecast[j]! - a;
      this.actual += a;
      this.points++;
      if (lower && upper && a >= lower[j]! && a <= upper[j]!) this.covered++;
    }
  }

  /** Weighted absolute percentage error: total absolute error over total actual. */
  get wape(): number {
    return this.actual > 0 ? this.absoluteError / this.actual : Number.NaN;
  }

  /** Total forecast minus total actual, relative to the actual: positive means over-forecast. */
  get bias(): number {
    return this.actual > 0 ? this.error / this.actual : Number.NaN;
  }

  get coverage(): number {
    return this.points > 0 ? this.covered / this.points : Number.NaN;
  }
}
