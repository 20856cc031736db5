import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { importMaster } from '../../catalog/index.ts';
import { masterImportResultSchema } from '../schemas.ts';
import type { ServerDeps } from '../server.ts';

export const masterRoutes =
  (deps: ServerDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/v1/master',
      {
        config: { permission: 'master:write' },
        schema: {
          tags: ['master data'],
          summary: 'Create or update SKUs, locations and channels',
          description:
            'A JSON array of SKU, location or channel objects (told apart by their sku / location / channel field). Re-sending a record updates it; bad records are listed and the rest applied.',
          body: z.array(z.record(z.string(), z.unknown())).max(100_000),
          response: { 200: masterImportResultSchema },
        },
      },
      async (request) => importMaster(deps.db, request.body),
    );
  };
