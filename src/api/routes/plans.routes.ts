import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  allocatePlan,
  allocateRequestSchema,
  createIntent,
  findIntents,
  INTENT_KINDS,
  MAX_PLAN_CELLS,
  markdownPlan,
  markdownRequestSchema,
  newIntentSchema,
  reorderPlan,
  reorderRequestSchema,
  revokeIntent,
  transfersPlan,
  transfersRequestSchema,
} from '../../plan/index.ts';
import { limitQuery, problemSchema } from '../schemas.ts';
import type { ServerDeps } from '../server.ts';

const forecastUsed = z
  .object({ method: z.string(), demand_class: z.string().nullable(), model_version: z.string().nullable() })
  .describe(
    'the forecast behind the figures: the method chosen for its demand class, and the model registry version',
  );

const envelope = <T extends z.ZodType>(item: T) =>
  z.object({
    plan: z.string(),
    as_of: z.string(),
    horizon_days: z.number(),
    history: z.object({ from: z.string(), to: z.string() }),
    cells: z.number().describe('SKU x location cells in scope'),
    total: z.number().describe('recommendations before the limit'),
    seconds: z.object({ load: z.number(), forecast: z.number(), plan: z.number() }),
    recommendations: z.array(item),
  });

const reorderItem = z.object({
  sku: z.string(),
  location: z.string(),
  segment: z.object({
    segment: z.string(),
    abc: z.string(),
    xyz: z.string(),
    velocity: z.string(),
    lifecycle: z.string(),
    margin_band: z.string(),
    service_level: z.number(),
    review_days: z.number(),
  }),
  forecast: forecastUsed,
  daily_demand: z.number(),
  daily_variance: z.number(),
  lead_time: z.object({
    days: z.number(),
    sd: z.number(),
    source: z.enum(['measured', 'default']),
    samples: z.number(),
  }),
  protection_mean: z.number(),
  protection_sd: z.number(),
  reorder_point: z.number(),
  order_up_to: z.number(),
  safety_stock: z.number(),
  expected_cycle_service: z.number(),
  position: z.object({
    sellable: z.number(),
    on_order: z.number(),
    in_transit_in: z.number(),
    committed: z.number(),
    position: z.number(),
  }),
  pack_size: z.number(),
  order_qty: z.number(),
  order_value: z.number(),
  why: z.string(),
});

const transferItem = z.object({
  sku: z.string(),
  status: z.string(),
  net_benefit: z.number(),
  intent_cost: z.number().nullable(),
  intents: z.array(z.string()),
  pins_short: z.array(z.object({ location: z.string(), units: z.number() })),
  objective: z.number(),
  bound: z.number(),
  seconds: z.number(),
  transfers: z.array(
    z.object({
      from: z.string(),
      to: z.string(),
      units: z.number(),
      packs: z.number(),
      expected_gain: z.number(),
      expected_loss: z.number(),
      cost: z.number(),
      benefit: z.number(),
      lead_time_days: z.number(),
      distance_km: z.number(),
      forecast: forecastUsed,
      source_forecast: forecastUsed,
      why: z.string(),
    }),
  ),
});

const allocateItem = z.object({
  sku: z.string(),
  location: z.string(),
  on_hand_record: z.number(),
  record_confidence: z.number(),
  reserved: z.number(),
  promisable: z.number(),
  oversell_risk: z.number(),
  max_oversell_risk: z.number(),
  held_back: z.number(),
  sellable_estimate: z.object({ p10: z.number(), p50: z.number(), mean: z.number() }),
  channels: z.array(
    z.object({
      channel: z.string(),
      promise: z.number(),
      ledger_atp: z.number(),
      listing: z.enum(['active', 'paused']),
      demand_mean: z.number(),
      expected_sales: z.number(),
      expected_margin: z.number(),
      oversell_cost: z.number(),
      forecast: forecastUsed,
      why: z.string(),
    }),
  ),
  why: z.string(),
});

const markdownItem = z.object({
  sku: z.string(),
  location: z.string(),
  on_hand: z.number(),
  daily_demand: z.number(),
  weeks_of_cover: z.number().nullable(),
  days_to_season_end: z.number(),
  recommended: z.boolean(),
  discount: z.number(),
  unit_price: z.number(),
  markdown_price: z.number(),
  expected_units_sold: z.number(),
  expected_sell_through: z.number(),
  expected_leftover: z.number(),
  expected_revenue: z.number(),
  full_price_revenue: z.number(),
  revenue_gain: z.number(),
  forecast: forecastUsed,
  steps: z.array(
    z.object({ discount: z.number(), expected_sell_through: z.number(), expected_revenue: z.number() }),
  ),
  why: z.string(),
});

export const intentSchema = z.object({
  id: z.string(),
  kind: z.enum(INTENT_KINDS),
  sku: z.string().nullable(),
  location: z.string().nullable(),
  from_location: z.string().nullable(),
  to_location: z.string().nullable(),
  min_units: z.number().nullable(),
  max_units: z.number().nullable(),
  starts_on: z.string().nullable(),
  ends_on: z.string().nullable(),
  reason: z.string(),
  created_by: z.string(),
  created_at: z.string(),
  revoked_at: z.string().nullable(),
  revoked_by: z.string().nullable(),
});

const bounded = `A scope over ${MAX_PLAN_CELLS.toLocaleString('en')} SKU x location cells is refused (400, plan_scope_too_large).`;

export const planRoutes =
  (deps: ServerDeps): FastifyPluginAsyncZod =>
  async (app) => {
    const planDeps = { db: deps.db, config: deps.config };
    app.post(
      '/v1/plans/reorder',
      {
        config: { permission: 'plans:read' },
        schema: {
          tags: ['plans'],
          summary:
            'Reorder points, order-up-to levels and orders per SKU x location, biggest order value first',
          description: bounded,
          body: reorderRequestSchema,
          response: { 200: envelope(reorderItem), 400: problemSchema },
        },
      },
      async (request) => reorderPlan(planDeps, request.body),
    );
    app.post(
      '/v1/plans/transfers',
      {
        config: { permission: 'plans:read' },
        schema: {
          tags: ['plans'],
          summary:
            "Transfers per SKU between stores and from DCs, with the planner's intents and what they cost",
          description: bounded,
          body: transfersRequestSchema,
          response: { 200: envelope(transferItem), 400: problemSchema },
        },
      },
      async (request) => transfersPlan(planDeps, request.body),
    );
    app.post(
      '/v1/plans/allocate',
      {
        config: { permission: 'plans:read' },
        schema: {
          tags: ['plans'],
          summary: 'Channel promises per SKU x location under record confidence and an oversell-risk limit',
          description: bounded,
          body: allocateRequestSchema,
          response: { 200: envelope(allocateItem), 400: problemSchema },
        },
      },
      async (request) => allocatePlan(planDeps, request.body),
    );
    app.post(
      '/v1/plans/markdown',
      {
        config: { permission: 'plans:read' },
        schema: {
          tags: ['plans'],
          summary: 'Markdowns for stock that outlasts the season, biggest revenue gain first',
          description: bounded,
          body: markdownRequestSchema,
          response: { 200: envelope(markdownItem), 400: problemSchema },
        },
      },
      async (request) => markdownPlan(planDeps, request.body),
    );

    app.get(
      '/v1/plan-intents',
      {
        config: { permission: 'plans:read' },
        schema: {
          tags: ['plans'],
          summary: 'Planner intents (pins, freezes, lane caps), newest first',
          querystring: z.object({
            kind: z.enum(INTENT_KINDS).optional(),
            sku: z.string().max(64).optional(),
            location: z.string().max(64).optional(),
            include_revoked: z
              .enum(['true', 'false'])
              .optional()
              .transform((v) => v === 'true'),
            limit: limitQuery,
          }),
          response: { 200: z.object({ items: z.array(intentSchema) }) },
        },
      },
      async (request) => {
        const { include_revoked, ...filter } = request.query;
        return { items: await findIntents(deps.db, { ...filter, includeRevoked: include_revoked }) };
      },
    );
    app.post(
      '/v1/plan-intents',
      {
        config: { permission: 'plans:write' },
        schema: {
          tags: ['plans'],
          summary: 'Record a planner intent; transfers plans respect it while it is in force',
          body: newIntentSchema,
          response: { 201: intentSchema, 400: problemSchema, 404: problemSchema },
        },
      },
      async (request, reply) => {
        const intent = await createIntent(deps.db, request.body, request.principal?.id ?? 'unknown');
        return reply.status(201).send(intent);
      },
    );
    app.delete(
      '/v1/plan-intents/:id',
      {
        config: { permission: 'plans:write' },
        schema: {
          tags: ['plans'],
          summary: 'Revoke a planner intent (it stays on record, with who revoked it and when)',
          params: z.object({ id: z.string().max(64) }),
          response: { 200: intentSchema, 404: problemSchema, 409: problemSchema },
        },
      },
      async (request) => revokeIntent(deps.db, request.params.id, request.principal?.id ?? 'unknown'),
    );
  };
