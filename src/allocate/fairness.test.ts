import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fairnessReport, fairShareFloor } from './fairness.ts';

describe('fairness report', () => {
  const rows = [
    { region: 'north', storeGroup: 'A', demand: 100, served: 90 },
    { region: 'north', storeGroup: 'B', demand: 50, served: 20 },
    { region: 'south', storeGroup: 'A', demand: 40, served: 40 },
    { region: 'south', storeGroup: 'B', demand: 10, served: 0 },
  ];

  it('gives the fill share by region and store group, and the worst of each', () => {
    const report = fairnessReport(rows);
    // north 110/150, south 40/50; A 130/140, B 20/60; overall 150/200.
    expect(report.byRegion).toEqual([
      { region: 'north', demand: 150, served: 110, share: 110 / 150 },
      { region: 'south', demand: 50, served: 40, share: 0.8 },
    ]);
    expect(report.byStoreGroup).toEqual([
      { storeGroup: 'A', demand: 140, served: 130, share: 130 / 140 },
      { storeGroup: 'B', demand: 60, served: 20, share: 20 / 60 },
    ]);
    expect(report.overallShare).toBe(0.75);
    expect(report.worstRegion!.region).toBe('north');
    expect(report.worstGroup!.storeGroup).toBe('B');
    expect(report.violations).toEqual([]);
  });

  it('lists the keys below the minimum share, lowest first', () => {
    const report = fairnessReport(rows, { minimumShare: 0.75 });
    expect(report.violations).toEqual([
      { kind: 'storeGroup', key: 'B', share: 20 / 60, minimumShare: 0.75 },
      { kind: 'region', key: 'north', share: 110 / 150, minimumShare: 0.75 },
    ]);
    // A share exactly at the minimum is no violation.
    expect(fairnessReport(rows, { minimumShare: 0.8 }).violations.map((v) => v.key)).toEqual(['B', 'north']);
  });

  it('counts a key without demand as fully served, and an empty report as fair', () => {
    const report = fairnessReport([{ region: 'east', storeGroup: 'C', demand: 0, served: 0 }], {
      minimumShare: 1,
    });
    expect(report.byRegion[0]!.share).toBe(1);
    expect(report.violations).toEqual([]);
    const empty = fairnessReport([]);
    expect(empty.overallShare).toBe(1);
    expect(empty.worstRegion).toBeNull();
    expect(empty.worstGroup).toBeNull();
  });

  it('rejects served above demand', () => {
    expect(() => fairnessReport([{ region: 'x', storeGroup: 'y', demand: 3, served: 4 }])).toThrow(
      /exceeds demand/,
    );
  });
});

describe('fair share floors', () => {
  const requests = [
    { id: 'r1', group: 'A', demand: 10 },
    { id: 'r2', group: 'A', demand: 30 },
    { id: 'r3', group: 'B', demand: 20 },
    { id: 'r4', group: 'C', demand: 5 },
  ];

  it('gives each group ceil(minimum share x demand) when stock allows', () => {
    // A: 0.7 x 40 = 28; B: 0.7 x 20 = 14; C: ceil(3.5) = 4. 46 needed of 50.
    const floors = fairShareFloor(requests, 50, 0.7);
    expect(floors.scaledDown).toBe(false);
    expect(floors.needed).toBe(46);
    expect(floors.groups.map((g) => [g.group, g.floor])).toEqual([
      ['A', 28],
      ['B', 14],
      ['C', 4],
    ]);
    expect(floors.groups[2]!.share).toBe(0.8);
    // A's 28 over 10 : 30 is 7 and 21.
    expect(floors.requests).toEqual([
      { id: 'r1', group: 'A', floor: 7 },
      { id: 'r2', group: 'A', floor: 21 },
      { id: 'r3', group: 'B', floor: 14 },
      { id: 'r4', group: 'C', floor: 4 },
    ]);
  });

  it('scales the floors down in proportion, by largest remainder, when stock is short', () => {
    // 30 of 46: quotas A 28 x 30/46 = 18.26, B 9.13, C 2.61. Whole parts 18 + 9 + 2 = 29; the
    // last unit goes to the largest remainder, C.
    const floors = fairShareFloor(requests, 30, 0.7);
    expect(floors.scaledDown).toBe(true);
    expect(floors.groups.map((g) => [g.group, g.floor])).toEqual([
      ['A', 18],
      ['B', 9],
      ['C', 3],
    ]);
    // A's 18 over 10 : 30 is 4.5 and 13.5: the tied half unit goes to r1 by id.
    expect(floors.requests.filter((r) => r.group === 'A').map((r) => r.floor)).toEqual([5, 13]);
    expect(floors.why).toContain('scaled by 30/46');
  });

  it('does not round a floor up on floating-point noise', () => {
    // 0.55 x 100 is 55.00000000000001 in floating point; the floor is 55, not 56.
    expect(fairShareFloor([{ id: 'r', group: 'G', demand: 100 }], 100, 0.55).groups[0]!.floor).toBe(55);
  });

  it('uses exactly the stock when short, never above a group floor, and meets the minimum when not', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            group: fc.constantFrom('A', 'B', 'C', 'D'),
            demand: fc.integer({ min: 0, max: 200 }),
          }),
          { maxLength: 12 },
        ),
        fc.integer({ min: 0, max: 600 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (raw, available, minimumShare) => {
          const input = raw.map((r, i) => ({ id: `r${i}`, ...r }));
          const unscaled = fairShareFloor(input, Number.MAX_SAFE_INTEGER, minimumShare);
          const floors = fairShareFloor(input, available, minimumShare);
          const total = floors.groups.reduce((s, g) => s + g.floor, 0);
          expect(total).toBe(Math.min(floors.needed, available));
          floors.groups.forEach((g, i) => {
            expect(g.floor).toBeLessThanOrEqual(unscaled.groups[i]!.floor);
            if (!floors.scaledDown) expect(g.share).toBeGreaterThanOrEqual(minimumShare - 1e-9);
            const split = floors.requests.filter((r) => r.group === g.group).reduce((s, r) => s + r.floor, 0);
            expect(split).toBe(g.floor);
          });
        },
      ),
    );
  });
});
