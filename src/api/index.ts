import type { AddressInfo } from 'node:net';
import { InvexError } from '../core/errors.ts';
import { type App, buildServer, type ServerDeps } from './server.ts';

export { type App, buildServer, type ServerDeps } from './server.ts';

/** Builds the server, listens, and returns its URL (port 0 picks a free port). */
export async function startServer(
  deps: ServerDeps,
  options: { host: string; port: number; logger: boolean | object },
): Promise<{ app: App; url: string }> {
  const app = await buildServer(deps, options.logger);
  try {
    await app.listen({ host: options.host, port: options.port });
  } catch (error) {
    await app.close().catch(() => {});
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'EADDRINUSE'
        ? 'the port is in use (choose another with --port or INVEX_PORT)'
        : code === 'EACCES'
          ? 'permission denied (ports below 1024 need privileges)'
          : (error as Error).message;
    throw new InvexError(
      'unavailable',
      'listen_failed',
      `cannot listen on ${options.host}:${options.port}: ${why}`,
    );
  }
  const address = app.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return { app, url: `http://${host}:${address.port}` };
}
