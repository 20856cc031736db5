import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { InvexError } from '../../core/errors.ts';
import {
  getWhatIfRun,
  listWhatIfRuns,
  MAX_WHAT_IF_CELL_DAYS,
  prepareWhatIf,
  type WhatIfRunner,
} from '../../replenish/index.ts';
import { type Scenario, scenarioSchema, shippedScenarios } from '../../twin/index.ts';
import { limitQuery, problemSchema } from '../schemas.ts';
import type { ServerDeps } from '../server.ts';

const scenarioName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'a shipped scenario name, e.g. peak-season');

const runSchema = z
  .object({
    id: z.string().describe('wif_…'),
    status: z.enum(['queued', 'running', 'done', 'failed']),
    scenario: z.string(),
    seed: z.number(),
    policy: z.enum(['invex', 'baseline']),
    what_if: scenarioSchema.shape.what_if,
    requested_by: z.string().describe('The token that asked for it'),
    error: z.string().nullable(),
    created_at: z.string(),
    started_at: z.string().nullable(),
    finished_at: z.string().nullable(),
  })
  .describe('A what-if run: queued, running, done (with its report) or failed (with the reason)');

const runWithReport = runSchema.extend({
  report: z
    .record(z.string(), z.unknown())
    .nullable()
    .describe(
      'When done: both runs’ KPIs (base, withWhatIf), their difference (delta) and the planner’s responses (docs/twin.md)',
    ),
});

type Run = Awaited<ReturnType<typeof listWhatIfRuns>>[number];
const shape = (run: Run) => ({
  id: run.id,
  status: run.status,
  scenario: run.scenario,
  seed: run.request.seed,
  policy: run.request.policy,
  what_if: run.request.scenario.what_if,
  requested_by: run.requested_by,
  error: run.error,
  created_at: run.created_at,
  started_at: run.started_at,
  finished_at: run.finished_at,
});

function shipped(name: string): Scenario {
  const all = shippedScenarios();
  const found = all.find((s) => s.name === name);
  if (found) return found;
  throw new InvexError(
    'not_found',
    'scenario_not_found',
    `no shipped scenario ${name}; there are ${all.map((s) => s.name).join(', ')} (or send a scenario object)`,
    { scenario: name },
  );
}

export const whatIfRoutes =
  (deps: ServerDeps, runner: WhatIfRunner): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/v1/scenarios',
      {
        config: { permission: 'plans:read' },
        schema: {
          tags: ['what-ifs'],
          summary: 'The twin scenarios shipped with invex, for what-ifs',
          response: {
            200: z.object({
              items: z.array(
                z.object({
                  name: z.string(),
                  description: z.string(),
                  start: z.string(),
                  days: z.number(),
                  network: scenarioSchema.shape.network,
                }),
              ),
            }),
          },
        },
      },
      async () => ({
        items: shippedScenarios().map((s) => ({
          name: s.name,
          description: s.description,
          start: s.start,
          days: s.days,
          network: s.network,
        })),
      }),
    );

    app.post(
      '/v1/what-ifs',
      {
        config: { permission: 'scenarios:run' },
        schema: {
          tags: ['what-ifs'],
          summary: 'Queue a what-if on the twin: a supplier slip, a promotion added, a store closed',
          description:
            'The scenario runs twice with the same seed (so the same customers), without and with the what-if, ' +
            'under the chosen policy; the report gives the change in stock-outs, lost sales and cost, and the ' +
            'orders and transfers the planner made differently. Runs are queued and run one at a time; poll ' +
            `GET /v1/what-ifs/{id}. A run simulates at most ${MAX_WHAT_IF_CELL_DAYS.toLocaleString('en-US')} store x SKU x days.`,
          body: z.strictObject({
            scenario: z
              .union([scenarioName, scenarioSchema])
              .describe('A shipped scenario name (GET /v1/scenarios) or a whole scenario (docs/twin.md)'),
            seed: z.number().int().min(0).max(2_147_483_647).default(1),
            policy: z.enum(['invex', 'baseline']).default('invex'),
            what_if: scenarioSchema.shape.what_if.describe(
              'Added to the scenario’s own what_if section; days count from the scenario start (0)',
            ),
          }),
          response: { 202: runSchema, 400: problemSchema, 404: problemSchema, 503: problemSchema },
        },
      },
      async (request, reply) => {
        const { body } = request;
        const base = typeof body.scenario === 'string' ? shipped(body.scenario) : body.scenario;
        const scenario = prepareWhatIf(base, body.what_if);
        const run = await runner.submit(
          { scenario, seed: body.seed, policy: body.policy },
          request.principal!.id,
        );
        reply.status(202).header('location', `/v1/what-ifs/${run.id}`);
        return shape(run);
      },
    );

    app.get(
      '/v1/what-ifs',
      {
        config: { permission: 'plans:read' },
        schema: {
          tags: ['what-ifs'],
          summary: 'What-if runs, newest first (without their reports)',
          querystring: z.object({
            status: z.enum(['queued', 'running', 'done', 'failed']).optional(),
            before: z.string().max(64).optional().describe('Page on: runs older than this id'),
            limit: limitQuery,
          }),
          response: { 200: z.object({ items: z.array(runSchema) }), 400: problemSchema },
        },
      },
      async (request) => ({ items: (await listWhatIfRuns(deps.db, request.query)).map(shape) }),
    );

    app.get(
      '/v1/what-ifs/:id',
      {
        config: { permission: 'plans:read' },
        schema: {
          tags: ['what-ifs'],
          summary: 'One what-if run, with its report when done',
          params: z.object({ id: z.string().max(64) }),
          response: { 200: runWithReport, 404: problemSchema },
        },
      },
      async (request) => {
        const run = await getWhatIfRun(deps.db, request.params.id);
        if (!run)
          throw new InvexError('not_found', 'what_if_run_not_found', `no what-if run ${request.params.id}`, {
            id: request.params.id,
          });
        return {
          ...shape(run),
          report: run.report as unknown as Record<string, unknown> | null,
        };
      },
    );
  };
