import type { Command } from 'commander';
import { InvexError } from '../../core/errors.ts';
import {
  type AllocateRecommendation,
  allocatePlan,
  createIntent,
  findIntents,
  INTENT_KINDS,
  type IntentKind,
  type MarkdownPlanRecommendation,
  markdownPlan,
  type PlanIntent,
  type PlanKind,
  type PlanResult,
  parsePlanRequest,
  type ReorderRecommendation,
  reorderPlan,
  revokeIntent,
  type TransferRecommendation,
  transfersPlan,
} from '../../plan/index.ts';
import { closeTarget, configFrom, type GlobalOptions, openTarget } from '../context.ts';
import { printJson } from '../output.ts';

const list = (v: string) =>
  v
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

/** A whole number flag; a bad one is named (the schema checks the range). */
const whole = (flag: string) => (v: string) => {
  if (!/^-?\d+$/.test(v))
    throw new InvexError('invalid_input', 'plan_option_invalid', `${flag} must be a whole number; got ${v}`);
  return Number.parseInt(v, 10);
};
const decimal = (flag: string) => (v: string) => {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n))
    throw new InvexError('invalid_input', 'plan_option_invalid', `${flag} must be a number; got ${v}`);
  return n;
};

interface ScopeFlags {
  sku?: string[];
  location?: string[];
  category?: string[];
  region?: string[];
  horizon?: number;
  history?: number;
  asOf?: string;
  forecastModel?: string;
  limit?: number;
  json?: boolean;
}

function withScope(command: Command): Command {
  return command
    .option('--sku <list>', 'SKUs, comma-separated', list)
    .option('--location <list>', 'locations, comma-separated', list)
    .option('--category <list>', 'categories, comma-separated', list)
    .option('--region <list>', 'regions, comma-separated', list)
    .option('--horizon <days>', 'forecast horizon in days (1-91)', whole('--horizon'))
    .option('--history <days>', 'days of sales history to fit on (28-730, default 182)', whole('--history'))
    .option('--as-of <date>', 'plan date YYYY-MM-DD (default: the day of the latest event)')
    .option(
      '--forecast-model <name>',
      "forecast model whose active version serves the cells it covers (default: default; 'none' fits every cell afresh)",
    )
    .option('--limit <n>', 'most recommendations (default 500)', whole('--limit'))
    .option('--json', 'print the recommendations as a JSON array');
}

function common(flags: ScopeFlags): Record<string, unknown> {
  const scope: Record<string, unknown> = {};
  if (flags.sku) scope.skus = flags.sku;
  if (flags.location) scope.locations = flags.location;
  if (flags.category) scope.categories = flags.category;
  if (flags.region) scope.regions = flags.region;
  return {
    scope,
    ...(flags.horizon !== undefined ? { horizon_days: flags.horizon } : {}),
    ...(flags.history !== undefined ? { history_days: flags.history } : {}),
    ...(flags.asOf !== undefined ? { as_of: flags.asOf } : {}),
    ...(flags.forecastModel !== undefined
      ? { forecast_model: flags.forecastModel === 'none' ? null : flags.forecastModel }
      : {}),
    ...(flags.limit !== undefined ? { limit: flags.limit } : {}),
  };
}

const money = (x: number) => x.toFixed(2);
const pct = (x: number) => `${(x * 100).toFixed(0)}%`;

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (i < 2 || i === r.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

function summary(result: PlanResult<unknown>, shown: number): string {
  const s = result.seconds;
  return (
    `${result.plan} plan as of ${result.as_of}, horizon ${result.horizon_days} d, history ${result.history.from}..${result.history.to}; ` +
    `${result.cells} cells, ${result.total} recommendations${shown < result.total ? ` (${shown} shown)` : ''}; ` +
    `${(s.load + s.forecast + s.plan).toFixed(1)} s (load ${s.load.toFixed(1)}, forecast ${s.forecast.toFixed(1)}, plan ${s.plan.toFixed(1)})`
  );
}

function reorderText(r: PlanResult<ReorderRecommendation>): string {
  const orders = r.recommendations.filter((x) => x.order_qty > 0);
  return [
    summary(r, r.recommendations.length),
    '',
    orders.length === 0
      ? 'nothing to order'
      : table(
          [
            'sku',
            'location',
            'segment',
            'demand/d',
            'lead d',
            's',
            'S',
            'position',
            'order',
            'pack',
            'value',
            'forecast',
          ],
          orders.map((x) => [
            x.sku,
            x.location,
            `${x.segment.segment} ${pct(x.segment.service_level)}`,
            x.daily_demand.toFixed(2),
            x.lead_time.days.toFixed(1),
            String(x.reorder_point),
            String(x.order_up_to),
            String(x.position.position),
            String(x.order_qty),
            String(x.pack_size),
            money(x.order_value),
            `${x.forecast.method}/${x.forecast.demand_class ?? '-'}`,
          ]),
        ),
  ].join('\n');
}

function transfersText(r: PlanResult<TransferRecommendation>): string {
  const lines = r.recommendations.flatMap((p) =>
    p.transfers.map((t) => [
      p.sku,
      `${t.from} > ${t.to}`,
      String(t.units),
      `${t.distance_km.toFixed(0)} km`,
      String(t.lead_time_days),
      money(t.expected_gain),
      money(t.expected_loss),
      money(t.cost),
      money(t.benefit),
      `${t.forecast.method}/${t.forecast.demand_class ?? '-'}`,
    ]),
  );
  lines.sort((a, b) => Number(b[8]) - Number(a[8]));
  const intents = r.recommendations.filter((p) => p.intents.length > 0);
  return [
    summary(r, r.recommendations.length),
    '',
    lines.length === 0
      ? 'no transfer pays for itself'
      : table(
          ['sku', 'lane', 'units', 'distance', 'lead d', 'gain', 'loss', 'cost', 'benefit', 'forecast'],
          lines,
        ),
    ...(intents.length > 0
      ? [
          '',
          'planner intents in force:',
          ...intents.map(
            (p) =>
              `  ${p.sku}: ${p.intents.join(', ')} cost ${p.intent_cost === null ? 'not priced (free plan not proven optimal)' : money(p.intent_cost)}` +
              (p.pins_short.length > 0
                ? `; pins short: ${p.pins_short.map((s) => `${s.location} ${s.units.toFixed(0)}`).join(', ')}`
                : ''),
          ),
        ]
      : []),
  ].join('\n');
}

function allocateText(r: PlanResult<AllocateRecommendation>): string {
  return [
    summary(r, r.recommendations.length),
    '',
    table(
      ['sku', 'location', 'record', 'confidence', 'promisable', 'held back', 'risk', 'promises'],
      r.recommendations.map((x) => [
        x.sku,
        x.location,
        String(x.on_hand_record),
        x.record_confidence.toFixed(2),
        String(x.promisable),
        String(x.held_back),
        x.oversell_risk.toFixed(3),
        x.channels
          .map((c) => `${c.channel} ${c.promise}${c.listing === 'paused' ? ' (paused)' : ''}`)
          .join(', '),
      ]),
    ),
  ].join('\n');
}

function markdownText(r: PlanResult<MarkdownPlanRecommendation>): string {
  const marked = r.recommendations.filter((x) => x.recommended);
  return [
    summary(r, r.recommendations.length),
    '',
    marked.length === 0
      ? 'no markdown raises expected revenue'
      : table(
          [
            'sku',
            'location',
            'on hand',
            'weeks cover',
            'discount',
            'price',
            'sell-through',
            'revenue',
            'gain',
            'forecast',
          ],
          marked.map((x) => [
            x.sku,
            x.location,
            String(x.on_hand),
            x.weeks_of_cover === null ? 'no demand' : x.weeks_of_cover.toFixed(1),
            pct(x.discount),
            money(x.markdown_price),
            pct(x.expected_sell_through),
            money(x.expected_revenue),
            money(x.revenue_gain),
            `${x.forecast.method}/${x.forecast.demand_class ?? '-'}`,
          ]),
        ),
  ].join('\n');
}

async function runPlan(
  kind: PlanKind,
  body: Record<string, unknown>,
  json: boolean | undefined,
  command: Command,
) {
  const config = configFrom(command.optsWithGlobals<GlobalOptions>());
  const request = parsePlanRequest(kind, body);
  const target = await openTarget(config, `invex plan ${kind}`);
  try {
    const result: PlanResult<unknown> =
      target.kind === 'remote'
        ? await target.client.plan(kind, request)
        : kind === 'reorder'
          ? await reorderPlan({ db: target.db, config }, parsePlanRequest('reorder', body))
          : kind === 'transfers'
            ? await transfersPlan({ db: target.db, config }, parsePlanRequest('transfers', body))
            : kind === 'allocate'
              ? await allocatePlan({ db: target.db, config }, parsePlanRequest('allocate', body))
              : await markdownPlan({ db: target.db, config }, parsePlanRequest('markdown', body));
    if (json) return printJson(result.recommendations);
    const text =
      kind === 'reorder'
        ? reorderText(result as PlanResult<ReorderRecommendation>)
        : kind === 'transfers'
          ? transfersText(result as PlanResult<TransferRecommendation>)
          : kind === 'allocate'
            ? allocateText(result as PlanResult<AllocateRecommendation>)
            : markdownText(result as PlanResult<MarkdownPlanRecommendation>);
    process.stdout.write(`${text}\n`);
  } finally {
    await closeTarget(target);
  }
}

function intentLine(i: PlanIntent): string {
  const what =
    i.kind === 'pin'
      ? `pin ${i.sku} at ${i.location} >= ${i.min_units}`
      : i.kind === 'freeze'
        ? `freeze ${[i.sku, i.location].filter(Boolean).join(' at ')}`
        : `cap ${i.from_location} > ${i.to_location} <= ${i.max_units}${i.sku ? ` for ${i.sku}` : ''}`;
  const period = `${i.starts_on ?? '…'}..${i.ends_on ?? '…'}`;
  return `${i.id}  ${what.padEnd(36)}  ${period.padEnd(22)}  by ${i.created_by} ${i.created_at.slice(0, 16)}${i.revoked_at ? `  revoked ${i.revoked_at.slice(0, 16)} by ${i.revoked_by}` : ''}  "${i.reason}"`;
}

const cliPrincipal = () => `cli:${process.env.USER ?? 'operator'}`;

async function withIntents<T>(
  command: Command,
  what: string,
  run: (target: Awaited<ReturnType<typeof openTarget>>) => Promise<T>,
) {
  const config = configFrom(command.optsWithGlobals<GlobalOptions>());
  const target = await openTarget(config, `invex plan intents ${what}`);
  try {
    return await run(target);
  } finally {
    await closeTarget(target);
  }
}

async function addIntent(body: Record<string, unknown>, command: Command, json?: boolean) {
  const intent = await withIntents(command, String(body.kind), (target) =>
    target.kind === 'remote'
      ? target.client.createPlanIntent(body)
      : createIntent(target.db, body, cliPrincipal()),
  );
  process.stdout.write(json ? `${JSON.stringify(intent, null, 2)}\n` : `${intentLine(intent)}\n`);
}

interface PeriodFlags {
  reason: string;
  from?: string;
  until?: string;
  json?: boolean;
}
const period = (f: PeriodFlags) => ({
  reason: f.reason,
  ...(f.from !== undefined ? { starts_on: f.from } : {}),
  ...(f.until !== undefined ? { ends_on: f.until } : {}),
});
const withPeriod = (command: Command) =>
  command
    .requiredOption('--reason <text>', 'why (kept on record)')
    .option('--from <date>', 'first day in force, YYYY-MM-DD (default: now)')
    .option('--until <date>', 'last day in force, YYYY-MM-DD (default: until revoked)')
    .option('--json', 'print the intent as JSON');

export function registerPlan(program: Command): void {
  const plan = program
    .command('plan')
    .description(
      'Plans over the current stock picture and demand history: reorder, transfers, allocate, markdown; and planner intents',
    );
  withScope(
    plan.command('reorder').description('Reorder points, order-up-to levels and orders per SKU x location'),
  )
    .option('--review-days <n>', "days between reviews (default: the segment's)", whole('--review-days'))
    .option('--no-measure-lead-times', 'use the default lead times per location kind, not measured ones')
    .action(
      async (flags: ScopeFlags & { reviewDays?: number; measureLeadTimes: boolean }, command: Command) =>
        runPlan(
          'reorder',
          {
            ...common(flags),
            measure_lead_times: flags.measureLeadTimes,
            ...(flags.reviewDays !== undefined ? { review_days: flags.reviewDays } : {}),
          },
          flags.json,
          command,
        ),
    );
  withScope(
    plan
      .command('transfers')
      .description('Transfers between stores and from DCs, with planner intents applied'),
  )
    .option('--max-distance-km <km>', 'longest lane (default 500)', decimal('--max-distance-km'))
    .option(
      '--cost-per-unit-km <x>',
      'freight per unit per km (default 0.002)',
      decimal('--cost-per-unit-km'),
    )
    .option('--shipment-cost <x>', 'cost of one transfer of one SKU (default 20)', decimal('--shipment-cost'))
    .option(
      '--min-benefit <x>',
      'a transfer must earn this over its cost (default 5)',
      decimal('--min-benefit'),
    )
    .option(
      '--search-seconds <s>',
      'branch-and-bound time per SKU after the heuristic (default 1)',
      decimal('--search-seconds'),
    )
    .action(
      async (
        flags: ScopeFlags & {
          maxDistanceKm?: number;
          costPerUnitKm?: number;
          shipmentCost?: number;
          minBenefit?: number;
          searchSeconds?: number;
        },
        command: Command,
      ) =>
        runPlan(
          'transfers',
          {
            ...common(flags),
            ...(flags.maxDistanceKm !== undefined ? { max_distance_km: flags.maxDistanceKm } : {}),
            ...(flags.costPerUnitKm !== undefined ? { cost_per_unit_km: flags.costPerUnitKm } : {}),
            ...(flags.shipmentCost !== undefined ? { shipment_cost: flags.shipmentCost } : {}),
            ...(flags.minBenefit !== undefined ? { min_benefit: flags.minBenefit } : {}),
            ...(flags.searchSeconds !== undefined ? { search_seconds: flags.searchSeconds } : {}),
          },
          flags.json,
          command,
        ),
    );
  withScope(
    plan
      .command('allocate')
      .description('Channel promises under record confidence and an oversell-risk limit'),
  )
    .option(
      '--max-oversell-risk <p>',
      'largest acceptable oversell probability (default 0.02)',
      decimal('--max-oversell-risk'),
    )
    .action(async (flags: ScopeFlags & { maxOversellRisk?: number }, command: Command) =>
      runPlan(
        'allocate',
        {
          ...common(flags),
          ...(flags.maxOversellRisk !== undefined ? { max_oversell_risk: flags.maxOversellRisk } : {}),
        },
        flags.json,
        command,
      ),
    );
  withScope(plan.command('markdown').description('Markdowns for stock that outlasts the season'))
    .requiredOption('--season-end <date>', 'last selling day of the season, YYYY-MM-DD')
    .option(
      '--weeks-of-cover <w>',
      'threshold (default: weeks left to the season end)',
      decimal('--weeks-of-cover'),
    )
    .option('--elasticity <e>', 'price elasticity of demand (default -2.5)', decimal('--elasticity'))
    .action(
      async (
        flags: ScopeFlags & { seasonEnd: string; weeksOfCover?: number; elasticity?: number },
        command: Command,
      ) =>
        runPlan(
          'markdown',
          {
            ...common(flags),
            season_end: flags.seasonEnd,
            ...(flags.weeksOfCover !== undefined ? { weeks_of_cover_threshold: flags.weeksOfCover } : {}),
            ...(flags.elasticity !== undefined ? { elasticity: flags.elasticity } : {}),
          },
          flags.json,
          command,
        ),
    );

  const intents = plan
    .command('intents')
    .description('Planner intents: pins, freezes and lane caps the plans respect');
  intents
    .command('list')
    .description('Intents in force or scheduled, newest first (--all: revoked ones too)')
    .option('--kind <kind>', `one of ${INTENT_KINDS.join(', ')}`)
    .option('--sku <sku>')
    .option('--location <location>', 'a pin or freeze location, or either end of a cap')
    .option('--all', 'include revoked intents')
    .option('--limit <n>', 'most intents (default 100)', whole('--limit'))
    .option('--json', 'print the intents as JSON')
    .action(
      async (
        flags: {
          kind?: string;
          sku?: string;
          location?: string;
          all?: boolean;
          limit?: number;
          json?: boolean;
        },
        command: Command,
      ) => {
        if (flags.kind !== undefined && !INTENT_KINDS.includes(flags.kind as IntentKind))
          throw new InvexError(
            'invalid_input',
            'request_invalid',
            `--kind must be one of ${INTENT_KINDS.join(', ')}; got ${flags.kind}`,
          );
        const limit = flags.limit ?? 100;
        if (limit < 1 || limit > 1000)
          throw new InvexError('invalid_input', 'request_invalid', `--limit must be 1-1000; got ${limit}`);
        const filter = {
          kind: flags.kind as IntentKind | undefined,
          sku: flags.sku,
          location: flags.location,
          includeRevoked: flags.all ?? false,
          limit,
        };
        const items = await withIntents(command, 'list', (target) =>
          target.kind === 'remote' ? target.client.planIntents(filter) : findIntents(target.db, filter),
        );
        if (flags.json) return printJson(items);
        process.stdout.write(items.length === 0 ? 'no intents\n' : `${items.map(intentLine).join('\n')}\n`);
      },
    );
  withPeriod(
    intents.command('pin').description('Keep at least --min units of a SKU at a location (a launch)'),
  )
    .requiredOption('--sku <sku>')
    .requiredOption('--location <location>')
    .requiredOption('--min <units>', 'units to keep there', whole('--min'))
    .action(async (flags: PeriodFlags & { sku: string; location: string; min: number }, command: Command) =>
      addIntent(
        { kind: 'pin', sku: flags.sku, location: flags.location, min_units: flags.min, ...period(flags) },
        command,
        flags.json,
      ),
    );
  withPeriod(
    intents
      .command('freeze')
      .description('No transfers in or out: a SKU, a location, or a SKU at a location'),
  )
    .option('--sku <sku>')
    .option('--location <location>')
    .action(async (flags: PeriodFlags & { sku?: string; location?: string }, command: Command) =>
      addIntent(
        {
          kind: 'freeze',
          ...(flags.sku !== undefined ? { sku: flags.sku } : {}),
          ...(flags.location !== undefined ? { location: flags.location } : {}),
          ...period(flags),
        },
        command,
        flags.json,
      ),
    );
  withPeriod(intents.command('cap').description('At most --max units on a lane per plan (one SKU or all)'))
    .requiredOption('--from-location <location>')
    .requiredOption('--to-location <location>')
    .requiredOption('--max <units>', 'most units per plan (0 closes the lane)', whole('--max'))
    .option('--sku <sku>')
    .action(
      async (
        flags: PeriodFlags & { fromLocation: string; toLocation: string; max: number; sku?: string },
        command: Command,
      ) =>
        addIntent(
          {
            kind: 'cap',
            from_location: flags.fromLocation,
            to_location: flags.toLocation,
            max_units: flags.max,
            ...(flags.sku !== undefined ? { sku: flags.sku } : {}),
            ...period(flags),
          },
          command,
          flags.json,
        ),
    );
  intents
    .command('revoke')
    .description('Revoke an intent (it stays on record)')
    .argument('<id>')
    .action(async (id: string, _flags: unknown, command: Command) => {
      const revoked = await withIntents(command, 'revoke', (target) =>
        target.kind === 'remote'
          ? target.client.revokePlanIntent(id)
          : revokeIntent(target.db, id, cliPrincipal()),
      );
      process.stdout.write(`${intentLine(revoked)}\n`);
    });
}
