import type { Queryable } from '../db/index.ts';
import { autoForecast, loadDemandHistory, workerRunner } from '../forecast/index.ts';
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
 * This is the one seam between planning and forecasting: when the forecast model
 * registry has an active version, it plugs in here and `model_version` names it.
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
    const inputs = [];
    for (const s of series) {
      const key = channelKey(s.sku, s.location, s.channel);
      if (!wanted.has(key)) continue;
      history.set(key, s.y);
      inputs.push({ id: key, y: s.y, start: s.startIndex, group: s.location });
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
