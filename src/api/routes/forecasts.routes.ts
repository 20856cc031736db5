import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  ANNOTATION_KINDS,
  annotateDemand,
  annotationInputSchema,
  checkDrift,
  DEMAND_CLASSES,
  demandAnnotations,
  fitModel,
  forecastModels,
  forecastVersions,
  GRAINS,
  getForecast,
  METHODS,
  promoteVersion,
  removeAnnotation,
  rollbackModel,
  VERSION_STATUSES,
  workerRunner,
} from '../../forecast/index.ts';
import { problemSchema } from '../schemas.ts';
import type { ServerDeps } from '../server.ts';

/** A fit runs inside the request: scopes above this many series are refused (use the CLI). */
export const MAX_API_FIT_SERIES = 2000;

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'must be a date YYYY-MM-DD' });
const code = z.string().min(1).max(100);
const name = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, { message: 'must be 1-64 of a-z 0-9 _ . -' })
  .describe('Model name');
const grain = z.enum(GRAINS as ['day', 'week']);
const nullableNumber = z.number().nullable();

const accuracySchema = z.object({
  forecasts: z.number(),
  points: z.number(),
  actual_units: z.number(),
  forecast_units: z.number(),
  mase: nullableNumber,
  rmsse: nullableNumber,
  wape: nullableNumber,
  bias: nullableNumber.describe('Total forecast over total actual, minus one'),
  pinball: z.record(z.string(), z.number()).describe('Mean pinball loss per quantile level, in units'),
  coverage: nullableNumber.describe('Share of actuals inside the interval'),
  interval: z.tuple([z.number(), z.number()]).nullable(),
  nominal_coverage: nullableNumber,
});

const configSchema = z.object({
  scope: z.object({
    categories: z.array(z.string()).optional(),
    regions: z.array(z.string()).optional(),
    skus: z.array(z.string()).optional(),
    locations: z.array(z.string()).optional(),
    channels: z.array(z.string()).optional(),
  }),
  grain,
  horizon: z.number(),
  history_days: z.number(),
  period: z.number(),
  methods: z.array(z.enum(METHODS)),
  quantiles: z.array(z.number()),
  windows: z.number(),
  criterion: z.enum(['rmsse', 'rmse']),
  calibrate: z.boolean(),
  drift: z.object({
    wape_ratio: z.number(),
    tracking_limit: z.number(),
    min_bias: z.number(),
    min_periods: z.number(),
    min_units: z.number(),
  }),
});

export const forecastVersionSchema = z
  .object({
    id: z.string().describe('fcv_…'),
    model: z.string(),
    version: z.number(),
    status: z.enum(VERSION_STATUSES),
    config: configSchema,
    selection: z.array(
      z.object({
        demand_class: z.enum(DEMAND_CLASSES),
        series: z.number(),
        method: z.string(),
        calibration: z.number(),
        dispersion: nullableNumber.describe('Negative binomial dispersion; null = Poisson'),
        backtest: z.record(z.string(), nullableNumber),
      }),
    ),
    metrics: z.object({
      origins: z.number(),
      horizon: z.number(),
      overall: accuracySchema,
      by_class: z.record(z.string(), accuracySchema),
    }),
    grain,
    horizon: z.number(),
    data_from: z.string(),
    data_to: z.string(),
    forecast_start: z.string(),
    series_count: z.number(),
    annotated_periods: z.number(),
    fit_seconds: z.number(),
    created_at: z.string(),
    created_by: z.string(),
    promoted_at: z.string().nullable(),
    promoted_by: z.string().nullable(),
  })
  .describe('A fitted version of a forecast model, with its rolling-origin backtest');

const modelSchema = z.object({
  name: z.string(),
  config: configSchema,
  created_at: z.string(),
  created_by: z.string(),
  updated_at: z.string(),
  active_version: z.object({ id: z.string(), version: z.number() }).nullable(),
  versions: z.number(),
});

const annotationSchema = z.object({
  id: z.string().describe('ann_…'),
  sku: z.string().nullable(),
  location: z.string().nullable(),
  category: z.string().nullable(),
  channel: z.string().nullable(),
  from: z.string(),
  to: z.string(),
  kind: z.enum(ANNOTATION_KINDS),
  reason: z.string(),
  created_by: z.string(),
  created_at: z.string(),
  revoked_at: z.string().nullable(),
  revoked_by: z.string().nullable(),
});

const fitBody = z
  .strictObject({
    from: day.optional(),
    to: day.optional(),
    grain: grain.optional(),
    horizon: z.number().int().min(1).max(366).optional(),
    history_days: z.number().int().optional(),
    period: z.number().int().optional(),
    scope: z
      .strictObject({
        categories: z.array(code).max(1000).optional(),
        regions: z.array(code).max(1000).optional(),
        skus: z.array(code).max(1000).optional(),
        locations: z.array(code).max(1000).optional(),
        channels: z.array(code).max(100).optional(),
      })
      .optional(),
    methods: z.array(z.enum(METHODS)).min(1).max(METHODS.length).optional(),
    quantiles: z.array(z.number()).min(1).max(9).optional(),
    windows: z.number().int().optional(),
    criterion: z.enum(['rmsse', 'rmse']).optional(),
    calibrate: z.boolean().optional(),
    drift: z.record(z.string(), z.number()).optional(),
  })
  .describe(
    'Overrides of the model configuration (the rest is the model’s, or the defaults) and the data window',
  );

const liveSchema = z.object({
  series: z.number(),
  points: z.number(),
  actual_units: z.number(),
  forecast_units: z.number(),
  absolute_error: z.number(),
  wape: nullableNumber,
  bias: nullableNumber,
  tracking_signal: nullableNumber,
  shortfall_units: z.number(),
  shortfall_margin: z.number(),
});

export const forecastRoutes =
  (deps: ServerDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/v1/forecast-models',
      {
        config: { permission: 'forecast:read' },
        schema: {
          tags: ['forecasts'],
          summary: 'Forecast models with their active version',
          response: { 200: z.object({ items: z.array(modelSchema) }) },
        },
      },
      async () => ({ items: await forecastModels(deps.db) }),
    );

    app.get(
      '/v1/forecast-models/:name/versions',
      {
        config: { permission: 'forecast:read' },
        schema: {
          tags: ['forecasts'],
          summary: 'A model’s versions, newest first, with configuration, selection and backtest metrics',
          params: z.object({ name }),
          response: { 200: z.object({ items: z.array(forecastVersionSchema) }), 404: problemSchema },
        },
      },
      async (request) => ({ items: await forecastVersions(deps.db, request.params.name) }),
    );

    app.post(
      '/v1/forecast-models/:name/fit',
      {
        config: { permission: 'forecast:write' },
        schema: {
          tags: ['forecasts'],
          summary: `Fit the model on the event log now (creating it if new) into a candidate version; at most ${MAX_API_FIT_SERIES} series, else 413`,
          params: z.object({ name }),
          body: fitBody.default({}),
          response: { 201: forecastVersionSchema, 400: problemSchema, 413: problemSchema },
        },
      },
      async (request, reply) => {
        const { from, to, ...config } = request.body ?? {};
        const version = await fitModel(deps.db, {
          model: request.params.name,
          config,
          ...(from ? { from } : {}),
          ...(to ? { to } : {}),
          actor: request.principal!.id,
          maxSeries: MAX_API_FIT_SERIES,
          runner: workerRunner(),
        });
        return reply.status(201).send(version);
      },
    );

    app.post(
      '/v1/forecast-versions/:id/promote',
      {
        config: { permission: 'forecast:promote' },
        schema: {
          tags: ['forecasts'],
          summary: 'Make a version its model’s active one (id fcv_… or MODEL@N)',
          params: z.object({ id: z.string().min(1).max(100) }),
          body: z
            .strictObject({
              model: name.optional().describe('When given, the version must belong to it'),
              reason: z.string().max(500).optional(),
            })
            .default({}),
          response: { 200: forecastVersionSchema, 404: problemSchema, 409: problemSchema },
        },
      },
      async (request) =>
        promoteVersion(deps.db, request.params.id, request.principal!.id, {
          ...(request.body?.model ? { model: request.body.model } : {}),
          ...(request.body?.reason ? { reason: request.body.reason } : {}),
        }),
    );

    app.post(
      '/v1/forecast-models/:name/rollback',
      {
        config: { permission: 'forecast:promote' },
        schema: {
          tags: ['forecasts'],
          summary: 'Return the model to the version active before the current one',
          params: z.object({ name }),
          body: z.strictObject({ reason: z.string().max(500).optional() }).default({}),
          response: { 200: forecastVersionSchema, 404: problemSchema, 409: problemSchema },
        },
      },
      async (request) =>
        rollbackModel(deps.db, request.params.name, request.principal!.id, {
          ...(request.body?.reason ? { reason: request.body.reason } : {}),
        }),
    );

    app.get(
      '/v1/forecasts',
      {
        config: { permission: 'forecast:read' },
        schema: {
          tags: ['forecasts'],
          summary:
            'The active forecast of a SKU at a location, per model and channel, with the version it comes from',
          querystring: z.object({
            sku: code,
            location: code,
            channel: code.optional(),
            model: name.optional(),
          }),
          response: {
            200: z.object({
              items: z.array(
                z.object({
                  model: z.string(),
                  model_version: z.string().describe('Record this with anything built on the forecast'),
                  version: z.number(),
                  grain,
                  sku: z.string(),
                  location: z.string(),
                  channel: z.string(),
                  demand_class: z.enum(DEMAND_CLASSES),
                  method: z.string(),
                  periods: z.array(z.string()),
                  mean: z.array(z.number()),
                  quantiles: z.record(z.string(), z.array(z.number())),
                }),
              ),
            }),
            404: problemSchema,
          },
        },
      },
      async (request) => ({ items: await getForecast(deps.db, request.query) }),
    );

    app.post(
      '/v1/forecast-drift',
      {
        config: { permission: 'forecast:write' },
        schema: {
          tags: ['forecasts'],
          summary:
            'Score the active versions on the actuals so far; raise or close forecast_drift exceptions',
          body: z.strictObject({ model: name.optional(), as_of: day.optional() }).default({}),
          response: {
            200: z.object({
              items: z.array(
                z.object({
                  model: z.string(),
                  model_version: z.string(),
                  version: z.number(),
                  as_of: z.string(),
                  drifting: z.boolean(),
                  periods_elapsed: z.number(),
                  checks: z.array(
                    z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
                  ),
                  live: liveSchema,
                  exception: z.object({
                    id: z.string(),
                    status: z.enum(['open', 'closed']),
                    action: z.enum(['opened', 'updated', 'closed', 'none']),
                  }),
                }),
              ),
            }),
            404: problemSchema,
          },
        },
      },
      async (request) => {
        const reports = await checkDrift(deps.db, {
          ...(request.body?.model ? { model: request.body.model } : {}),
          ...(request.body?.as_of ? { asOf: request.body.as_of } : {}),
        });
        return {
          items: reports.map((r) => ({
            model: r.model,
            model_version: r.model_version,
            version: r.version,
            as_of: r.as_of,
            drifting: r.assessment.drifting,
            periods_elapsed: r.assessment.periods_elapsed,
            checks: r.assessment.checks.map((c) => ({ ...c })),
            live: r.live.overall,
            exception: r.exception,
          })),
        };
      },
    );

    app.get(
      '/v1/demand-annotations',
      {
        config: { permission: 'forecast:read' },
        schema: {
          tags: ['forecasts'],
          summary: 'Periods people marked as not to be learned from',
          querystring: z.object({
            sku: code.optional(),
            location: code.optional(),
            revoked: z
              .enum(['true', 'false'])
              .default('false')
              .transform((v) => v === 'true')
              .describe('Include removed ones'),
            limit: z.coerce.number().int().min(1).max(1000).default(100),
          }),
          response: { 200: z.object({ items: z.array(annotationSchema) }) },
        },
      },
      async (request) => {
        const { limit, ...filter } = request.query;
        return { items: await demandAnnotations(deps.db, filter, limit) };
      },
    );

    app.post(
      '/v1/demand-annotations',
      {
        config: { permission: 'forecast:write' },
        schema: {
          tags: ['forecasts'],
          summary: 'Mark a period of demand history (one-off or not to trust): left out of fitting and drift',
          body: annotationInputSchema,
          response: { 201: annotationSchema, 400: problemSchema },
        },
      },
      async (request, reply) =>
        reply.status(201).send(await annotateDemand(deps.db, request.body, request.principal!.id)),
    );

    app.delete(
      '/v1/demand-annotations/:id',
      {
        config: { permission: 'forecast:write' },
        schema: {
          tags: ['forecasts'],
          summary: 'Remove an annotation (kept with revoked_at and revoked_by for the audit)',
          params: z.object({ id: z.string().min(1).max(64) }),
          response: { 200: annotationSchema, 404: problemSchema },
        },
      },
      async (request) => removeAnnotation(deps.db, request.params.id, request.principal!.id),
    );
  };
