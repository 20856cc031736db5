import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  annotatedMask,
  annotationInputSchema,
  type DemandAnnotation,
  excludeAnnotated,
} from './annotations.ts';
import { autoForecast } from './auto.ts';

const note = (fields: Partial<DemandAnnotation>): DemandAnnotation => ({
  id: 'ann_1',
  sku: null,
  location: null,
  category: null,
  channel: null,
  from: '2026-03-03',
  to: '2026-03-04',
  kind: 'one_off',
  reason: 'test',
  created_by: 'tok_1',
  created_at: '2026-03-10T00:00:00.000Z',
  revoked_at: null,
  revoked_by: null,
  ...fields,
});
const series = (grain: 'day' | 'week', n: number) => ({
  sku: 'TEE-1',
  location: 'S1',
  category: 'tops',
  channel: 'store',
  grain,
  start: '2026-03-02',
  y: new Array<number>(n).fill(1),
});

describe('annotated periods', () => {
  it('marks the days an annotation covers, only for the series it names, and not once revoked', () => {
    expect([...annotatedMask(series('day', 5), [note({ sku: 'TEE-1' })])]).toEqual([0, 1, 1, 0, 0]);
    expect([...annotatedMask(series('day', 5), [note({ sku: 'COAT-1' })])]).toEqual([0, 0, 0, 0, 0]);
    expect([...annotatedMask(series('day', 5), [note({ location: 'S1', channel: 'ecommerce' })])]).toEqual([
      0, 0, 0, 0, 0,
    ]);
    expect([
      ...annotatedMask(series('day', 5), [note({ category: 'tops', revoked_at: '2026-03-11' })]),
    ]).toEqual([0, 0, 0, 0, 0]);
    // A week is marked when any of its days is; marks outside the series are ignored.
    expect([
      ...annotatedMask(series('week', 3), [note({ sku: 'TEE-1', from: '2026-03-15', to: '2026-03-16' })]),
    ]).toEqual([0, 1, 1]);
    expect([
      ...annotatedMask(series('day', 3), [note({ sku: 'TEE-1', from: '2026-01-01', to: '2026-02-01' })]),
    ]).toEqual([0, 0, 0]);
  });

  it('fills a marked period from unmarked neighbours of the same weekday, whatever sold in it', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 30, maxLength: 80 }),
        fc.integer({ min: 0, max: 29 }),
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.integer({ min: 0, max: 10_000 }), { minLength: 6, maxLength: 6 }),
        (y, from, length, spike) => {
          const mask = y.map((_, t) => (t >= from && t < from + length ? 1 : 0));
          const a = excludeAnnotated(y, mask, 7);
          const spiked = y.map((v, t) => (mask[t] ? spike[t - from]! : v));
          const b = excludeAnnotated(spiked, mask, 7);
          expect([...b]).toEqual([...a]);
          // Unmarked periods are kept as they are.
          y.forEach((v, t) => {
            if (!mask[t]) expect(a[t]).toBe(v);
          });
        },
      ),
    );
    // Weekday 3 of [10, 20, 30, ...]: the neighbours a week either side.
    const y = Array.from({ length: 28 }, (_, t) => (t % 7) * 10 + Math.floor(t / 7));
    const mask = y.map((_, t) => (t === 10 ? 1 : 0));
    expect(excludeAnnotated(y, mask, 7)[10]).toBe((30 + 32 + 33) / 3);
  });

  it('forecasts a series with an annotated spike exactly as with any other values in the marked days', async () => {
    const base = Array.from({ length: 140 }, (_, t) => 8 + ((t * 7919) % 5) + (t % 7 === 5 ? 6 : 0));
    const options = { horizon: 14, period: 7, windows: 2 };
    const mask = base.map((_, t) => (t >= 125 && t < 129 ? 1 : 0));
    const spiked = base.map((v, t) => (mask[t] ? v + 200 : v));
    const run = async (y: number[]) =>
      (await autoForecast([{ id: 'a', y: excludeAnnotated(y, mask, 7) }], options)).forecasts[0]!.mean;
    const [withSpike, without] = [await run(spiked), await run(base)];
    expect([...withSpike]).toEqual([...without]);
    const raw = (await autoForecast([{ id: 'a', y: spiked }], options)).forecasts[0]!.mean;
    const sum = (xs: ArrayLike<number>) => Array.from(xs).reduce((a, b) => a + b, 0);
    expect(sum(raw) / sum(without)).toBeGreaterThan(1.2);
    const plain = (await autoForecast([{ id: 'a', y: base }], options)).forecasts[0]!.mean;
    expect(Math.abs(sum(without) / sum(plain) - 1)).toBeLessThan(0.05);
  });

  it('validates an annotation: a scope, dates in order, a reason, a bounded length', () => {
    const ok = { sku: 'TEE-1', from: '2026-03-01', to: '2026-03-02', reason: 'event' };
    expect(annotationInputSchema.parse(ok).kind).toBe('one_off');
    const fails = (input: Record<string, unknown>) =>
      annotationInputSchema.safeParse(input).success === false;
    expect(fails({ from: '2026-03-01', to: '2026-03-02', reason: 'x' })).toBe(true);
    expect(fails({ ...ok, to: '2026-02-28' })).toBe(true);
    expect(fails({ ...ok, from: '2026-02-30' })).toBe(true);
    expect(fails({ ...ok, reason: ' ' })).toBe(true);
    expect(fails({ ...ok, to: '2027-06-01' })).toBe(true);
    expect(fails({ ...ok, kind: 'forever' })).toBe(true);
    expect(fails({ ...ok, extra: 1 })).toBe(true);
  });
});
