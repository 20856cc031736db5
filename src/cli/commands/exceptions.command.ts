import { type Command, Option } from 'commander';
import { InvexError } from '../../core/errors.ts';
import {
  type CountTask,
  DetectionService,
  EXCEPTION_TYPES,
  type ExceptionRecord,
  getException,
  listExceptions,
  loadDetectorConfig,
  PRIORITY_BANDS,
} from '../../detect/index.ts';
import { closeTarget, configFrom, type GlobalOptions, openTarget } from '../context.ts';
import { printJson } from '../output.ts';

const csv = (v: string | undefined, allowed: readonly string[], flag: string) => {
  if (v === undefined) return undefined;
  const items = v
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  const bad = items.filter((x) => !allowed.includes(x));
  if (bad.length > 0) {
    throw new InvexError(
      'invalid_input',
      'request_invalid',
      `${flag}: unknown ${bad.join(', ')}; expected ${allowed.join(', ')}`,
    );
  }
  return items;
};

function row(e: ExceptionRecord): string {
  const where = [e.sku, e.location].filter(Boolean).join(' @ ') || '-';
  return [
    e.id.padEnd(30),
    e.type.padEnd(27),
    e.status.padEnd(6),
    e.priority_band.padEnd(8),
    String(e.priority).padStart(10),
    e.confidence.toFixed(2).padStart(5),
    ` ${where}`,
  ].join(' ');
}

function details(e: ExceptionRecord): string {
  const lines = [
    `${e.id}  ${e.type}  ${e.status}${e.close_reason ? ` (${e.close_reason})` : ''}`,
    `where       ${[e.sku, e.location, e.channel].filter(Boolean).join(' @ ') || '-'}${e.group ? `  group ${e.group}` : ''}`,
    `opened      ${e.opened_at}  updated ${e.updated_at}${e.closed_at ? `  closed ${e.closed_at}` : ''}`,
    `priority    ${e.priority} (${e.priority_band}) = impact ${e.impact.value} ${e.impact.currency} x confidence ${e.confidence} x urgency ${e.urgency}`,
    `impact      lost margin ${e.impact.lost_margin}, cancellations ${e.impact.cancellation_cost}, expedite ${e.impact.expedite_cost}; ${e.impact.units_at_risk} units at risk over ${e.impact.horizon_days} days`,
    `root cause  ${e.root_cause}: ${e.reasoning}`,
    '',
    e.explanation,
    '',
    'evidence:',
    ...Object.entries(e.evidence.figures).map(([k, v]) => `  ${k} = ${v}`),
    ...Object.entries(e.evidence.thresholds).map(([k, v]) => `  threshold ${k} = ${v}`),
    ...e.evidence.events.map(
      (ev) =>
        `  event ${ev.event_id} ${ev.type} ${ev.occurred_at}${ev.qty !== undefined ? ` qty ${ev.qty}` : ''}${ev.note ? ` (${ev.note})` : ''}`,
    ),
    '',
    'recommended actions:',
    ...e.actions.map((a) => `  ${a.kind}: ${a.detail}`),
  ];
  return lines.join('\n');
}

export function registerExceptions(program: Command): void {
  const exceptions = program
    .command('exceptions')
    .description('Inventory exceptions: what is wrong, why, what it costs, what to do');
  exceptions
    .command('list')
    .description('Exceptions, highest priority first')
    .option('--status <list>', 'open, closed, or both (comma-separated; default both)')
    .option('--type <list>', `comma-separated types: ${EXCEPTION_TYPES.join(', ')}`)
    .option('--priority <list>', `comma-separated bands: ${PRIORITY_BANDS.join(', ')}`)
    .option('--location <code>')
    .option('--region <name>')
    .option('--category <name>')
    .option('--sku <code>')
    .addOption(
      new Option('--sort <field>', 'order')
        .choices(['priority', 'opened_at', 'updated_at'])
        .default('priority'),
    )
    .option('--limit <n>', 'most exceptions to print (1 to 1000)', '50')
    .option('--json', 'print a JSON array')
    .action(async (options: Record<string, string | boolean | undefined>, command: Command) => {
      const config = configFrom(command.optsWithGlobals<GlobalOptions>());
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
        throw new InvexError(
          'invalid_input',
          'request_invalid',
          `--limit must be a whole number from 1 to 1000; got ${options.limit}`,
        );
      }
      const filter = {
        status: csv(options.status as string | undefined, ['open', 'closed'], '--status'),
        type: csv(options.type as string | undefined, EXCEPTION_TYPES, '--type'),
        priority: csv(options.priority as string | undefined, PRIORITY_BANDS, '--priority'),
        location: options.location as string | undefined,
        region: options.region as string | undefined,
        category: options.category as string | undefined,
        sku: options.sku as string | undefined,
      };
      const sort = options.sort as 'priority' | 'opened_at' | 'updated_at';
      const target = await openTarget(config, 'invex exceptions list');
      try {
        let items: ExceptionRecord[];
        if (target.kind === 'remote') {
          const query = new URLSearchParams({ limit: String(limit), sort });
          for (const [k, v] of Object.entries(filter))
            if (v !== undefined) query.set(k, Array.isArray(v) ? v.join(',') : v);
          items = (await target.client.exceptions(query)).items;
        } else {
          items = await listExceptions(target.db, filter, { limit, sort });
        }
        if (options.json) printJson(items);
        else if (items.length === 0) process.stdout.write('no exceptions match\n');
        else {
          process.stdout.write(
            `${'id'.padEnd(30)} ${'type'.padEnd(27)} ${'status'.padEnd(6)} ${'band'.padEnd(8)} ${'priority'.padStart(10)} ${'conf'.padStart(5)}  where\n`,
          );
          process.stdout.write(`${items.map(row).join('\n')}\n`);
        }
      } finally {
        await closeTarget(target);
      }
    });
  exceptions
    .command('show')
    .description('One exception with its evidence, explanation and recommended actions')
    .argument('<id>', 'exc_…')
    .option('--json', 'print it as JSON')
    .action(async (id: string, options: { json?: boolean }, command: Command) => {
      const config = configFrom(command.optsWithGlobals<GlobalOptions>());
      const target = await openTarget(config, 'invex exceptions show');
      try {
        const found =
          target.kind === 'remote' ? await target.client.exception(id) : await getException(target.db, id);
        if (!found)
          throw new InvexError('not_found', 'exception_not_found', `exception ${id} does not exist`);
        process.stdout.write(options.json ? `${JSON.stringify(found, null, 2)}\n` : `${details(found)}\n`);
      } finally {
        await closeTarget(target);
      }
    });
}

export function registerDetect(program: Command): void {
  const detect = program.command('detect').description('Run the exception engine');
  detect
    .command('sweep')
    .description(
      'Catch up with the event log and run the scheduled scans now (SLA clocks, zero-sales runs, reporting gaps)',
    )
    .option('--json', 'print the counts as JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const config = configFrom(command.optsWithGlobals<GlobalOptions>());
      const target = await openTarget(config, 'invex detect sweep');
      try {
        const started = performance.now();
        const stats =
          target.kind === 'remote'
            ? await target.client.sweep()
            : await (
                await DetectionService.start(target.db, { config: loadDetectorConfig(config.detectorsFile) })
              ).sweep();
        const seconds = (performance.now() - started) / 1000;
        if (options.json) printJson({ ...stats, seconds });
        else {
          process.stdout.write(
            `sweep: ${stats.events} events and ${stats.deliveries} turned-away deliveries read; ${stats.opened} exceptions opened, ${stats.updated} updated, ${stats.closed} closed (${seconds.toFixed(1)} s)\n`,
          );
        }
      } finally {
        await closeTarget(target);
      }
    });
  detect
    .command('count-plan')
    .description(
      "Today's count plan: per store, the records most worth a count (the shelf likeliest emptied unrecorded, times the margin it loses a day). A store that echoes a task's count_id as ref.count_id on its cycle_count marks the count as directed: it settles the record without biasing the store's loss rate",
    )
    .option('--location <code>', 'one store only')
    .option('--per-location <n>', 'tasks a store at most', '5')
    .option('--json', 'print the plan as JSON')
    .action(async (options: { location?: string; perLocation: string; json?: boolean }, command: Command) => {
      const perLocation = Number(options.perLocation);
      if (!Number.isInteger(perLocation) || perLocation < 1 || perLocation > 200)
        throw new InvexError(
          'invalid_input',
          'request_invalid',
          `--per-location must be a whole number from 1 to 200, got ${options.perLocation}`,
        );
      const config = configFrom(command.optsWithGlobals<GlobalOptions>());
      const target = await openTarget(config, 'invex detect count-plan');
      try {
        let plan: { generated_at: string; tasks: CountTask[] };
        if (target.kind === 'remote') {
          const query = new URLSearchParams({ per_location: String(perLocation) });
          if (options.location) query.set('location', options.location);
          plan = await target.client.countPlan(query);
        } else {
          const service = await DetectionService.start(target.db, {
            config: loadDetectorConfig(config.detectorsFile),
            clock: config.clock,
          });
          plan = await service.countPlan({ perLocation, location: options.location });
        }
        if (options.json) printJson(plan.tasks);
        else process.stdout.write(`${countPlanTable(plan.generated_at, plan.tasks)}\n`);
      } finally {
        await closeTarget(target);
      }
    });
}

function countPlanTable(generatedAt: string, tasks: CountTask[]): string {
  if (tasks.length === 0) return `count plan at ${generatedAt}: nothing worth a directed count`;
  const rows = tasks.map((t) =>
    [
      t.location,
      t.sku,
      t.count_id,
      t.record_sellable,
      t.expected_units_per_day.toFixed(2),
      t.days_without_sale.toFixed(1),
      t.probability_empty.toFixed(4),
      t.expected_margin_per_day.toFixed(2),
      t.fast_mover ? 'fast mover' : '',
    ]
      .join('  ')
      .trimEnd(),
  );
  return [
    `count plan at ${generatedAt} (${tasks.length} tasks; a fast mover first at each store whose silence calls for it)`,
    'location  sku  count_id  record  units/day  days silent  P(empty)  margin/day at risk  lane',
    ...rows,
  ].join('\n');
}
