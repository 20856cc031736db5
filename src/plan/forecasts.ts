import type { Queryable } from '../db/index.ts';
import {
  activeDailyForecasts,
  autoForecast,
  DEFAULT_MODEL,
  loadDemandHistory,
  workerRunner,
} from '../forecast/index.ts';
import { type ChannelForecast, channelKey, dayNumber, dayText } from './plan.model.ts';

type BatchRunner = NonNullable<Parameters<typeof autoForecast>[2]>;

export interface ForecastCell {
  sku: string;
  location: string;
  channel: string;
}

export interface ForecastOptions {
  /** The plan date: day 1 of the forecast; the history ends the day before. */
  asOf: string;
  historyDays: number;
  /** How the fits run (default: worker threads for large batches, inline for small ones). */
  runner?: BatchRunner;
  /**
   * The forecast model whose active version serves the cells it covers (default `default`);
   * `null` fits every cell afresh.
   */
  model?: string | null;
}

export interface CellForecasts {
  /** Per channel cell (channelKey), day by day over the horizon. */
  forecasts: Map<string, ChannelForecast>;
  /** Daily sales per channel cell over the history window, oldest first (cells without a sale are absent). */
  history: Map<string, number[]>;
  historyFrom: string;
  historyTo: string;
}

/**
 * The forecasts plans use, for each SKU x location x channel asked for: the sales history
 * from the event log (daily, the location's own days), fitted by the automatic selection
 * (per demand class, rolling-origin backtest) over the plan's horizon. A cell without a
 * sale in the window is forecast at zero (method `no_sales`).
 *
 * This is the one seam between planning and forecasting. When the forecast model (by
 * default `default`) has an active daily version whose horizon covers the plan's days for
 * a cell, that forecast is used as promoted, and `model_version` names the version; only
 * the cells it does not cover are fitted here (`model_version` null).
 */
export async function forecastsFor(
  db: Queryable,
  cells: readonly ForecastCell[],
  horizon: number,
  options: ForecastOptions,
): Promise<CellForecasts> {
  const to = dayText(dayNumber(options.asOf) - 1);
  const from = dayText(dayNumber(options.asOf) - options.historyDays);
  const wanted = new Set(cells.map((c) => channelKey(c.sku, c.location, c.channel)));
  const history = new Map<string, number[]>();
  const forecasts = new Map<string, ChannelForecast>();
  if (cells.length > 0) {
    const series = await loadDemandHistory(db, {
      from,
      to,
      grain: 'day',
      skus: [...new Set(cells.map((c) => c.sku))],
      locations: [...new Set(cells.map((c) => c.location))],
    });
    const served = await registryForecasts(db, cells, wanted, horizon, options);
    for (const [key, f] of served) forecasts.set(key, f);
    const inputs = [];
    for (const s of series) {
      const key = channelKey(s.sku, s.location, s.channel);
      if (!wanted.has(key)) continue;
      history.set(key, s.y);
      if (!served.has(key)) inputs.push({ id: key, y: s.y, start: s.startIndex, group: s.location });
    }
    if (inputs.length > 0) {
      const result = await autoForecast(
        inputs,
        { horizon, period: 7, quantiles: [0.1, 0.5, 0.9] },
        options.runner ?? workerRunner(),
      );
      const dispersion = new Map(result.selection.map((s) => [s.demandClass, s.dispersion]));
      for (const f of result.forecasts) {
        const [sku, location, channel] = f.id.split('\u0000') as [string, string, string];
        forecasts.set(f.id, {
          sku,
          location,
          channel,
          daily: Array.from(f.mean, (v) => Math.max(0, v)),
          dispersion: dispersion.get(f.demandClass) ?? Number.POSITIVE_INFINITY,
          forecast: { method: f.method, demand_class: f.demandClass, model_version: null },
        });
      }
    }
  }
  for (const c of cells) {
    const key = channelKey(c.sku, c.location, c.channel);
    if (forecasts.has(key)) continue;
    forecasts.set(key, {
      ...c,
      daily: new Array<number>(horizon).fill(0),
      dispersion: Number.POSITIVE_INFINITY,
      forecast: { method: 'no_sales', demand_class: null, model_version: null },
    });
  }
  return { forecasts, history, historyFrom: from, historyTo: to };
}

/** The cells the model's active daily version covers over the plan's days, as it forecast them. */
async function registryForecasts(
  db: Queryable,
  cells: readonly ForecastCell[],
  wanted: Set<string>,
  horizon: number,
  options: ForecastOptions,
): Promise<Map<string, ChannelForecast>> {
  const out = new Map<string, ChannelForecast>();
  if (options.model === null) return out;
  const active = await activeDailyForecasts(
    db,
    { skus: [...new Set(cells.map((c) => c.sku))], locations: [...new Set(cells.map((c) => c.location))] },
    options.model ?? DEFAULT_MODEL,
  );
  if (!active) return out;
  const { version, rows } = active;
  const offset = dayNumber(options.asOf) - dayNumber(version.forecast_start);
  if (offset < 0) return out;
  const dispersion = new Map(
    version.selection.map((s) => [s.demand_class, s.dispersion ?? Number.POSITIVE_INFINITY]),
  );
  for (const row of rows) {
    const key = channelKey(row.sku, row.location, row.channel);
    if (!wanted.has(key) || offset + horizon > row.mean.length) continue;
    out.set(key, {
      sku: row.sku,
      location: row.location,
      channel: row.channel,
      daily: row.mean.slice(offset, offset + horizon).map((v) => Math.max(0, v)),
      dispersion: dispersion.get(row.demand_class) ?? Number.POSITIVE_INFINITY,
      forecast: { method: row.method, demand_class: row.demand_class, model_version: version.id },
    });
  }
  return out;
}
