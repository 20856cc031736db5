import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createToken, listTokens, ROLES, revoke } from '../../govern/index.ts';
import { cursorQuery, decodeCursor, limitQuery, problemSchema, tokenSchema, toPage } from '../schemas.ts';
import type { ServerDeps } from '../server.ts';

export const tokenRoutes =
  (deps: ServerDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/v1/tokens',
      {
        config: { permission: 'tokens:manage' },
        schema: {
          tags: ['tokens'],
          summary: 'API tokens (never their secrets)',
          querystring: z.object({ limit: limitQuery, cursor: cursorQuery }),
          response: { 200: z.object({ items: z.array(tokenSchema), next_cursor: z.string().nullable() }) },
        },
      },
      async (request) => {
        const { limit, cursor } = request.query;
        const rows = await listTokens(deps.db, { after: decodeCursor(cursor, z.string()), limit: limit + 1 });
        return toPage(rows, limit, (last) => last.id);
      },
    );
    app.post(
      '/v1/tokens',
      {
        config: { permission: 'tokens:manage' },
        schema: {
          tags: ['tokens'],
          summary: 'Create a token; its secret is in this response only',
          body: z.object({ name: z.string().min(1).max(100), role: z.enum(ROLES) }),
          response: {
            201: z.object({ id: z.string(), name: z.string(), role: z.enum(ROLES), token: z.string() }),
          },
        },
      },
      async (request, reply) => {
        const issued = await createToken(
          deps.db,
          request.body.name,
          request.body.role,
          request.principal?.id ?? 'unknown',
        );
        return reply.status(201).send(issued);
      },
    );
    app.delete(
      '/v1/tokens/:id',
      {
        config: { permission: 'tokens:manage' },
        schema: {
          tags: ['tokens'],
          summary: 'Revoke a token',
          params: z.object({ id: z.string().max(64) }),
          response: { 200: tokenSchema, 404: problemSchema },
        },
      },
      async (request) => revoke(deps.db, request.params.id),
    );
  };
