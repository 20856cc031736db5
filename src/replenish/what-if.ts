import { InvexError } from '../core/errors.ts';
import {
  type PlayKpis,
  playScenario,
  type Scenario,
  scenarioSchema,
  type WhatIf,
  type World,
} from '../twin/index.ts';
import { type InvexPlannerOptions, invexPolicy } from './twin-planner.ts';

/** One action the planner took differently because of the what-if. */
export interface Response {
  kind: 'order' | 'transfer';
  from: string;
  to: string;
  sku: string;
  /** Units over the run without the what-if, and with it. */
  baseUnits: number;
  whatIfUnits: number;
  change: number;
  /** First day (0-based) the what-if run differs for this line. */
  firstDay: number;
  why: string;
}

export interface WhatIfReport {
  scenario: string;
  seed: number;
  policy: 'invex' | 'baseline';
  whatIf: WhatIf;
  base: PlayKpis;
  withWhatIf: PlayKpis;
  /** What-if minus base, per KPI. */
  delta: Record<
    | 'lost_sales_units'
    | 'lost_sales_value'
    | 'stockout_days'
    | 'dc_short_units'
    | 'cancellations'
    | 'total_cost'
    | 'purchase_orders'
    | 'store_transfers',
    number
  >;
  /** The largest changes in what the planner ordered and moved, by value. */
  responses: Response[];
}

type Action = World['actions'][number];

/** Most store x SKU x day cells one what-if may simulate (peak-season is 2.2 million; run twice). */
export const MAX_WHAT_IF_CELL_DAYS = 25_000_000;

const invalid = (message: string) => new InvexError('invalid_input', 'request_invalid', message);

/**
 * The scenario a what-if runs: the scenario's own what_if section plus the changes asked
 * for, checked: at least one change, every change within the scenario's days, names and
 * bounds as the scenario schema says, and the run within MAX_WHAT_IF_CELL_DAYS.
 */
export function prepareWhatIf(scenario: Scenario, extra: Partial<WhatIf> = {}): Scenario {
  const whatIf: WhatIf = {
    supplier_slips: [...scenario.what_if.supplier_slips, ...(extra.supplier_slips ?? [])],
    promotions: [...scenario.what_if.promotions, ...(extra.promotions ?? [])],
    closures: [...scenario.what_if.closures, ...(extra.closures ?? [])],
  };
  if (whatIf.supplier_slips.length + whatIf.promotions.length + whatIf.closures.length === 0)
    throw invalid(
      'no what-if: give a supplier slip, a promotion or a closure, or a scenario with a what_if section',
    );
  for (const day of [
    ...whatIf.supplier_slips.map((s) => s.day),
    ...whatIf.promotions.map((p) => p.day),
    ...whatIf.closures.map((c) => c.day),
  ])
    if (day >= scenario.days)
      throw invalid(
        `what-if on day ${day}, but ${scenario.name} runs ${scenario.days} days (0 to ${scenario.days - 1})`,
      );
  const parsed = scenarioSchema.safeParse({ ...scenario, what_if: whatIf });
  if (!parsed.success) throw invalid(`what-if: ${parsed.error.issues[0]?.message}`);
  const { network, days } = parsed.data;
  const cellDays = (network.stores + network.dark_stores) * network.skus * days;
  if (cellDays > MAX_WHAT_IF_CELL_DAYS)
    throw invalid(
      `${scenario.name} is ${cellDays.toLocaleString('en-US')} store x SKU x days; a what-if runs at most ${MAX_WHAT_IF_CELL_DAYS.toLocaleString('en-US')}`,
    );
  return parsed.data;
}

/**
 * A what-if on the twin: the same scenario and seed (so the same customers) run twice under
 * the same policy, without and with the what-if; the report gives the change in stock-outs,
 * lost sales and cost, and the planner's responses: the orders and transfers it made
 * differently, biggest first.
 */
export async function runWhatIf(
  scenario: Scenario,
  seed: number,
  options: { policy?: 'invex' | 'baseline'; planner?: InvexPlannerOptions; responses?: number } = {},
): Promise<WhatIfReport> {
  const policyName = options.policy ?? 'invex';
  const empty: WhatIf = { supplier_slips: [], promotions: [], closures: [] };
  const run = async (s: Scenario) => {
    let world: World | undefined;
    const policy = policyName === 'invex' ? await invexPolicy(s, options.planner) : 'baseline';
    const kpis = playScenario(s, seed, policy, {
      onWorld: (w) => {
        w.recordActions = true;
        world = w;
      },
    });
    return { kpis, world: world! };
  };
  const base = await run({ ...scenario, what_if: empty });
  const changed = await run(scenario);
  const d = (key: keyof WhatIfReport['delta']) =>
    Math.round(((changed.kpis[key] as number) - (base.kpis[key] as number)) * 100) / 100;
  return {
    scenario: scenario.name,
    seed,
    policy: policyName,
    whatIf: scenario.what_if,
    base: base.kpis,
    withWhatIf: changed.kpis,
    delta: {
      lost_sales_units: d('lost_sales_units'),
      lost_sales_value: d('lost_sales_value'),
      stockout_days: d('stockout_days'),
      dc_short_units: d('dc_short_units'),
      cancellations: d('cancellations'),
      total_cost: d('total_cost'),
      purchase_orders: d('purchase_orders'),
      store_transfers: d('store_transfers'),
    },
    responses: responses(base.world, changed.world, options.responses ?? 15),
  };
}

function responses(base: World, changed: World, limit: number): Response[] {
  const { net } = changed;
  const key = (a: Action) => `${a.kind}|${a.from}|${a.to}|${a.sku}`;
  const totals = new Map<string, { action: Action; base: number; whatIf: number; firstDay: number }>();
  const add = (a: Action, side: 'base' | 'whatIf') => {
    const k = key(a);
    const entry = totals.get(k) ?? { action: a, base: 0, whatIf: 0, firstDay: Number.POSITIVE_INFINITY };
    entry[side] += a.qty;
    totals.set(k, entry);
  };
  for (const a of base.actions) add(a, 'base');
  for (const a of changed.actions) add(a, 'whatIf');
  // The first day the two runs' action lines differ, per line.
  const byDay = (actions: Action[]) => {
    const m = new Map<string, Map<number, number>>();
    for (const a of actions) {
      const days = m.get(key(a)) ?? new Map<number, number>();
      days.set(a.day, (days.get(a.day) ?? 0) + a.qty);
      m.set(key(a), days);
    }
    return m;
  };
  const baseDays = byDay(base.actions);
  const whatIfDays = byDay(changed.actions);
  for (const [k, entry] of totals) {
    const a = baseDays.get(k) ?? new Map();
    const b = whatIfDays.get(k) ?? new Map();
    for (const day of [...new Set([...a.keys(), ...b.keys()])].sort((x, y) => x - y))
      if ((a.get(day) ?? 0) !== (b.get(day) ?? 0)) {
        entry.firstDay = day;
        break;
      }
  }
  const name = (location: number) => net.locations[location]!.location;
  return [...totals.values()]
    .filter((e) => e.whatIf !== e.base)
    .sort(
      (x, y) =>
        Math.abs(y.whatIf - y.base) * net.skus[y.action.sku]!.unitCost -
          Math.abs(x.whatIf - x.base) * net.skus[x.action.sku]!.unitCost ||
        key(x.action).localeCompare(key(y.action)),
    )
    .slice(0, limit)
    .map((e) => {
      const change = e.whatIf - e.base;
      const sku = net.skus[e.action.sku]!.sku;
      const from = name(e.action.from);
      const to = name(e.action.to);
      const what =
        e.action.kind === 'order'
          ? `order of ${sku} from ${from} for ${to}`
          : `transfer of ${sku} from ${from} to ${to}`;
      return {
        kind: e.action.kind,
        from,
        to,
        sku,
        baseUnits: e.base,
        whatIfUnits: e.whatIf,
        change,
        firstDay: e.firstDay,
        why: `${change > 0 ? 'more' : 'less'} ${what}: ${e.whatIf} units over the run instead of ${e.base} (${change > 0 ? '+' : ''}${change}), from day ${e.firstDay}`,
      };
    });
}
