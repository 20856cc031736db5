import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { InvexError } from '../../core/errors.ts';
import { parseUserTime } from '../../core/time.ts';
import { applyRecordConfidence, readRecordConfidence } from '../../detect/index.ts';
import { getStock, getStockAt, listStock } from '../../ledger/index.ts';
import {
  cursorQuery,
  decodeCursor,
  encodeCursor,
  limitQuery,
  problemSchema,
  stockPictureSchema,
} from '../schemas.ts';
import type { ServerDeps } from '../server.ts';

const code = z.string().min(1).max(64);
const stockKey = z.object({ location: z.string(), sku: z.string() });

export const stockRoutes =
  (deps: ServerDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/v1/stock/:sku/:location',
      {
        config: { permission: 'stock:read' },
        schema: {
          tags: ['stock'],
          summary: 'The inventory picture of one SKU at one location, now or at a past time',
          params: z.object({ sku: code, location: code }),
          querystring: z.object({
            at: z
              .string()
              .max(64)
              .optional()
              .describe('ISO-8601 time (or a date: its end, UTC) for a point-in-time picture'),
          }),
          response: { 200: stockPictureSchema, 404: problemSchema },
        },
      },
      async (request) => {
        const { sku, location } = request.params;
        if (request.query.at === undefined) {
          const picture = await getStock(deps.db, deps.config, sku, location);
          const floor = deps.detection?.engine.config.base.atp_confidence_floor ?? 0.5;
          return applyRecordConfidence(picture, await readRecordConfidence(deps.db, location, sku), floor);
        }
        const at = parseUserTime(request.query.at);
        if (!at) {
          throw new InvexError(
            'invalid_input',
            'request_invalid',
            `at must be an ISO-8601 time with zone or a date; got ${request.query.at}`,
          );
        }
        return getStockAt(deps.db, deps.config, sku, location, at);
      },
    );

    app.get(
      '/v1/stock',
      {
        config: { permission: 'stock:read' },
        schema: {
          tags: ['stock'],
          summary: 'Inventory pictures, filtered and paginated (ordered by location, then SKU)',
          querystring: z.object({
            sku: code.optional(),
            location: code.optional(),
            region: z.string().max(100).optional(),
            category: z.string().max(100).optional(),
            limit: limitQuery,
            cursor: cursorQuery,
          }),
          response: {
            200: z.object({ items: z.array(stockPictureSchema), next_cursor: z.string().nullable() }),
          },
        },
      },
      async (request) => {
        const { limit, cursor, ...filter } = request.query;
        const page = await listStock(deps.db, deps.config, {
          ...filter,
          limit,
          after: decodeCursor(cursor, stockKey),
        });
        return { items: page.items, next_cursor: page.next ? encodeCursor(page.next) : null };
      },
    );
  };
