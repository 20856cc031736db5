import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Config } from '../core/config.ts';
import { InvexError } from '../core/errors.ts';
import type { Database } from '../db/index.ts';
import type { DetectionService } from '../detect/index.ts';
import { authenticate, authorize, type Permission, type Principal } from '../govern/index.ts';
import { WhatIfRunner, type WhatIfRunnerOptions } from '../replenish/index.ts';
import { errorHandler, problem } from './problem.ts';
import { deadLetterRoutes } from './routes/dead-letters.routes.ts';
import { eventRoutes } from './routes/events.routes.ts';
import { exceptionRoutes } from './routes/exceptions.routes.ts';
import { forecastRoutes } from './routes/forecasts.routes.ts';
import { healthRoutes } from './routes/health.routes.ts';
import { lineageRoutes } from './routes/lineage.routes.ts';
import { masterRoutes } from './routes/master.routes.ts';
import { planRoutes } from './routes/plans.routes.ts';
import { stockRoutes } from './routes/stock.routes.ts';
import { tokenRoutes } from './routes/tokens.routes.ts';
import { whatIfRoutes } from './routes/what-ifs.routes.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /** The permission a route needs; `public` routes need no token (health and the API description only). */
    permission?: Permission | 'public';
  }
}

export interface ServerDeps {
  db: Database;
  config: Config;
  version: string;
  /** The exception engine following the log; absent, exceptions are read-only. */
  detection?: DetectionService;
  /** How the server's what-if queue runs (tests bound it). */
  whatIfs?: WhatIfRunnerOptions;
}

export type App = FastifyInstance<
  import('node:http').Server,
  import('node:http').IncomingMessage,
  import('node:http').ServerResponse,
  import('fastify').FastifyBaseLogger,
  ZodTypeProvider
>;

export async function buildServer(deps: ServerDeps, logger: boolean | object = false): Promise<App> {
  const app = Fastify({
    logger,
    bodyLimit: deps.config.maxBodyBytes,
    // Ids and cursors are short: bound everything a client controls.
    routerOptions: { maxParamLength: 200 },
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((request, reply) =>
    reply
      .status(404)
      .type('application/problem+json')
      .send(problem(404, 'route_not_found', `no route ${request.method} ${request.url}`, request.url)),
  );

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'invex API',
        version: deps.version,
        description:
          'Inventory exception control tower. Every route except /health needs `Authorization: Bearer <token>`. Errors are RFC 9457 problem details.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request) => {
    const permission = request.routeOptions.config.permission;
    if (permission === 'public') return;
    // The API description holds no data; it may be opened to all (the demo does), else it
    // needs a token like everything else.
    const isDocs = request.url === '/docs' || request.url.startsWith('/docs/');
    if (isDocs && deps.config.publicApiDocs) return;
    const principal = await authenticate(deps.db, request.headers.authorization);
    if (isDocs) return;
    if (!permission) {
      throw new InvexError('not_found', 'route_not_found', `no route ${request.method} ${request.url}`);
    }
    const decision = authorize(principal, permission);
    if (!decision.allowed) throw new InvexError('forbidden', 'permission_denied', decision.reason);
    request.principal = principal;
  });

  await app.register(healthRoutes(deps));
  await app.register(eventRoutes(deps));
  await app.register(stockRoutes(deps));
  await app.register(deadLetterRoutes(deps));
  await app.register(lineageRoutes(deps));
  await app.register(masterRoutes(deps));
  await app.register(tokenRoutes(deps));
  await app.register(exceptionRoutes(deps));
  await app.register(planRoutes(deps));
  await app.register(forecastRoutes(deps));
  // What-ifs run on a worker thread, one at a time, from a queue kept in the database.
  const whatIfs = new WhatIfRunner(deps.db, deps.whatIfs);
  app.addHook('onReady', () => whatIfs.start());
  app.addHook('onClose', () => whatIfs.close());
  await app.register(whatIfRoutes(deps, whatIfs));
  return app;
}
