import { type Detector, fixed, iso } from '../detector.ts';
import { localDay } from '../state.ts';

/**
 * Duplicate or conflicting events: a location's systems re-sending events (a burst well
 * above the at-least-once noise) or re-using event ids with other contents. Idempotency
 * already kept the stock right; the exception tells the integration team which feed
 * misbehaves.
 */
export function createDuplicateEventsDetector(): Detector {
  return {
    name: 'duplicate-events',
    types: ['duplicate_events'],
    onDelivery(ctx, d, loc) {
      const s = ctx.settings(null, loc.info.region);
      const day = localDay(d.at, loc.info);
      const dups = loc.duplicates.on(day);
      const all = loc.deliveries.on(day) + dups;
      const share = all > 0 ? dups / all : 0;
      const conflicts = loc.duplicateSamples.filter((x) => x.kind === 'conflict').length;
      const burst = dups >= s.duplicate_min_events && share >= s.duplicate_min_share;
      if (!burst && d.kind !== 'conflict') return;
      const samples = loc.duplicateSamples
        .filter((x) => localDay(x.at, loc.info) === day || x.kind === 'conflict')
        .slice(-25);
      ctx.raise({
        key: `duplicate_events:${loc.info.location}`,
        type: 'duplicate_events',
        sku: null,
        location: loc.info.location,
        channel: null,
        group: `location:${loc.info.location}`,
        root_cause: 'data_synchronisation',
        reasoning: burst
          ? `${dups} of ${all} deliveries for ${loc.info.location} on that day were re-sends of events already received (${fixed(share * 100, 0)}%, against about 1% of at-least-once noise): a system is replaying its feed.`
          : `Event ids are being re-used with different contents (${conflicts} so far): the first version was kept, the others are in the dead letters.`,
        confidence: burst ? Math.min(0.98, 0.7 + share) : 0.9,
        evidence: {
          events: samples.map((x) => ({
            event_id: x.event_id,
            type: x.type,
            occurred_at: iso(x.at),
            note: x.kind,
          })),
          figures: { duplicates_that_day: dups, deliveries_that_day: all, share: fixed(share, 3), conflicts },
          thresholds: {
            duplicate_min_share: s.duplicate_min_share,
            duplicate_min_events: s.duplicate_min_events,
          },
        },
        explanation: burst
          ? `${loc.info.location}'s systems re-sent ${dups} events on ${iso(d.at).slice(0, 10)} (${fixed(share * 100, 0)}% of its traffic). invex applied each once, so stock is right; the feed should be fixed before it re-sends with new ids.`
          : `${loc.info.location}'s systems sent ${conflicts} events whose ids were already used for other contents; only the first was applied. Fix the id generation at the source.`,
        actions: [
          {
            kind: 'suppress_duplicate',
            detail: 'Duplicates were suppressed by event id; no stock change is needed',
            location: loc.info.location,
          },
          {
            kind: 'retry_sync',
            detail: `Ask the integration owner of ${loc.info.location} to stop the replay`,
            location: loc.info.location,
          },
        ],
        impact: { units_at_risk: 0, lost_units_per_day: 0, horizon_days: 1, unit_margin: 0 },
        urgency: 0.2,
      });
    },
    sweep(ctx) {
      for (const open of ctx.openWithPrefix('duplicate_events:')) {
        const loc = open.location ? ctx.state.location(open.location) : undefined;
        if (!loc) continue;
        const s = ctx.settings(null, loc.info.region);
        const today = localDay(ctx.now, loc.info);
        const recent = loc.duplicates.on(today) + loc.duplicates.on(today - 1);
        const last = loc.duplicateSamples.at(-1);
        if (recent < s.duplicate_min_events && (!last || ctx.now - last.at > 86_400_000)) {
          ctx.close(open.key, 'the re-sends stopped');
        }
      }
    },
  };
}
