import { validateMaster } from '../catalog/index.ts';
import { type MasterView, parseEvent, resolveEvent } from '../ingest/index.ts';
import { buildNetwork, type FaultLabel, type Scenario, type TwinEvent, World } from '../twin/index.ts';
import { masterData } from '../twin/network.ts';
import { type CountTask, isDirectedCount } from './count-plan.ts';
import { DetectionEngine } from './engine.ts';
import type { RaisedException } from './eval.ts';
import { masterSnapshot } from './master.ts';
import type { DetectorConfigInput } from './settings.ts';
import type { ObservedDelivery, ObservedEvent } from './state.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Where the twin's events go: a fresh invex (database path) or the engine alone (memory path). */
export interface DetectionPipeline {
  /** Delivers the events that arrived up to `now`, in arrival order. */
  deliver(bodies: Record<string, unknown>[], now: number): Promise<void>;
  sweep(now: number): Promise<void>;
  exceptions(): Promise<RaisedException[]>;
  /** invex's count plan at `now`: what the stores count next morning (engine.countPlan). */
  countPlan?(now: number, perLocation: number): Promise<CountTask[]>;
}

export interface TwinRun {
  labels: FaultLabel[];
  events: number;
  cells: number;
  days: number;
  runEnd: number;
  /** Store cycle counts delivered, and how many carried a count id of the plan (directed). */
  counts: { performed: number; directed: number };
  categoryOf: (sku: string) => string | undefined;
  /**
   * Units a day a store sold of a SKU over the `window` days before `before` (ms), as the
   * twin's sale events tell it; null with fewer than 7 days of run behind it.
   */
  dailySales: (location: string, sku: string, before: number, window?: number) => number | null;
}

/**
 * Plays a scenario into a pipeline as the systems would deliver it: each hour's arrivals
 * in one delivery, with a sweep every few simulated hours.
 */
export async function playTwinInto(
  scenario: Scenario,
  seed: number,
  pipelineFor: (master: Record<string, unknown>[]) => Promise<DetectionPipeline>,
  options: {
    sweepEveryHours?: number;
    onDay?: (day: number) => void;
    /**
     * Days the network keeps trading after the scenario's last day, with no new faults: a
     * fault started near the end (a transfer shipped the day before) has its grace period to
     * show itself, as it would in a real network that does not stop.
     */
    playOnDays?: number;
    /**
     * Stores take part of their morning counts from invex's count plan, asked for at
     * midnight UTC (`reporting.directed_count_share`); off, every count is random.
     */
    countPlan?: boolean;
  } = {},
): Promise<TwinRun & { pipeline: DetectionPipeline }> {
  const sweepEvery = options.sweepEveryHours ?? 3;
  const net = buildNetwork(scenario, seed);
  const master = masterData(net);
  const records = [...master.skus, ...master.locations];
  const pipeline = await pipelineFor(records);
  const world = new World(net, scenario, seed);
  let arrived: TwinEvent[] = [];
  const sink = {
    events(list: TwinEvent[]) {
      for (const e of list) arrived.push(e);
    },
    truth() {},
  };
  const start = Date.parse(`${scenario.start}T00:00:00Z`);
  // Store sales per SKU x location and day, for rates before a fault (a few MB).
  const sales = new Map<string, Float64Array>();
  // Store counts delivered (once each, re-sent copies aside), and how many the plan directed.
  const counts = { performed: 0, directed: 0 };
  const seenCounts = new Set<unknown>();
  const tally = (body: Record<string, unknown>) => {
    if (body.type === 'cycle_count' && !seenCounts.has(body.event_id)) {
      seenCounts.add(body.event_id);
      counts.performed += 1;
      if (isDirectedCount(body.ref as { count_id?: unknown } | undefined)) counts.directed += 1;
    }
    if (body.type !== 'sale' || typeof body.sku !== 'string' || typeof body.location !== 'string') return;
    const day = Math.floor((Date.parse(String(body.occurred_at)) - start) / DAY);
    if (!(day >= 0 && day <= scenario.days)) return;
    const key = `${body.location}|${body.sku}`;
    const days = sales.get(key) ?? new Float64Array(scenario.days + 1);
    sales.set(key, days);
    days[day]! += Number(body.qty ?? 0);
  };
  let events = 0;
  world.open();
  const lastDay = scenario.days + Math.max(0, Math.floor(options.playOnDays ?? 0));
  // Room for a busy morning: twice a store's usual directed counts, and one more.
  const perStore = Math.ceil(
    net.skus.length * scenario.reporting.count_share * scenario.reporting.directed_count_share * 2 + 1,
  );
  for (let day = 0; day <= lastDay; day++) {
    if (options.countPlan !== false && pipeline.countPlan && day > 0 && day < lastDay) {
      world.directCounts(await pipeline.countPlan(start + day * DAY, perStore));
    }
    if (day < lastDay) world.step(day, sink);
    else world.drain(sink);
    const dayStart = start + day * DAY;
    let i = 0;
    for (let h = 1; h <= 24; h++) {
      const until = dayStart + h * HOUR;
      const chunk: Record<string, unknown>[] = [];
      while (i < arrived.length && (arrived[i]!.arrival < until || day === lastDay))
        chunk.push(arrived[i++]!.body);
      for (const body of chunk) tally(body);
      events += chunk.length;
      if (chunk.length > 0) await pipeline.deliver(chunk, until);
      if (h % sweepEvery === 0) await pipeline.sweep(until);
      if (day === lastDay) break;
    }
    arrived = [];
    options.onDay?.(day);
  }
  const runEnd = start + scenario.days * DAY;
  const categories = new Map(master.skus.map((s) => [String(s.sku), String(s.category)]));
  return {
    pipeline,
    labels: world.labels,
    events,
    cells: net.held.length * net.skus.length,
    days: scenario.days,
    runEnd,
    counts,
    categoryOf: (sku) => categories.get(sku),
    dailySales(location, sku, before, window = 28) {
      const to = Math.min(scenario.days, Math.floor((before - start) / DAY));
      const from = Math.max(0, to - window);
      if (to - from < 7) return null;
      const days = sales.get(`${location}|${sku}`);
      let units = 0;
      for (let d = from; d < to; d++) units += days?.[d] ?? 0;
      return units / (to - from);
    },
  };
}

/** The engine alone, fed in memory with the same validation and idempotency as ingestion. */
export function memoryPipeline(
  records: Record<string, unknown>[],
  config: DetectorConfigInput = {},
  startAt = Date.now(),
) {
  const validated = validateMaster(records);
  const view: MasterView = {
    skus: new Map(
      validated.skus.map((s) => [
        s.sku,
        {
          sku: s.sku,
          base_uom: s.base_uom,
          uoms: s.uoms ?? {},
          regulated: s.regulated ?? false,
          category: s.category,
          unit_cost: s.unit_cost,
          unit_price: s.unit_price,
        },
      ]),
    ),
    locations: new Map(
      validated.locations.map((l) => [
        l.location,
        { location: l.location, kind: l.kind, region: l.region, channels: l.channels ?? [] },
      ]),
    ),
    channels: new Set(['store', 'ecommerce', 'marketplace']),
  };
  const engine = new DetectionEngine(masterSnapshot(validated.skus, validated.locations, startAt), config);
  const hashes = new Map<string, string>();
  let seq = 0;
  const pipeline: DetectionPipeline & { engine: DetectionEngine } = {
    engine,
    async deliver(bodies, now) {
      const events: ObservedEvent[] = [];
      const deliveries: ObservedDelivery[] = [];
      for (const body of bodies) {
        const parsed = parseEvent(body);
        if (!parsed.ok) continue;
        const resolved = resolveEvent(parsed.event, parsed.at, view);
        if (!resolved.ok) continue;
        const e = parsed.event;
        const known = hashes.get(e.event_id);
        const at = Date.parse(e.occurred_at);
        if (known !== undefined) {
          deliveries.push({
            seq: ++seq,
            kind: known === parsed.hash ? 'duplicate' : 'conflict',
            event_id: e.event_id,
            type: e.type,
            sku: e.sku,
            location: e.location,
            at,
          });
          continue;
        }
        hashes.set(e.event_id, parsed.hash);
        events.push({ seq: ++seq, event: e, qtyBase: resolved.ledger.qtyBase, at });
      }
      engine.observe(events, deliveries, now);
    },
    async sweep(now) {
      engine.sweep(now);
    },
    async countPlan(now, perLocation) {
      return engine.countPlan({ perLocation, now });
    },
    async exceptions() {
      const all = new Map<string, RaisedException>();
      for (const r of engine.takeChanges()) {
        all.set(r.id, {
          id: r.id,
          type: r.type,
          sku: r.sku,
          location: r.location,
          category: r.category,
          raisedAt: Date.parse(r.opened_at),
          confidence: r.confidence,
        });
      }
      return [...all.values()];
    },
  };
  return pipeline;
}
