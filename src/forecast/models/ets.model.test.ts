import { describe, expect, it } from 'vitest';
import { autoEts, etsForecast, etsVariance, fitEts } from './ets.model.ts';

// A small deterministic noise, so that fits have a likelihood to maximise.
const noise = (t: number) => Math.sin(t * 12.9898) * 0.5;

describe('ETS', () => {
  it('forecasts a linear trend along its line with ETS(A,A,N)', () => {
    const y = Array.from({ length: 60 }, (_, t) => 10 + 2 * t + noise(t));
    const fit = fitEts(y, { error: 'A', trend: 'A', season: 'N' })!;
    const f = etsForecast(fit, 5);
    for (let j = 0; j < 5; j++) expect(f[j]!).toBeCloseTo(10 + 2 * (60 + j), 0);
  });

  it('repeats an additive weekly pattern with ETS(A,N,A), phase aligned to the series', () => {
    const pattern = [5, -2, -2, -1, 0, 3, -3];
    const y = Array.from({ length: 140 }, (_, t) => 50 + pattern[t % 7]! + noise(t) * 0.2);
    const fit = fitEts(y, { error: 'A', trend: 'N', season: 'A' }, 7)!;
    const f = etsForecast(fit, 14);
    for (let j = 0; j < 14; j++) expect(f[j]!).toBeCloseTo(50 + pattern[(140 + j) % 7]!, 0);
  });

  it('chooses by AICc: a seasonal model for seasonal data, a trend model for trending data', () => {
    const pattern = [8, -4, -4, -2, 0, 6, -4];
    const seasonal = Array.from({ length: 140 }, (_, t) => 50 + pattern[t % 7]! + noise(t));
    expect(autoEts(seasonal, 7)!.spec.season).not.toBe('N');
    const trending = Array.from({ length: 80 }, (_, t) => 20 + 1.5 * t + noise(t));
    expect(autoEts(trending, 1)!.spec.trend).not.toBe('N');
    const level = Array.from({ length: 80 }, (_, t) => 20 + noise(t) * 4);
    expect(autoEts(level, 1)!.spec).toMatchObject({ trend: 'N', season: 'N' });
  });

  it('gives ETS(A,N,N) the simple exponential smoothing forecast and variance sigma^2 (1 + (h - 1) alpha^2)', () => {
    const y = [12, 15, 11, 14, 18, 13, 16, 12, 17, 15, 14, 19, 13, 16, 15];
    const fit = fitEts(y, { error: 'A', trend: 'N', season: 'N' })!;
    // The final level is the SES recursion l += alpha (y - l) from the fitted start.
    let level = fit.initialLevel;
    for (const v of y) level += fit.alpha * (v - level);
    expect(fit.level).toBeCloseTo(level, 10);
    const f = etsForecast(fit, 3);
    expect([...f]).toEqual([fit.level, fit.level, fit.level]);
    const v = etsVariance(fit, 3);
    expect(v[0]).toBeCloseTo(fit.sigma2, 12);
    expect(v[2]).toBeCloseTo(fit.sigma2 * (1 + 2 * fit.alpha ** 2), 12);
  });

  it('runs ETS(A,Ad,N) as the damped trend recursion from its fitted start', () => {
    const y = Array.from({ length: 50 }, (_, t) => 30 + 3 * t - 0.04 * t * t + noise(t) * 2);
    const fit = fitEts(y, { error: 'A', trend: 'Ad', season: 'N' })!;
    let level = fit.initialLevel;
    let slope = fit.initialSlope;
    for (const v of y) {
      const q = level + fit.phi * slope;
      const next = q + fit.alpha * (v - q);
      slope = fit.phi * slope + (fit.beta / fit.alpha) * (next - level - fit.phi * slope);
      level = next;
    }
    expect(fit.level).toBeCloseTo(level, 9);
    expect(fit.slope).toBeCloseTo(slope, 9);
    expect(fit.phi).toBeGreaterThanOrEqual(0.8);
    expect(fit.phi).toBeLessThanOrEqual(0.98);
  });

  it('refuses multiplicative models on data with zeros, as R does', () => {
    const y = Array.from({ length: 40 }, (_, t) => (t % 5 === 0 ? 0 : 3 + noise(t)));
    expect(fitEts(y, { error: 'M', trend: 'N', season: 'N' })).toBeNull();
    expect(autoEts(y, 1)!.spec.error).toBe('A');
  });
});
