import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRandom as rng } from '../twin/index.ts';
import { evaluateForecast } from './eval.ts';

// A small dataset folder in the shared data layout (same files, same columns), so the
// evaluation is tested end to end without the real data.
const dir = mkdtempSync(join(tmpdir(), 'invex-forecast-data-'));
const DAYS = 1913;

beforeAll(() => {
  const u = rng(5);
  const start = Date.UTC(2011, 0, 29);
  const dates = Array.from({ length: DAYS }, (_, d) =>
    new Date(start + d * 86_400_000).toISOString().slice(0, 10),
  );
  mkdirSync(join(dir, 'm5-tiny'));
  mkdirSync(join(dir, 'carparts'));
  mkdirSync(join(dir, 'reference'));
  const calendar = [
    '"date","wm_yr_wk","weekday","wday","month","year","event_name_1","event_type_1","event_name_2","event_type_2","snap_CA","snap_TX","snap_WI","d"',
  ];
  dates.forEach((date, d) => {
    const snap = Number(date.slice(8)) <= 10 ? 1 : 0;
    calendar.push(`"${date}",1,"x",1,1,2011,"","","","",${snap},${snap},${snap},"d_${d + 1}"`);
  });
  writeFileSync(join(dir, 'm5-tiny', 'm5_tiny_calendar.csv'), `${calendar.join('\n')}\n`);
  const long = [
    '"item_id","dept_id","cat_id","store_id","date","units","sell_price","snap","event_name_1","event_type_1"',
  ];
  for (const store of ['CA_1', 'TX_1'])
    for (let i = 0; i < 4; i++)
      dates.forEach((date, d) => {
        const rate = (1 + i) * (d % 7 === 1 ? 1.8 : 1) * (d < 300 && i === 3 ? 0 : 1);
        const units = Math.floor(rate * 2 * u());
        long.push(
          `"FOODS_1_00${i}","FOODS_1","FOODS","${store}","${date}",${units},${d < 100 ? '' : 2.5 + i},0,"",""`,
        );
      });
  writeFileSync(join(dir, 'm5-tiny', 'm5_tiny_long.csv.gz'), gzipSync(`${long.join('\n')}\n`));
  writeFileSync(
    join(dir, 'reference', 'ref_m5tiny_h28_results.csv'),
    '"method","mean_RMSSE","dollar_weighted_RMSSE_L12"\n"MA28",0.9,1.0\n"ETS_auto",0.95,1.1\n',
  );
  const months = Array.from(
    { length: 51 },
    (_, m) => `${1998 + Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, '0')}`,
  );
  const columns = Array.from({ length: 30 }, (_, j) =>
    months.map((_, m) => (j === 29 && m === 3 ? '' : String(u() < 0.4 ? 1 + Math.floor(3 * u()) : 0))),
  );
  // Column 28 never sells in its first 15 months: outside the protocol's selection.
  for (let m = 0; m < 15; m++) columns[28]![m] = '0';
  writeFileSync(
    join(dir, 'carparts', 'carparts_wide.csv'),
    `${['"month"', ...columns.map((_, j) => `"${1000 + j}"`)].join(',')}\n${months.map((month, m) => [`"${month}"`, ...columns.map((c) => c[m])].join(',')).join('\n')}\n`,
  );
  writeFileSync(
    join(dir, 'reference', 'ref_carparts_h6_results.csv'),
    '"method","MAE","RMSE","ME","MASE"\n"Zero",0.5,1.5,0.5,0.5\n"ETS_auto",0.7,1.2,0.1,0.7\n',
  );
});

describe('forecast evaluation on a dataset folder', () => {
  it('scores m5-tiny by its protocol next to the reference, with the ratio on the primary metric', async () => {
    const r = await evaluateForecast({ dataset: 'm5-tiny', dataDir: dir });
    expect(r.invex.series).toBe(8);
    expect(r.train_end).toEqual({ period: 1885, date: '2016-03-27' });
    expect(r.invex.weighted_rmsse).toBeGreaterThan(0);
    expect(r.reference).toMatchObject({ weighted_rmsse: 1.1, mean_rmsse: 0.95 });
    expect(r.ratio_vs_reference).toBeCloseTo(r.invex.weighted_rmsse! / 1.1, 12);
    expect(r.reference_methods!.MA28).toEqual({ mean_rmsse: 0.9, weighted_rmsse: 1.0 });
    expect(r.better_than_every_reference_method).toBe(r.invex.weighted_rmsse! < 1.0);
    // Weekday 1 sells 1.8x: every single-method figure is there, and the seasonal ones see it.
    expect(r.single_methods.seasonal_level!.mean_rmsse!).toBeLessThan(r.single_methods.naive!.mean_rmsse!);
    for (const i of r.invex.intervals) expect(i.coverage).toBeGreaterThan(0.5);
  });

  it('evaluates at another origin, given as a date or a day index, without the reference', async () => {
    const byIndex = await evaluateForecast({ dataset: 'm5-tiny', dataDir: dir, trainEnd: '1857' });
    const byDate = await evaluateForecast({
      dataset: 'm5-tiny',
      dataDir: dir,
      trainEnd: byIndex.train_end.date,
    });
    expect(byIndex.train_end.period).toBe(1857);
    expect(byDate.invex.weighted_rmsse).toBe(byIndex.invex.weighted_rmsse);
    expect(byIndex.reference).toBeNull();
    expect(byIndex.ratio_vs_reference).toBeNull();
  });

  it('selects the carparts series as the protocol does and scores RMSE', async () => {
    const r = await evaluateForecast({ dataset: 'carparts', dataDir: dir });
    // 30 columns: one incomplete, one without demand in its first 15 months.
    expect(r.invex.series).toBe(28);
    expect(r.primary_metric).toBe('rmse');
    expect(r.ratio_vs_reference).toBeCloseTo(r.invex.rmse! / 1.2, 12);
  });

  it('says which origin would fit when --train-end leaves no room, and where the data is missing', async () => {
    await expect(evaluateForecast({ dataset: 'm5-tiny', dataDir: dir, trainEnd: '1900' })).rejects.toThrow(
      /origin must be between period 84 and 1885/,
    );
    await expect(
      evaluateForecast({ dataset: 'carparts', dataDir: dir, trainEnd: '1999-13' }),
    ).rejects.toThrow(/neither a period index nor a date/);
    await expect(evaluateForecast({ dataset: 'carparts', dataDir: join(dir, 'nope') })).rejects.toThrow(
      /carparts_wide.csv not found: point --data-dir/,
    );
  });

  it('prints the JSON report from the command line, fitting on worker threads', () => {
    const bin = resolve(import.meta.dirname, '../../bin/invex.js');
    const out = spawnSync(
      process.execPath,
      [bin, 'eval', 'forecast', '--dataset', 'carparts', '--json', '--workers', '2'],
      {
        env: { ...process.env, INVEX_SHARED_DATA: dir },
        encoding: 'utf8',
      },
    );
    expect(out.stderr).toBe('');
    const report = JSON.parse(out.stdout);
    expect(report).toMatchObject({ dataset: 'carparts', invex: { series: 28, workers: 2 } });
    expect(typeof report.ratio_vs_reference).toBe('number');
    const bad = spawnSync(process.execPath, [bin, 'eval', 'forecast', '--dataset', 'm6'], {
      encoding: 'utf8',
    });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('unknown dataset m6: expected m5-tiny or carparts');
  });
});
