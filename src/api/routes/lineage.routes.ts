import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { lineage } from '../../ledger/index.ts';
import { cursorQuery, decodeCursor, lineageEntrySchema, problemSchema, toPage } from '../schemas.ts';
import type { ServerDeps } from '../server.ts';

export const lineageRoutes =
  (deps: ServerDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/v1/lineage',
      {
        config: { permission: 'lineage:read' },
        schema: {
          tags: ['lineage'],
          summary: 'Every event tied to a correlation id and the state changes it made, in time order',
          querystring: z.object({
            ref: z.string().min(3).max(200).describe('kind:value, e.g. po_id:PO-123'),
            limit: z.coerce.number().int().min(1).max(10_000).default(1000),
            cursor: cursorQuery,
          }),
          response: {
            200: z.object({
              ref: z.string(),
              entries: z.array(lineageEntrySchema),
              next_cursor: z.string().nullable(),
            }),
            400: problemSchema,
          },
        },
      },
      async (request) => {
        const { ref, limit, cursor } = request.query;
        const after = decodeCursor(cursor, z.object({ at: z.string(), event_id: z.string() }));
        const rows = await lineage(deps.db, ref, limit + 1, after);
        const { items, next_cursor } = toPage(rows, limit, (last) => ({
          at: last.occurred_at,
          event_id: last.event_id,
        }));
        return { ref, entries: items, next_cursor };
      },
    );
  };
