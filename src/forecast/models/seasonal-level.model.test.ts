import { describe, expect, it } from 'vitest';
import { fitSeasonalLevel, seasonalLevelForecast } from './seasonal-level.model.ts';

const weekly = { period: 7, profileCycles: 52, levelWindow: 28, profileStrength: 28, eventStrength: 20 };

describe('seasonal level model', () => {
  it('recovers level x weekday profile from a long clean history', () => {
    const shape = [1.4, 0.8, 0.8, 0.9, 1.0, 1.3, 0.8];
    const y = Array.from({ length: 364 }, (_, t) => 20 * shape[t % 7]!);
    const input = { y };
    const fit = fitSeasonalLevel(input, weekly);
    const f = seasonalLevelForecast(fit, input, 7);
    // 364 days x 20 a day: the 28 pseudo-units of a flat prior barely move the profile.
    for (let j = 0; j < 7; j++) expect(f[j]!).toBeCloseTo(20 * shape[(364 + j) % 7]!, 0);
  });

  it("leans on the group's profile when the series itself has little evidence", () => {
    const group = Float64Array.from([2, 0.5, 0.5, 0.5, 0.5, 2.5, 0.5]);
    const sparse = Array.from({ length: 70 }, (_, t) => (t % 10 === 0 ? 1 : 0));
    const fit = fitSeasonalLevel({ y: sparse, groupProfile: group }, weekly);
    // 7 units of its own against 28 pseudo-units of the group's: the group's shape dominates.
    expect(fit.profile[5]! / fit.profile[1]!).toBeGreaterThan(3);
  });

  it('estimates an event uplift and applies it on the event days of the horizon', () => {
    const flags = Array.from({ length: 400 }, (_, t) => (t % 30 < 10 ? 1 : 0));
    const y = flags.map((f) => (f ? 15 : 10));
    const events = [{ name: 'snap', history: flags, future: [1, 0] }];
    const fit = fitSeasonalLevel({ y, events }, weekly);
    expect(fit.uplift.get('snap')!).toBeGreaterThan(1.4);
    expect(fit.uplift.get('snap')!).toBeLessThan(1.55);
    const f = seasonalLevelForecast(fit, { y, events }, 2);
    expect(f[0]! / (fit.level * fit.profile[400 % 7]!)).toBeCloseTo(fit.uplift.get('snap')!, 9);
    expect(f[1]! / (fit.level * fit.profile[401 % 7]!)).toBeCloseTo(1, 9);
    // The level is net of the uplift: about 10 on a day without the event.
    expect(f[1]!).toBeGreaterThan(9.5);
    expect(f[1]!).toBeLessThan(10.5);
  });
});
