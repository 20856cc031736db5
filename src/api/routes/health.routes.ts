import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { InvexError } from '../../core/errors.ts';
import type { ServerDeps } from '../server.ts';

export const healthRoutes =
  (deps: ServerDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/health',
      {
        config: { permission: 'public' },
        schema: {
          tags: ['health'],
          summary: 'Liveness and database reachability',
          security: [],
          response: {
            200: z.object({
              status: z.literal('ok'),
              database: z.enum(['pglite', 'postgres']),
              version: z.string(),
            }),
          },
        },
      },
      async () => {
        try {
          await deps.db.query('select 1');
        } catch (error) {
          throw new InvexError(
            'unavailable',
            'database_unavailable',
            `database not answering: ${(error as Error).message}`,
          );
        }
        return { status: 'ok' as const, database: deps.db.kind, version: deps.version };
      },
    );
  };
