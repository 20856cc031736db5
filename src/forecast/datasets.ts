import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { parse as parseCsv } from 'csv-parse/sync';
import { InvexError } from '../core/errors.ts';

/**
 * Readers for the public demand datasets invex is evaluated on (see docs/forecasting.md):
 * Walmart M5 item x store daily sales (the tiny_m5 subset) and Hyndman's car parts monthly
 * intermittent demand, read in place from the shared data folder, never copied.
 */
export const DATASETS = ['m5-tiny', 'carparts'] as const;
export type DatasetName = (typeof DATASETS)[number];

/** The shared data folder: INVEX_SHARED_DATA, else ../shared/data beside the checkout. */
export function sharedDataDir(explicit?: string): string {
  if (explicit) return resolve(explicit);
  if (process.env.INVEX_SHARED_DATA) return resolve(process.env.INVEX_SHARED_DATA);
  return resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/data');
}

function readText(dir: string, file: string): string {
  const path = join(dir, file);
  if (!existsSync(path))
    throw new InvexError(
      'invalid_input',
      'input_unreadable',
      `dataset file ${path} not found: point --data-dir (or INVEX_SHARED_DATA) at the shared data folder`,
      { path },
    );
  const raw = readFileSync(path);
  return file.endsWith('.gz') ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
}

export interface M5Series {
  id: string;
  item: string;
  store: string;
  state: string;
  units: Float64Array;
  /** Sell price per day (NaN before the item was on sale). */
  price: Float64Array;
}

export interface M5Data {
  dates: string[];
  series: M5Series[];
  /** SNAP (food stamp) days per state, one flag per date. */
  snap: Map<string, Uint8Array>;
  /** Calendar event type per date ('' when none). */
  eventType: string[];
}

export function loadM5Tiny(dataDir: string): M5Data {
  const dir = join(dataDir, 'm5-tiny');
  const calendar = parseCsv(readText(dir, 'm5_tiny_calendar.csv'), { columns: true }) as Record<
    string,
    string
  >[];
  const long = parseCsv(readText(dir, 'm5_tiny_long.csv.gz'), { columns: true }) as Record<string, string>[];
  const dates = [...new Set(long.map((r) => r.date!))].sort();
  const dayOf = new Map(dates.map((d, i) => [d, i]));
  const byId = new Map<string, M5Series>();
  for (const r of long) {
    const id = `${r.item_id}_${r.store_id}`;
    let s = byId.get(id);
    if (!s) {
      const store = r.store_id!;
      s = {
        id,
        item: r.item_id!,
        store,
        state: store.split('_')[0]!,
        units: new Float64Array(dates.length),
        price: new Float64Array(dates.length).fill(Number.NaN),
      };
      byId.set(id, s);
    }
    const t = dayOf.get(r.date!)!;
    s.units[t] = Number(r.units);
    if (r.sell_price) s.price[t] = Number(r.sell_price);
  }
  const calendarByDate = new Map(calendar.map((c) => [c.date!, c]));
  const snap = new Map<string, Uint8Array>();
  for (const state of ['CA', 'TX', 'WI'])
    snap.set(state, Uint8Array.from(dates.map((d) => Number(calendarByDate.get(d)?.[`snap_${state}`] ?? 0))));
  const eventType = dates.map((d) => calendarByDate.get(d)?.event_type_1 ?? '');
  const series = [...byId.values()].sort((a, b) =>
    a.store === b.store ? a.item.localeCompare(b.item) : a.store.localeCompare(b.store),
  );
  return { dates, series, snap, eventType };
}

export interface CarpartsData {
  months: string[];
  /** The complete series with at least 10 months of demand, in the first and in the last 15 months. */
  series: { id: string; units: Float64Array }[];
}

export function loadCarparts(dataDir: string): CarpartsData {
  const rows = parseCsv(readText(join(dataDir, 'carparts'), 'carparts_wide.csv')) as string[][];
  const header = rows[0]!;
  const body = rows.slice(1);
  const months = body.map((r) => r[0]!);
  const series: CarpartsData['series'] = [];
  for (let c = 1; c < header.length; c++) {
    const cells = body.map((r) => r[c] ?? '');
    if (cells.some((v) => v === '')) continue;
    const units = Float64Array.from(cells.map(Number));
    const positive = units.filter((v) => v > 0).length;
    const first = units.subarray(0, 15).some((v) => v > 0);
    const last = units.subarray(units.length - 15).some((v) => v > 0);
    if (positive >= 10 && first && last) series.push({ id: header[c]!, units });
  }
  return { months, series };
}

/** R's results on the same splits (reference/*.csv), by method name. */
export function loadReference(dataDir: string, dataset: DatasetName): Record<string, Record<string, number>> {
  const file = dataset === 'm5-tiny' ? 'ref_m5tiny_h28_results.csv' : 'ref_carparts_h6_results.csv';
  const rows = parseCsv(readText(join(dataDir, 'reference'), file), { columns: true }) as Record<
    string,
    string
  >[];
  return Object.fromEntries(
    rows.map((r) => [
      r.method!,
      Object.fromEntries(Object.entries(r).flatMap(([k, v]) => (k === 'method' ? [] : [[k, Number(v)]]))),
    ]),
  );
}
