import { type Command, Option } from 'commander';
import { InvexError } from '../../core/errors.ts';
import type { Database } from '../../db/index.ts';
import {
  ANNOTATION_KINDS,
  annotateDemand,
  checkDrift,
  DEFAULT_MODEL,
  type DemandAnnotation,
  demandAnnotations,
  type ForecastVersionRecord,
  fitModel,
  forecastModels,
  forecastVersions,
  GRAINS,
  getForecast,
  type ModelConfigInput,
  promoteVersion,
  removeAnnotation,
  rollbackModel,
  workerRunner,
} from '../../forecast/index.ts';
import { closeTarget, configFrom, type GlobalOptions, openTarget } from '../context.ts';
import { printJson } from '../output.ts';

/** Who the CLI acts as in the registry's history: the operating-system user, as tokens do. */
const actor = () => `cli:${process.env.USER ?? 'operator'}`;

const list = (v: string | undefined) =>
  v === undefined
    ? undefined
    : v
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean);

const positiveInt = (flag: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1)
    throw new InvexError(
      'invalid_input',
      'request_invalid',
      `${flag} must be a whole number of at least 1; got ${v}`,
    );
  return n;
};

/** Runs a forecast command on the local database (the registry is not yet reachable through a running server's token). */
async function withDb<T>(command: Command, name: string, fn: (db: Database) => Promise<T>): Promise<T> {
  const config = configFrom(command.optsWithGlobals<GlobalOptions>());
  const target = await openTarget(config, name);
  try {
    if (target.kind === 'remote')
      throw new InvexError(
        'conflict',
        'data_dir_locked',
        `a running invex server holds the data directory: use its API (/v1/forecast-models, /v1/forecasts, /v1/demand-annotations) instead of ${name}`,
      );
    return await fn(target.db);
  } finally {
    await closeTarget(target);
  }
}

const fixed = (x: number | null | undefined, digits = 3) =>
  x === null || x === undefined ? '-' : x.toFixed(digits);

function versionRow(v: ForecastVersionRecord): string {
  const m = v.metrics.overall;
  return [
    v.id.padEnd(30),
    `${v.model}@${v.version}`.padEnd(18),
    v.status.padEnd(9),
    v.grain.padEnd(4),
    String(v.horizon).padStart(3),
    `${v.data_from}..${v.data_to}`.padEnd(22),
    String(v.series_count).padStart(7),
    fixed(m.mase).padStart(6),
    fixed(m.rmsse).padStart(6),
    fixed(m.wape).padStart(6),
    fixed(m.bias).padStart(7),
    fixed(m.coverage, 2).padStart(5),
    `${v.fit_seconds.toFixed(1)}s`.padStart(8),
  ].join(' ');
}
const VERSION_HEADER = `${'id'.padEnd(30)} ${'version'.padEnd(18)} ${'status'.padEnd(9)} ${'gr'.padEnd(4)} ${'h'.padStart(3)} ${'data'.padEnd(22)} ${'series'.padStart(7)} ${'MASE'.padStart(6)} ${'RMSSE'.padStart(6)} ${'WAPE'.padStart(6)} ${'bias'.padStart(7)} ${'cover'.padStart(5)} ${'fit'.padStart(8)}`;

function versionDetails(v: ForecastVersionRecord): string {
  const lines = [VERSION_HEADER, versionRow(v), '', 'selection per demand class:'];
  for (const s of v.selection)
    lines.push(
      `  ${s.demand_class.padEnd(12)} ${String(s.series).padStart(6)} series  ${s.method.padEnd(15)} calibration ${s.calibration.toFixed(3)}  dispersion ${s.dispersion === null ? 'Poisson' : s.dispersion.toFixed(2)}`,
    );
  lines.push(
    '',
    `backtest (${v.metrics.origins} rolling origins of ${v.metrics.horizon} ${v.grain === 'day' ? 'days' : 'weeks'}):`,
  );
  const rows = [['overall', v.metrics.overall] as const, ...Object.entries(v.metrics.by_class)];
  for (const [scope, m] of rows) {
    if (!m) continue;
    lines.push(
      `  ${scope.padEnd(12)} MASE ${fixed(m.mase)}  RMSSE ${fixed(m.rmsse)}  WAPE ${fixed(m.wape)}  bias ${fixed(m.bias)}  coverage ${fixed(m.coverage, 2)} of ${fixed(m.nominal_coverage, 2)}  pinball ${Object.entries(
        m.pinball,
      )
        .map(([q, p]) => `${q}:${p.toFixed(3)}`)
        .join(' ')}`,
    );
  }
  return lines.join('\n');
}

function annotationRow(a: DemandAnnotation): string {
  const scope = [
    a.sku && `sku ${a.sku}`,
    a.location && `at ${a.location}`,
    a.category && `category ${a.category}`,
    a.channel && `channel ${a.channel}`,
  ]
    .filter(Boolean)
    .join(' ');
  return `${a.id}  ${a.from}..${a.to}  ${a.kind.padEnd(8)} ${scope}  "${a.reason}"  by ${a.created_by}${a.revoked_at ? `  (removed ${a.revoked_at} by ${a.revoked_by})` : ''}`;
}

export function registerForecast(program: Command): void {
  const forecast = program
    .command('forecast')
    .description(
      'Demand forecasts from the event log: fit, compare, promote, roll back, annotate, watch drift',
    );

  forecast
    .command('fit')
    .description(
      'Fit a forecast model on the event log into a new candidate version (creating the model if new)',
    )
    .option('--model <name>', 'model name', DEFAULT_MODEL)
    .addOption(new Option('--grain <grain>', 'day or week').choices([...GRAINS]))
    .option('--horizon <n>', 'periods ahead (default 28 days or 8 weeks)', positiveInt('--horizon'))
    .option('--from <date>', 'first day of history (default: history_days before --to)')
    .option('--to <date>', 'last day of history (default: the day before the latest sale)')
    .option('--category <list>', 'comma-separated categories')
    .option('--region <list>', 'comma-separated regions')
    .option('--sku <list>', 'comma-separated SKUs')
    .option('--location <list>', 'comma-separated locations')
    .option('--channel <list>', 'comma-separated channels')
    .option('--methods <list>', 'comma-separated candidate methods (default all)')
    .option('--quantiles <list>', 'comma-separated quantile levels (default 0.1,0.5,0.9)')
    .option('--windows <n>', 'backtest origins (default 3)', positiveInt('--windows'))
    .option('--workers <n>', 'worker threads (default every core)', positiveInt('--workers'))
    .option('--promote', 'promote the new version at once')
    .option('--json', 'print the version as JSON')
    .action(async (options: Record<string, string | number | boolean | undefined>, command: Command) => {
      const scope = Object.fromEntries(
        (
          [
            ['categories', options.category],
            ['regions', options.region],
            ['skus', options.sku],
            ['locations', options.location],
            ['channels', options.channel],
          ] as const
        ).flatMap(([k, v]) => (v === undefined ? [] : [[k, list(v as string)]])),
      );
      const config: Record<string, unknown> = {
        ...(options.grain ? { grain: options.grain } : {}),
        ...(options.horizon ? { horizon: options.horizon } : {}),
        ...(Object.keys(scope).length ? { scope } : {}),
        ...(options.methods ? { methods: list(options.methods as string) } : {}),
        ...(options.quantiles ? { quantiles: list(options.quantiles as string)!.map(Number) } : {}),
        ...(options.windows ? { windows: options.windows } : {}),
      };
      await withDb(command, 'invex forecast fit', async (db) => {
        let version = await fitModel(db, {
          model: options.model as string,
          config: config as ModelConfigInput,
          ...(options.from ? { from: options.from as string } : {}),
          ...(options.to ? { to: options.to as string } : {}),
          actor: actor(),
          runner: workerRunner(options.workers ? { workers: options.workers as number } : {}),
        });
        if (options.promote) version = await promoteVersion(db, version.id, actor());
        if (options.json) printJson(version);
        else process.stdout.write(`${versionDetails(version)}\n`);
      });
    });

  forecast
    .command('models')
    .description('Forecast models and their active versions')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      await withDb(command, 'invex forecast models', async (db) => {
        const models = await forecastModels(db);
        if (options.json) return printJson(models);
        if (models.length === 0) return void process.stdout.write('no forecast models: invex forecast fit\n');
        process.stdout.write(
          `${'model'.padEnd(20)} ${'grain'.padEnd(5)} ${'h'.padStart(3)} ${'versions'.padStart(8)}  active  scope\n`,
        );
        for (const m of models)
          process.stdout.write(
            `${m.name.padEnd(20)} ${m.config.grain.padEnd(5)} ${String(m.config.horizon).padStart(3)} ${String(m.versions).padStart(8)}  ${m.active_version ? `v${m.active_version.version} ${m.active_version.id}` : '-'}  ${JSON.stringify(m.config.scope)}\n`,
          );
      });
    });

  forecast
    .command('versions')
    .description('Versions of one model (or all), newest first, with their backtest metrics')
    .option('--model <name>', 'only this model')
    .option('--json', 'print JSON')
    .action(async (options: { model?: string; json?: boolean }, command: Command) => {
      await withDb(command, 'invex forecast versions', async (db) => {
        const versions = await forecastVersions(db, options.model);
        if (options.json) return printJson(versions);
        if (versions.length === 0) return void process.stdout.write('no forecast versions\n');
        process.stdout.write(`${VERSION_HEADER}\n${versions.map(versionRow).join('\n')}\n`);
      });
    });

  forecast
    .command('show')
    .description('The active forecast of a SKU at a location, with the model version it comes from')
    .requiredOption('--sku <code>')
    .requiredOption('--location <code>')
    .option('--channel <name>')
    .option('--model <name>')
    .option('--json', 'print JSON')
    .action(
      async (
        options: { sku: string; location: string; channel?: string; model?: string; json?: boolean },
        command: Command,
      ) => {
        await withDb(command, 'invex forecast show', async (db) => {
          const views = await getForecast(db, {
            sku: options.sku,
            location: options.location,
            ...(options.channel ? { channel: options.channel } : {}),
            ...(options.model ? { model: options.model } : {}),
          });
          if (options.json) return printJson(views);
          for (const v of views) {
            const levels = Object.keys(v.quantiles);
            process.stdout.write(
              `${v.sku} @ ${v.location} (${v.channel})  model ${v.model} v${v.version} ${v.model_version}  ${v.demand_class}, ${v.method}\n`,
            );
            process.stdout.write(
              `  ${'period'.padEnd(10)} ${'mean'.padStart(9)} ${levels.map((q) => `q${q}`.padStart(8)).join(' ')}\n`,
            );
            v.periods.forEach((p, i) => {
              process.stdout.write(
                `  ${p} ${v.mean[i]!.toFixed(2).padStart(9)} ${levels.map((q) => String(v.quantiles[q]![i]).padStart(8)).join(' ')}\n`,
              );
            });
          }
        });
      },
    );

  forecast
    .command('promote')
    .description('Make a version its model’s active one')
    .argument('<version>', 'fcv_… or MODEL@N')
    .option('--model <name>', 'refuse unless the version belongs to this model')
    .option('--reason <text>')
    .option('--json', 'print JSON')
    .action(
      async (ref: string, options: { model?: string; reason?: string; json?: boolean }, command: Command) => {
        await withDb(command, 'invex forecast promote', async (db) => {
          const v = await promoteVersion(db, ref, actor(), {
            ...(options.model ? { model: options.model } : {}),
            ...(options.reason ? { reason: options.reason } : {}),
          });
          if (options.json) printJson(v);
          else process.stdout.write(`${v.model} v${v.version} (${v.id}) is active\n`);
        });
      },
    );

  forecast
    .command('rollback')
    .description('Return a model to the version active before the current one')
    .requiredOption('--model <name>')
    .option('--reason <text>')
    .option('--json', 'print JSON')
    .action(async (options: { model: string; reason?: string; json?: boolean }, command: Command) => {
      await withDb(command, 'invex forecast rollback', async (db) => {
        const v = await rollbackModel(
          db,
          options.model,
          actor(),
          options.reason ? { reason: options.reason } : {},
        );
        if (options.json) printJson(v);
        else process.stdout.write(`${v.model} is back on v${v.version} (${v.id})\n`);
      });
    });

  forecast
    .command('drift')
    .description(
      'Score the active versions on the actuals since their data windows; raise or close forecast_drift exceptions',
    )
    .option('--model <name>', 'only this model')
    .option('--as-of <date>', 'last day of actuals to score (default: the day before the latest sale)')
    .option('--json', 'print JSON')
    .action(async (options: { model?: string; asOf?: string; json?: boolean }, command: Command) => {
      await withDb(command, 'invex forecast drift', async (db) => {
        const reports = await checkDrift(db, {
          ...(options.model ? { model: options.model } : {}),
          ...(options.asOf ? { asOf: options.asOf } : {}),
        });
        if (options.json) return printJson(reports);
        if (reports.length === 0) return void process.stdout.write('no active forecast versions\n');
        for (const r of reports) {
          const o = r.assessment.checks[0]!;
          process.stdout.write(
            `${r.model} v${r.version} (${r.model_version}) as of ${r.as_of}: ${r.assessment.periods_elapsed} periods, ${r.assessment.drifting ? `DRIFT in ${r.assessment.worst!.scope}` : 'no drift'}; live WAPE ${fixed(o.live_wape)} vs backtest ${fixed(o.backtest_wape)}, bias ${fixed(o.live_bias)}, tracking signal ${fixed(o.tracking_signal, 1)}${r.exception.action !== 'none' ? `; exception ${r.exception.id} ${r.exception.action}` : ''}\n`,
          );
        }
      });
    });

  forecast
    .command('annotate')
    .description(
      'Mark a period of demand history as a one-off or not to trust: left out of fitting and drift',
    )
    .option('--sku <code>')
    .option('--location <code>')
    .option('--category <name>')
    .option('--channel <name>')
    .requiredOption('--from <date>', 'first local day')
    .requiredOption('--to <date>', 'last local day (inclusive)')
    .addOption(
      new Option('--kind <kind>', 'one_off or exclude').choices([...ANNOTATION_KINDS]).default('one_off'),
    )
    .requiredOption('--reason <text>')
    .option('--json', 'print JSON')
    .action(async (options: Record<string, string | boolean | undefined>, command: Command) => {
      await withDb(command, 'invex forecast annotate', async (db) => {
        const input = Object.fromEntries(
          ['sku', 'location', 'category', 'channel', 'from', 'to', 'kind', 'reason'].flatMap((k) =>
            options[k] === undefined ? [] : [[k, options[k]]],
          ),
        );
        const a = await annotateDemand(db, input as Parameters<typeof annotateDemand>[1], actor());
        if (options.json) printJson(a);
        else process.stdout.write(`${annotationRow(a)}\n`);
      });
    });

  forecast
    .command('annotations')
    .description('Demand annotations in force (--all: with removed ones)')
    .option('--sku <code>')
    .option('--location <code>')
    .option('--all', 'include removed annotations')
    .option('--json', 'print JSON')
    .action(
      async (
        options: { sku?: string; location?: string; all?: boolean; json?: boolean },
        command: Command,
      ) => {
        await withDb(command, 'invex forecast annotations', async (db) => {
          const items = await demandAnnotations(db, {
            ...(options.sku ? { sku: options.sku } : {}),
            ...(options.location ? { location: options.location } : {}),
            revoked: options.all ?? false,
          });
          if (options.json) return printJson(items);
          process.stdout.write(
            items.length ? `${items.map(annotationRow).join('\n')}\n` : 'no demand annotations\n',
          );
        });
      },
    );

  forecast
    .command('unannotate')
    .description('Remove an annotation (kept, marked removed, for the audit)')
    .argument('<id>', 'ann_…')
    .option('--json', 'print JSON')
    .action(async (id: string, options: { json?: boolean }, command: Command) => {
      await withDb(command, 'invex forecast unannotate', async (db) => {
        const a = await removeAnnotation(db, id, actor());
        if (options.json) printJson(a);
        else process.stdout.write(`${annotationRow(a)}\n`);
      });
    });
}
