import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { InvexError } from '../../core/errors.ts';
import {
  ACTION_KINDS,
  EXCEPTION_TYPES,
  getException,
  listExceptions,
  PRIORITY_BANDS,
  ROOT_CAUSES,
} from '../../detect/index.ts';
import { cursorQuery, decodeCursor, encodeCursor, limitQuery, problemSchema } from '../schemas.ts';
import type { ServerDeps } from '../server.ts';

const list = <T extends readonly [string, ...string[]]>(values: T) =>
  z
    .string()
    .max(2000)
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return undefined;
      const items = v
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean);
      const bad = items.filter((x) => !(values as readonly string[]).includes(x));
      if (bad.length > 0) {
        ctx.addIssue({
          code: 'custom',
          message: `unknown value(s) ${bad.join(', ')}; expected ${values.join(', ')}`,
        });
        return z.NEVER;
      }
      return items as T[number][];
    });

const countTaskSchema = z.object({
  count_id: z.string().describe('Echo it as ref.count_id on the cycle_count event: a directed count'),
  location: z.string(),
  sku: z.string(),
  probability_empty: z.number().describe('P(the shelf emptied unrecorded during the silence)'),
  expected_margin_per_day: z.number(),
  record_sellable: z.number(),
  expected_units_per_day: z.number(),
  days_without_sale: z.number(),
  days_since_count: z.number(),
  short_picked: z.boolean(),
  fast_mover: z
    .boolean()
    .describe("Taken by the store's fast-mover lane: counted first, whatever its rank by margin"),
  reason: z.string(),
});

/** The server's exception engine, or 503 when it runs without one. */
function engineOf(deps: ServerDeps): NonNullable<ServerDeps['detection']> {
  if (!deps.detection)
    throw new InvexError(
      'unavailable',
      'database_unavailable',
      'this server runs without the exception engine',
    );
  return deps.detection;
}

const evidenceEvent = z.object({
  event_id: z.string(),
  type: z.string(),
  occurred_at: z.string(),
  qty: z.number().optional(),
  note: z.string().optional(),
});

export const exceptionSchema = z
  .object({
    id: z.string().describe('exc_…'),
    key: z.string().describe('The underlying problem: one open exception per key'),
    type: z.enum(EXCEPTION_TYPES),
    status: z.enum(['open', 'closed']),
    sku: z.string().nullable(),
    location: z.string().nullable(),
    channel: z.string().nullable(),
    region: z.string().nullable(),
    category: z.string().nullable(),
    group: z.string().nullable().describe('Related exceptions share it: location:S1, supplier:SUP1, po:PO-9'),
    opened_at: z.string(),
    updated_at: z.string(),
    closed_at: z.string().nullable(),
    close_reason: z.string().nullable(),
    root_cause: z.enum(ROOT_CAUSES),
    reasoning: z.string(),
    confidence: z.number().describe('Probability in [0, 1] that the exception is real'),
    impact: z.object({
      currency: z.string(),
      value: z.number(),
      lost_margin: z.number(),
      cancellation_cost: z.number(),
      expedite_cost: z.number(),
      units_at_risk: z.number(),
      horizon_days: z.number(),
    }),
    urgency: z.number(),
    priority: z.number().describe('impact x confidence x urgency'),
    priority_band: z.enum(PRIORITY_BANDS),
    evidence: z.object({
      events: z.array(evidenceEvent),
      figures: z.record(z.string(), z.union([z.number(), z.string(), z.null()])),
      thresholds: z.record(z.string(), z.union([z.number(), z.string()])),
    }),
    explanation: z.string(),
    actions: z.array(
      z.object({
        kind: z.enum(ACTION_KINDS),
        detail: z.string(),
        sku: z.string().optional(),
        location: z.string().optional(),
        qty: z.number().optional(),
      }),
    ),
    updates: z.number(),
  })
  .describe('An exception with its evidence (docs/exceptions.md)');

const pageKey = z.object({ value: z.union([z.number(), z.string()]), id: z.string() });

export const exceptionRoutes =
  (deps: ServerDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/v1/exceptions',
      {
        config: { permission: 'exceptions:read' },
        schema: {
          tags: ['exceptions'],
          summary: 'Exceptions, filtered, highest priority first',
          querystring: z.object({
            type: list(EXCEPTION_TYPES).describe('Comma-separated types'),
            status: list(['open', 'closed'] as const).describe('open, closed or both (default both)'),
            priority: list(PRIORITY_BANDS).describe('Comma-separated bands: critical, high, medium, low'),
            location: z.string().max(64).optional(),
            region: z.string().max(100).optional(),
            category: z.string().max(100).optional(),
            sku: z.string().max(64).optional(),
            sort: z.enum(['priority', 'opened_at', 'updated_at']).default('priority'),
            limit: limitQuery,
            cursor: cursorQuery,
          }),
          response: {
            200: z.object({ items: z.array(exceptionSchema), next_cursor: z.string().nullable() }),
            400: problemSchema,
          },
        },
      },
      async (request) => {
        const { limit, cursor, sort, ...filter } = request.query;
        const items = await listExceptions(deps.db, filter, {
          limit: limit + 1,
          after: decodeCursor(cursor, pageKey),
          sort,
        });
        const more = items.length > limit;
        const page = items.slice(0, limit);
        const last = page.at(-1);
        const next =
          more && last
            ? encodeCursor({ value: sort === 'priority' ? last.priority : last[sort], id: last.id })
            : null;
        return { items: page, next_cursor: next };
      },
    );

    app.get(
      '/v1/exceptions/:id',
      {
        config: { permission: 'exceptions:read' },
        schema: {
          tags: ['exceptions'],
          summary: 'One exception with its evidence, explanation and recommended actions',
          params: z.object({ id: z.string().min(1).max(64) }),
          response: { 200: exceptionSchema, 404: problemSchema },
        },
      },
      async (request) => {
        const found = await getException(deps.db, request.params.id);
        if (!found)
          throw new InvexError(
            'not_found',
            'exception_not_found',
            `exception ${request.params.id} does not exist`,
          );
        return found;
      },
    );

    app.get(
      '/v1/count-plan',
      {
        config: { permission: 'exceptions:read' },
        schema: {
          tags: ['exceptions'],
          summary:
            "Today's count plan: per store, the records a count is worth most on (the shelf likeliest emptied unrecorded, times the margin it loses a day)",
          querystring: z.object({
            location: z.string().min(1).max(64).optional().describe('One store only'),
            per_location: z.coerce
              .number()
              .int()
              .min(1)
              .max(200)
              .default(5)
              .describe('Tasks a store at most (default 5)'),
          }),
          response: {
            200: z.object({
              generated_at: z.string(),
              per_location: z.number(),
              tasks: z.array(countTaskSchema),
            }),
            503: problemSchema,
          },
        },
      },
      async (request) => {
        const plan = await engineOf(deps).countPlan({
          perLocation: request.query.per_location,
          location: request.query.location,
        });
        return { ...plan, per_location: request.query.per_location };
      },
    );

    app.post(
      '/v1/detect/sweep',
      {
        config: { permission: 'detect:run' },
        schema: {
          tags: ['exceptions'],
          summary:
            'Catch up with the log and run the scheduled scans now (SLA clocks, zero-sales runs, reporting gaps)',
          response: {
            200: z.object({
              events: z.number(),
              deliveries: z.number(),
              opened: z.number(),
              updated: z.number(),
              closed: z.number(),
            }),
            503: problemSchema,
          },
        },
      },
      async () => {
        return engineOf(deps).sweep();
      },
    );
  };
