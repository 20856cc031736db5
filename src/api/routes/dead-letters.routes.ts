import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listDeadLetters, REJECTION_REASONS, replayDeadLetters } from '../../ingest/index.ts';
import {
  cursorQuery,
  deadLetterSchema,
  decodeCursor,
  ingestResultSchema,
  limitQuery,
  toPage,
} from '../schemas.ts';
import type { ServerDeps } from '../server.ts';

export const deadLetterRoutes =
  (deps: ServerDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/v1/dead-letters',
      {
        config: { permission: 'dlq:read' },
        schema: {
          tags: ['dead letters'],
          summary: 'Records that could not be applied, with their reason',
          querystring: z.object({
            status: z.enum(['open', 'resolved']).optional(),
            reason: z.enum(REJECTION_REASONS).optional(),
            limit: limitQuery,
            cursor: cursorQuery,
          }),
          response: {
            200: z.object({ items: z.array(deadLetterSchema), next_cursor: z.string().nullable() }),
          },
        },
      },
      async (request) => {
        const { limit, cursor, status, reason } = request.query;
        const after = decodeCursor(cursor, z.string());
        const rows = await listDeadLetters(deps.db, { status, reason, after, limit: limit + 1 });
        return toPage(rows, limit, (last) => last.id);
      },
    );

    app.post(
      '/v1/dead-letters/replay',
      {
        config: { permission: 'dlq:replay' },
        schema: {
          tags: ['dead letters'],
          summary: 'Send open dead letters through ingestion again (after fixing their cause)',
          body: z
            .object({
              ids: z.array(z.string().max(64)).max(10_000).optional(),
              reason: z.enum(REJECTION_REASONS).optional(),
            })
            .default({}),
          response: { 200: ingestResultSchema.extend({ replayed: z.number() }) },
        },
      },
      async (request) => replayDeadLetters(deps.db, request.body ?? {}),
    );
  };
