import { type Detector, fixed, iso } from '../detector.ts';
import { DAY, HOUR, type LocationState, localDay, localHour } from '../state.ts';

/** Activity a location usually shows between two times, from its daily volume and its hours. */
export function expectedActivity(loc: LocationState, from: number, to: number, days = 14): number {
  const today = localDay(to, loc.info);
  const n = loc.activity.daysBefore(today, days);
  if (n < 3) return 0;
  let total = 0;
  for (let d = today - n; d < today; d++) total += loc.activity.on(d);
  const daily = total / n;
  let profile = 0;
  for (const h of loc.hourly) profile += h;
  if (profile <= 0) return 0;
  let share = 0;
  // Walk the hours (at most three days: beyond that the gap is long past doubt).
  const end = Math.min(to, from + 3 * DAY);
  for (let t = from; t < end; ) {
    const hour = Math.floor(localHour(t, loc.info)) % 24;
    const next = Math.min(end, (Math.floor(t / HOUR) + 1) * HOUR);
    share += ((loc.hourly[hour] ?? 0) / profile) * ((next - t) / HOUR);
    t = next;
  }
  return daily * share;
}

/**
 * Reporting gap: a location that usually reports activity (till sales at a store, picks
 * at a DC) has gone silent for longer than chance allows in its trading hours: its feed
 * stopped (a POS outage). Demand figures of the location are held back while it lasts,
 * so its silence is not mistaken for empty shelves or a demand drop.
 */
export function createReportingGapDetector(): Detector {
  const backfilled = new Map<string, number>();
  return {
    name: 'reporting-gap',
    types: ['reporting_gap'],
    onEvent(ctx, o, cell) {
      const loc = ctx.state.locations.get(cell.loc.location);
      if (!loc || Number.isNaN(loc.gapSince) || o.event.type !== 'sale') return;
      if (o.at >= loc.gapSince && o.at < ctx.now - HOUR)
        backfilled.set(loc.info.location, (backfilled.get(loc.info.location) ?? 0) + 1);
    },
    sweep(ctx) {
      for (const loc of ctx.state.locations.values()) {
        if (!Number.isFinite(loc.lastActivityAt)) continue;
        const s = ctx.settings(null, loc.info.region);
        const key = `reporting_gap:${loc.info.location}`;
        const silentHours = (ctx.now - loc.lastActivityAt) / HOUR;
        const expected = expectedActivity(loc, loc.lastActivityAt, ctx.now);
        const gap = expected >= s.gap_min_expected_events && silentHours >= s.gap_min_hours;
        if (!gap) {
          if (!Number.isNaN(loc.gapSince)) {
            const late = backfilled.get(loc.info.location) ?? 0;
            ctx.close(key, `activity resumed; ${late} events from the gap arrived late`);
            loc.gapSince = Number.NaN;
            backfilled.delete(loc.info.location);
          }
          continue;
        }
        if (Number.isNaN(loc.gapSince)) loc.gapSince = loc.lastActivityAt;
        const what = loc.info.kind === 'store' ? 'sale' : 'pick';
        ctx.raise({
          key,
          type: 'reporting_gap',
          sku: null,
          location: loc.info.location,
          channel: null,
          group: `location:${loc.info.location}`,
          root_cause: 'data_synchronisation',
          reasoning: `No ${what} has arrived from ${loc.info.location} for ${fixed(silentHours, 1)} hours, in which it usually reports about ${fixed(expected, 0)}; the chance of that silence with the feed working is e^-${fixed(expected, 0)}.`,
          confidence: Math.min(0.99, 1 - Math.exp(-expected / 10)),
          evidence: {
            events: loc.lastActivityEventId
              ? [
                  {
                    event_id: loc.lastActivityEventId,
                    type: what,
                    occurred_at: iso(loc.lastActivityAt),
                    note: 'last activity received',
                  },
                ]
              : [],
            figures: {
              silent_hours: fixed(silentHours, 1),
              expected_events: fixed(expected, 1),
              last_activity_at: iso(loc.lastActivityAt),
              local_day: localDay(ctx.now, loc.info),
            },
            thresholds: {
              gap_min_expected_events: s.gap_min_expected_events,
              gap_min_hours: s.gap_min_hours,
            },
          },
          explanation: `${loc.info.location} has sent no ${what} since ${iso(loc.lastActivityAt)} (${fixed(silentHours, 0)} hours; about ${fixed(expected, 0)} were due). Its feed has probably stopped: its stock and demand figures are stale until it resumes, and zero-sales signals there are held back.`,
          actions: [
            {
              kind: 'retry_sync',
              detail: `Check ${loc.info.location}'s ${loc.info.kind === 'store' ? 'POS' : 'WMS'} connection and replay its queue`,
              location: loc.info.location,
            },
          ],
          impact: { units_at_risk: 0, lost_units_per_day: 0, horizon_days: 1, unit_margin: 0 },
          urgency: 0.8,
        });
      }
    },
  };
}
